//! A token source is asked before each request to the API host, never for another host.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use github_release_assets::{Client, Error, Token, TokenSource};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Hands out `ghs_1`, `ghs_2`, … as an installation token that keeps being renewed would.
#[derive(Clone, Default)]
struct Rotating(Arc<AtomicUsize>);

impl TokenSource for Rotating {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Token, Error>> + Send + '_>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(Token::new(format!("ghs_{n}"))) })
    }
}

struct Broken;

impl TokenSource for Broken {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Token, Error>> + Send + '_>> {
        Box::pin(async { Err(Error::InvalidRequest("the app's key was not found".into())) })
    }
}

#[tokio::test]
async fn each_request_asks_the_source() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let source = Rotating::default();
    let client = Client::builder(server.uri())
        .token_source(source.clone())
        .build()
        .unwrap();
    for id in [1, 2] {
        client
            .operations()
            .delete_release_asset()
            .owner("o")
            .repo("r")
            .asset_id(id)
            .send()
            .await
            .unwrap();
    }
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent, ["Bearer ghs_1", "Bearer ghs_2"]);
}

#[tokio::test]
async fn the_source_is_not_asked_for_the_storage_host() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(path("/repos/o/r/releases/assets/1"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{}/blob", storage.uri())),
        )
        .mount(&api)
        .await;
    Mock::given(path("/blob"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("x", "application/octet-stream"))
        .mount(&storage)
        .await;
    let source = Rotating::default();
    let client = Client::builder(api.uri())
        .token_source(source.clone())
        .build()
        .unwrap();
    client
        .repo("o", "r")
        .asset_from(support::example_asset(1))
        .stream()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(source.0.load(Ordering::SeqCst), 1);
    assert!(
        !storage.received_requests().await.unwrap()[0]
            .headers
            .contains_key("authorization")
    );
}

#[tokio::test]
async fn a_failing_source_fails_the_request_with_its_reason() {
    let server = MockServer::start().await;
    let client = Client::builder(server.uri())
        .token_source(Broken)
        .build()
        .unwrap();
    let error = client
        .operations()
        .get_latest_release()
        .owner("o")
        .repo("r")
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("the app's key was not found"),
        "{error}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
