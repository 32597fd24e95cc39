//! Retries against the fake GitHub: idempotent requests after 5xx and rate limits, bounded;
//! never a POST, never another 4xx.

mod support;

use std::time::Duration;

use github_release_assets::types::CreateReleaseBody;
use github_release_assets::{Client, Error, RetryPolicy};
use github_release_assets_fake::{FakeGitHub, Fault, Host};

fn quick() -> RetryPolicy {
    RetryPolicy::default().base_delay(Duration::from_millis(5))
}

async fn setup(policy: RetryPolicy) -> (FakeGitHub, Client, i64) {
    let github = FakeGitHub::start().await.unwrap();
    let release = github.create_release("o", "r", "v1");
    let client = Client::builder(github.api_url())
        .retry(policy)
        .build()
        .unwrap();
    (github, client, release)
}

async fn get(client: &Client, release: i64) -> Result<(), Error> {
    client
        .operations()
        .get_release()
        .owner("o")
        .repo("r")
        .release_id(release)
        .send()
        .await
        .map(|_| ())
}

fn sent(github: &FakeGitHub) -> usize {
    github.requests().len()
}

#[tokio::test]
async fn a_get_is_retried_after_502s() {
    let (github, client, release) = setup(quick()).await;
    github.inject(Host::Api, Fault::BadGateway);
    github.inject(Host::Api, Fault::BadGateway);
    get(&client, release).await.unwrap();
    assert_eq!(sent(&github), 3);
}

#[tokio::test]
async fn retries_are_bounded() {
    let (github, client, release) = setup(quick().max_retries(2)).await;
    for _ in 0..5 {
        github.inject(Host::Api, Fault::BadGateway);
    }
    let error = get(&client, release).await.unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert_eq!(sent(&github), 3);
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_github_asks() {
    let (github, client, release) = setup(quick()).await;
    github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(0),
            reset_in: None,
        },
    );
    get(&client, release).await.unwrap();
    assert_eq!(sent(&github), 2);
}

#[tokio::test]
async fn a_reset_beyond_the_total_wait_is_reported_at_once() {
    let (github, client, release) = setup(quick()).await;
    github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 403,
            retry_after: None,
            reset_in: Some(3600),
        },
    );
    let error = get(&client, release).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(sent(&github), 1);
}

#[tokio::test]
async fn a_post_is_never_retried() {
    let (github, client, _) = setup(quick()).await;
    github.inject(Host::Api, Fault::BadGateway);
    let error = client
        .operations()
        .create_release()
        .owner("o")
        .repo("r")
        .body(CreateReleaseBody::builder().tag_name("v2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert_eq!(sent(&github), 1);
}

#[tokio::test]
async fn other_4xx_are_not_retried_and_retries_can_be_off() {
    let (github, client, _) = setup(quick()).await;
    assert!(matches!(
        get(&client, 999).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(sent(&github), 1);

    let (github, client, release) = setup(RetryPolicy::none()).await;
    github.inject(Host::Api, Fault::BadGateway);
    assert_eq!(get(&client, release).await.unwrap_err().status(), Some(502));
    assert_eq!(sent(&github), 1);
}

#[tokio::test]
async fn list_pages_and_downloads_are_retried_too() {
    let (github, client, release) = setup(quick()).await;
    let id = github
        .add_asset(
            "o",
            "r",
            release,
            "a.bin",
            "application/octet-stream",
            b"abc",
        )
        .unwrap();
    github.inject(Host::Api, Fault::BadGateway);
    assert_eq!(
        support::all(support::release(&client, release).await.assets())
            .await
            .unwrap()
            .len(),
        1
    );
    github.inject(Host::Storage, Fault::BadGateway);
    let bytes = client
        .repo("o", "r")
        .asset_from(support::example_asset(id))
        .stream()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"abc");
}

/// A DELETE whose answer was lost (a 502 after the asset was deleted, here as a 502 and
/// then GitHub's 404) counts as done: deleting it is what was asked.
#[tokio::test]
async fn a_delete_retried_into_a_404_is_done_and_a_first_404_is_not() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let client = Client::builder(server.uri())
        .retry(quick())
        .build()
        .unwrap();
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
