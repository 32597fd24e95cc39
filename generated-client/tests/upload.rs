//! Uploading against the fake GitHub: the uploads host, a real Content-Length, a guessed
//! Content-Type, an asset of the same name, and a 502's `starter` asset.

mod support;

use std::future::IntoFuture;

use github_release_assets::types::Release;
use github_release_assets::{Client, Error, IfExists, ReleaseHandle, UploadOutcome};
use github_release_assets_fake::{Fault, Host};
use support::{Fixture, ProgressLog, RequestLog, pattern, sha256_file};

const TOKEN: &str = "ghs_up";

/// A fake that wants [`TOKEN`], and its release, fetched.
async fn setup() -> (Fixture, ReleaseHandle) {
    let f = Fixture::builder().token(TOKEN).start().await;
    let release = f.release().await;
    (f, release)
}

#[tokio::test]
async fn a_file_goes_with_its_length_and_a_guessed_type() {
    let (f, release) = setup().await;
    let path = f.file("tool-1.0.zip", &pattern(3 << 20, 1));
    let asset = release.upload(&path).await.map(|u| u.asset).unwrap();
    assert_eq!(asset.name, "tool-1.0.zip");
    assert_eq!(asset.size, 3 << 20);
    assert_eq!(asset.content_type, "application/zip");
    assert_eq!(asset.digest, Some(sha256_file(&path)));
    let post = f.requests().with_method("POST").remove(0);
    assert_eq!(post.host, Host::Uploads);
    assert_eq!(post.header("content-length"), Some("3145728"));
    assert_eq!(post.header("transfer-encoding"), None, "sent chunked");
    assert_eq!(post.header("authorization"), Some("Bearer ghs_up"));
}

#[tokio::test]
async fn the_same_name_again_fails_or_is_skipped_or_replaced() {
    let (f, release) = setup().await;
    let first = f.file("a.bin", &pattern(1000, 1));
    let second = f.file("b.bin", &pattern(2000, 2));
    let original = release.upload(&first).name("tool.bin").await.unwrap();
    assert_eq!(original.outcome, UploadOutcome::Created);
    assert!(original.verification.as_ref().unwrap().is_verified());
    let again = || release.upload(&second).name("tool.bin");

    let error = again().await.unwrap_err();
    assert!(
        matches!(error, Error::AlreadyExists { ref name } if name == "tool.bin"),
        "{error:?}"
    );

    let posts_before = f.requests().with_method("POST").len();
    let skipped = again().skip_existing().await.unwrap();
    assert_eq!(skipped.outcome, UploadOutcome::Kept);
    assert_eq!(skipped.verification, None, "a kept asset is not compared");
    assert_eq!(skipped.asset.info(), original.asset.info());
    assert_eq!(
        f.requests().with_method("POST").len(),
        posts_before,
        "skip uploaded"
    );

    let replaced = again().replace().await.unwrap();
    assert_eq!(replaced.outcome, UploadOutcome::Replaced);
    assert_eq!(replaced.asset.digest, Some(sha256_file(&second)));
    let assets = f.assets();
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].id, replaced.asset.id);
}

#[tokio::test]
async fn skip_and_replace_find_a_renamed_name() {
    let (f, release) = setup().await;
    let path = f.file("x", &pattern(10, 3));
    let name = "my tool (linux).tar.gz";
    let first = release.upload(&path).name(name).await.unwrap().asset;
    assert_eq!(first.name, "my.tool.linux.tar.gz");
    let again = release
        .upload(&path)
        .name(name)
        .skip_existing()
        .await
        .unwrap();
    assert_eq!(again.outcome, UploadOutcome::Kept);
    assert_eq!(again.asset.id, first.id);
}

#[tokio::test]
async fn a_502_leaves_no_starter_and_is_retried() {
    let (f, release) = setup().await;
    let path = f.file("a.zip", &pattern(5000, 4));
    f.github.inject(Host::Uploads, Fault::BadGateway);
    let asset = release.upload(&path).await.map(|u| u.asset).unwrap();
    assert_eq!(asset.digest, Some(sha256_file(&path)));
    let assets = f.assets();
    assert_eq!(assets.len(), 1, "{assets:?}");
    assert_eq!(assets[0].state, "uploaded");
}

#[tokio::test]
async fn retries_after_a_502_are_bounded_and_still_clean_up() {
    let (f, release) = setup().await;
    let path = f.file("a.zip", &pattern(100, 5));
    for _ in 0..3 {
        f.github.inject(Host::Uploads, Fault::BadGateway);
    }
    let error = release
        .upload(&path)
        .name("a.zip")
        .retries_after_502(1)
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert!(f.assets().is_empty(), "a starter asset was left");
    let posts = f.requests().with_method("POST").len();
    assert_eq!(posts, 2, "one try and one retry");
}

#[tokio::test]
async fn a_stream_of_known_length() {
    let (_f, release) = setup().await;
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = (0..10)
        .map(|i| Ok(bytes::Bytes::from(vec![i as u8; 1000])))
        .collect();
    let stream = futures_util::stream::iter(chunks);
    let asset = release
        .upload_stream(stream, 10_000, "parts.bin")
        .label("ten parts")
        .await
        .unwrap()
        .asset;
    assert_eq!(asset.size, 10_000);
    assert_eq!(asset.label.as_deref(), Some("ten parts"));
    assert_eq!(asset.content_type, "application/octet-stream");
}

#[tokio::test]
async fn progress_counts_up_to_the_length_and_restarts_after_a_502() {
    let (f, release) = setup().await;
    let path = f.file("big.bin", &pattern((5 << 20) + 7, 9));
    let log = ProgressLog::default();
    f.github.inject(Host::Uploads, Fault::BadGateway);
    release
        .upload(&path)
        .name("big.bin")
        .progress(log.progress())
        .await
        .map(|u| u.asset)
        .unwrap();
    let seen = log.seen();
    let total = (5 << 20) + 7;
    assert!(seen.iter().all(|&(_, t)| t == total), "{seen:?}");
    assert_eq!(seen.last(), Some(&(total, total)));
    // Two attempts, each counting up from 0.
    let starts = seen.iter().filter(|&&(done, _)| done == 0).count();
    assert_eq!(starts, 2, "{seen:?}");
    let second = seen.iter().rposition(|&(done, _)| done == 0).unwrap();
    assert!(
        seen[second..].windows(2).all(|w| w[0].0 < w[1].0),
        "not counting up: {seen:?}"
    );
    assert!(seen.len() >= 2 + 6, "one report a chunk: {seen:?}");
}

#[tokio::test]
async fn a_file_that_cannot_be_read_costs_the_release_nothing() {
    let (f, release) = setup().await;
    let existing = f.file("tool.zip", &pattern(100, 1));
    release.upload(&existing).await.map(|u| u.asset).unwrap();
    std::fs::remove_file(&existing).unwrap();
    std::fs::create_dir(f.path("tool.zip")).unwrap();
    for path in [f.path("missing.zip"), f.path("tool.zip")] {
        let error = release
            .upload(&path)
            .name("tool.zip")
            .if_exists(IfExists::Replace)
            .await
            .map(|u| u.asset)
            .unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
    }
    let assets = f.assets();
    assert_eq!(assets.len(), 1, "the existing asset was deleted");
}

/// GitHub transliterates non-ASCII names in ways no model here knows: replacing never
/// guesses, so an unrelated asset the guess would hit survives.
#[tokio::test]
async fn replace_never_guesses_a_non_ascii_name() {
    let (f, release) = setup().await;
    let unrelated = f.file("w.txt", &pattern(10, 1));
    release.upload(&unrelated).await.map(|u| u.asset).unwrap();
    let path = f.file("żółw.txt", &pattern(20, 2));
    let result = release
        .upload(&path)
        .name("żółw.txt")
        .if_exists(IfExists::Replace)
        .await
        .map(|u| u.asset);
    // The fake renames as the old guess did, so the upload collides and says so.
    assert!(
        matches!(result, Err(Error::AlreadyExists { .. })),
        "{result:?}"
    );
    let assets = f.assets();
    assert_eq!(assets.len(), 1);
    assert_eq!((assets[0].name.as_str(), assets[0].size), ("w.txt", 10));
}

/// An upload refused before it starts (the token would go in clear to a plain-http
/// uploads host) deletes nothing: it fails before any request.
#[tokio::test]
async fn a_refused_uploads_host_costs_the_release_nothing() {
    let mut release = support::example("release");
    release["upload_url"] = "http://127.0.0.1:1/repos/o/r/releases/1/assets{?name,label}".into();
    let release: Release = serde_json::from_value(release).unwrap();
    // Nothing listens at either address: a request would be a connection error.
    let client = Client::builder("https://127.0.0.1:1")
        .token(TOKEN)
        .build()
        .unwrap();
    let release = client.repo("o", "r").release_from(release);
    let dir = support::temp_dir();
    let path = support::file(dir.path(), "tool.zip", &pattern(10, 1));
    let error = release
        .upload(&path)
        .name("tool.zip")
        .if_exists(IfExists::Replace)
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert!(
        matches!(error, Error::UntrustedDestination { .. }),
        "{error:?}"
    );
}

/// An asset of the name still being uploaded (`open`) is another writer's: Skip waits for
/// it to finish and keeps it; nothing is deleted or sent.
#[tokio::test]
async fn an_open_asset_of_the_name_is_waited_for_then_kept() {
    let (f, release) = setup().await;
    let theirs = f.add_asset("tool.bin", &pattern(10, 1));
    assert!(f.github.set_asset_state(theirs, "open"));
    let path = f.file("mine.bin", &pattern(20, 2));
    let upload = release
        .upload(&path)
        .name("tool.bin")
        .skip_existing()
        .wait_for_open(std::time::Duration::from_secs(10));
    // The other writer finishes while this upload waits.
    let finishing = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        f.github.set_asset_state(theirs, "uploaded");
    };
    let (kept, ()) = tokio::join!(upload.into_future(), finishing);
    let kept = kept.unwrap();
    assert_eq!(kept.outcome, UploadOutcome::Kept);
    assert_eq!(kept.asset.id, theirs);
    assert!(f.requests().with_method("DELETE").is_empty());
    assert!(f.requests().with_method("POST").is_empty());
}

/// An asset that stays `open` longer than the upload waits is reported, and left alone,
/// by Skip and by Replace alike.
#[tokio::test]
async fn an_asset_that_stays_open_is_reported_and_left_alone() {
    let (f, release) = setup().await;
    let theirs = f.add_asset("tool.bin", &pattern(10, 1));
    assert!(f.github.set_asset_state(theirs, "open"));
    let path = f.file("mine.bin", &pattern(20, 2));
    for if_exists in [IfExists::Skip, IfExists::Replace] {
        let error = release
            .upload(&path)
            .name("tool.bin")
            .if_exists(if_exists)
            .wait_for_open(std::time::Duration::from_millis(200))
            .await
            .map(|u| u.asset)
            .unwrap_err();
        assert!(
            matches!(error, Error::UploadInProgress { asset_id, .. } if asset_id == theirs),
            "{if_exists:?}: {error:?}"
        );
    }
    assert!(f.requests().with_method("DELETE").is_empty());
    assert!(f.requests().with_method("POST").is_empty());
    let assets = f.assets();
    assert_eq!((assets.len(), assets[0].state.as_str()), (1, "open"));
}

/// After a 502, a `starter` asset of the name that GitHub created before this upload began
/// (beyond the clock skew allowed) is another upload's: it is not deleted. One created
/// since is this upload's, and is.
#[tokio::test]
async fn the_502_clean_up_deletes_only_a_starter_this_upload_left() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    for (created_at, ours) in [
        ("2020-01-01T00:00:00Z", false),
        (chrono::Utc::now().to_rfc3339().leak() as &str, true),
    ] {
        let server = MockServer::start().await;
        let mut starter = support::example("release-asset");
        starter["name"] = "a.zip".into();
        starter["state"] = "starter".into();
        starter["size"] = 0.into();
        starter["created_at"] = created_at.into();
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/o/r/releases/1/assets"))
            .respond_with(support::json_answer(200, [&starter]))
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        let mut release = support::example("release");
        release["id"] = 1.into();
        release["upload_url"] = format!(
            "{}/repos/o/r/releases/1/assets{{?name,label}}",
            server.uri()
        )
        .into();
        let release: Release = serde_json::from_value(release).unwrap();
        let client = support::mock_client(&server, Some(TOKEN));
        let release = client.repo("o", "r").release_from(release);
        let dir = support::temp_dir();
        let file = support::file(dir.path(), "a.zip", b"bytes");
        let error = release
            .upload(&file)
            .retries_after_502(0)
            .await
            .map(|u| u.asset)
            .unwrap_err();
        let deletes = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "DELETE")
            .count();
        if ours {
            assert_eq!(error.status(), Some(502), "{error:?}");
            assert_eq!(deletes, 1, "this upload's starter stays");
        } else {
            assert!(matches!(error, Error::AlreadyExists { .. }), "{error:?}");
            assert_eq!(deletes, 0, "another upload's starter was deleted");
        }
    }
}

/// A `starter` asset of the name that this upload did not leave: Skip and Replace delete it
/// only once it is abandoned, older than the upload wait, or watched for the whole wait
/// without a change (another writer's failing upload would have cleaned it up by then).
#[tokio::test]
async fn skip_and_replace_delete_a_starter_of_the_name_only_once_it_is_abandoned() {
    use std::time::{Duration, Instant, SystemTime};
    for (if_exists, created) in [
        (IfExists::Skip, None),
        (IfExists::Replace, None),
        (IfExists::Skip, Some(3600)),
        (IfExists::Replace, Some(3600)),
    ] {
        let (f, release) = setup().await;
        let starter = f.add_asset("a.zip", b"");
        assert!(f.github.set_asset_state(starter, "starter"));
        if let Some(seconds) = created {
            let then = SystemTime::now() - Duration::from_secs(seconds);
            assert!(f.github.set_asset_created_at(starter, then));
        }
        let wait = if created.is_some() {
            Duration::from_secs(60)
        } else {
            Duration::from_millis(400)
        };
        let began = Instant::now();
        let uploaded = release
            .upload(f.file("a.zip", b"the bytes"))
            .if_exists(if_exists)
            .wait_for_open(wait)
            .await
            .unwrap();
        let took = began.elapsed();
        let case = format!("{if_exists:?}, created {created:?} s ago: took {took:?}");
        assert_eq!(uploaded.outcome, UploadOutcome::Created, "{case}");
        assert!(f.github.asset(starter).is_none(), "{case}");
        if created.is_some() {
            assert!(
                took < Duration::from_secs(30),
                "an abandoned one is not waited for: {case}"
            );
        } else {
            assert!(
                took >= wait,
                "a young one is watched for the whole wait: {case}"
            );
        }
    }
}

/// A stream that gives more bytes than it declared, in its last chunk or after it, fails
/// the upload, saying so, and GitHub keeps nothing: the bytes past the length are never
/// cut off without a word, leaving an asset that is a prefix of what was meant.
#[tokio::test]
async fn a_stream_longer_than_its_length_fails_and_stores_nothing() {
    use std::error::Error as _;
    for chunks in [vec![&b"0123456789"[..], b"abc"], vec![b"0123456789abc"]] {
        let (f, release) = setup().await;
        let stream = futures_util::stream::iter(
            chunks.into_iter().map(|c| Ok(bytes::Bytes::from_static(c))),
        );
        let error = release
            .upload_stream(stream, 10, "parts.bin")
            .await
            .map(|u| u.asset)
            .unwrap_err();
        let mut said = error.to_string();
        let mut cause = error.source();
        while let Some(why) = cause {
            said.push_str(&format!(": {why}"));
            cause = why.source();
        }
        assert!(
            said.contains("more than the 10 bytes it declared"),
            "{said}"
        );
        assert!(f.assets().is_empty(), "{:?}", f.assets());
    }
}

/// An upload that takes longer than the read timeout while its bytes keep flowing is not
/// timed out (reqwest's read timeout would have: one timer from the request's start to the
/// answer); one whose body stands still for the read timeout is, saying so.
#[tokio::test]
async fn a_slow_steady_upload_outlasts_the_read_timeout_and_a_stalled_one_does_not() {
    use std::time::{Duration, Instant};
    let f = Fixture::builder()
        .token(TOKEN)
        .read_timeout(Duration::from_millis(300))
        .start()
        .await;
    let release = f.release().await;
    // About 1.2 s of body: a chunk every 100 ms.
    let steady = Box::pin(futures_util::stream::unfold(0, |i| async move {
        if i == 12 {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((Ok(bytes::Bytes::from(vec![i as u8; 1000])), i + 1))
    }));
    let began = Instant::now();
    let uploaded = release
        .upload_stream(steady, 12_000, "steady.bin")
        .await
        .unwrap();
    assert!(began.elapsed() > Duration::from_millis(900));
    assert_eq!(uploaded.asset.size, 12_000);

    // One chunk, then nothing.
    let stalled = futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(vec![
            1_u8;
            1000
        ]))]),
        futures_util::stream::pending(),
    );
    let began = Instant::now();
    let error = release
        .upload_stream(stalled, 12_000, "stalled.bin")
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    let said = format!("{error}: {}", std::error::Error::source(&error).unwrap());
    assert!(said.contains("stood still for 0.3 s"), "{said}");
    assert!(began.elapsed() < Duration::from_secs(5));
}

/// A Replace whose new asset went before its rename, the old one already deleted (another
/// writer's clean-up took the temporary asset for its own): the bytes go up again under
/// the name, rather than leaving the release without it. Scripted: a fake GitHub does not
/// delete on its own.
#[tokio::test]
async fn a_replace_whose_new_asset_vanished_uploads_again_under_the_name() {
    use wiremock::matchers::{method, path_regex, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let bytes = b"the new tool".to_vec();
    let asset = |id: i64, name: &str| {
        let mut asset = support::example_asset(id);
        asset.name = name.to_owned();
        asset.size = bytes.len() as i64;
        asset.digest = Some(support::sha256(&bytes));
        asset
    };
    let mut release: Release = serde_json::from_value(support::example("release")).unwrap();
    release.assets.clear();
    release.upload_url = format!(
        "{}/repos/octo/hello/releases/1/assets{{?name,label}}",
        server.uri()
    );
    let mut old = asset(10, "tool.zip");
    old.size = 3;
    let routes = [
        (
            "GET",
            "/releases/1/assets$",
            None,
            support::json_answer(200, [&old]),
        ),
        (
            "POST",
            "/releases/1/assets$",
            Some("tool.zip"),
            support::json_answer(201, asset(12, "tool.zip")),
        ),
        (
            "POST",
            "/releases/1/assets$",
            None,
            support::json_answer(201, asset(11, "tool.zip.replacing-0123456789abcdef")),
        ),
        (
            "DELETE",
            "/releases/assets/10$",
            None,
            ResponseTemplate::new(204),
        ),
        (
            "PATCH",
            "/releases/assets/11$",
            None,
            support::json_answer(404, serde_json::json!({"message": "Not Found"})),
        ),
    ];
    for (verb, at, name, answer) in routes {
        let mock = Mock::given(method(verb)).and(path_regex(format!("^/repos/octo/hello{at}")));
        let mock = match name {
            Some(name) => mock.and(query_param("name", name)),
            None => mock,
        };
        // The upload under the name is the more particular route: tried first.
        mock.respond_with(answer)
            .with_priority(if name.is_some() { 1 } else { 5 })
            .mount(&server)
            .await;
    }
    let client = support::mock_client(&server, Some(TOKEN));
    let dir = support::temp_dir();
    let path = support::file(dir.path(), "tool.zip", &bytes);
    let uploaded = client
        .repo("octo", "hello")
        .release_from(release)
        .upload(&path)
        .replace()
        .await
        .unwrap();
    assert_eq!(
        (uploaded.asset.id, uploaded.outcome),
        (12, UploadOutcome::Replaced)
    );
}

/// A stream declared empty that has bytes is refused (the HTTP client would never ask an
/// empty body for them, and the asset would be empty); an empty one uploads.
#[tokio::test]
async fn a_stream_declared_empty_must_be() {
    let (f, release) = setup().await;
    let full = futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"x"))]);
    let error = release
        .upload_stream(full, 0, "empty.bin")
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert!(matches!(error, Error::UploadSource { .. }), "{error:?}");
    assert!(f.assets().is_empty());
    let empty = futures_util::stream::iter([Ok(bytes::Bytes::new())]);
    let uploaded = release.upload_stream(empty, 0, "empty.bin").await.unwrap();
    assert_eq!(uploaded.asset.size, 0);
}
