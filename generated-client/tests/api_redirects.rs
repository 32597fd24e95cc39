//! The API client's redirects are checked as download hops are: never from https to http
//! (see `tls_redirects.rs`), to plain http only at loopback or with `allow_http`, and a
//! chain longer than ten hops is an error that keeps the status it ended on.

mod support;

use github_release_assets::{Error, Untrusted};
use support::{answer, get_latest_release, mock_builder};
use wiremock::{MockServer, ResponseTemplate};

const LATEST: &str = "/repos/octo/hello/releases/latest";

/// A redirect from the (loopback) API to plain http elsewhere is refused before anything
/// is sent there: no connection, no name lookup, and neither the token nor the query in
/// the error.
#[tokio::test]
async fn a_redirect_to_plain_http_beyond_loopback_is_refused() {
    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        LATEST,
        ResponseTemplate::new(302)
            .insert_header("location", "http://mirror.invalid/latest?sig=secret"),
    )
    .await;
    let client = mock_builder(&server)
        .token("ghs_redirected")
        .build()
        .unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    match &error {
        Error::UntrustedDestination { url, reason } => {
            assert_eq!(*reason, Untrusted::PlainHttp, "{error}");
            assert_eq!(url, "http://mirror.invalid/latest");
        }
        other => panic!("{other:?}"),
    }
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("ghs_redirected") && !shown.contains("sig="),
        "{shown}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// Another scheme is refused by name.
#[tokio::test]
async fn a_redirect_to_another_scheme_is_refused() {
    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        LATEST,
        ResponseTemplate::new(307).insert_header("location", "ftp://mirror.invalid/latest"),
    )
    .await;
    let client = mock_builder(&server).build().unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::UntrustedDestination { reason: Untrusted::Scheme(scheme), .. } if scheme == "ftp"
        ),
        "{error:?}"
    );
}

/// A loop of 301s ends after ten hops, reported with the status it kept answering.
#[tokio::test]
async fn a_redirect_loop_keeps_its_status() {
    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        LATEST,
        ResponseTemplate::new(301).insert_header("location", LATEST),
    )
    .await;
    let client = mock_builder(&server).build().unwrap();
    let error = get_latest_release(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(301), "{error}");
    assert!(
        error.to_string().contains("more than 10 redirects"),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 11);
}
