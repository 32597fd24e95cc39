//! Lists as streams against the fake GitHub: every page followed through `Link`, 100 at a
//! time, and an error ends the stream.

mod support;

use futures_util::StreamExt;
use github_release_assets::{Error, RetryPolicy};
use github_release_assets_fake::{Fault, Host};
use support::Fixture;

#[tokio::test]
async fn every_asset_of_every_page_in_order() {
    let f = Fixture::start().await;
    for i in 0..250 {
        f.add_asset(&format!("part-{i:03}.bin"), b"x");
    }
    let assets = support::all(f.release().await.assets()).await.unwrap();
    let names: Vec<String> = assets.iter().map(|a| a.name.clone()).collect();
    let expected: Vec<String> = (0..250).map(|i| format!("part-{i:03}.bin")).collect();
    assert_eq!(names, expected);
    let pages: Vec<Option<String>> = f
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/assets"))
        .map(|r| r.query)
        .collect();
    assert_eq!(
        pages,
        [
            Some("per_page=100".to_owned()),
            Some("per_page=100&page=2".to_owned()),
            Some("per_page=100&page=3".to_owned())
        ]
    );
}

#[tokio::test]
async fn releases_too_and_an_empty_list_is_empty() {
    let f = Fixture::builder().without_release().start().await;
    let repo = f.repo();
    assert!(support::all(repo.releases()).await.unwrap().is_empty());
    for i in 0..105 {
        f.github.create_release("o", "r", &format!("v{i}"));
    }
    let releases = support::all(repo.releases()).await.unwrap();
    assert_eq!(releases.len(), 105);
    assert_eq!(releases[0].tag_name, "v104", "newest first");
}

#[tokio::test]
async fn an_error_on_a_later_page_ends_the_stream_after_the_items_before_it() {
    let f = Fixture::builder().retry(RetryPolicy::none()).start().await;
    for i in 0..150 {
        f.add_asset_typed(&format!("a{i}"), "text/plain", b"x");
    }
    let stream = f.release().await.assets();
    futures_util::pin_mut!(stream);
    for _ in 0..100 {
        stream.next().await.unwrap().unwrap();
    }
    f.github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(1),
            reset_in: None,
        },
    );
    let error = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert!(
        stream.next().await.is_none(),
        "the stream goes on after an error"
    );
}

/// A server whose page `n` holds one release and links to page `link(n)` (none when
/// `None`), and whose page `empty_from` on hold nothing.
struct Pages {
    base: String,
    link: fn(usize) -> Option<usize>,
    empty_from: usize,
}

impl wiremock::Respond for Pages {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let mut release = support::example("release");
        release["tag_name"] = format!("v{page}").into();
        let body = if page >= self.empty_from {
            serde_json::json!([])
        } else {
            serde_json::json!([release])
        };
        let mut answer = support::json_answer(200, body);
        if let Some(next) = (self.link)(page) {
            answer = answer.insert_header(
                "link",
                format!(
                    "<{}/repos/o/r/releases?per_page=100&page={next}>; rel=\"next\"",
                    self.base
                ),
            );
        }
        answer
    }
}

async fn pages(link: fn(usize) -> Option<usize>, empty_from: usize) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Pages {
            base: server.uri(),
            link,
            empty_from,
        })
        .mount(&server)
        .await;
    server
}

/// Results of a listing: the tags, then the error that ended it, if one did. The same
/// listing by the generated operation's `stream()` ends the same way (its bounds, loop
/// and empty-page checks are the runtime's), which is asserted here too.
async fn listed(server: &wiremock::MockServer) -> (Vec<String>, Option<Error>) {
    let client = support::mock_client(server, None);
    let handle = drained(
        client
            .repo("o", "r")
            .releases()
            .map(|release| release.map(|r| r.info().clone())),
    )
    .await;
    let sent = server.received_requests().await.unwrap().len();
    let generated = drained(
        client
            .operations()
            .list_releases()
            .owner("o")
            .repo("r")
            .per_page(100)
            .stream(),
    )
    .await;
    assert_eq!(handle.0, generated.0, "the tags listed");
    assert_eq!(
        handle.1.as_ref().map(ToString::to_string),
        generated.1.as_ref().map(ToString::to_string),
        "the error that ended the listing"
    );
    let all = server.received_requests().await.unwrap();
    let first =
        |requests: &[wiremock::Request]| requests.first().map(|r| r.url.query().map(str::to_owned));
    assert_eq!(all.len(), 2 * sent, "each sends as many requests");
    assert_eq!(
        first(&all[sent..]),
        first(&all[..sent]),
        "the first page asked for"
    );
    handle
}

/// A listing's items, then the error that ended it (nothing comes after it).
async fn drained(
    stream: impl futures_util::Stream<Item = Result<github_release_assets::types::Release, Error>>,
) -> (Vec<String>, Option<Error>) {
    futures_util::pin_mut!(stream);
    let mut tags = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(release) => tags.push(release.tag_name.clone()),
            Err(error) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream goes on after an error"
                );
                return (tags, Some(error));
            }
        }
    }
    (tags, None)
}

#[tokio::test]
async fn a_link_chain_without_end_stops_at_max_pages_with_a_typed_error() {
    let server = pages(|n| Some(n + 1), usize::MAX).await;
    let (tags, error) = listed(&server).await;
    assert_eq!(tags.len(), github_release_assets::MAX_PAGES);
    assert!(
        matches!(&error, Some(Error::EndlessListing { reason }) if reason.contains("pages")),
        "{error:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2 * github_release_assets::MAX_PAGES
    );
}

#[tokio::test]
async fn a_link_back_to_a_page_read_ends_the_listing() {
    let server = pages(|n| Some(if n == 3 { 2 } else { n + 1 }), usize::MAX).await;
    let (tags, error) = listed(&server).await;
    assert_eq!(tags, ["v1", "v2", "v3"]);
    assert!(
        matches!(&error, Some(Error::EndlessListing { reason }) if reason.contains("leads back")),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_empty_page_ends_the_listing_whatever_its_link_says() {
    let server = pages(|n| Some(n + 1), 3).await;
    let (tags, error) = listed(&server).await;
    assert_eq!(tags, ["v1", "v2"]);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2 * 3);
}

/// A `Link: rel="next"` to another origin than the API's (another port, host or scheme)
/// ends the listing with an error after the page in hand; nothing is sent there.
#[tokio::test]
async fn a_next_page_on_another_origin_is_refused_not_followed() {
    use wiremock::{MockServer, ResponseTemplate};
    let elsewhere = MockServer::start().await;
    let api = MockServer::start().await;
    let at = "/repos/octo/hello/releases";
    let page = serde_json::json!([support::example("release")]);
    let same_host_https = api.uri().replacen("http://", "https://", 1);
    for next in [
        format!("{}/page2", elsewhere.uri()),
        format!("{same_host_https}/page2"),
    ] {
        api.reset().await;
        support::answer(
            &api,
            "GET",
            at,
            ResponseTemplate::new(200)
                .set_body_json(&page)
                .insert_header("link", format!("<{next}?sig=x>; rel=\"next\"").as_str()),
        )
        .await;
        let client = support::mock_client(&api, Some("ghs_t"));
        let stream = client.repo("octo", "hello").releases();
        futures_util::pin_mut!(stream);
        assert!(stream.next().await.unwrap().is_ok(), "the page in hand");
        let error = stream.next().await.unwrap().unwrap_err();
        assert!(
            matches!(
                &error,
                Error::UntrustedDestination {
                    reason: github_release_assets::Untrusted::NextPageElsewhere { .. },
                    ..
                }
            ),
            "{next}: {error:?}"
        );
        assert!(!error.to_string().contains("sig=x"), "{error}");
        assert!(stream.next().await.is_none());
        assert_eq!(api.received_requests().await.unwrap().len(), 1, "{next}");
        // The generated operation's stream refuses it the same way.
        let stream = client
            .operations()
            .list_releases()
            .owner("octo")
            .repo("hello")
            .stream();
        futures_util::pin_mut!(stream);
        assert!(stream.next().await.unwrap().is_ok(), "the page in hand");
        let error = stream.next().await.unwrap().unwrap_err();
        assert!(
            matches!(
                &error,
                Error::UntrustedDestination {
                    reason: github_release_assets::Untrusted::NextPageElsewhere { .. },
                    ..
                }
            ),
            "{next}: {error:?}"
        );
        assert_eq!(api.received_requests().await.unwrap().len(), 2, "{next}");
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

/// A list operation of the description streams every page as the handles' listings do:
/// the page size it asks for, then each `Link: rel="next"` in order.
#[tokio::test]
async fn a_generated_list_operation_streams_every_page() {
    let f = Fixture::start().await;
    for i in 0..120 {
        f.add_asset(&format!("part-{i:03}.bin"), b"x");
    }
    let assets: Vec<_> = f
        .client
        .operations()
        .list_release_assets()
        .owner(support::OWNER)
        .repo(support::REPO)
        .release_id(f.release_id())
        .per_page(50)
        .stream()
        .collect()
        .await;
    let names: Vec<String> = assets.into_iter().map(|a| a.unwrap().name).collect();
    let expected: Vec<String> = (0..120).map(|i| format!("part-{i:03}.bin")).collect();
    assert_eq!(names, expected);
    let pages: Vec<Option<String>> = f
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/assets"))
        .map(|r| r.query)
        .collect();
    assert_eq!(
        pages,
        [
            Some("per_page=50".to_owned()),
            Some("per_page=50&page=2".to_owned()),
            Some("per_page=50&page=3".to_owned())
        ]
    );
}
