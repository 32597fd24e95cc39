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
