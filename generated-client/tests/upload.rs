//! Uploading against the fake GitHub: the uploads host, a real Content-Length, a guessed
//! Content-Type, an asset of the same name, and a 502's `starter` asset.

use github_release_assets::types::Release;
use github_release_assets::{Client, Error, IfExists, ReleaseHandle, ReleaseId, UploadOutcome};
use github_release_assets_fake::{FakeGitHub, Fault, Host};

async fn setup() -> (FakeGitHub, Client, ReleaseHandle, tempfile::TempDir) {
    let github = FakeGitHub::start_with_token("ghs_up").await.unwrap();
    let id = github.create_release("o", "r", "v1");
    let client = Client::builder(github.api_url())
        .token("ghs_up")
        .build()
        .unwrap();
    let release = client
        .repo("o", "r")
        .release(ReleaseId::new(id))
        .await
        .unwrap();
    (github, client, release, tempfile::tempdir().unwrap())
}

fn file(dir: &tempfile::TempDir, name: &str, len: usize, seed: u8) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(
        &path,
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    path
}

fn sha256(path: &std::path::Path) -> String {
    use sha2::Digest;
    format!(
        "sha256:{:x}",
        sha2::Sha256::digest(std::fs::read(path).unwrap())
    )
}

#[tokio::test]
async fn a_file_goes_with_its_length_and_a_guessed_type() {
    let (github, _client, release, dir) = setup().await;
    let path = file(&dir, "tool-1.0.zip", 3 << 20, 1);
    let asset = release.upload(&path).await.map(|u| u.asset).unwrap();
    assert_eq!(asset.name, "tool-1.0.zip");
    assert_eq!(asset.size, 3 << 20);
    assert_eq!(asset.content_type, "application/zip");
    assert_eq!(asset.digest, Some(sha256(&path)));
    let post = github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(post.host, Host::Uploads);
    assert_eq!(post.header("content-length"), Some("3145728"));
    assert_eq!(post.header("transfer-encoding"), None, "sent chunked");
    assert_eq!(post.header("authorization"), Some("Bearer ghs_up"));
}

#[tokio::test]
async fn the_same_name_again_fails_or_is_skipped_or_replaced() {
    let (github, _client, release, dir) = setup().await;
    let first = file(&dir, "a.bin", 1000, 1);
    let second = file(&dir, "b.bin", 2000, 2);
    let original = release.upload(&first).name("tool.bin").await.unwrap();
    assert_eq!(original.outcome, UploadOutcome::Created);
    assert!(original.verification.as_ref().unwrap().is_verified());

    let error = release.upload(&second).name("tool.bin").await.unwrap_err();
    assert!(
        matches!(error, Error::AlreadyExists { ref name } if name == "tool.bin"),
        "{error:?}"
    );

    let posts_before = github
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    let skipped = release
        .upload(&second)
        .name("tool.bin")
        .skip_existing()
        .await
        .unwrap();
    assert_eq!(skipped.outcome, UploadOutcome::Kept);
    assert_eq!(skipped.verification, None, "a kept asset is not compared");
    assert_eq!(skipped.asset.info(), original.asset.info());
    assert_eq!(
        github
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        posts_before,
        "skip uploaded"
    );

    let replaced = release
        .upload(&second)
        .name("tool.bin")
        .replace()
        .await
        .unwrap();
    assert_eq!(replaced.outcome, UploadOutcome::Replaced);
    assert_eq!(replaced.asset.digest, Some(sha256(&second)));
    let assets = github.assets("o", "r", release.id);
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].id, replaced.asset.id);
}

#[tokio::test]
async fn skip_and_replace_find_a_renamed_name() {
    let (_github, _client, release, dir) = setup().await;
    let path = file(&dir, "x", 10, 3);
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
    let (github, _client, release, dir) = setup().await;
    let path = file(&dir, "a.zip", 5000, 4);
    github.inject(Host::Uploads, Fault::BadGateway);
    let asset = release.upload(&path).await.map(|u| u.asset).unwrap();
    assert_eq!(asset.digest, Some(sha256(&path)));
    let assets = github.assets("o", "r", release.id);
    assert_eq!(assets.len(), 1, "{assets:?}");
    assert_eq!(assets[0].state, "uploaded");
}

#[tokio::test]
async fn retries_after_a_502_are_bounded_and_still_clean_up() {
    let (github, _client, release, dir) = setup().await;
    let path = file(&dir, "a.zip", 100, 5);
    for _ in 0..3 {
        github.inject(Host::Uploads, Fault::BadGateway);
    }
    let error = release
        .upload(&path)
        .name("a.zip")
        .retries_after_502(1)
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert!(
        github.assets("o", "r", release.id).is_empty(),
        "a starter asset was left"
    );
    let posts = github
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2, "one try and one retry");
}

#[tokio::test]
async fn a_stream_of_known_length() {
    let (_github, _client, release, _dir) = setup().await;
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

/// The progress reports seen, in order.
type Reports = std::sync::Arc<std::sync::Mutex<Vec<(u64, u64)>>>;

fn recorder() -> (github_release_assets::Progress, Reports) {
    let seen = Reports::default();
    let log = seen.clone();
    let progress = github_release_assets::Progress::new(move |done, total| {
        log.lock().unwrap().push((done, total));
    });
    (progress, seen)
}

#[tokio::test]
async fn progress_counts_up_to_the_length_and_restarts_after_a_502() {
    let (github, _client, release, dir) = setup().await;
    let path = file(&dir, "big.bin", (5 << 20) + 7, 9);
    let (progress, seen) = recorder();
    github.inject(Host::Uploads, Fault::BadGateway);
    release
        .upload(&path)
        .name("big.bin")
        .progress(progress)
        .await
        .map(|u| u.asset)
        .unwrap();
    let seen = seen.lock().unwrap().clone();
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
    let (github, _client, release, dir) = setup().await;
    let existing = file(&dir, "tool.zip", 100, 1);
    release.upload(&existing).await.map(|u| u.asset).unwrap();
    std::fs::remove_file(&existing).unwrap();
    std::fs::create_dir(dir.path().join("tool.zip")).unwrap();
    for path in [dir.path().join("missing.zip"), dir.path().join("tool.zip")] {
        let error = release
            .upload(&path)
            .name("tool.zip")
            .if_exists(IfExists::Replace)
            .await
            .map(|u| u.asset)
            .unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
    }
    let assets = github.assets("o", "r", release.id);
    assert_eq!(assets.len(), 1, "the existing asset was deleted");
}

/// GitHub transliterates non-ASCII names in ways no model here knows: replacing never
/// guesses, so an unrelated asset the guess would hit survives.
#[tokio::test]
async fn replace_never_guesses_a_non_ascii_name() {
    let (github, _client, release, dir) = setup().await;
    let unrelated = file(&dir, "w.txt", 10, 1);
    release.upload(&unrelated).await.map(|u| u.asset).unwrap();
    let path = file(&dir, "żółw.txt", 20, 2);
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
    let assets = github.assets("o", "r", release.id);
    assert_eq!(assets.len(), 1);
    assert_eq!((assets[0].name.as_str(), assets[0].size), ("w.txt", 10));
}

/// An upload refused before it starts (the token would go in clear to a plain-http
/// uploads host) deletes nothing: it fails before any request.
#[tokio::test]
async fn a_refused_uploads_host_costs_the_release_nothing() {
    let mut release = conformance::description::example("release").unwrap();
    release["upload_url"] = "http://127.0.0.1:1/repos/o/r/releases/1/assets{?name,label}".into();
    let release: Release = serde_json::from_value(release).unwrap();
    // Nothing listens at either address: a request would be a connection error.
    let client = Client::builder("https://127.0.0.1:1")
        .token("ghs_up")
        .build()
        .unwrap();
    let release = client.repo("o", "r").release_from(release);
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "tool.zip", 10, 1);
    let error = release
        .upload(&path)
        .name("tool.zip")
        .if_exists(IfExists::Replace)
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
}
