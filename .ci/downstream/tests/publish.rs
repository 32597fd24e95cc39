//! `publish_release` against the fake GitHub: no token, no network.

use std::path::{Path, PathBuf};

use github_release_assets::{Client, Error, UploadOutcome, Verification};
use github_release_assets_fake::FakeGitHub;
use release_tool_downstream::publish_release;

const OWNER: &str = "octocat";
const REPO: &str = "hello-world";

/// Writes each `(name, bytes)` into `dir`; returns the paths.
fn write_files(dir: &Path, files: &[(&str, &[u8])]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

#[tokio::test]
async fn publishes_a_new_immutable_release_with_verified_assets() {
    let github = FakeGitHub::start().await.unwrap();
    github.set_immutable_releases(OWNER, REPO, true);
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let linux: Vec<u8> = (0..300_000_u32).map(|i| (i % 251) as u8).collect();
    let files = write_files(
        dir.path(),
        &[("tool-linux.tar.gz", &linux), ("tool-windows.zip", b"zip")],
    );

    let summary = publish_release(&client, OWNER, REPO, "v1.0.0", &files)
        .await
        .unwrap();

    for uploaded in &summary.uploads {
        assert_eq!(uploaded.outcome, UploadOutcome::Created);
        let verified = uploaded
            .verification
            .as_ref()
            .is_some_and(Verification::is_verified);
        assert!(verified, "{uploaded:?}");
    }
    assert_eq!(summary.assets.len(), 2);
    // What GitHub holds: a published, immutable release with both assets, full size.
    let id = summary.release.id().get();
    let release = github.release(OWNER, REPO, id).unwrap();
    assert!(!release.draft && release.published && release.immutable);
    let assets: Vec<(String, u64)> = github
        .assets(OWNER, REPO, release.id)
        .into_iter()
        .map(|asset| (asset.name, asset.size))
        .collect();
    let expected = [("tool-linux.tar.gz", 300_000), ("tool-windows.zip", 3)];
    assert_eq!(assets, expected.map(|(name, size)| (name.to_owned(), size)));

    // Back down, checked against the digest GitHub gave.
    let target = dir.path().join("downloaded.tar.gz");
    let saved = summary.uploads[0]
        .asset
        .download_to(&target)
        .require_digest()
        .await
        .unwrap();
    assert!(saved.verification.is_verified(), "{}", saved.verification);
    assert_eq!(std::fs::read(&target).unwrap(), linux);

    // Published immutable: a second run is refused before anything is sent.
    let again = publish_release(&client, OWNER, REPO, "v1.0.0", &files).await;
    let refused = matches!(again, Err(Error::ImmutableRelease { .. }));
    assert!(refused, "{again:?}");
}

#[tokio::test]
async fn finds_an_existing_draft_and_replaces_its_asset() {
    let github = FakeGitHub::start().await.unwrap();
    github.set_immutable_releases(OWNER, REPO, true);
    let draft = github.create_release_with(OWNER, REPO, "v1.1.0", true);
    let gzip = "application/gzip";
    let old = github
        .add_asset(OWNER, REPO, draft, "tool.tar.gz", gzip, b"old")
        .unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = write_files(dir.path(), &[("tool.tar.gz", b"new bytes")]);

    let summary = publish_release(&client, OWNER, REPO, "v1.1.0", &files)
        .await
        .unwrap();

    assert_eq!(summary.release.id().get(), draft, "found, not created");
    assert_eq!(summary.uploads[0].outcome, UploadOutcome::Replaced);
    assert!(github.asset(old).is_none());
    let assets = github.assets(OWNER, REPO, draft);
    assert_eq!(assets.len(), 1);
    assert_eq!(
        (assets[0].name.as_str(), assets[0].size),
        ("tool.tar.gz", 9)
    );
    assert!(!github.release(OWNER, REPO, draft).unwrap().draft);
}
