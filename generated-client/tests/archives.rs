//! A release's source archives: GitHub answers with a 302 to storage, which the operation
//! gives as a `Redirect` (not followed by the API client) and the runtime fetches without
//! the token, each hop checked.

mod support;

use futures_util::TryStreamExt;
use github_release_assets::Error;
use wiremock::{MockServer, ResponseTemplate};

/// The API answering `/repos/octo/hello/tarball/v1` with a 302 to `storage`.
async fn api_redirecting_to(storage: &str) -> MockServer {
    let api = MockServer::start().await;
    support::answer(
        &api,
        "GET",
        "/repos/octo/hello/tarball/v1",
        ResponseTemplate::new(302).insert_header(
            "location",
            format!("{storage}/archive/hello-v1.tar.gz?sig=secret").as_str(),
        ),
    )
    .await;
    api
}

#[tokio::test]
async fn a_tarball_is_its_redirect_then_bytes_fetched_without_the_token() {
    let storage = MockServer::start().await;
    support::answer(
        &storage,
        "GET",
        "/archive/hello-v1.tar.gz",
        ResponseTemplate::new(200).set_body_bytes(b"tar bytes".to_vec()),
    )
    .await;
    let api = api_redirecting_to(&storage.uri()).await;
    let client = support::mock_client(&api, Some("ghs_token"));
    let redirect = client
        .operations()
        .download_tarball_archive()
        .owner("octo")
        .repo("hello")
        .ref_("v1")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 302);
    assert!(
        redirect
            .location()
            .ends_with("/archive/hello-v1.tar.gz?sig=secret")
    );
    // The API client did not follow it: storage has seen nothing yet.
    assert!(storage.received_requests().await.unwrap().is_empty());
    let shown = format!("{redirect:?}");
    assert!(!shown.contains("secret"), "{shown}");

    let download = redirect.fetch().await.unwrap();
    assert_eq!(download.redirects(), 1);
    let bytes: Vec<u8> = download
        .into_stream()
        .map_ok(|chunk| chunk.to_vec())
        .try_concat()
        .await
        .unwrap();
    assert_eq!(bytes, b"tar bytes");

    let to_api = &api.received_requests().await.unwrap()[0];
    assert_eq!(to_api.headers["authorization"], "Bearer ghs_token");
    assert_eq!(
        to_api.headers["x-github-api-version"],
        github_release_assets::API_VERSION
    );
    let to_storage = &storage.received_requests().await.unwrap()[0];
    assert!(
        !to_storage.headers.contains_key("authorization"),
        "the token went to storage"
    );
    assert_eq!(to_storage.url.query(), Some("sig=secret"));
}

/// Storage that cannot be reached, or a redirect without a Location, is an error (the
/// signature never in it); a 404 is the API's error.
#[tokio::test]
async fn a_bad_redirect_or_a_missing_archive_is_an_error() {
    let api = api_redirecting_to("https://127.0.0.1:1").await;
    let client = support::mock_client(&api, None);
    let send = || {
        client
            .operations()
            .download_tarball_archive()
            .owner("octo")
            .repo("hello")
            .ref_("v1")
            .send()
    };
    // Storage that is not there: the fetch fails, and its error keeps the signature out.
    let redirect = send().await.unwrap();
    let error = redirect.fetch().await.unwrap_err();
    assert!(!error.to_string().contains("secret"), "{error}");

    let missing = MockServer::start().await;
    let client = support::mock_client(&missing, None);
    let error = client
        .operations()
        .download_zipball_archive()
        .owner("octo")
        .repo("hello")
        .ref_("v9")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");

    let no_location = MockServer::start().await;
    support::answer(
        &no_location,
        "GET",
        "/repos/octo/hello/zipball/v1",
        ResponseTemplate::new(302),
    )
    .await;
    let client = support::mock_client(&no_location, None);
    let error = client
        .operations()
        .download_zipball_archive()
        .owner("octo")
        .repo("hello")
        .ref_("v1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}
