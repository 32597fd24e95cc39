//! An https server on loopback whose certificate a private authority of its own signed:
//! for the tests of `root_certificates_pem`, of the tool's `--root-certificates`, and of
//! redirects from https to http.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

use super::example_asset;

/// The bytes of asset 1.
pub const BODY: &[u8] = b"the asset's bytes, over TLS";

/// An https server on 127.0.0.1 with a certificate of its own authority: asset 1 is
/// served (JSON, or its bytes), asset 2 redirects to `plain` whatever is asked.
pub struct TlsServer {
    pub url: String,
    pub authority_pem: String,
}

pub async fn tls_server(plain: String) -> TlsServer {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let base = url.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, plain, base) = (acceptor.clone(), plain.clone(), base.clone());
            tokio::spawn(async move {
                // A client that does not trust the authority ends the handshake.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut byte = [0_u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if tls.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_lowercase();
                let wants_bytes = head.contains("accept: application/octet-stream");
                let answer = if head.starts_with("get /repos/o/r/releases/assets/2 ") {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: {plain}/storage/2?sig=secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .into_bytes()
                } else if head.starts_with("get /repos/o/r/releases/assets/1 ") && wants_bytes {
                    let mut answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        BODY.len()
                    )
                    .into_bytes();
                    answer.extend_from_slice(BODY);
                    answer
                } else if head.starts_with("get /repos/o/r/releases/assets/1 ") {
                    let json = serde_json::to_vec(&asset(1, &base)).unwrap();
                    let mut answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        json.len()
                    )
                    .into_bytes();
                    answer.extend_from_slice(&json);
                    answer
                } else {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                };
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    TlsServer {
        url,
        authority_pem: cert.pem(),
    }
}

/// Asset `id`, with the digest and size of [`BODY`], on the server at `base`.
pub fn asset(id: i64, base: &str) -> serde_json::Value {
    let mut asset = serde_json::to_value(example_asset(id)).unwrap();
    asset["size"] = BODY.len().into();
    asset["digest"] = super::sha256(BODY).into();
    asset["url"] = format!("{base}/repos/o/r/releases/assets/{id}").into();
    asset
}
