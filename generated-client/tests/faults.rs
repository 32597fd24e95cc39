//! Every fault the fake GitHub can inject, against every kind of operation: each one
//! succeeds (after retries) or fails with a typed error; a download leaves no file under
//! the target's name unless it succeeded; no error shows the token.

mod support;

use std::time::Duration;

use futures_util::TryStreamExt;
use github_release_assets::{Error, partial_path};
use github_release_assets_fake::{Fault, Host};
use support::Fixture;

const TOKEN: &str = "ghs_faultmatrixtoken";

fn faults() -> Vec<Fault> {
    vec![
        Fault::BadGateway,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(0),
            reset_in: None,
        },
        Fault::RateLimited {
            status: 403,
            retry_after: None,
            reset_in: Some(3600),
        },
        Fault::CutMidBody,
        Fault::WrongDigest,
        Fault::HtmlPage,
        Fault::SlowBody(Duration::from_millis(1)),
        // Longer than the client's read timeout (see `run`).
        Fault::Stall(Duration::from_secs(2)),
        Fault::Status(503),
        Fault::ResetBeforeHeaders,
        Fault::RedirectLoop,
        Fault::BodyLongerThanContentLength,
    ]
}

#[derive(Debug, Clone, Copy)]
enum Operation {
    GetRelease,
    ListAssets,
    Upload,
    Download,
    Edit,
    Delete,
}

/// Runs `operation` with `fault` injected on `host`; returns what happened, in words.
async fn run(operation: Operation, host: Host, fault: Fault) -> Result<String, Error> {
    let f = Fixture::builder()
        .token(TOKEN)
        .quick_retries()
        .read_timeout(Duration::from_millis(500))
        .start()
        .await;
    let bytes = support::pattern(300_000, 0);
    let asset_id = f.add_asset("seed.bin", &bytes);
    let release = f.release().await;
    // Through its release, which the handle then knows: the fault meets the operation's
    // own request, not a look-up of the release before it.
    let asset = release.asset_named("seed.bin").await.unwrap().unwrap();
    assert_eq!(asset.id, asset_id);
    f.github.inject(host, fault);
    let outcome = match operation {
        Operation::GetRelease => release.refresh().await.map(|r| r.tag_name.clone()),
        Operation::ListAssets => release
            .assets()
            .try_collect::<Vec<_>>()
            .await
            .map(|a| format!("{} assets", a.len())),
        Operation::Upload => {
            let path = f.file("new.bin", &bytes);
            release
                .upload(&path)
                .name("new.bin")
                .await
                .map(|u| u.asset)
                .map(|a| format!("uploaded {}", a.size))
        }
        Operation::Edit => asset
            .edit()
            .label("edited")
            .await
            .map(|a| format!("labelled {:?}", a.label)),
        Operation::Delete => asset.delete().await.map(|()| "deleted".to_owned()),
        Operation::Download => {
            let target = f.path("seed.bin");
            let result = asset.download_to(&target).await;
            match &result {
                Ok(_) => assert_eq!(std::fs::read(&target).unwrap(), bytes, "saved bytes differ"),
                Err(_) => assert!(
                    !target.exists(),
                    "a failed download left a file under the target's name"
                ),
            }
            if result.is_err() {
                // What a later call can resume from is fine; anything else is not.
                let part = partial_path(&target, asset.id).unwrap();
                if part.exists() {
                    assert!(std::fs::metadata(&part).unwrap().len() < bytes.len() as u64);
                }
            }
            result.map(|s| format!("saved {}", s.size))
        }
    };
    // No operation leaves an asset in state starter, or a temporary one, behind.
    let assets = f.assets();
    assert!(
        assets.iter().all(|a| a.state == "uploaded"),
        "starter left: {assets:?}"
    );
    assert!(
        assets
            .iter()
            .all(|a| a.name == "seed.bin" || a.name == "new.bin"),
        "a temporary asset left: {assets:?}"
    );
    outcome
}

#[tokio::test]
async fn every_fault_on_every_operation_ends_typed() {
    let mut table = Vec::new();
    for operation in [
        Operation::GetRelease,
        Operation::ListAssets,
        Operation::Upload,
        Operation::Download,
        Operation::Edit,
        Operation::Delete,
    ] {
        for host in [Host::Api, Host::Uploads, Host::Storage] {
            for fault in faults() {
                let outcome = run(operation, host, fault.clone()).await;
                if let Err(error) = &outcome {
                    let shown = format!("{error} {error:?}");
                    assert!(!shown.contains(TOKEN), "the token in {shown}");
                    assert!(!error.to_string().is_empty());
                }
                table.push(format!(
                    "{operation:?} / {host:?} / {fault:?}: {}",
                    match &outcome {
                        Ok(done) => format!("ok ({done})"),
                        Err(error) => format!("error: {error}"),
                    }
                ));
            }
        }
    }
    // The cases whose outcome is fixed by the fault itself.
    let expect = |prefix: &str, outcome: &str| {
        let line = table
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}"));
        assert!(line.contains(outcome), "{line}");
    };
    expect("GetRelease / Api / BadGateway", "ok");
    expect("GetRelease / Api / RateLimited { status: 429", "ok");
    expect(
        "GetRelease / Api / RateLimited { status: 403",
        "error: rate limited (403)",
    );
    expect(
        "GetRelease / Api / HtmlPage",
        "error: could not read GitHub's response",
    );
    expect("Upload / Uploads / BadGateway", "ok (uploaded 300000)");
    // A rate limit stored nothing: the file is sent again, unless the wait is too long.
    expect(
        "Upload / Uploads / RateLimited { status: 429",
        "ok (uploaded 300000)",
    );
    expect(
        "Upload / Uploads / RateLimited { status: 403",
        "error: rate limited (403)",
    );
    // What GitHub stored is checked against what was sent: a wrong digest is refused,
    // and the stored asset deleted (checked in `upload.rs`'s tests).
    expect(
        "Upload / Uploads / WrongDigest",
        "error: the upload of \"new.bin\" did not arrive intact",
    );
    expect("Download / Storage / CutMidBody", "error");
    expect(
        "Upload / Uploads / HtmlPage",
        "error: could not read GitHub's response: GitHub answered 200 OK",
    );
    expect(
        "Download / Api / HtmlPage",
        "error: expected the asset's bytes but got a text/html page",
    );
    expect("Download / Storage / SlowBody", "ok (saved 300000)");
    // A stall ends at the read timeout; an idempotent request is sent again, an upload
    // or an edit (not idempotent) reports it.
    expect("GetRelease / Api / Stall", "ok (v1)");
    expect("Download / Storage / Stall", "ok (saved 300000)");
    expect("Delete / Api / Stall", "ok (deleted)");
    expect("Upload / Uploads / Stall", "error: timed out");
    expect("Edit / Api / Stall", "error: timed out");
    // A connection closed before any answer: sent again when idempotent, else reported.
    expect("GetRelease / Api / ResetBeforeHeaders", "ok (v1)");
    expect(
        "Download / Storage / ResetBeforeHeaders",
        "ok (saved 300000)",
    );
    expect(
        "Upload / Uploads / ResetBeforeHeaders",
        "error: connection failed",
    );
    // A 5xx from storage is retried like the API's.
    expect("Download / Storage / BadGateway", "ok (saved 300000)");
    expect("Download / Storage / Status(503)", "ok (saved 300000)");
    expect(
        "Upload / Uploads / Status(503)",
        "error: GitHub answered 503",
    );
    // A redirect loop ends, with what it was.
    expect(
        "GetRelease / Api / RedirectLoop",
        "error: GitHub answered 302: more than 10 redirects",
    );
    expect(
        "Download / Api / RedirectLoop",
        "error: GitHub answered 302: more than 5 redirects",
    );
    // A length announced that is not the asset's: refused before a byte is written.
    expect(
        "Download / Storage / BodyLongerThanContentLength",
        "error: could not read GitHub's response: the server sends 150000 bytes but the asset's size is 300000; nothing was saved",
    );
    println!("{}", table.join("\n"));
}

/// What a cancelled job leaves, and what a lying server or a hostile answer sends: a row
/// each, against the fake GitHub (or, where the fake cannot lie so, a scripted server).
/// Each ends in a result that leaves the release and the disk right, or a typed error that
/// loses nothing; none panics. What the tool does when killed at each step is
/// `killed_and_run_again.rs`; log lines are `log_secrets.rs`.
#[derive(Debug, Clone, Copy)]
enum Row {
    /// 1. A Replace killed after its temporary upload, before its delete, run again.
    ReplaceKilledBeforeDelete,
    /// 1. A Replace killed after its delete, before its rename, run again.
    ReplaceKilledBeforeRename,
    /// 1. A plain upload run again after its bytes arrived.
    UploadRunAgain,
    /// 2. `--skip-existing` run again on a published immutable release.
    SkipOnLockedRelease,
    /// 3. An asset whose `size` is -1, and a body that would never end.
    NegativeSize,
    /// 3. An asset whose `size` is larger than the body the server announces.
    SizePastTheBody,
    /// 3. An upload GitHub answers with `size: -1`, its digest check skipped.
    UploadAnsweredWithNegativeSize,
    /// 5. A stream that gives more than the length it declared.
    StreamPastItsLength,
    /// 5. A 416 to a resume.
    RangeNotSatisfiableOnResume,
    /// 5. A next page on another origin.
    NextPageElsewhere,
    /// 5. A file put at the target while the asset downloads, with `keep_existing`.
    TargetAppearsMidDownload,
    /// 5. An asset name too long for its part file's name.
    NameTooLongForThePartFile,
    /// 5. A rate limit that resets past the end of time.
    RateLimitResetPastTime,
}

async fn run_row(row: Row) -> Result<String, Error> {
    use github_release_assets::UploadOutcome;
    let f = Fixture::builder()
        .token(TOKEN)
        .quick_retries()
        .start()
        .await;
    let new = support::pattern(3000, 9);
    let path = f.file("tool.zip", &new);
    let uploads = |f: &Fixture| {
        f.requests()
            .iter()
            .filter(|r| r.host == Host::Uploads)
            .count()
    };
    match row {
        Row::ReplaceKilledBeforeDelete | Row::ReplaceKilledBeforeRename => {
            if matches!(row, Row::ReplaceKilledBeforeDelete) {
                f.add_asset("tool.zip", b"old");
            }
            let left = f.add_asset("tool.zip.replacing-00000000000000aa", &new);
            let release = f.release().await;
            let uploaded = release.upload(&path).replace().await?;
            let names: Vec<String> = f.assets().into_iter().map(|a| a.name).collect();
            assert_eq!(names, ["tool.zip"], "{row:?}");
            assert_eq!(
                uploaded.asset.id, left,
                "{row:?}: taken, not uploaded again"
            );
            Ok(format!("{:?}, {} uploads", uploaded.outcome, uploads(&f)))
        }
        Row::UploadRunAgain => {
            let release = f.release().await;
            release.upload(&path).await?;
            let again = release.upload(&path).await?;
            Ok(format!("{:?}", again.outcome))
        }
        Row::SkipOnLockedRelease => {
            f.github
                .set_immutable_releases(support::OWNER, support::REPO, true);
            let draft = f
                .github
                .create_release_with(support::OWNER, support::REPO, "v2", true);
            let release = f.repo().release_by_tag("v2").await?;
            assert_eq!(release.id, draft);
            release.upload(&path).await?;
            let published = release.publish().await?;
            let kept = published.upload(&path).skip_existing().await?;
            assert_eq!(kept.outcome, UploadOutcome::Kept);
            Ok("kept".to_owned())
        }
        Row::NegativeSize | Row::SizePastTheBody => {
            let id = f.add_asset("tool.zip", &new);
            let mut listed = (*f.asset(id).await).clone();
            listed.size = if matches!(row, Row::NegativeSize) {
                -1
            } else {
                1 << 40
            };
            let target = f.path("saved.zip");
            let result = f.repo().asset_from(listed).download_to(&target).await;
            assert!(
                !target.exists() && !partial_path(&target, id)?.exists(),
                "{row:?}"
            );
            result.map(|s| format!("saved {}", s.size))
        }
        Row::UploadAnsweredWithNegativeSize => {
            use wiremock::matchers::method;
            use wiremock::{Mock, MockServer, ResponseTemplate};
            let server = MockServer::start().await;
            let mut answer = support::example("release-asset");
            answer["size"] = (-1).into();
            answer["digest"] = serde_json::Value::Null;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(201).set_body_json(answer))
                .mount(&server)
                .await;
            Mock::given(method("DELETE"))
                .respond_with(ResponseTemplate::new(204))
                .expect(1)
                .mount(&server)
                .await;
            let mut release: github_release_assets::types::Release =
                serde_json::from_value(support::example("release")).unwrap();
            release.upload_url = format!(
                "{}/repos/o/r/releases/1/assets{{?name,label}}",
                server.uri()
            );
            let client = support::mock_client(&server, Some(TOKEN));
            let uploaded = client
                .repo("o", "r")
                .release_from(release)
                .upload(&path)
                .skip_digest_check()
                .await?;
            Ok(format!("{:?}", uploaded.verification))
        }
        Row::StreamPastItsLength => {
            let release = f.release().await;
            let stream = futures_util::stream::iter([Ok(bytes::Bytes::from(new.clone()))]);
            let result = release.upload_stream(stream, 2000, "tool.zip").await;
            assert!(f.assets().is_empty(), "{:?}", f.assets());
            result.map(|u| format!("{:?}", u.outcome))
        }
        Row::RangeNotSatisfiableOnResume => {
            let id = f.add_asset("tool.zip", &new);
            let asset = f.asset(id).await;
            let target = f.path("saved.zip");
            std::fs::write(partial_path(&target, id)?, &new[..100]).unwrap();
            // The storage host answers the resume with 416; the whole download does not.
            f.github.inject(Host::Storage, Fault::Status(416));
            let saved = asset.download_to(&target).await?;
            assert_eq!(std::fs::read(&target).unwrap(), new);
            Ok(format!(
                "saved {} from byte {}",
                saved.size, saved.resumed_from
            ))
        }
        Row::NextPageElsewhere => {
            use wiremock::{MockServer, ResponseTemplate};
            let server = MockServer::start().await;
            let link = "<http://127.0.0.2:1/repos/o/r/releases?page=2>; rel=\"next\"";
            support::answer(
                &server,
                "GET",
                "/repos/o/r/releases",
                ResponseTemplate::new(200)
                    .set_body_json([support::example("release")])
                    .insert_header("link", link),
            )
            .await;
            let client = support::mock_client(&server, Some(TOKEN));
            let releases = support::all(client.repo("o", "r").releases()).await?;
            Ok(format!("{} releases", releases.len()))
        }
        Row::TargetAppearsMidDownload => {
            let id = f.add_asset("tool.zip", &new);
            let asset = f.asset(id).await;
            let target = f.path("saved.zip");
            f.github
                .inject(Host::Storage, Fault::SlowBody(Duration::from_millis(20)));
            let download = tokio::spawn({
                let target = target.clone();
                async move { asset.download_to(&target).keep_existing().await }
            });
            while !partial_path(&target, id)?.exists() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            std::fs::write(&target, b"mine").unwrap();
            let result = download.await.unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), b"mine");
            result.map(|s| format!("saved {}", s.size))
        }
        Row::NameTooLongForThePartFile => {
            let name = format!("{}.zip", "n".repeat(250));
            let id = f.add_asset(&name, &new);
            let saved = f.asset(id).await.download_to(f.path(&name)).await?;
            Ok(format!("saved {}", saved.size))
        }
        Row::RateLimitResetPastTime => {
            f.github.inject(
                Host::Api,
                Fault::RateLimited {
                    status: 403,
                    retry_after: None,
                    reset_in: Some(u64::MAX / 2),
                },
            );
            let id = github_release_assets::ReleaseId::new(f.release_id());
            f.repo().release(id).await.map(|r| r.tag_name.clone())
        }
    }
}

#[tokio::test]
async fn every_cancellation_and_lie_ends_right_or_typed() {
    let rows = [
        (Row::ReplaceKilledBeforeDelete, "ok (Replaced, 0 uploads)"),
        (Row::ReplaceKilledBeforeRename, "ok (Created, 0 uploads)"),
        (Row::UploadRunAgain, "ok (AlreadyUploaded)"),
        (Row::SkipOnLockedRelease, "ok (kept)"),
        (
            Row::NegativeSize,
            "says its size is -1 bytes, which no asset has",
        ),
        (
            Row::SizePastTheBody,
            "the server sends 3000 bytes but the asset's size is 1099511627776; nothing was saved",
        ),
        (
            Row::UploadAnsweredWithNegativeSize,
            "did not arrive intact: GitHub stored -1 bytes of the 3000 sent",
        ),
        (
            Row::StreamPastItsLength,
            "more than the 2000 bytes it declared",
        ),
        (
            Row::RangeNotSatisfiableOnResume,
            "ok (saved 3000 from byte 0)",
        ),
        (
            Row::NextPageElsewhere,
            "a listing's next page is on another origin than the API's",
        ),
        (
            Row::TargetAppearsMidDownload,
            "a file appeared at the target while the asset was downloaded, and is kept",
        ),
        (Row::NameTooLongForThePartFile, "ok (saved 3000)"),
        (Row::RateLimitResetPastTime, "error: rate limited (403)"),
    ];
    let mut table = Vec::new();
    for (row, expected) in rows {
        let outcome = match run_row(row).await {
            Ok(done) => format!("ok ({done})"),
            Err(error) => {
                let mut text = format!("error: {error}");
                let mut cause = std::error::Error::source(&error);
                while let Some(why) = cause {
                    text.push_str(&format!(": {why}"));
                    cause = why.source();
                }
                assert!(!text.contains(TOKEN), "the token in {text}");
                text
            }
        };
        assert!(outcome.contains(expected), "{row:?}: {outcome}");
        table.push(format!("{row:?}: {outcome}"));
    }
    println!("{}", table.join("\n"));
}
