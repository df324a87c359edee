//! A raw TCP server that answers at the pace a test sets: a body that
//! trickles, one that never ends, one that moves steadily. wiremock can delay
//! a whole answer but not pace its body, and these tests are about the body.
//!
//! The server runs on plain threads, so it serves async and blocking clients
//! alike and its own work stays off the client's runtime.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// No connection is served longer than this, whatever the script: a test
/// that fails leaves no thread writing forever.
const SERVE_AT_MOST: Duration = Duration::from_secs(20);

/// What the server sends to every request.
#[derive(Clone)]
pub(crate) struct Script {
    /// The status line and headers, without the blank line.
    pub(crate) head: String,
    /// The bytes sent at once after the head.
    pub(crate) first: Vec<u8>,
    /// Then `piece`, every `every`, `pieces` times (`None`: until the client
    /// goes away).
    pub(crate) piece: Vec<u8>,
    pub(crate) every: Duration,
    pub(crate) pieces: Option<usize>,
}

impl Script {
    /// A 200 with `Content-Length: length` and `content_type`, whose body
    /// starts with `first` and goes on in `piece`s.
    pub(crate) fn ok(content_type: &str, length: Option<usize>) -> Script {
        // One request per connection: the server closes it after the answer.
        let framing = match length {
            Some(length) => format!("content-length: {length}\r\nconnection: close"),
            None => "connection: close".to_owned(),
        };
        Script {
            head: format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\n{framing}"),
            first: Vec::new(),
            piece: Vec::new(),
            every: Duration::from_millis(10),
            pieces: Some(0),
        }
    }
}

/// A running server: its base URL and the requests it has seen.
pub(crate) struct Server {
    pub(crate) base_url: String,
    requests: Arc<AtomicUsize>,
}

impl Server {
    /// Requests received so far.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Starts a server answering every request with `script`.
pub(crate) fn serve(script: Script) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let base_url = format!("http://{}/v1", listener.local_addr().expect("address"));
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let script = script.clone();
            let seen = seen.clone();
            std::thread::spawn(move || answer(stream, &script, &seen));
        }
    });
    Server { base_url, requests }
}

/// Reads one request (head and `content-length` body) and plays the script;
/// returns when the client is gone or the script is over.
fn answer(stream: TcpStream, script: &Script, seen: &AtomicUsize) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    // The request body is read whole: closing a socket with unread input
    // resets the connection and could cut the answer short.
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    seen.fetch_add(1, Ordering::SeqCst);
    let mut stream = stream;
    let started = Instant::now();
    let head = format!("{}\r\n\r\n", script.head);
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&script.first).is_err() {
        return;
    }
    let mut sent = 0;
    while script.pieces.is_none_or(|pieces| sent < pieces) && started.elapsed() < SERVE_AT_MOST {
        std::thread::sleep(script.every);
        if stream.write_all(&script.piece).is_err() || stream.flush().is_err() {
            return;
        }
        sent += 1;
    }
}
