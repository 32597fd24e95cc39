//! Nothing a server sends makes the library panic or hang: every operation, against a
//! server answering requests with arbitrary answers in turn (see `support::hostile`), ends
//! with a value or a typed error, and a failed download leaves nothing under its name.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::TryStreamExt;
use github_release_assets::types::{Release, ReleaseAsset};
use github_release_assets::{AssetId, Client, RetryPolicy};
use proptest::test_runner::TestCaseError;
use support::hostile::{self, Answer, HostileServer};

/// Cases in one run: bounded, so CI time stays flat. `PROPTEST_CASES` sets another count
/// for a longer hunt.
const CASES: u32 = 64;

/// Longer than any operation against loopback takes; reaching it is a hang.
const HANG: Duration = Duration::from_secs(20);

#[test]
fn no_answer_makes_an_operation_panic_or_hang() {
    // A panic on another thread (a spawned task, a blocking read) would not fail the case
    // by itself: count every panic, wherever it happens.
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut runner = hostile::runner(CASES);
    runner
        .run(&hostile::answers(), |answer| {
            runtime.block_on(every_operation(answer))?;
            match PANICS.load(Ordering::SeqCst) {
                0 => Ok(()),
                n => Err(TestCaseError::fail(format!("{n} panics (printed above)"))),
            }
        })
        .unwrap();
}

async fn every_operation(answers: Vec<Answer>) -> Result<(), TestCaseError> {
    let server = HostileServer::start(answers).await;
    let client = Client::builder(&server.base)
        .token("ghs_hostile")
        .uploads_url(&server.base)
        .read_timeout(Duration::from_secs(5))
        // Retries, but short: an absurd wait is computed and refused, never slept.
        .retry(
            RetryPolicy::default()
                .max_retries(2)
                .base_delay(Duration::from_millis(1))
                .max_total_wait(Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let repo = client.repo("o", "r");
    let mut release: Release = serde_json::from_value(support::example("release")).unwrap();
    release.upload_url = format!("{}/repos/o/r/releases/1/assets{{?name,label}}", server.base);
    let release = repo.release_from(release);
    let asset: ReleaseAsset = serde_json::from_value(support::example("release-asset")).unwrap();
    let asset = repo.asset_from(asset);
    let dir = support::temp_dir();
    let file = support::file(dir.path(), "up.bin", b"some bytes");
    let target = dir.path().join("down.bin");

    macro_rules! ends {
        ($what:expr, $operation:expr) => {
            match tokio::time::timeout(HANG, $operation).await {
                Ok(result) => result.map(|_| ()),
                Err(_) => return Err(TestCaseError::fail(format!("{} hung", $what))),
            }
        };
    }
    let _ = ends!("release_by_tag", repo.release_by_tag("v1"));
    let _ = ends!("latest_release", repo.latest_release());
    let _ = ends!("releases", repo.releases().try_collect::<Vec<_>>());
    let _ = ends!("asset by id", repo.asset(AssetId::new(1)));
    let _ = ends!("assets", release.assets().try_collect::<Vec<_>>());
    let _ = ends!("asset_named", release.asset_named("a.bin"));
    let _ = ends!("upload", release.upload(&file));
    let _ = ends!("upload, replacing", release.upload(&file).replace());
    let _ = ends!("publish", release.publish());
    let _ = ends!("get", asset.get());
    let _ = ends!("edit", asset.edit().name("renamed"));
    let _ = ends!("delete", asset.delete());
    let _ = ends!("stream", async { asset.stream().await?.bytes().await });
    let saved = ends!("download_to", asset.download_to(&target));
    if saved.is_err() && target.exists() {
        return Err(TestCaseError::fail(
            "a failed download left a file under its name",
        ));
    }
    Ok(())
}

/// A JSON answer cut short, past the length read without counting, is a transport error
/// that names where the request went: the response the body is bounded through keeps its
/// URL (it used to carry reqwest's placeholder, and the error named nothing).
#[tokio::test]
async fn a_json_answer_cut_short_names_its_url() {
    let server = HostileServer::start(vec![Answer {
        status: 200,
        headers: vec![
            ("content-type", "application/json".to_owned()),
            // Longer than `JSON_BODY_LIMIT`: the body is read through a counting stream.
            ("content-length", "40000000".to_owned()),
        ],
        body: b"{\"id\": 1".to_vec(),
    }])
    .await;
    let client = Client::builder(&server.base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .operations()
        .get_latest_release()
        .owner("o")
        .repo("r")
        .send()
        .await
        .unwrap_err();
    let github_release_assets::Error::Transport { url: Some(url), .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*url, format!("{}/repos/o/r/releases/latest", server.base));
    assert!(
        error.to_string().contains("/repos/o/r/releases/latest"),
        "{error}"
    );
}
