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
