//! Downloading to a file against the fake GitHub: verified, atomic, resumable, and never
//! a wrong file under the target's name.

use github_release_assets::types::ReleaseAsset;
use github_release_assets::{Client, Error, partial_path};
use github_release_assets_fake::{FakeGitHub, Fault, Host};

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn setup(bytes: &[u8]) -> (FakeGitHub, Client, ReleaseAsset) {
    let github = FakeGitHub::start().await.unwrap();
    let release = github.create_release("o", "r", "v1");
    let id = github
        .add_asset(
            "o",
            "r",
            release,
            "tool.bin",
            "application/octet-stream",
            bytes,
        )
        .unwrap();
    let client = Client::builder(github.api_url())
        .token("ghs_t")
        .build()
        .unwrap();
    let asset = client
        .operations()
        .get_release_asset()
        .owner("o")
        .repo("r")
        .asset_id(id)
        .send()
        .await
        .unwrap();
    (github, client, asset)
}

#[tokio::test]
async fn saves_the_verified_bytes_and_leaves_no_partial_file() {
    let bytes = pattern(300_000);
    let (_github, client, asset) = setup(&bytes).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tool.bin");
    let saved = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(saved.size, 300_000);
    assert_eq!(Some(format!("sha256:{}", saved.sha256)), asset.digest);
    assert_eq!(saved.resumed_from, 0);
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn a_digest_mismatch_leaves_no_file() {
    let (github, client, _) = setup(b"seed").await;
    let release = client
        .operations()
        .get_latest_release()
        .owner("o")
        .repo("r")
        .send()
        .await
        .unwrap();
    github.inject(Host::Uploads, Fault::WrongDigest);
    let asset = client
        .for_upload_url(&release.upload_url)
        .unwrap()
        .operations()
        .upload_release_asset()
        .owner("o")
        .repo("r")
        .release_id(release.id)
        .name("b.bin")
        .content_type("application/octet-stream")
        .content_length(5000)
        .body(pattern(5000))
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("b.bin");
    let error = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::DigestMismatch { .. }), "{error:?}");
    assert!(!target.exists());
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn an_interrupted_download_resumes_and_is_still_verified() {
    let bytes = pattern(400_000);
    let (github, client, asset) = setup(&bytes).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tool.bin");

    github.inject(Host::Storage, Fault::CutMidBody);
    let error = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { .. } | Error::Incomplete { .. }),
        "{error:?}"
    );
    assert!(
        !target.exists(),
        "a partial download under the target's name"
    );
    let kept = std::fs::metadata(partial_path(&target, asset.id).unwrap())
        .unwrap()
        .len();
    assert!(kept > 0 && kept < 400_000, "kept {kept} bytes");

    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let progress = github_release_assets::Progress::new(move |done, total| {
        log.lock().unwrap().push((done, total));
    });
    let saved = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .progress(progress)
        .await
        .unwrap();
    assert_eq!(saved.resumed_from, kept);
    // Progress starts from the bytes already saved and ends at the asset's size.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&(kept, 400_000)), "{seen:?}");
    assert_eq!(seen.last(), Some(&(400_000, 400_000)), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    let ranged = github
        .requests()
        .into_iter()
        .filter(|r| r.header("range").is_some())
        .count();
    assert!(ranged >= 1, "the second download did not ask for a range");
}

#[tokio::test]
async fn an_html_page_with_status_200_is_not_saved() {
    let (github, client, asset) = setup(&pattern(1000)).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tool.bin");
    github.inject(Host::Api, Fault::HtmlPage);
    match client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err()
    {
        Error::NotTheAsset {
            content_type,
            excerpt,
        } => {
            assert_eq!(content_type, "text/html");
            assert!(excerpt.starts_with("<!DOCTYPE html>"), "{excerpt}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!target.exists());
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn a_missing_asset_is_not_found_and_creates_nothing() {
    let (_github, client, mut asset) = setup(b"x").await;
    asset.id = 999;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("gone.bin");
    let error = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// An interrupted download of one asset is never resumed with another's bytes, even
/// into the same target (v1's `tool.bin`, then v2's).
#[tokio::test]
async fn a_partial_file_is_resumed_only_by_its_own_asset() {
    let first = pattern(300_000);
    let (github, client, asset) = setup(&first).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tool.bin");
    github.inject(Host::Storage, Fault::CutMidBody);
    client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(partial_path(&target, asset.id).unwrap().exists());

    let second: Vec<u8> = pattern(300_000).into_iter().map(|b| b ^ 0x5a).collect();
    let release = github.create_release("o", "r", "v2");
    let id = github
        .add_asset(
            "o",
            "r",
            release,
            "tool.bin",
            "application/octet-stream",
            &second,
        )
        .unwrap();
    let mut other = asset.clone();
    other.id = id;
    // No digest to catch a splice: the size alone must not be trusted.
    other.digest = None;
    let saved = client
        .repo("o", "r")
        .asset_from(other.clone())
        .download_to(&target)
        .await
        .unwrap();
    assert_eq!(saved.resumed_from, 0);
    assert_eq!(std::fs::read(&target).unwrap(), second);
}

/// A server that answers every download of `asset` with 206, this `Content-Range` and
/// `body`; and a client for it. The asset's digest is dropped: only the range can tell.
async fn partial_answers(
    asset: &mut ReleaseAsset,
    content_range: &str,
    body: &[u8],
) -> (wiremock::MockServer, Client) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    asset.digest = None;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/o/r/releases/assets/{}", asset.id)))
        .respond_with(
            ResponseTemplate::new(206)
                .insert_header("content-range", content_range)
                .set_body_bytes(body.to_vec()),
        )
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).build().unwrap();
    (server, client)
}

/// A server that answers a resume with bytes from elsewhere than asked: nothing is
/// appended, nothing saved, and the next download starts afresh.
#[tokio::test]
async fn a_resume_answered_from_the_wrong_byte_is_refused() {
    let bytes = pattern(1000);
    let (_github, _client, mut asset) = setup(&bytes).await;
    let (_server, client) = partial_answers(&mut asset, "bytes 0-999/1000", &bytes).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tool.bin");
    let part = partial_path(&target, asset.id).unwrap();
    std::fs::write(&part, &bytes[..400]).unwrap();
    let error = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("bytes from 400 on"), "{error}");
    assert!(!target.exists());
    assert!(!part.exists(), "the partial file was kept");
}

/// Part of a file where the whole was asked for is not saved as its start.
#[tokio::test]
async fn a_partial_answer_to_a_whole_request_is_refused() {
    let bytes = pattern(200);
    let (_github, _client, mut asset) = setup(&bytes).await;
    let (_server, client) = partial_answers(&mut asset, "bytes 100-199/200", &bytes[100..]).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tool.bin");
    let error = client
        .repo("o", "r")
        .asset_from(asset.clone())
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(!target.exists());
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

/// The files a download touches with something planted where it writes: what a link
/// names is never written or read, and the download either saves a regular file holding
/// exactly the asset's bytes or fails with a typed error leaving nothing under the target.
mod planted {
    use super::*;
    use std::path::{Path, PathBuf};

    /// A target and its part file in a fresh directory, and a victim file outside it.
    struct Paths {
        _dir: tempfile::TempDir,
        target: PathBuf,
        part: PathBuf,
        victim: PathBuf,
    }

    fn paths(asset: &ReleaseAsset) -> Paths {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        let target = dir.path().join("out").join("tool.bin");
        Paths {
            part: partial_path(&target, asset.id).unwrap(),
            victim: dir.path().join("elsewhere").join("victim"),
            target,
            _dir: dir,
        }
    }

    /// The target is a regular file (not a link) holding exactly `bytes`, and no part file is left.
    fn saved_exactly(target: &Path, part: &Path, bytes: &[u8]) {
        let meta = std::fs::symlink_metadata(target).unwrap();
        assert!(meta.file_type().is_file(), "{:?}", meta.file_type());
        assert_eq!(std::fs::read(target).unwrap(), bytes);
        assert!(
            std::fs::symlink_metadata(part).is_err(),
            "a part file was left"
        );
    }

    /// A link at the part path to a file holding the asset's first bytes: the old code
    /// resumed from it and appended the rest to the file the link names.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_link_at_the_part_path_is_never_resumed_from_or_written_through() {
        let bytes = pattern(200_000);
        let (_github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::fs::write(&p.victim, &bytes[..1000]).unwrap();
        std::os::unix::fs::symlink(&p.victim, &p.part).unwrap();

        let saved = client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap();
        assert_eq!(saved.resumed_from, 0, "resumed from the file a link names");
        assert_eq!(std::fs::read(&p.victim).unwrap(), &bytes[..1000]);
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// A hard link at the part path to a file holding the asset's first bytes: the same
    /// file under two names. Appending would write into the other name's file: it is not
    /// resumed from, and only its name at the part path goes.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_hard_link_at_the_part_path_is_never_resumed_from_or_appended_to() {
        let bytes = pattern(200_000);
        let (_github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::fs::write(&p.victim, &bytes[..1000]).unwrap();
        std::fs::hard_link(&p.victim, &p.part).unwrap();

        let saved = client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap();
        assert_eq!(
            saved.resumed_from, 0,
            "resumed from a file with another name"
        );
        assert_eq!(std::fs::read(&p.victim).unwrap(), &bytes[..1000]);
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// A link at the part path to a file that does not exist yet: the old code created it.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_dangling_link_at_the_part_path_creates_nothing_where_it_points() {
        let bytes = pattern(50_000);
        let (_github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::os::unix::fs::symlink(&p.victim, &p.part).unwrap();

        client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap();
        assert!(
            std::fs::symlink_metadata(&p.victim).is_err(),
            "the download created the file a dangling link names"
        );
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// A link at the target is replaced by the downloaded file; the file it named is kept.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_link_at_the_target_is_replaced_not_written_through() {
        let bytes = pattern(50_000);
        let (_github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::fs::write(&p.victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&p.victim, &p.target).unwrap();

        client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&p.victim).unwrap(), b"precious");
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// An empty directory at the part path is no download's: it is removed and the
    /// download starts afresh (the old code took its size for bytes to resume from).
    #[tokio::test]
    async fn an_empty_directory_at_the_part_path_is_replaced() {
        let bytes = pattern(50_000);
        let (_github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::fs::create_dir(&p.part).unwrap();

        let saved = client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap();
        assert_eq!(saved.resumed_from, 0);
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// A directory with files in it at the part path is not removed: a typed error names
    /// it, and nothing is written.
    #[tokio::test]
    async fn a_directory_with_files_at_the_part_path_is_a_clear_error() {
        let bytes = pattern(50_000);
        let (github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::fs::create_dir(&p.part).unwrap();
        std::fs::write(p.part.join("inside"), b"someone's").unwrap();

        match client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap_err()
        {
            Error::Io { path, source } => {
                assert_eq!(path, p.part);
                assert!(
                    source.to_string().contains("not a regular file"),
                    "{source}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(std::fs::symlink_metadata(&p.target).is_err());
        assert_eq!(std::fs::read(p.part.join("inside")).unwrap(), b"someone's");
        assert!(
            github.requests().iter().all(|r| r.host != Host::Storage),
            "the asset was downloaded"
        );
    }

    /// A directory at the target is refused before any byte is fetched, and kept as it is.
    #[tokio::test]
    async fn a_directory_at_the_target_is_refused_before_downloading() {
        let bytes = pattern(50_000);
        let (github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        std::fs::create_dir(&p.target).unwrap();
        std::fs::write(p.target.join("inside"), b"someone's").unwrap();

        match client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap_err()
        {
            Error::Io { path, source } => {
                assert_eq!(path, p.target);
                assert_eq!(source.kind(), std::io::ErrorKind::IsADirectory);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read(p.target.join("inside")).unwrap(),
            b"someone's"
        );
        assert!(std::fs::symlink_metadata(&p.part).is_err());
        assert!(
            github.requests().iter().all(|r| r.host != Host::Storage),
            "the asset was downloaded"
        );
    }

    /// A link at the part path, a link at the target, and an interrupted download resumed
    /// afterwards: neither file the links named changes, and the resume still happens.
    #[cfg(unix)]
    #[tokio::test]
    async fn links_everywhere_then_an_interrupted_download_still_resumes() {
        let bytes = pattern(400_000);
        let (github, client, asset) = setup(&bytes).await;
        let p = paths(&asset);
        let other_victim = p.victim.with_file_name("other");
        std::fs::write(&p.victim, &bytes[..1000]).unwrap();
        std::fs::write(&other_victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&p.victim, &p.part).unwrap();
        std::os::unix::fs::symlink(&other_victim, &p.target).unwrap();

        github.inject(Host::Storage, Fault::CutMidBody);
        client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap_err();
        let kept = std::fs::symlink_metadata(&p.part).unwrap();
        assert!(kept.file_type().is_file(), "{:?}", kept.file_type());
        assert!(kept.len() > 0 && kept.len() < 400_000);
        let saved = client
            .repo("o", "r")
            .asset_from(asset.clone())
            .download_to(&p.target)
            .await
            .unwrap();
        assert_eq!(saved.resumed_from, kept.len());
        assert_eq!(std::fs::read(&p.victim).unwrap(), &bytes[..1000]);
        assert_eq!(std::fs::read(&other_victim).unwrap(), b"precious");
        saved_exactly(&p.target, &p.part, &bytes);
    }
}
