//! Downloading an asset's bytes: 200 from the API, or 302 to storage followed without
//! the token.

mod support;

use github_release_assets::{AssetHandle, Error};
use support::{answer, example_asset, mock_client};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ghs_downloadtoken";

/// Asset 7 of `o/r` on `api`, through a client with `token` when given; not fetched.
fn the_asset(api: &MockServer, token: Option<&str>) -> AssetHandle {
    mock_client(api, token)
        .repo("o", "r")
        .asset_from(example_asset(7))
}

#[tokio::test]
async fn a_200_streams_the_bytes_from_the_api() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/releases/assets/7"))
        .and(header("accept", "application/octet-stream"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"asset bytes".to_vec(), "application/octet-stream"),
        )
        .mount(&api)
        .await;
    let download = the_asset(&api, Some(TOKEN)).stream().await.unwrap();
    assert_eq!(download.redirects(), 0);
    assert_eq!(download.content_length(), Some(11));
    assert_eq!(&download.bytes().await.unwrap()[..], b"asset bytes");
    let request = &api.received_requests().await.unwrap()[0];
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {TOKEN}").as_str()
    );
    assert_eq!(request.headers["x-github-api-version"], "2026-03-10");
}

#[tokio::test]
async fn a_302_is_followed_to_storage_without_authorization() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    let to_storage = ResponseTemplate::new(302)
        .insert_header("location", format!("{}/blob/7?sig=abc", storage.uri()));
    answer(&api, "GET", "/repos/o/r/releases/assets/7", to_storage).await;
    let bytes = ResponseTemplate::new(200)
        .set_body_raw(b"from storage".to_vec(), "application/octet-stream");
    answer(&storage, "GET", "/blob/7", bytes).await;
    let download = the_asset(&api, Some(TOKEN)).stream().await.unwrap();
    assert_eq!(download.redirects(), 1);
    // The signed URL is a credential: Debug names the storage path, never the query.
    let printed = format!("{download:?}");
    assert!(printed.contains("/blob/7"), "{printed}");
    assert!(!printed.contains("sig=abc"), "{printed}");
    assert_eq!(&download.bytes().await.unwrap()[..], b"from storage");
    let hop = &storage.received_requests().await.unwrap()[0];
    assert!(
        !hop.headers.contains_key("authorization"),
        "the token went to storage"
    );
    assert_eq!(hop.url.query(), Some("sig=abc"));
}

#[tokio::test]
async fn a_404_is_not_found() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(serde_json::json!({"message": "Not Found"})),
        )
        .mount(&api)
        .await;
    let error = the_asset(&api, None).stream().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn a_redirect_loop_ends() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/again"))
        .mount(&api)
        .await;
    let error = the_asset(&api, None).stream().await.unwrap_err();
    assert_eq!(error.status(), Some(302), "{error:?}");
}
