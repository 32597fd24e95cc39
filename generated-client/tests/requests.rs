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
        .retry(support::quick_retries())
        .build()
        .unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    // A GET is idempotent: each stall was retried, as many times as the policy allows.
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

/// A connection that stalls once: the GET is sent again and succeeds.
#[tokio::test]
async fn a_stall_is_retried_when_the_request_is_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(support::json_answer(200, support::example("release")))
        .mount(&server)
        .await;
    let client = mock_builder(&server)
        .read_timeout(Duration::from_millis(200))
        .retry(support::quick_retries())
        .build()
        .unwrap();
    let release = get_latest_release(&client).await.unwrap();
    assert_eq!(release.tag_name, support::example("release")["tag_name"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
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

/// A JSON answer is read up to `JSON_BODY_LIMIT` and no further: a server cannot fill
/// memory with one, through an operation or a page of a listing.
#[tokio::test]
async fn a_json_answer_past_the_limit_is_a_decode_error() {
    let server = MockServer::start().await;
    // Valid JSON all the way (an array padded with spaces), one byte too long.
    let mut huge = vec![b' '; github_release_assets::JSON_BODY_LIMIT - 1];
    huge[0] = b'[';
    huge.extend_from_slice(b" ]");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    let client = mock_builder(&server).build().unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    let Error::Decode { reason, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(reason.contains("longer than 32 MiB"), "{reason}");
    let release = client
        .repo("octo", "hello")
        .release_from(serde_json::from_value(support::example("release")).unwrap());
    let error = support::all(release.assets()).await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { reason, .. } if reason.contains("longer than 32 MiB")),
        "{error:?}"
    );
}

/// A setter given a value its parameter cannot hold fails the request before it is sent,
/// naming the parameter; a body missing a required field names the field.
#[tokio::test]
async fn a_value_a_parameter_cannot_hold_is_an_invalid_request() {
    let server = MockServer::start().await;
    let client = support::mock_client(&server, None);
    let error = client
        .operations()
        .list_releases()
        .owner("octo")
        .repo("hello")
        .per_page(u64::MAX)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m == "conversion to `i64` for per_page failed"),
        "{error:?}"
    );
    let error = client
        .operations()
        .create_release()
        .owner("octo")
        .repo("hello")
        .body_map(|body| body.name("no tag".to_owned()))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("tag_name")),
        "{error:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
