//! A raw-TCP HTTP/1.1 server that answers with exactly the bytes a test
//! scripts, so it can break framing, trickle, never end, or hang.
//!
//! Every connection reads one request (request line, headers, and a body of
//! `Content-Length` bytes), records it, asks the test's responder for a
//! [`Reply`] and plays it: chunks of bytes, pauses, endless drips, then close,
//! hang, or read the next request on the same connection.
//!
//! The server runs on a runtime thread of its own, so it works the same for
//! async tests and for blocking-client tests (which must not run inside a
//! runtime), and its timing does not depend on the test's runtime.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The longest request head the server reads; the client under test never
/// sends more.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// 0-based number of the connection it came on, in accept order.
    pub(crate) connection: usize,
    /// `GET`, `POST`, ...
    pub(crate) method: String,
    /// The request target: path and query, e.g. `/v1/findings?page=2`.
    pub(crate) target: String,
    /// Header names lower-cased, in the order received.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Received {
    /// The first value of header `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The value of query parameter `name`, as sent (the client percent-encodes
    /// nothing the tests look at).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        let query = self.target.split_once('?')?.1;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }
}

/// One action of a reply.
#[derive(Debug, Clone)]
enum Step {
    Write(Vec<u8>),
    Sleep(Duration),
    /// Waits until the server has received `requests` requests in all, or
    /// `within` passed (so a test whose client never sends them fails on
    /// its own assertions instead of hanging).
    AwaitRequests {
        requests: usize,
        within: Duration,
    },
    /// Writes `chunk` every `every`, `times` times or forever.
    Drip {
        chunk: Vec<u8>,
        every: Duration,
        times: Option<u64>,
    },
}

/// What happens after the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    /// Close the connection (FIN).
    Close,
    /// Keep the connection open without sending anything more, until the
    /// client closes it (or the server stops).
    Hang,
    /// Read the next request on the same connection.
    KeepAlive,
}

/// The bytes a connection sends back for one request, with pauses.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    steps: Vec<Step>,
    then: Then,
}

impl Reply {
    /// Nothing at all: the connection is closed right after the request.
    pub(crate) fn nothing() -> Reply {
        Reply {
            steps: Vec::new(),
            then: Then::Close,
        }
    }

    /// These bytes as they are, then close.
    pub(crate) fn raw(bytes: impl Into<Vec<u8>>) -> Reply {
        Reply::nothing().write(bytes)
    }

    /// A well-formed answer: status, `headers`, `Content-Length`,
    /// `Connection: close` and `body`, then close.
    pub(crate) fn full(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
        let body = body.into();
        let length = body.len().to_string();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.push(("content-length", &length));
        all.push(("connection", "close"));
        let mut bytes = head(status, &all);
        bytes.extend_from_slice(&body);
        Reply::raw(bytes)
    }

    /// A well-formed JSON answer (see [`Reply::full`]).
    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::full(status, &[("content-type", "application/json")], body)
    }

    /// A well-formed JSON answer that leaves the connection open for the
    /// next request (no `Connection: close`).
    pub(crate) fn json_keep_alive(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        let body = body.into();
        let length = body.len().to_string();
        let mut bytes = head(
            status,
            &[
                ("content-type", "application/json"),
                ("content-length", &length),
            ],
        );
        bytes.extend_from_slice(&body);
        Reply {
            steps: vec![Step::Write(bytes)],
            then: Then::KeepAlive,
        }
    }

    /// Appends bytes to send.
    pub(crate) fn write(mut self, bytes: impl Into<Vec<u8>>) -> Reply {
        self.steps.push(Step::Write(bytes.into()));
        self
    }

    /// Appends a pause.
    pub(crate) fn sleep(mut self, pause: Duration) -> Reply {
        self.steps.push(Step::Sleep(pause));
        self
    }

    /// Appends `chunk` sent `times` times, one every `every`.
    pub(crate) fn drip(mut self, chunk: impl Into<Vec<u8>>, every: Duration, times: u64) -> Reply {
        self.steps.push(Step::Drip {
            chunk: chunk.into(),
            every,
            times: Some(times),
        });
        self
    }

    /// Appends `chunk` sent forever, one every `every` (zero: as fast as the
    /// client reads), until the client goes away.
    pub(crate) fn endless(mut self, chunk: impl Into<Vec<u8>>, every: Duration) -> Reply {
        self.steps.push(Step::Drip {
            chunk: chunk.into(),
            every,
            times: None,
        });
        self
    }

    /// Appends a wait until the server has received `requests` requests in
    /// all (on any connection), for at most `within`: a test that needs
    /// requests to be in flight together holds an answer back with it
    /// instead of hoping the client is faster than the server.
    pub(crate) fn after_requests(mut self, requests: usize, within: Duration) -> Reply {
        self.steps
            .insert(0, Step::AwaitRequests { requests, within });
        self
    }

    /// After the steps, keeps the connection open and silent.
    pub(crate) fn then_hang(mut self) -> Reply {
        self.then = Then::Hang;
        self
    }
}

/// A status line and headers, ending with the blank line. The reason phrase
/// is always `X`: clients must not care.
pub(crate) fn head(status: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {status} X\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// [`head`] of a chunked body of `content_type`.
pub(crate) fn chunked_head(status: u16, content_type: &str) -> Vec<u8> {
    head(
        status,
        &[
            ("content-type", content_type),
            ("transfer-encoding", "chunked"),
        ],
    )
}

/// `bytes` as one chunk of a chunked body (`<hex size>\r\n<bytes>\r\n`).
pub(crate) fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

type Responder = dyn Fn(&Received) -> Reply + Send + Sync;

struct State {
    respond: Box<Responder>,
    requests: Mutex<Vec<Received>>,
    connections: AtomicUsize,
    bytes_sent: AtomicU64,
    hangups: AtomicUsize,
}

/// A running hostile server; stopped (every connection closed) when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Starts a server that answers every request with what `respond` returns
    /// for it.
    pub(crate) fn start(respond: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hostile-server")
            .enable_all()
            .build()
            .expect("a runtime for the hostile server");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        listener.set_nonblocking(true).expect("non-blocking socket");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            respond: Box::new(respond),
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            bytes_sent: AtomicU64::new(0),
            hangups: AtomicUsize::new(0),
        });
        let accepting = state.clone();
        runtime.spawn(async move {
            let listener = TcpListener::from_std(listener).expect("a tokio listener");
            while let Ok((stream, _)) = listener.accept().await {
                let number = accepting.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, number, accepting.clone()));
            }
        });
        Server {
            addr,
            state,
            runtime: Some(runtime),
        }
    }

    /// Answers every request with `reply`.
    pub(crate) fn always(reply: Reply) -> Server {
        Server::start(move |_| reply.clone())
    }

    /// Answers the n-th request with `replies[n]`; the last one repeats.
    pub(crate) fn sequence(replies: impl IntoIterator<Item = Reply>) -> Server {
        let replies: Vec<Reply> = replies.into_iter().collect();
        assert!(!replies.is_empty(), "a sequence needs a reply");
        let next = AtomicUsize::new(0);
        Server::start(move |_| {
            let n = next.fetch_add(1, Ordering::SeqCst);
            replies[n.min(replies.len() - 1)].clone()
        })
    }

    /// Runs many cases on one server (and so one client, whose construction
    /// is the slow part of a short test): a request whose path ends in `/c<n>`
    /// is answered from `cases[n]`, a sequence of its own whose last reply
    /// repeats; any other request gets a 404.
    pub(crate) fn cases(cases: impl IntoIterator<Item = Vec<Reply>>) -> Server {
        let cases: Vec<Vec<Reply>> = cases.into_iter().collect();
        assert!(
            cases.iter().all(|case| !case.is_empty()),
            "a case needs a reply"
        );
        let counters: Vec<AtomicUsize> = cases.iter().map(|_| AtomicUsize::new(0)).collect();
        Server::start(move |request| match case_of(request) {
            Some(n) if n < cases.len() => {
                let seen = counters[n].fetch_add(1, Ordering::SeqCst);
                cases[n][seen.min(cases[n].len() - 1)].clone()
            }
            _ => Reply::full(404, &[], "no such case"),
        })
    }

    /// How many requests case `n` of [`Server::cases`] received.
    pub(crate) fn case_requests(&self, n: usize) -> usize {
        self.requests()
            .iter()
            .filter(|request| case_of(request) == Some(n))
            .count()
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `<origin>/v1`, the base URL of a client talking to this server.
    pub(crate) fn base_url(&self) -> String {
        format!("{}/v1", self.origin())
    }

    /// Every request received so far, in arrival order.
    pub(crate) fn requests(&self) -> Vec<Received> {
        self.state.requests.lock().expect("request log").clone()
    }

    /// How many requests arrived.
    pub(crate) fn request_count(&self) -> usize {
        self.state.requests.lock().expect("request log").len()
    }

    /// How many connections were accepted.
    pub(crate) fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Bytes the server managed to write, over all connections.
    pub(crate) fn bytes_sent(&self) -> u64 {
        self.state.bytes_sent.load(Ordering::SeqCst)
    }

    /// Connections the client closed before the reply was over: a write
    /// failed, or the client hung up on a hanging connection.
    pub(crate) fn hangups(&self) -> usize {
        self.state.hangups.load(Ordering::SeqCst)
    }

    /// Waits, without blocking the caller's runtime, until at least `n`
    /// hangups are seen or `within` passed; returns the count. Async tests use
    /// this: the client's connection tasks run on the test's runtime and only
    /// close the socket when that runtime is free to run them.
    pub(crate) async fn wait_for_hangups(&self, n: usize, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        while self.hangups() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.hangups()
    }

    /// [`wait_for_hangups`](Self::wait_for_hangups) for blocking tests.
    pub(crate) fn wait_for_hangups_blocking(&self, n: usize, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        while self.hangups() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.hangups()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Allowed inside an async test, unlike a plain drop of a runtime; it
        // cancels every connection task, which closes their sockets.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Serves one connection: request, reply, and so on while the replies say
/// keep-alive.
async fn serve(mut stream: TcpStream, connection: usize, state: Arc<State>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer, connection).await else {
            return;
        };
        state
            .requests
            .lock()
            .expect("request log")
            .push(request.clone());
        let reply = (state.respond)(&request);
        if play(&mut stream, &reply.steps, &state).await.is_err() {
            state.hangups.fetch_add(1, Ordering::SeqCst);
            return;
        }
        match reply.then {
            Then::Close => {
                let _ = stream.shutdown().await;
                return;
            }
            Then::Hang => {
                // Read (and drop) until the client closes, to notice that it
                // gave up.
                let mut sink = [0u8; 4096];
                loop {
                    match stream.read(&mut sink).await {
                        Ok(0) | Err(_) => {
                            state.hangups.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        Ok(_) => {}
                    }
                }
            }
            Then::KeepAlive => {}
        }
    }
}

async fn play(stream: &mut TcpStream, steps: &[Step], state: &State) -> std::io::Result<()> {
    for step in steps {
        match step {
            Step::Write(bytes) => send(stream, bytes, state).await?,
            Step::Sleep(pause) => tokio::time::sleep(*pause).await,
            Step::AwaitRequests { requests, within } => {
                let deadline = Instant::now() + *within;
                while state.requests.lock().expect("request log").len() < *requests
                    && Instant::now() < deadline
                {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            Step::Drip {
                chunk,
                every,
                times,
            } => {
                let mut sent = 0u64;
                while times.is_none_or(|times| sent < times) {
                    send(stream, chunk, state).await?;
                    sent += 1;
                    if !every.is_zero() {
                        tokio::time::sleep(*every).await;
                    }
                }
            }
        }
    }
    Ok(())
}

async fn send(stream: &mut TcpStream, bytes: &[u8], state: &State) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    state
        .bytes_sent
        .fetch_add(bytes.len() as u64, Ordering::SeqCst);
    Ok(())
}

/// Reads one request; `None` when the client closed the connection first or
/// sent something that is not a request this server understands.
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    connection: usize,
) -> Option<Received> {
    let head_end = loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_REQUEST_HEAD || !read_more(stream, buffer).await {
            return None;
        }
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        if !read_more(stream, buffer).await {
            return None;
        }
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Received {
        connection,
        method,
        target,
        headers,
        body,
    })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

/// `n` for a request whose path ends in `/c<n>`.
fn case_of(request: &Received) -> Option<usize> {
    request
        .path()
        .rsplit('/')
        .next()?
        .strip_prefix('c')?
        .parse()
        .ok()
}

/// The id of case `n` of [`Server::cases`]: `c<n>`, the last path segment
/// of a call such as `findings().get(case(n))`.
pub(crate) fn case(n: usize) -> String {
    format!("c{n}")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
