//! A tiny HTTP/1.1 server on a free loopback port, for what the sandbox
//! cannot be made to answer (a recording's upstream) or to receive what it
//! sends (webhook deliveries).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Method;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

/// A tiny upstream for what the sandbox cannot be made to answer: `answer`
/// gets method, path-and-query, headers and body. Stops when dropped.
pub(crate) struct Upstream {
    pub(crate) base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) type Answer = hyper::Response<Full<Bytes>>;

pub(crate) async fn upstream<F>(answer: F) -> Upstream
where
    F: Fn(Method, String, hyper::HeaderMap, Bytes) -> Answer + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                        let answer = answer.clone();
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let target = parts
                                .uri
                                .path_and_query()
                                .map_or("/", |p| p.as_str())
                                .to_owned();
                            Ok::<_, Infallible>(answer(parts.method, target, parts.headers, body))
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Upstream { base_url, task }
}
