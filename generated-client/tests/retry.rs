//! Retries against the fake GitHub: idempotent requests after 5xx and rate limits, bounded;
//! never a POST, never another 4xx.

mod support;

use github_release_assets::{Error, ReleaseId, RetryPolicy};
use github_release_assets_fake::{Fault, Host};
use support::{Fixture, quick_retries};

/// A fake with a release, and a client that retries as `policy` says.
async fn setup(policy: RetryPolicy) -> Fixture {
    Fixture::builder().retry(policy).start().await
}

/// Gets the release `id`: one GET, retried as the client's policy says.
async fn get(f: &Fixture, id: i64) -> Result<(), Error> {
    f.repo().release(ReleaseId::new(id)).await.map(|_| ())
}

#[tokio::test]
async fn a_get_is_retried_after_502s() {
    let f = setup(quick_retries()).await;
    f.github.inject(Host::Api, Fault::BadGateway);
    f.github.inject(Host::Api, Fault::BadGateway);
    get(&f, f.release_id()).await.unwrap();
    assert_eq!(f.sent(), 3);
}

#[tokio::test]
async fn retries_are_bounded() {
    let f = setup(quick_retries().max_retries(2)).await;
    for _ in 0..5 {
        f.github.inject(Host::Api, Fault::BadGateway);
    }
    let error = get(&f, f.release_id()).await.unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert_eq!(f.sent(), 3);
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_github_asks() {
    let f = setup(quick_retries()).await;
    f.github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(0),
            reset_in: None,
        },
    );
    get(&f, f.release_id()).await.unwrap();
    assert_eq!(f.sent(), 2);
}

#[tokio::test]
async fn a_reset_beyond_the_total_wait_is_reported_at_once() {
    let f = setup(quick_retries()).await;
    f.github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 403,
            retry_after: None,
            reset_in: Some(3600),
        },
    );
    let error = get(&f, f.release_id()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(f.sent(), 1);
}

/// POSTs of uploads that reached the uploads host.
fn upload_posts(f: &Fixture) -> usize {
    f.requests()
        .iter()
        .filter(|r| r.host == Host::Uploads && r.method == "POST")
        .count()
}

fn secondary_rate_limit() -> Fault {
    Fault::RateLimited {
        status: 429,
        retry_after: Some(0),
        reset_in: None,
    }
}

/// A rate-limited upload stored nothing, and a file can be read again: it is sent again
/// after the pause, as the client's policy allows, and arrives whole.
#[tokio::test]
async fn a_rate_limited_upload_of_a_file_is_sent_again() {
    let f = setup(quick_retries()).await;
    let bytes = support::pattern(200_000, 3);
    let path = f.file("limited.bin", &bytes);
    f.github.inject(Host::Uploads, secondary_rate_limit());
    f.github.inject(Host::Uploads, secondary_rate_limit());
    let uploaded = f.release().await.upload(&path).await.unwrap();
    assert_eq!(uploaded.asset.size, 200_000);
    assert_eq!(upload_posts(&f), 3);
    let stored = f.assets();
    assert_eq!(stored.len(), 1, "one asset, no leftovers");
    assert_eq!(stored[0].digest, Some(support::sha256(&bytes)));
}

/// The policy bounds it: past its retries, or for a wait longer than its total, the rate
/// limit is the error, after as many POSTs as it allows.
#[tokio::test]
async fn a_rate_limited_upload_is_bounded_by_the_policy() {
    let f = setup(quick_retries().max_retries(1)).await;
    let path = f.file("limited.bin", b"bytes");
    for _ in 0..3 {
        f.github.inject(Host::Uploads, secondary_rate_limit());
    }
    let error = f.release().await.upload(&path).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 429, .. }),
        "{error:?}"
    );
    assert_eq!(upload_posts(&f), 2);

    let f = setup(quick_retries()).await;
    let path = f.file("limited.bin", b"bytes");
    f.github.inject(
        Host::Uploads,
        Fault::RateLimited {
            status: 403,
            retry_after: None,
            reset_in: Some(3600),
        },
    );
    let error = f.release().await.upload(&path).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(
        upload_posts(&f),
        1,
        "an hour's wait is reported, not waited"
    );
    assert!(f.assets().is_empty());
}

/// A stream is read once: its rate limit is reported, not sent again.
#[tokio::test]
async fn a_rate_limited_stream_upload_is_reported() {
    let f = setup(quick_retries()).await;
    f.github.inject(Host::Uploads, secondary_rate_limit());
    let stream =
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"bytes"))]);
    let error = f
        .release()
        .await
        .upload_stream(stream, 5, "streamed.bin")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 429, .. }),
        "{error:?}"
    );
    assert_eq!(upload_posts(&f), 1);
}

#[tokio::test]
async fn a_post_is_never_retried() {
    let f = setup(quick_retries()).await;
    f.github.inject(Host::Api, Fault::BadGateway);
    let error = f.repo().create_release("v2").await.unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert_eq!(f.sent(), 1);
}

#[tokio::test]
async fn other_4xx_are_not_retried_and_retries_can_be_off() {
    let f = setup(quick_retries()).await;
    assert!(matches!(get(&f, 999).await, Err(Error::NotFound { .. })));
    assert_eq!(f.sent(), 1);

    let f = setup(RetryPolicy::none()).await;
    f.github.inject(Host::Api, Fault::BadGateway);
    assert_eq!(
        get(&f, f.release_id()).await.unwrap_err().status(),
        Some(502)
    );
    assert_eq!(f.sent(), 1);
}

#[tokio::test]
async fn list_pages_and_downloads_are_retried_too() {
    let f = setup(quick_retries()).await;
    let id = f.add_asset("a.bin", b"abc");
    f.github.inject(Host::Api, Fault::BadGateway);
    assert_eq!(
        support::all(f.release().await.assets())
            .await
            .unwrap()
            .len(),
        1
    );
    f.github.inject(Host::Storage, Fault::BadGateway);
    let asset = f.repo().asset_from(support::example_asset(id));
    let bytes = support::streamed_bytes(&asset).await;
    assert_eq!(&bytes[..], b"abc");
}

/// A DELETE whose answer was lost (a 502 after the asset was deleted, here as a 502 and
/// then GitHub's 404) counts as done: deleting it is what was asked.
#[tokio::test]
async fn a_delete_retried_into_a_404_is_done_and_a_first_404_is_not() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let client = support::mock_builder(&server)
        .retry(quick_retries())
        .build()
        .unwrap();
    // The generated operation: its full response says what status the caller sees.
    let delete = || {
        client
            .operations()
            .delete_release_asset()
            .owner("o")
            .repo("r")
            .asset_id(7)
            .send_full()
    };
    let not_found =
        ResponseTemplate::new(404).set_body_raw(r#"{"message": "Not Found"}"#, "application/json");
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(not_found.clone())
        .mount(&server)
        .await;
    let done = delete().await.unwrap();
    assert_eq!(done.status().as_u16(), 204);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    // Not found at the first try: there was nothing to delete, which the caller is told.
    let error = delete().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    // Nor after a rate limit: that first try reached nothing, so the 404 is the answer.
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let error = delete().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}
