//! A token source is asked before each request to the API host, never for another host.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use github_release_assets::{Error, Token, TokenSource};
use support::{answer, example_asset, mock_builder};
use wiremock::matchers::method;
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
    let client = mock_builder(&server)
        .token_source(source.clone())
        .build()
        .unwrap();
    for id in [1, 2] {
        let asset = client.repo("o", "r").asset_from(example_asset(id));
        asset.delete().await.unwrap();
    }
    // Each delete looks for the asset's release first (GETs), then deletes: every one of
    // those requests has a token of its own, in turn.
    let requests = server.received_requests().await.unwrap();
    let sent: Vec<String> = requests
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (1..=sent.len())
        .map(|n| format!("Bearer ghs_{n}"))
        .collect();
    assert_eq!(sent, expected);
    let deletes = requests.iter().filter(|r| r.method.as_str() == "DELETE");
    assert_eq!(deletes.count(), 2);
}

#[tokio::test]
async fn the_source_is_not_asked_for_the_storage_host() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    let to_storage =
        ResponseTemplate::new(302).insert_header("location", format!("{}/blob", storage.uri()));
    answer(&api, "GET", "/repos/o/r/releases/assets/1", to_storage).await;
    let bytes = ResponseTemplate::new(200).set_body_raw("x", "application/octet-stream");
    answer(&storage, "GET", "/blob", bytes).await;
    let source = Rotating::default();
    let client = mock_builder(&api)
        .token_source(source.clone())
        .build()
        .unwrap();
    support::streamed_bytes(&client.repo("o", "r").asset_from(example_asset(1))).await;
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
    let client = mock_builder(&server).token_source(Broken).build().unwrap();
    let error = client.repo("o", "r").latest_release().await.unwrap_err();
    assert!(
        error.to_string().contains("the app's key was not found"),
        "{error}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A release whose `upload_url` names a host the API does not own: a server could collect
/// the token and the file that way. Nothing goes there unless the caller named that host.
#[tokio::test]
async fn an_upload_url_on_another_host_gets_neither_token_nor_file() {
    let api = MockServer::start().await;
    let collector = MockServer::start().await;
    let mut release = support::example("release");
    release["upload_url"] = format!(
        "{}/repos/o/r/releases/1/assets{{?name,label}}",
        collector.uri()
    )
    .into();
    answer(
        &api,
        "GET",
        "/repos/o/r/releases/tags/v1",
        support::json_answer(200, &release),
    )
    .await;
    let mut uploaded = support::example("release-asset");
    uploaded["name"] = "tool.zip".into();
    uploaded["size"] = 3.into();
    uploaded["state"] = "uploaded".into();
    answer(
        &collector,
        "POST",
        "/repos/o/r/releases/1/assets",
        support::json_answer(201, &uploaded),
    )
    .await;
    let dir = support::temp_dir();
    let file = support::file(dir.path(), "tool.zip", b"abc");

    let client = mock_builder(&api).token("ghs_secret").build().unwrap();
    let release = client.repo("o", "r").release_by_tag("v1").await.unwrap();
    let error = release.upload(&file).await.map(|u| u.asset).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::UntrustedDestination { reason: github_release_assets::Untrusted::UploadsHost { trusted }, .. }
                if trusted == &[api.uri()]
        ),
        "{error:?}"
    );
    assert!(collector.received_requests().await.unwrap().is_empty());

    // Named by the caller, the host is trusted with both.
    let client = mock_builder(&api)
        .token("ghs_secret")
        .uploads_url(collector.uri())
        .build()
        .unwrap();
    let release = client.repo("o", "r").release_by_tag("v1").await.unwrap();
    let _ = release.upload(&file).await;
    let posts = collector.received_requests().await.unwrap();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].headers["authorization"], "Bearer ghs_secret");
    assert_eq!(&posts[0].body[..], b"abc");
}
