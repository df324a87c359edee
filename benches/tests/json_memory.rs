//! Peak heap while the client reads a large JSON answer: its size once, not
//! twice (issue 9, section 4). A test binary of its own, because it installs
//! a counting global allocator (the benchmarks' one, which counts only the
//! threads that opt in); the server runs on a thread of its own, outside the
//! count, and the client on the test's thread, in a current-thread runtime.
//!
//! `cargo test -p s4e-benches --test json_memory -- --nocapture` prints the
//! figures.

#[path = "../benches/sdk/alloc.rs"]
mod alloc;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;

use s4e::{Endpoint, Method, PathBuilder, RawResponse};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

const MIB: usize = 1024 * 1024;
/// The answer: 48 MiB, three quarters of the default 64 MiB limit.
const BODY: usize = 48 * MIB;

/// `GET /big`, decoded as the length of the body: what is measured is the
/// transport reading it, not a model holding it a second time.
struct GetBig;

impl Endpoint for GetBig {
    type Output = usize;
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/big";

    fn write_path(&self, path: &mut PathBuilder) -> s4e::Result<()> {
        path.literal("/big");
        Ok(())
    }

    fn decode(response: RawResponse<'_>) -> s4e::Result<usize> {
        Ok(response.body.len())
    }
}

/// A JSON document of exactly `BODY` bytes.
fn body() -> Arc<Vec<u8>> {
    let head = br#"{"data": {"id": "f-1", "title": ""#;
    let tail = br#""}}"#;
    let mut body = Vec::with_capacity(BODY);
    body.extend_from_slice(head);
    body.resize(BODY - tail.len(), b'x');
    body.extend_from_slice(tail);
    Arc::new(body)
}

/// Serves `body` to every request, with or without `Content-Length`, in
/// 64 KiB writes, from threads the allocator does not count.
fn serve(body: Arc<Vec<u8>>, content_length: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/v1", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let body = body.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                let framing = if content_length {
                    format!("content-length: {}\r\n", body.len())
                } else {
                    String::new()
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{framing}connection: close\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes());
                for piece in body.chunks(64 * 1024) {
                    if stream.write_all(piece).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// The peak heap growth of this thread while one call reads the answer.
fn peak_while_reading(content_length: bool) -> usize {
    let body = body();
    let url = serve(body, content_length);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = s4e::Client::builder("sk_test_memory")
        .base_url(url)
        .retries(0)
        .build()
        .expect("client");
    alloc::track_this_thread();
    let before = alloc::live();
    alloc::reset_peak();
    let read = runtime
        .block_on(client.execute(GetBig).send())
        .expect("the answer is read");
    let peak = usize::try_from(alloc::peak() - before).expect("the peak is above the start");
    assert_eq!(read, BODY);
    peak
}

#[test]
fn a_large_answer_with_a_content_length_is_held_once() {
    let peak = peak_while_reading(true);
    println!(
        "with Content-Length: peak {:.1} MiB for a {} MiB answer ({:.2}x)",
        peak as f64 / MIB as f64,
        BODY / MIB,
        peak as f64 / BODY as f64
    );
    // One buffer of the announced size, plus the connection's buffers.
    assert!(peak < BODY + BODY / 10, "peak {peak} for {BODY}");
}

#[test]
fn a_large_answer_without_a_content_length_is_not_held_twice() {
    let peak = peak_while_reading(false);
    println!(
        "without Content-Length: peak {:.1} MiB for a {} MiB answer ({:.2}x)",
        peak as f64 / MIB as f64,
        BODY / MIB,
        peak as f64 / BODY as f64
    );
    // A buffer that doubles, capped at the 64 MiB limit: never the body
    // twice, as gathering chunks and then joining them needed.
    assert!(peak < 2 * BODY, "peak {peak} for {BODY}");
}
