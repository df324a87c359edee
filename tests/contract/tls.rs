//! TLS against a local HTTPS server with a certificate made for the test: it
//! is trusted only when given with `ca_certificate`, and there is no fallback.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one canned finding over HTTPS with a fresh self-signed certificate;
/// returns the base URL and the certificate's PEM.
async fn https_server() -> (String, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    // The SDK's provider (ring), deprecated by rustls 0.23.48 only for its
    // lack of post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"data":{"id":"f-tls","title":"over TLS","severity":"info"}}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (format!("https://127.0.0.1:{port}/v1"), pem)
}

#[tokio::test]
async fn a_private_ca_given_with_ca_certificate_is_trusted() {
    let (url, pem) = https_server().await;
    let client = s4e::Client::builder("sk_test_tls")
        .base_url(url)
        .ca_certificate(pem)
        .retries(0)
        .build()
        .unwrap();
    let finding = client.findings().get("f-tls").await.unwrap();
    assert_eq!(finding.title, "over TLS");
}

#[tokio::test]
async fn without_it_the_certificate_is_refused_with_a_clear_error() {
    let (url, _pem) = https_server().await;
    let client = s4e::Client::builder("sk_test_tls")
        .base_url(url)
        .retries(0)
        .build()
        .unwrap();
    let error = client.findings().get("f-tls").await.unwrap_err();
    let s4e::Error::Connect { message, .. } = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert!(
        message.to_lowercase().contains("certificate") || message.contains("UnknownIssuer"),
        "{message}"
    );
    assert!(!error.to_string().contains("sk_test_tls"));
}
