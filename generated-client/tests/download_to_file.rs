//! Downloading to a file against the fake GitHub: verified, atomic, resumable, and never
//! a wrong file under the target's name.

mod support;

use github_release_assets::{AssetHandle, Error, partial_path};
use github_release_assets_fake::{Fault, Host};
use support::{Fixture, ProgressLog, RequestLog};
use wiremock::{MockServer, ResponseTemplate};

/// `len` bytes of the tests' pattern.
fn pattern(len: usize) -> Vec<u8> {
    support::pattern(len, 0)
}

/// A fake whose release holds `tool.bin` with `bytes`, a client that sends a token, and the
/// asset, fetched.
async fn setup(bytes: &[u8]) -> (Fixture, AssetHandle) {
    let f = Fixture::builder().token("ghs_t").start().await;
    let asset = f.asset(f.add_asset("tool.bin", bytes)).await;
    (f, asset)
}

#[tokio::test]
async fn saves_the_verified_bytes_and_leaves_no_partial_file() {
    let bytes = pattern(300_000);
    let (f, asset) = setup(&bytes).await;
    let target = f.path("tool.bin");
    let saved = asset.download_to(&target).await.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(saved.size, 300_000);
    assert_eq!(Some(format!("sha256:{}", saved.sha256)), asset.digest);
    assert_eq!(saved.resumed_from, 0);
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn a_digest_mismatch_leaves_no_file() {
    let (f, _) = setup(b"seed").await;
    let release = f.release().await;
    f.github.inject(Host::Uploads, Fault::WrongDigest);
    let stored = f
        .upload_unchecked(&release, "b.bin", support::OCTET_STREAM, pattern(5000))
        .await
        .unwrap();
    let asset = f.repo().asset_from(stored);
    let target = f.path("b.bin");
    let error = asset.download_to(&target).await.unwrap_err();
    assert!(matches!(error, Error::DigestMismatch { .. }), "{error:?}");
    assert!(!target.exists());
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn an_interrupted_download_resumes_and_is_still_verified() {
    let bytes = pattern(400_000);
    let (f, asset) = setup(&bytes).await;
    let target = f.path("tool.bin");

    f.github.inject(Host::Storage, Fault::CutMidBody);
    let error = asset.download_to(&target).await.unwrap_err();
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

    let log = ProgressLog::default();
    let saved = asset
        .download_to(&target)
        .progress(log.progress())
        .await
        .unwrap();
    assert_eq!(saved.resumed_from, kept);
    // Progress starts from the bytes already saved and ends at the asset's size.
    let seen = log.seen();
    assert_eq!(seen.first(), Some(&(kept, 400_000)), "{seen:?}");
    assert_eq!(seen.last(), Some(&(400_000, 400_000)), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    let ranged = f
        .requests()
        .into_iter()
        .filter(|r| r.header("range").is_some())
        .count();
    assert!(ranged >= 1, "the second download did not ask for a range");
}

#[tokio::test]
async fn an_html_page_with_status_200_is_not_saved() {
    let (f, asset) = setup(&pattern(1000)).await;
    let target = f.path("tool.bin");
    f.github.inject(Host::Api, Fault::HtmlPage);
    match asset.download_to(&target).await.unwrap_err() {
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
    let (f, asset) = setup(b"x").await;
    let mut missing = asset.into_info();
    missing.id = 999;
    let target = f.path("gone.bin");
    let error = f
        .repo()
        .asset_from(missing)
        .download_to(&target)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(std::fs::read_dir(f.dir.path()).unwrap().count(), 0);
}

/// An interrupted download of one asset is never resumed with another's bytes, even
/// into the same target (v1's `tool.bin`, then v2's).
#[tokio::test]
async fn a_partial_file_is_resumed_only_by_its_own_asset() {
    let first = pattern(300_000);
    let (f, asset) = setup(&first).await;
    let target = f.path("tool.bin");
    f.github.inject(Host::Storage, Fault::CutMidBody);
    asset.download_to(&target).await.unwrap_err();
    assert!(partial_path(&target, asset.id).unwrap().exists());

    let second = support::pattern(300_000, 0x5a);
    let release = f.github.create_release("o", "r", "v2");
    let id = f
        .github
        .add_asset(
            "o",
            "r",
            release,
            "tool.bin",
            support::OCTET_STREAM,
            &second,
        )
        .unwrap();
    let mut other = asset.info().clone();
    other.id = id;
    // No digest to catch a splice: the size alone must not be trusted.
    other.digest = None;
    let saved = f
        .repo()
        .asset_from(other)
        .download_to(&target)
        .await
        .unwrap();
    assert_eq!(saved.resumed_from, 0);
    assert_eq!(std::fs::read(&target).unwrap(), second);
}

/// A server that answers every download of `asset` with 206, this `Content-Range` and
/// `body`; and the asset through a client for it, its digest dropped: only the range can
/// tell.
async fn partial_answers(
    asset: &AssetHandle,
    content_range: &str,
    body: &[u8],
) -> (MockServer, AssetHandle) {
    let server = MockServer::start().await;
    support::answer(
        &server,
        "GET",
        &format!("/repos/o/r/releases/assets/{}", asset.id),
        ResponseTemplate::new(206)
            .insert_header("content-range", content_range)
            .set_body_bytes(body.to_vec()),
    )
    .await;
    let mut info = asset.info().clone();
    info.digest = None;
    let client = support::mock_client(&server, None);
    (server, client.repo("o", "r").asset_from(info))
}

/// A server that answers a resume with bytes from elsewhere than asked: nothing is
/// appended, nothing saved, and the next download starts afresh.
#[tokio::test]
async fn a_resume_answered_from_the_wrong_byte_is_refused() {
    let bytes = pattern(1000);
    let (f, asset) = setup(&bytes).await;
    let (_server, asset) = partial_answers(&asset, "bytes 0-999/1000", &bytes).await;
    let target = f.path("tool.bin");
    let part = partial_path(&target, asset.id).unwrap();
    std::fs::write(&part, &bytes[..400]).unwrap();
    let error = asset.download_to(&target).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("bytes from 400 on"), "{error}");
    assert!(!target.exists());
    assert!(!part.exists(), "the partial file was kept");
}

/// Part of a file where the whole was asked for is not saved as its start.
#[tokio::test]
async fn a_partial_answer_to_a_whole_request_is_refused() {
    let bytes = pattern(200);
    let (f, asset) = setup(&bytes).await;
    let (_server, asset) = partial_answers(&asset, "bytes 100-199/200", &bytes[100..]).await;
    let target = f.path("tool.bin");
    let error = asset.download_to(&target).await.unwrap_err();
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

    /// A target and its part file in the fixture's directory, and a victim file outside
    /// the target's directory.
    struct Paths {
        target: PathBuf,
        part: PathBuf,
        victim: PathBuf,
    }

    fn paths(f: &Fixture, asset: &AssetHandle) -> Paths {
        std::fs::create_dir(f.path("out")).unwrap();
        std::fs::create_dir(f.path("elsewhere")).unwrap();
        let target = f.path("out").join("tool.bin");
        Paths {
            part: partial_path(&target, asset.id).unwrap(),
            victim: f.path("elsewhere").join("victim"),
            target,
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
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::fs::write(&p.victim, &bytes[..1000]).unwrap();
        std::os::unix::fs::symlink(&p.victim, &p.part).unwrap();

        let saved = asset.download_to(&p.target).await.unwrap();
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
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::fs::write(&p.victim, &bytes[..1000]).unwrap();
        std::fs::hard_link(&p.victim, &p.part).unwrap();

        let saved = asset.download_to(&p.target).await.unwrap();
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
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::os::unix::fs::symlink(&p.victim, &p.part).unwrap();

        asset.download_to(&p.target).await.unwrap();
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
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::fs::write(&p.victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&p.victim, &p.target).unwrap();

        asset.download_to(&p.target).await.unwrap();
        assert_eq!(std::fs::read(&p.victim).unwrap(), b"precious");
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// An empty directory at the part path is no download's: it is removed and the
    /// download starts afresh (the old code took its size for bytes to resume from).
    #[tokio::test]
    async fn an_empty_directory_at_the_part_path_is_replaced() {
        let bytes = pattern(50_000);
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::fs::create_dir(&p.part).unwrap();

        let saved = asset.download_to(&p.target).await.unwrap();
        assert_eq!(saved.resumed_from, 0);
        saved_exactly(&p.target, &p.part, &bytes);
    }

    /// A directory with files in it at the part path is not removed: a typed error names
    /// it, and nothing is written.
    #[tokio::test]
    async fn a_directory_with_files_at_the_part_path_is_a_clear_error() {
        let bytes = pattern(50_000);
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::fs::create_dir(&p.part).unwrap();
        std::fs::write(p.part.join("inside"), b"someone's").unwrap();

        match asset.download_to(&p.target).await.unwrap_err() {
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
            f.requests().on_host(Host::Storage).is_empty(),
            "the asset was downloaded"
        );
    }

    /// A directory at the target is refused before any byte is fetched, and kept as it is.
    #[tokio::test]
    async fn a_directory_at_the_target_is_refused_before_downloading() {
        let bytes = pattern(50_000);
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        std::fs::create_dir(&p.target).unwrap();
        std::fs::write(p.target.join("inside"), b"someone's").unwrap();

        match asset.download_to(&p.target).await.unwrap_err() {
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
            f.requests().on_host(Host::Storage).is_empty(),
            "the asset was downloaded"
        );
    }

    /// A link at the part path, a link at the target, and an interrupted download resumed
    /// afterwards: neither file the links named changes, and the resume still happens.
    #[cfg(unix)]
    #[tokio::test]
    async fn links_everywhere_then_an_interrupted_download_still_resumes() {
        let bytes = pattern(400_000);
        let (f, asset) = setup(&bytes).await;
        let p = paths(&f, &asset);
        let other_victim = p.victim.with_file_name("other");
        std::fs::write(&p.victim, &bytes[..1000]).unwrap();
        std::fs::write(&other_victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&p.victim, &p.part).unwrap();
        std::os::unix::fs::symlink(&other_victim, &p.target).unwrap();

        f.github.inject(Host::Storage, Fault::CutMidBody);
        asset.download_to(&p.target).await.unwrap_err();
        let kept = std::fs::symlink_metadata(&p.part).unwrap();
        assert!(kept.file_type().is_file(), "{:?}", kept.file_type());
        assert!(kept.len() > 0 && kept.len() < 400_000);
        let saved = asset.download_to(&p.target).await.unwrap();
        assert_eq!(saved.resumed_from, kept.len());
        assert_eq!(std::fs::read(&p.victim).unwrap(), &bytes[..1000]);
        assert_eq!(std::fs::read(&other_victim).unwrap(), b"precious");
        saved_exactly(&p.target, &p.part, &bytes);
    }
}

/// [`setup`] with 20,000 bytes whose next download's body takes about 400 ms (a kilobyte
/// every 20 ms); gives the bytes too.
async fn slow_download() -> (Fixture, AssetHandle, Vec<u8>) {
    slow_download_of(20_000).await
}

/// [`slow_download`] of `len` bytes: 20 ms for each KiB.
async fn slow_download_of(len: usize) -> (Fixture, AssetHandle, Vec<u8>) {
    let bytes = pattern(len);
    let (f, asset) = setup(&bytes).await;
    f.github.inject(
        Host::Storage,
        Fault::SlowBody(std::time::Duration::from_millis(20)),
    );
    (f, asset, bytes)
}

/// Two downloads of one asset to one file at once never interleave their bytes: while the
/// first holds the part file, the second is refused, and the first saves intact bytes.
#[tokio::test]
async fn two_downloads_to_one_file_never_interleave() {
    use std::future::IntoFuture;
    use std::time::Duration;
    let (f, asset, bytes) = slow_download().await;
    let target = f.path("tool.bin");
    // Once the first download's bytes are on their way from storage (it took the part
    // file's lock before asking), with about 400 ms of them to come.
    let second = async {
        let asked = std::time::Instant::now();
        while f.requests().on_host(Host::Storage).is_empty()
            && asked.elapsed() < Duration::from_secs(5)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        asset.download_to(&target).await
    };
    let (first, second) = tokio::join!(asset.download_to(&target).into_future(), second);
    assert_eq!(first.unwrap().size, 20_000);
    let error = second.unwrap_err();
    assert!(
        matches!(&error, Error::DownloadInProgress { part } if *part == partial_path(&target, asset.id).unwrap()),
        "{error:?}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

/// A download whose future is dropped stops receiving and lets go of the part file: the
/// bytes are received by a task of its own, which must end with the future, or it would
/// hold the connection and the lock until the body ended.
#[tokio::test]
async fn a_dropped_download_lets_go_of_the_part_file() {
    use std::time::{Duration, Instant};
    // A body of about 4 s.
    let (f, asset, bytes) = slow_download_of(200_000).await;
    let target = f.path("tool.bin");
    let dropped = tokio::time::timeout(Duration::from_millis(150), async {
        asset.download_to(&target).await
    })
    .await;
    assert!(dropped.is_err(), "the first download was still running");
    // The writer thread syncs what it had and closes its handle: the part file is free
    // again within far less time than the rest of the body would have taken.
    let dropped_at = Instant::now();
    let saved = loop {
        match asset.download_to(&target).await {
            Err(Error::DownloadInProgress { .. })
                if dropped_at.elapsed() < Duration::from_secs(2) =>
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(saved.size, 200_000);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

/// An asset that says it has `size` bytes, with no digest, for a server that answers only
/// the download itself.
fn asset_of_size(size: i64) -> github_release_assets::types::ReleaseAsset {
    let mut asset = support::example_asset(7);
    asset.size = size;
    asset.digest = None;
    asset.content_type = support::OCTET_STREAM.to_owned();
    asset
}

/// A failed download to `tool.bin` in a directory of its own, of an asset that says it has
/// `size` bytes, from a server that answers it with `header` and `body`.
async fn download_from_hostile(
    size: i64,
    header: (&'static str, String),
    body: &[u8],
) -> (tempfile::TempDir, std::path::PathBuf, Error) {
    use support::hostile::{Answer, HostileServer};
    let server = HostileServer::start(vec![Answer {
        status: 200,
        headers: vec![("content-type", support::OCTET_STREAM.to_owned()), header],
        body: body.to_vec(),
    }])
    .await;
    let client = github_release_assets::Client::builder(&server.base)
        .token("ghs_t")
        .build()
        .unwrap();
    let dir = support::temp_dir();
    let target = dir.path().join("tool.bin");
    let asset = client.repo("octo", "hello").asset_from(asset_of_size(size));
    let error = asset.download_to(&target).await.unwrap_err();
    (dir, target, error)
}

/// A size that is no size (negative, or past what any asset holds) is refused before a
/// request is sent: it never means "no limit", which a body that never ends would fill the
/// disk through.
#[tokio::test]
async fn a_negative_or_absurd_size_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = support::mock_client(&server, Some("ghs_t"));
    let dir = support::temp_dir();
    for size in [-1, i64::MIN, 1 << 53, i64::MAX] {
        let asset = client.repo("octo", "hello").asset_from(asset_of_size(size));
        let target = dir.path().join("tool.bin");
        let error = asset.download_to(&target).await.unwrap_err();
        assert!(
            matches!(&error, Error::Decode { reason, .. } if reason.contains(&format!("says its size is {size} bytes"))),
            "{size}: {error:?}"
        );
        assert!(!target.exists());
        assert!(!partial_path(&target, 7).unwrap().exists());
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

/// A body whose announced length is not the asset's size is refused before a byte is
/// written, whichever is larger.
#[tokio::test]
async fn a_length_that_is_not_the_assets_size_is_refused() {
    let server = MockServer::start().await;
    let at = "/repos/octo/hello/releases/assets/7";
    support::answer(
        &server,
        "GET",
        at,
        ResponseTemplate::new(200)
            .insert_header("content-type", support::OCTET_STREAM)
            .set_body_bytes(pattern(10)),
    )
    .await;
    let client = support::mock_client(&server, Some("ghs_t"));
    let dir = support::temp_dir();
    for size in [1000, 5] {
        let asset = client.repo("octo", "hello").asset_from(asset_of_size(size));
        let target = dir.path().join("tool.bin");
        let error = asset.download_to(&target).await.unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "the server sends 10 bytes but the asset's size is {size}; nothing was saved"
            )),
            "{error}"
        );
        assert!(!target.exists());
        assert!(!partial_path(&target, 7).unwrap().exists());
    }
}

/// A server that announces 2 GiB and sends 1 byte: the part file kept to resume from holds
/// the disk space of that byte (a block), not of the 2 GiB announced.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_failed_download_holds_no_disk_it_did_not_fill() {
    use std::os::unix::fs::MetadataExt;
    let size: i64 = 2 << 30;
    let length = ("content-length", size.to_string());
    let (_dir, target, error) = download_from_hostile(size, length, b"x").await;
    assert!(!target.exists(), "{error}");
    let part = std::fs::metadata(partial_path(&target, 7).unwrap()).unwrap();
    assert_eq!(part.len(), 1, "{error}");
    let block = 4096;
    assert!(
        part.blocks() * 512 <= part.len() + block,
        "{} bytes of disk held for 1 byte received",
        part.blocks() * 512
    );
}

/// A body of unknown length (chunked) that goes past the asset's size: not the asset, and
/// nothing is kept to resume from, so the error does not say to download again to resume.
#[tokio::test]
async fn a_body_longer_than_the_asset_is_not_offered_for_resuming() {
    let chunked = ("transfer-encoding", "chunked".to_owned());
    let body = b"a\r\n0123456789\r\n0\r\n\r\n";
    let (_dir, target, error) = download_from_hostile(3, chunked, body).await;
    let message = error.to_string();
    assert!(
        message.contains("the server sent more than the asset's 3 bytes"),
        "{message}"
    );
    assert!(!message.contains("resume"), "{message}");
    assert!(!target.exists());
    assert!(!partial_path(&target, 7).unwrap().exists());
}

/// A server that answers a resume with 416 (it will not send from where the part file
/// ends): the part file is dropped and the download starts over from the first byte, once.
#[tokio::test]
async fn a_416_on_resume_starts_over_once() {
    use wiremock::matchers::{header_exists, method};
    use wiremock::{Mock, Request};
    let bytes = pattern(5000);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header_exists("range"))
        .respond_with(ResponseTemplate::new(416))
        .expect(1)
        .mount(&server)
        .await;
    let whole = bytes.clone();
    Mock::given(method("GET"))
        .and(|request: &Request| !request.headers.contains_key("range"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", support::OCTET_STREAM)
                .set_body_bytes(whole),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = support::mock_client(&server, Some("ghs_t"));
    let dir = support::temp_dir();
    let target = dir.path().join("tool.bin");
    let mut listed = asset_of_size(bytes.len() as i64);
    listed.digest = Some(support::sha256(&bytes));
    let asset = client.repo("octo", "hello").asset_from(listed);
    // Bytes that are not the asset's start, as a server that lost them may answer.
    std::fs::write(partial_path(&target, 7).unwrap(), b"not the asset").unwrap();
    let saved = asset.download_to(&target).await.unwrap();
    assert_eq!(saved.resumed_from, 0);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
}

/// A part file another user owns (left, or planted, in a shared directory) is not resumed
/// from: it is removed and the download starts afresh. Root alone can give a file away, so
/// elsewhere this test has nothing to set up.
#[cfg(unix)]
#[tokio::test]
async fn a_part_file_of_another_user_is_not_resumed() {
    use std::os::unix::fs::MetadataExt;
    let bytes = pattern(300_000);
    let (f, asset) = setup(&bytes).await;
    let target = f.path("tool.bin");
    let part = partial_path(&target, asset.id).unwrap();
    std::fs::write(&part, &bytes[..1000]).unwrap();
    if std::os::unix::fs::chown(&part, Some(4242), Some(4242)).is_err() {
        eprintln!("not root: a file cannot be given to another user here");
        return;
    }
    assert_eq!(std::fs::metadata(&part).unwrap().uid(), 4242);
    let saved = asset.download_to(&target).await.unwrap();
    assert_eq!(
        saved.resumed_from, 0,
        "another user's bytes were resumed from"
    );
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert!(!part.exists());
}

/// An asset whose name the file system takes, but not with the part file's dot and id
/// around it: the part file's name is shortened, and the download succeeds.
#[tokio::test]
async fn a_name_too_long_for_its_part_file_still_downloads() {
    let bytes = pattern(1000);
    let f = Fixture::builder().token("ghs_t").start().await;
    let name = format!("{}.bin", "n".repeat(247));
    assert_eq!(name.len(), 251);
    let asset = f.asset(f.add_asset(&name, &bytes)).await;
    let target = f.path(&name);
    let part = partial_path(&target, asset.id).unwrap();
    assert!(part.file_name().unwrap().len() <= 255, "{part:?}");
    let saved = asset.download_to(&target).await.unwrap();
    assert_eq!(saved.size, 1000);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert!(!part.exists());
}

/// `keep_existing`: a file at the target fails the download before it starts, and one that
/// appears while it runs is kept, the verified bytes staying in the part file.
#[tokio::test]
async fn keep_existing_never_replaces_a_file_there_before_or_appearing_meanwhile() {
    use std::time::Duration;
    let (f, asset, bytes) = slow_download_of(30_000).await;
    let target = f.path("tool.bin");
    std::fs::write(&target, b"precious").unwrap();
    let before = f.sent();
    let error = asset
        .download_to(&target)
        .keep_existing()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
        "{error:?}"
    );
    assert_eq!(f.sent(), before, "something was sent");
    std::fs::remove_file(&target).unwrap();

    // About 600 ms of body: the file appears meanwhile.
    let download = tokio::spawn({
        let (asset, target) = (asset.clone(), target.clone());
        async move { asset.download_to(&target).keep_existing().await }
    });
    let part = partial_path(&target, asset.id).unwrap();
    while !part.exists() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    std::fs::write(&target, b"precious").unwrap();
    let error = download.await.unwrap().unwrap_err();
    assert!(
        matches!(&error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("the verified bytes are kept in"),
        "{error}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
    assert_eq!(std::fs::read(&part).unwrap(), bytes);
}

/// A part file that already holds the whole asset (a download stopped between its last
/// byte and its rename, or bytes `keep_existing` kept) is placed without a request when its
/// digest matches; one as long but with other bytes is downloaded over, from the first byte.
#[tokio::test]
async fn a_complete_part_file_is_placed_without_downloading_again() {
    let bytes = pattern(50_000);
    let (f, asset) = setup(&bytes).await;
    let target = f.path("tool.bin");
    let part = partial_path(&target, asset.id).unwrap();
    std::fs::write(&part, &bytes).unwrap();
    let before = f.sent();
    let saved = asset.download_to(&target).await.unwrap();
    assert_eq!(f.sent(), before, "a request was sent");
    assert_eq!((saved.size, saved.resumed_from), (50_000, 50_000));
    assert!(saved.verification.is_verified());
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert!(!part.exists());

    std::fs::remove_file(&target).unwrap();
    std::fs::write(&part, vec![0_u8; 50_000]).unwrap();
    let saved = asset.download_to(&target).await.unwrap();
    assert_eq!(saved.resumed_from, 0);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
}
