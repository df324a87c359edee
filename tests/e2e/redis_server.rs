//! A real Redis for the shared rate-limit store's tests: the one named by
//! `S4E_TEST_REDIS_URL` (CI starts it), else a `redis-server` of the test's
//! own on a free loopback port. Without either, a test says it is skipped
//! and returns, unless `S4E_REQUIRE_REDIS=1` (CI), where that fails it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Redis server the test talks to.
pub(crate) struct RedisServer {
    pub(crate) url: String,
    port: u16,
    /// Ours to stop and start; `None` for CI's.
    child: Option<Child>,
}

/// CI's Redis, or one of the test's own; `None` (after saying so) when
/// neither can be had.
pub(crate) fn redis(test: &str) -> Option<RedisServer> {
    match std::env::var("S4E_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(RedisServer {
            url: url.trim().to_owned(),
            port: 0,
            child: None,
        }),
        _ => own_redis(test),
    }
}

/// A `redis-server` of the test's own, which it may stop and start again.
pub(crate) fn own_redis(test: &str) -> Option<RedisServer> {
    let port = free_port();
    let child = spawn(port, test)?;
    let server = RedisServer {
        url: format!("redis://127.0.0.1:{port}"),
        port,
        child: Some(child),
    };
    server.wait_ready();
    Some(server)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Starts `redis-server` without persistence; `None` when there is none.
fn spawn(port: u16, test: &str) -> Option<Child> {
    let started = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match started {
        Ok(child) => Some(child),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("S4E_REQUIRE_REDIS").as_deref() == Ok("1") {
                panic!(
                    "{test}: S4E_REQUIRE_REDIS=1 but there is no redis-server on PATH and S4E_TEST_REDIS_URL is unset"
                );
            }
            // Straight to stderr: the test harness would hide a print of a
            // test that passes.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: skipped: no redis-server (install it, e.g. `apt-get install redis-server`, or set S4E_TEST_REDIS_URL)"
            );
            None
        }
        Err(error) => panic!("{test}: redis-server does not start: {error}"),
    }
}

impl RedisServer {
    /// Waits until the server answers `PING`.
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let pong = TcpStream::connect(("127.0.0.1", self.port)).and_then(|mut stream| {
                stream.write_all(b"PING\r\n")?;
                let mut answer = [0; 7];
                stream.read_exact(&mut answer)?;
                Ok(answer)
            });
            if pong.is_ok_and(|answer| &answer == b"+PONG\r\n") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} does not answer",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (only one of the test's own).
    pub(crate) fn stop(&mut self) {
        let mut child = self.child.take().expect("a redis-server of the test's own");
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts it again on the same port, empty.
    pub(crate) fn start_again(&mut self, test: &str) {
        assert!(self.child.is_none(), "stop it first");
        self.child = Some(spawn(self.port, test).expect("redis-server was there a moment ago"));
        self.wait_ready();
    }

    /// A connection for looking into the server.
    pub(crate) async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url.as_str())
            .expect("the test's Redis URL")
            .get_multiplexed_async_connection()
            .await
            .expect("the test's Redis answers")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
