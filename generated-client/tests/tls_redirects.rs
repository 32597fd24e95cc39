//! Over real TLS on loopback: the client trusts a private authority when told to
//! (`root_certificates_pem`), and refuses a redirect from https to plain http, both for API
//! requests (reqwest's redirect policy) and for a download's hops to storage, before a byte
//! or the token reaches the http host.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use github_release_assets::{AssetHandle, Client, Error, RetryPolicy, Untrusted};
use support::example_asset;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

const BODY: &[u8] = b"the asset's bytes, over TLS";
const TOKEN: &str = "ghp_tls_secret";

/// An https server on 127.0.0.1 with a certificate of its own authority: asset 1 is
/// served (JSON, or its bytes), asset 2 redirects to `plain` whatever is asked.
struct TlsServer {
    url: String,
    authority_pem: String,
}

async fn tls_server(plain: String) -> TlsServer {
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

/// A plain-http server that counts the connections it gets, and answers none.
async fn plain_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((_tcp, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, connections)
}

/// Asset `id`, with the digest and size of [`BODY`], on the server at `base`.
fn asset(id: i64, base: &str) -> serde_json::Value {
    let mut asset = serde_json::to_value(example_asset(id)).unwrap();
    asset["size"] = BODY.len().into();
    asset["digest"] = support::sha256(BODY).into();
    asset["url"] = format!("{base}/repos/o/r/releases/assets/{id}").into();
    asset
}

fn client(server: &TlsServer) -> Client {
    Client::builder(&server.url)
        .root_certificates_pem(&server.authority_pem)
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Asset `id`, as the API answers for it (`GET …/releases/assets/{id}`).
async fn get(client: &Client, id: i64) -> Result<AssetHandle, Error> {
    client
        .repo("o", "r")
        .asset_from(example_asset(id))
        .get()
        .await
}

fn assert_downgrade_refused(error: &Error) {
    assert!(
        matches!(
            error,
            Error::UntrustedDestination {
                reason: Untrusted::Downgrade,
                ..
            }
        ),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains(TOKEN) && !shown.contains("sig=secret"),
        "{shown}"
    );
}

#[tokio::test]
async fn the_authority_given_is_trusted_and_no_other() {
    let (plain, _) = plain_server().await;
    let server = tls_server(plain).await;
    let asset = get(&client(&server), 1).await.unwrap();
    assert_eq!(asset.size, BODY.len() as i64);

    // The same server, without its authority: the handshake fails, as it must.
    let untrusting = Client::builder(&server.url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let refused = get(&untrusting, 1).await.unwrap_err();
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");

    let not_pem = Client::builder(&server.url)
        .root_certificates_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(not_pem, Error::InvalidRequest(_)), "{not_pem:?}");
}

#[tokio::test]
async fn a_download_over_tls_uses_the_authority_too() {
    let (plain, _) = plain_server().await;
    let server = tls_server(plain).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("asset.bin");
    let asset = serde_json::from_value(asset(1, &server.url)).unwrap();
    let saved = client(&server)
        .repo("o", "r")
        .asset_from(asset)
        .download_to(&path)
        .require_digest()
        .await
        .unwrap();
    assert_eq!(saved.size, BODY.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), BODY);
}

#[tokio::test]
async fn an_api_redirect_from_https_to_http_is_refused() {
    let (plain, connections) = plain_server().await;
    let server = tls_server(plain).await;
    let error = get(&client(&server), 2).await.unwrap_err();
    assert_downgrade_refused(&error);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the http host was reached"
    );
}

#[tokio::test]
async fn a_download_redirected_from_https_to_http_is_refused() {
    let (plain, connections) = plain_server().await;
    let server = tls_server(plain).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("asset.bin");
    let asset = serde_json::from_value(asset(2, &server.url)).unwrap();
    let handle = client(&server).repo("o", "r").asset_from(asset);
    let error = handle.download_to(&path).await.unwrap_err();
    assert_downgrade_refused(&error);
    assert!(!path.exists(), "a file under the final name");
    let streamed = handle.stream().await.map(|_| ()).unwrap_err();
    assert_downgrade_refused(&streamed);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the http host was reached"
    );
}
