//! Over real TLS on loopback: the client trusts a private authority when told to
//! (`root_certificates_pem`), and refuses a redirect from https to plain http, both for API
//! requests (reqwest's redirect policy) and for a download's hops to storage, before a byte
//! or the token reaches the http host.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use github_release_assets::{AssetHandle, Client, Error, RetryPolicy, Untrusted};
use support::example_asset;
use support::tls::{BODY, TlsServer, asset, tls_server};

const TOKEN: &str = "ghp_tls_secret";

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

    // PEM, but not a certificate inside: refused by `build()`, not at the first request.
    let not_a_certificate = Client::builder(&server.url)
        .root_certificates_pem(
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        )
        .build()
        .unwrap_err();
    assert!(
        not_a_certificate
            .to_string()
            .contains("a root certificate given cannot be trusted"),
        "{not_a_certificate}"
    );
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
