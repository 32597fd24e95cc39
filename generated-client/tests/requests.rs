//! What every request does besides its operation: timeouts that are configurable and
//! reported as such, and error pages that keep their status.

mod support;

use std::time::Duration;

use github_release_assets::{Client, Error, RetryPolicy};
use support::{get_latest_release, mock_builder};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_read_timeout_is_reported_as_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let client = mock_builder(&server)
        .read_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Port 1 (tcpmux) is privileged and unused here. A port bound and closed again could be
    // taken by another test's server in between.
    let client = Client::builder("http://127.0.0.1:1")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn an_error_page_that_is_not_json_keeps_its_status() {
    let server = MockServer::start().await;
    // A documented 404 (get-latest-release) answered by a proxy's HTML page.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw("<html><h1>404</h1> Not here</html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let client = support::mock_client(&server, None);
    let error = get_latest_release(&client).await.unwrap_err();
    match &error {
        Error::NotFound { message, .. } => {
            assert_eq!(message, "<html><h1>404</h1> Not here</html>")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let uploads = client
        .for_upload_url(&format!(
            "{}/repos/octo/hello/releases/1/assets{{?name,label}}",
            server.uri()
        ))
        .unwrap();
    let error = uploads
        .operations()
        .upload_release_asset()
        .owner("octo")
        .repo("hello")
        .release_id(1)
        .name("a.zip")
        .content_type("application/zip")
        .content_length(5)
        .body(b"bytes".to_vec())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
}
