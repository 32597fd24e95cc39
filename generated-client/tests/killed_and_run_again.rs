//! A release job cancelled mid-upload, then run again: the `release-assets` tool is killed
//! (SIGKILL, as a cancelled CI job's runner does) at each step of `upload --clobber` and of
//! a plain `upload`, and the same command is run again. Every case ends with exactly one
//! asset of the name holding the new bytes, no temporary asset, and the bytes not uploaded
//! a second time where a complete temporary asset of the killed run was there to take.
//!
//! The kill lands at a chosen request: the fake stalls it (unanswered, not carried out), the
//! test waits until the fake has received it, then kills the tool.
#![cfg(unix)]

mod support;

use std::time::Duration;

use github_release_assets_fake::{AssetInfo, Fault, Host, RecordedRequest};
use support::{Fixture, RequestLog, sha256};

const TOKEN: &str = "ghs_killedtoken";
const OLD: &[u8] = b"the old tool, version 1";
const NEW: &[u8] = b"the new tool, version 2, longer";

/// Where the tool is killed: while the fake holds the first request that `is` says is it.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Before anything changed: the first request.
    Start,
    /// While the bytes go up (to the temporary name, for a Replace).
    Upload,
    /// After the temporary upload, at the delete of the old asset.
    Delete,
    /// After the delete, at the rename of the temporary asset.
    Rename,
}

impl Step {
    fn is(self, request: &RecordedRequest) -> bool {
        match self {
            Step::Start => true,
            Step::Upload => request.host == Host::Uploads,
            Step::Delete => request.method == "DELETE",
            Step::Rename => request.method == "PATCH",
        }
    }
}

/// A fake with the release `v1`, holding `tool.zip` (the [`OLD`] bytes) when `with_old`,
/// and a local `tool.zip` holding the [`NEW`] ones.
async fn setup(with_old: bool) -> Fixture {
    let f = Fixture::builder().token(TOKEN).start().await;
    if with_old {
        f.add_asset_typed("tool.zip", "application/zip", OLD);
    }
    f.file("tool.zip", NEW);
    f
}

fn tool(f: &Fixture, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_release-assets"));
    command
        .current_dir(f.dir.path())
        .env_remove("GITHUB_TOKEN")
        .env("GH_TOKEN", TOKEN)
        .env("GITHUB_API_URL", f.github.api_url())
        .env("GITHUB_UPLOADS_URL", f.github.uploads_url())
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs the tool to its end: its exit status and what it printed.
async fn run(f: &Fixture, args: &[&str]) -> (i32, String) {
    let output = tool(f, args).output().await.unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), printed)
}

/// The index, from the start of a run of `args` without faults, of the request where
/// `step` is: learnt from a run on a fake of its own, set up alike.
async fn index_of(step: Step, with_old: bool, args: &[&str]) -> usize {
    let f = setup(with_old).await;
    let (status, printed) = run(&f, args).await;
    assert_eq!(status, 0, "{printed}");
    f.requests()
        .iter()
        .position(|r| step.is(r))
        .unwrap_or_else(|| panic!("{step:?} not in {:?}", f.requests().calls()))
}

/// Kills the tool running `args` at `step`, runs `args` again, and returns the fake and
/// the requests the second run sent.
async fn killed_at(step: Step, with_old: bool, args: &[&str]) -> (Fixture, Vec<RecordedRequest>) {
    let at = index_of(step, with_old, args).await;
    let f = setup(with_old).await;
    // Held far longer than the test lasts: the request is never answered nor carried out.
    f.github
        .inject_at(at, Fault::Stall(Duration::from_secs(3600)));
    let mut child = tool(&f, args).spawn().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while f.sent() <= at {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{step:?}: request {at} never came"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{step:?}: the tool ended ({status}) before request {at}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().await.unwrap();
    let mark = f.sent();
    let (status, printed) = run(&f, args).await;
    assert_eq!(status, 0, "{step:?}: the rerun failed: {printed}");
    let rerun = f.requests_after(mark);
    (f, rerun)
}

/// Exactly one asset, `tool.zip`, holding the new bytes; nothing else.
fn converged(assets: &[AssetInfo], case: &str) {
    let summary: Vec<_> = assets
        .iter()
        .map(|a| (a.name.as_str(), a.state.as_str(), a.size, a.digest.clone()))
        .collect();
    assert_eq!(
        summary,
        [("tool.zip", "uploaded", NEW.len() as u64, Some(sha256(NEW)))],
        "{case}"
    );
}

fn uploads(requests: &[RecordedRequest]) -> usize {
    requests.on_host(Host::Uploads).len()
}

#[tokio::test]
async fn a_replace_killed_at_any_step_converges_when_run_again() {
    let args = ["upload", "o/r", "--tag", "v1", "--clobber", "tool.zip"];
    for step in [Step::Start, Step::Upload, Step::Delete, Step::Rename] {
        let (f, rerun) = killed_at(step, true, &args).await;
        let case = format!("killed at {step:?}");
        converged(&f.assets(), &case);
        match step {
            // A complete temporary asset of the killed run holds the bytes: taken, not
            // uploaded again.
            Step::Delete | Step::Rename => {
                assert_eq!(uploads(&rerun), 0, "{case}: {:?}", rerun.calls());
            }
            Step::Start | Step::Upload => {
                assert_eq!(uploads(&rerun), 1, "{case}: {:?}", rerun.calls());
            }
        }
    }
}

#[tokio::test]
async fn a_plain_upload_killed_at_any_step_converges_when_run_again() {
    let args = ["upload", "o/r", "--tag", "v1", "tool.zip"];
    for step in [Step::Start, Step::Upload] {
        let (f, rerun) = killed_at(step, false, &args).await;
        converged(&f.assets(), &format!("killed at {step:?}"));
        assert_eq!(uploads(&rerun), 1, "{step:?}: {:?}", rerun.calls());
    }
    // Run again once the asset is there: these bytes are there already, which is what the
    // command asks for. GitHub refuses the upload (422) and the asset stays as it was.
    let f = setup(false).await;
    assert_eq!(run(&f, &args).await.0, 0);
    let before = f.assets();
    let mark = f.sent();
    let (status, printed) = run(&f, &args).await;
    assert_eq!(status, 0, "{printed}");
    assert!(
        printed.starts_with("already uploaded tool.zip as tool.zip"),
        "{printed}"
    );
    assert_eq!(
        f.requests_after(mark).changes().calls(),
        ["POST /repos/o/r/releases/1/assets"]
    );
    assert_eq!(f.assets(), before);
    converged(&f.assets(), "run twice");
    // Other bytes under the name are still refused.
    std::fs::write(f.path("tool.zip"), OLD).unwrap();
    let (status, printed) = run(&f, &args).await;
    assert_eq!(status, 1, "{printed}");
    assert!(printed.contains("already has an asset named"), "{printed}");
}
