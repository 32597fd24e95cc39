//! The `release-assets` tool against the fake GitHub: each command, its output, its exit
//! status, and the files it leaves.

mod support;

use std::path::Path;

use github_release_assets::types::ReleaseAsset;
use github_release_assets_fake::{Fault, Host};
use serde_json::Value;
use support::{Fixture, RequestLog, pattern};

const TOKEN: &str = "ghs_cli_secret";

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// The tool in `dir`, against `api`, with the test token in `GH_TOKEN`.
fn tool(dir: &Path, api: &str, uploads: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_release-assets"));
    command
        .current_dir(dir)
        .env_remove("GITHUB_TOKEN")
        .env("GH_TOKEN", TOKEN)
        .env("GITHUB_API_URL", api)
        .env("GITHUB_UPLOADS_URL", uploads);
    command
}

/// Runs the tool in `dir` against `api` with the test token in `GH_TOKEN`.
async fn run_in(dir: &Path, (api, uploads): (&str, &str), args: &[&str]) -> Run {
    let output = tool(dir, api, uploads).args(args).output().await.unwrap();
    let run = Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token was printed"
    );
    run
}

/// A fake that wants [`TOKEN`], with the release `v1`; the tool runs in its directory.
async fn setup() -> Fixture {
    Fixture::builder().token(TOKEN).start().await
}

/// The tool run against a fixture's fake.
trait Cli {
    /// Runs the tool in the fixture's directory against its fake.
    async fn run(&self, args: &[&str]) -> Run;
    /// Runs `download o/r --tag v1 --dir <dir>` and `more` arguments.
    async fn download(&self, dir: &str, more: &[&str]) -> Run;
    /// The names of the assets of the release `v1`, sorted.
    fn names(&self) -> Vec<String>;
}

impl Cli for Fixture {
    async fn run(&self, args: &[&str]) -> Run {
        let hosts = (self.github.api_url(), self.github.uploads_url());
        run_in(self.dir.path(), hosts, args).await
    }

    async fn download(&self, dir: &str, more: &[&str]) -> Run {
        let args = ["download", "o/r", "--tag", "v1", "--dir", dir];
        self.run(&[&args[..], more].concat()).await
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.assets().into_iter().map(|a| a.name).collect();
        names.sort();
        names
    }
}

#[tokio::test]
async fn upload_list_download_round_trip() {
    let s = setup().await;
    let (a, b, c) = (pattern(3 << 20, 1), pattern(1000, 2), pattern(10, 3));
    s.file("tool-linux.tar.gz", &a);
    s.file("tool windows.zip", &b);
    s.file("notes.txt", &c);
    let up = s
        .run(&[
            "upload",
            "o/r",
            "--tag",
            "v1",
            "tool-linux.tar.gz",
            "tool windows.zip",
            "notes.txt",
            "--concurrency",
            "3",
        ])
        .await;
    assert_eq!(up.status, 0, "{}", up.stderr);
    assert_eq!(up.stdout.lines().count(), 3, "{}", up.stdout);
    assert!(
        up.stdout
            .contains("uploaded tool windows.zip as tool.windows.zip")
    );
    assert_eq!(
        s.names(),
        ["notes.txt", "tool-linux.tar.gz", "tool.windows.zip"]
    );

    let listed = s.run(&["list", "o/r", "--tag", "v1", "--json"]).await;
    assert_eq!(listed.status, 0, "{}", listed.stderr);
    let assets: Vec<ReleaseAsset> = serde_json::from_value(listed.json()).unwrap();
    assert_eq!(assets.len(), 3);
    let human = s.run(&["list", "o/r", "--latest"]).await;
    assert_eq!(human.stdout.lines().count(), 4, "{}", human.stdout);
    assert!(human.stdout.contains("3.00 MiB"), "{}", human.stdout);

    let got = s
        .download(
            "out",
            &["--pattern", "*.tar.gz", "--pattern", "*.zip", "--json"],
        )
        .await;
    assert_eq!(got.status, 0, "{}", got.stderr);
    let out = s.dir.path().join("out");
    assert_eq!(std::fs::read(out.join("tool-linux.tar.gz")).unwrap(), a);
    assert_eq!(std::fs::read(out.join("tool.windows.zip")).unwrap(), b);
    let mut files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["tool-linux.tar.gz", "tool.windows.zip"],
        "a stray or partial file"
    );
    let saved = got.json();
    let saved = saved.as_array().unwrap();
    assert_eq!(saved.len(), 2);
    assert!(
        saved
            .iter()
            .all(|s| s["status"] == "saved" && s["sha256"].as_str().is_some_and(|h| h.len() == 64))
    );
}

#[tokio::test]
async fn exit_status_is_two_for_usage_and_one_for_errors() {
    let s = setup().await;
    for usage in [
        &["list", "o/r"][..],
        &["list", "not-a-repository", "--latest"],
        &["upload", "o/r", "--tag", "v1"],
        &[
            "upload",
            "o/r",
            "--tag",
            "v1",
            "--clobber",
            "--skip-existing",
            "f",
        ],
        &["upload", "o/r", "--tag", "v1", "--label", "L", "a", "b"],
        &["edit", "o/r", "--asset-id", "1"],
        &["upload", "o/r", "--tag", "v1", "--concurrency", "0", "f"],
        &[
            "delete",
            "o/r",
            "--tag",
            "v1",
            "--release",
            "1",
            "--name",
            "a",
        ],
        &["delete", "o/r", "--name", "a"],
        &["nonsense"],
    ] {
        let run = s.run(usage).await;
        assert_eq!(run.status, 2, "{usage:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{usage:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{usage:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: "),
            "{usage:?}: {}",
            run.stderr
        );
    }
    let help = s.run(&["download", "--help"]).await;
    assert_eq!(help.status, 0);
    assert!(help.stdout.contains("--pattern <GLOB>"), "{}", help.stdout);
    let missing = s.run(&["list", "o/r", "--tag", "v9"]).await;
    assert_eq!(missing.status, 1);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    assert!(
        missing.stderr.starts_with("error: not found (404)"),
        "{}",
        missing.stderr
    );

    let wrong_token = tokio::process::Command::new(env!("CARGO_BIN_EXE_release-assets"))
        .args(["list", "o/r", "--latest", "--api-url", s.github.api_url()])
        .env("GITHUB_TOKEN", "ghs_wrong")
        .env("GITHUB_API_URL", "http://127.0.0.1:1")
        .output()
        .await
        .unwrap();
    assert_eq!(wrong_token.status.code(), Some(1));
    let stderr = String::from_utf8(wrong_token.stderr).unwrap();
    assert!(
        stderr.starts_with("error: not authorized (401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("ghs_wrong"));
}

#[tokio::test]
async fn an_existing_asset_fails_unless_clobbered_or_skipped() {
    let s = setup().await;
    s.add_asset("tool.zip", b"old bytes");
    s.file("tool.zip", b"new bytes!");
    let release = s.release_id().to_string();
    let upload = |flag: Option<&'static str>| {
        let mut args = vec!["upload", "o/r", "--release", release.as_str(), "tool.zip"];
        args.extend(flag);
        args
    };

    let refused = s.run(&upload(None)).await;
    assert_eq!(refused.status, 1);
    assert!(refused.stderr.contains("--clobber"), "{}", refused.stderr);
    assert_eq!(s.assets()[0].size, 9);

    let skipped = s.run(&upload(Some("--skip-existing"))).await;
    assert_eq!(skipped.status, 0, "{}", skipped.stderr);
    assert!(
        skipped.stdout.starts_with("skipped tool.zip"),
        "{}",
        skipped.stdout
    );
    assert_eq!(s.assets()[0].size, 9);

    let replaced = s.run(&upload(Some("--clobber"))).await;
    assert_eq!(replaced.status, 0, "{}", replaced.stderr);
    let assets = s.assets();
    assert_eq!((assets.len(), assets[0].size), (1, 10));
}

#[tokio::test]
async fn skip_digest_check_uploads_checked_by_size_and_says_so() {
    let s = setup().await;
    s.file("tool.zip", b"new bytes!");
    let release = s.release_id().to_string();
    let upload = |flag: Option<&'static str>| {
        let mut args = vec!["--json", "upload", "o/r", "--release", release.as_str()];
        args.extend(flag);
        args.push("tool.zip");
        args
    };
    // GitHub's digest is not the file's: checked, the upload fails and is deleted.
    s.github.inject(Host::Uploads, Fault::WrongDigest);
    let refused = s.run(&upload(None)).await;
    assert_eq!(refused.status, 1, "{}", refused.stdout);
    assert!(s.names().is_empty());

    s.github.inject(Host::Uploads, Fault::WrongDigest);
    let unchecked = s.run(&upload(Some("--skip-digest-check"))).await;
    assert_eq!(unchecked.status, 0, "{}", unchecked.stderr);
    let item = &unchecked.json()[0];
    assert_eq!(item["verified"], false, "{item}");
    assert_eq!(
        item["verification"],
        "not verified: the digest check was skipped (its size was checked)"
    );
    assert_eq!(s.names(), ["tool.zip"]);
}

/// Without `--clobber`, a file that appears at the target while the asset downloads is
/// kept: the tool's look at the target and its final rename cannot be overtaken.
#[tokio::test]
async fn a_local_file_appearing_mid_download_is_kept_unless_clobbered() {
    let s = setup().await;
    let bytes = pattern(30_000, 4);
    let id = s.add_asset("tool.zip", &bytes);
    // About 600 ms of body.
    s.github.inject(
        Host::Storage,
        Fault::SlowBody(std::time::Duration::from_millis(20)),
    );
    let child = tool(s.dir.path(), s.github.api_url(), s.github.uploads_url())
        .args(["download", "o/r", "--tag", "v1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let target = s.dir.path().join("tool.zip");
    let part = github_release_assets::partial_path(&target, id).unwrap();
    while !part.exists() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    std::fs::write(&target, b"mine").unwrap();
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("appeared") && stderr.contains("--clobber"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"mine");
}

#[tokio::test]
async fn a_local_file_is_kept_unless_clobbered() {
    let s = setup().await;
    s.add_asset("tool.zip", b"from the release");
    s.file("tool.zip", b"mine");
    let args = ["download", "o/r", "--tag", "v1"];

    let refused = s.run(&args).await;
    assert_eq!(refused.status, 1);
    assert!(refused.stderr.contains("--clobber"), "{}", refused.stderr);
    let kept = s.run(&[&args[..], &["--skip-existing"]].concat()).await;
    assert_eq!(kept.status, 0, "{}", kept.stderr);
    assert_eq!(
        std::fs::read(s.dir.path().join("tool.zip")).unwrap(),
        b"mine"
    );

    let clobbered = s.run(&[&args[..], &["--clobber"]].concat()).await;
    assert_eq!(clobbered.status, 0, "{}", clobbered.stderr);
    assert_eq!(
        std::fs::read(s.dir.path().join("tool.zip")).unwrap(),
        b"from the release"
    );
}

#[tokio::test]
async fn asking_for_what_is_not_there_is_an_error() {
    let s = setup().await;
    s.add_asset("tool.zip", b"bytes");
    let run = s
        .run(&[
            "download",
            "o/r",
            "--tag",
            "v1",
            "--pattern",
            "*.exe",
            "--asset-id",
            "999999",
        ])
        .await;
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("*.exe"), "{}", run.stderr);
    assert!(run.stderr.contains("999999"), "{}", run.stderr);
}

#[tokio::test]
async fn edit_and_delete_by_id_or_by_name() {
    let s = setup().await;
    let id = s.add_asset("tool.zip", b"bytes");
    let id_text = id.to_string();
    let edited = s
        .run(&[
            "edit",
            "o/r",
            "--asset-id",
            &id_text,
            "--rename",
            "tool-1.0.zip",
            "--label",
            "The tool",
            "--json",
        ])
        .await;
    assert_eq!(edited.status, 0, "{}", edited.stderr);
    assert_eq!(edited.json()["name"], "tool-1.0.zip");
    let info = s.github.asset(id).unwrap();
    assert_eq!(
        (info.name.as_str(), info.label.as_deref()),
        ("tool-1.0.zip", Some("The tool"))
    );

    let missing = s
        .run(&["delete", "o/r", "--tag", "v1", "--name", "tool.zip"])
        .await;
    assert_eq!(missing.status, 1);
    assert!(
        missing.stderr.contains("no asset named \"tool.zip\""),
        "{}",
        missing.stderr
    );

    let deleted = s
        .run(&["delete", "o/r", "--tag", "v1", "--name", "tool-1.0.zip"])
        .await;
    assert_eq!(deleted.status, 0, "{}", deleted.stderr);
    assert!(s.names().is_empty());
}

/// A server that is not GitHub (or a GitHub that changed) names assets with path
/// separators, Windows device names or a trailing dot, or characters that make a name read
/// as another: the tool refuses to use those names, shows them escaped, and writes nothing.
#[tokio::test]
async fn names_from_the_server_are_never_paths() {
    use wiremock::{MockServer, ResponseTemplate};

    let s = setup().await;
    let id = s.add_asset("tool.zip", b"bytes");
    let release = s.release().await;
    let template = s.asset(id).await.into_info();
    let hostile: Vec<ReleaseAsset> = [
        "../escaped",
        "/tmp/absolute",
        "..",
        ".",
        "",
        ".hidden",
        "a\\b",
        "C:evil",
        "two\nlines",
        "clear\u{1b}[2J",
        "CON.txt",
        "nul",
        "setup.exe.",
        "setup.exe ",
        "invoice\u{202e}fdp.exe",
        "tool\u{200b}.zip",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| ReleaseAsset {
        id: 1000 + i as i64,
        name: (*name).to_owned(),
        ..template.clone()
    })
    .collect();
    let server = MockServer::start().await;
    let found = ResponseTemplate::new(200).set_body_json(release.info());
    support::answer(&server, "GET", "/repos/o/r/releases/tags/v1", found).await;
    let listed = ResponseTemplate::new(200).set_body_json(&hostile);
    let at = format!("/repos/o/r/releases/{}/assets", release.id);
    support::answer(&server, "GET", &at, listed).await;

    let inside = s.dir.path().join("inside");
    std::fs::create_dir(&inside).unwrap();
    let run = run_in(
        &inside,
        (&server.uri(), &server.uri()),
        &["download", "o/r", "--tag", "v1", "--dir", "out"],
    )
    .await;
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr.lines().count(), hostile.len(), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .all(|l| l.contains("not a plain file name")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(['\u{202e}', '\u{200b}', '\u{1b}']),
        "shown unescaped: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("invoice\\u{202e}fdp.exe"),
        "{}",
        run.stderr
    );
    // Nothing was written anywhere, and no asset's bytes were asked for.
    assert_eq!(std::fs::read_dir(inside.join("out")).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(s.dir.path()).unwrap().count(), 1);
    assert!(!Path::new("/tmp/absolute").exists());
    let asked = server.received_requests().await.unwrap();
    assert!(
        asked
            .iter()
            .all(|r| !r.url.path().contains("/releases/assets/"))
    );
}

/// Files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Each fault the fake can put between the tool and its bytes: the download succeeds
/// after retry, or fails with one line and no file under the asset's name.
#[tokio::test]
async fn downloads_under_faults_succeed_or_fail_cleanly() {
    let cases: Vec<(&str, Host, Fault, bool)> = vec![
        ("502 from storage", Host::Storage, Fault::BadGateway, true),
        (
            "429 from the API",
            Host::Api,
            Fault::RateLimited {
                status: 429,
                retry_after: Some(0),
                reset_in: None,
            },
            true,
        ),
        (
            "an HTML page from storage",
            Host::Storage,
            Fault::HtmlPage,
            false,
        ),
        ("a cut body", Host::Storage, Fault::CutMidBody, false),
    ];
    let bytes = pattern(200_000, 7);
    for (case, host, fault, succeeds) in cases {
        let s = setup().await;
        s.add_asset("tool.bin", &bytes);
        s.github.inject(host, fault);
        let run = s.download("out", &[]).await;
        let out = s.dir.path().join("out");
        if succeeds {
            assert_eq!(run.status, 0, "{case}: {}", run.stderr);
            assert_eq!(
                std::fs::read(out.join("tool.bin")).unwrap(),
                bytes,
                "{case}"
            );
            assert_eq!(files_in(&out), ["tool.bin"], "{case}");
        } else {
            assert_eq!(run.status, 1, "{case}");
            assert_eq!(run.stderr.lines().count(), 1, "{case}: {}", run.stderr);
            assert!(
                !out.join("tool.bin").exists(),
                "{case}: a file under the asset's name"
            );
            // What was cut is kept to resume from; the next run completes it.
            let again = s.download("out", &[]).await;
            assert_eq!(again.status, 0, "{case}: {}", again.stderr);
            assert_eq!(
                std::fs::read(out.join("tool.bin")).unwrap(),
                bytes,
                "{case}"
            );
            assert_eq!(files_in(&out), ["tool.bin"], "{case}");
        }
    }
}

#[tokio::test]
async fn an_upload_answered_502_is_cleaned_up_and_retried() {
    let s = setup().await;
    s.file("tool.zip", &pattern(100_000, 4));
    s.github.inject(Host::Uploads, Fault::BadGateway);
    let run = s.run(&["upload", "o/r", "--tag", "v1", "tool.zip"]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    let assets = s.assets();
    assert_eq!(assets.len(), 1, "{assets:?}");
    assert_eq!(
        (assets[0].state.as_str(), assets[0].size),
        ("uploaded", 100_000)
    );
}

#[tokio::test]
async fn an_upload_github_stores_wrong_is_refused_and_removed() {
    let s = setup().await;
    s.file("tool.zip", &pattern(50_000, 5));
    s.github.inject(Host::Uploads, Fault::WrongDigest);
    let up = s.run(&["upload", "o/r", "--tag", "v1", "tool.zip"]).await;
    assert_eq!(up.status, 1, "{}", up.stderr);
    assert_eq!(up.stderr.lines().count(), 1, "{}", up.stderr);
    assert!(up.stderr.contains("did not arrive intact"), "{}", up.stderr);
    assert!(s.assets().is_empty());
}

#[tokio::test]
async fn a_wrong_digest_saves_nothing() {
    let s = setup().await;
    // An asset whose digest is not its bytes', stored past the client's own check.
    let release = s.release().await;
    s.github.inject(Host::Uploads, Fault::WrongDigest);
    s.upload_unchecked(&release, "tool.zip", "application/zip", pattern(50_000, 5))
        .await
        .unwrap();
    let run = s.download("out", &[]).await;
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("digest mismatch"), "{}", run.stderr);
    assert!(files_in(&s.dir.path().join("out")).is_empty());
}

#[tokio::test]
async fn a_closed_pipe_or_a_strange_directory_name_is_no_panic() {
    let s = setup().await;
    for i in 0..50 {
        s.add_asset(&format!("tool-{i}.zip"), b"bytes");
    }
    // `release-assets list … | head -0`: standard output closed before the tool writes.
    let mut child = tool(s.dir.path(), s.github.api_url(), s.github.uploads_url())
        .args(["list", "o/r", "--tag", "v1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().await.unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // A directory whose name is not UTF-8, with --json: the path is shown lossily.
    use std::os::unix::ffi::OsStrExt;
    let dir = std::ffi::OsStr::from_bytes(b"out\xff");
    let output = tool(s.dir.path(), s.github.api_url(), s.github.uploads_url())
        .args([
            "download",
            "o/r",
            "--tag",
            "v1",
            "--pattern",
            "tool-1.zip",
            "--json",
            "--dir",
        ])
        .arg(dir)
        .output()
        .await
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let saved: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(saved[0]["status"], "saved");
    assert!(s.dir.path().join(dir).join("tool-1.zip").exists());
}

#[tokio::test]
async fn json_reports_every_file_of_a_partly_failed_upload() {
    let s = setup().await;
    s.add_asset("taken.zip", b"old");
    s.file("taken.zip", b"new");
    s.file("fresh.zip", b"fresh");
    let run = s
        .run(&[
            "upload",
            "o/r",
            "--tag",
            "v1",
            "taken.zip",
            "fresh.zip",
            "--json",
        ])
        .await;
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let mut statuses: Vec<(String, String)> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["item"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ("fresh.zip".to_owned(), "uploaded".to_owned()),
            ("taken.zip".to_owned(), "failed".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_release_by_id_an_asset_by_id_and_a_label() {
    let s = setup().await;
    let release = s.release_id().to_string();
    s.file("tool.zip", b"tool bytes");
    let up = s
        .run(&[
            "upload",
            "o/r",
            "--release",
            &release,
            "tool.zip",
            "--label",
            "The tool",
        ])
        .await;
    assert_eq!(up.status, 0, "{}", up.stderr);
    let other = s.add_asset("other.zip", b"other");
    let listed = s
        .run(&["list", "o/r", "--release", &release, "--json"])
        .await;
    let assets: Vec<ReleaseAsset> = serde_json::from_value(listed.json()).unwrap();
    let tool = assets.iter().find(|a| a.name == "tool.zip").unwrap();
    assert_eq!(tool.label.as_deref(), Some("The tool"));

    let id = tool.id.to_string();
    let got = s
        .run(&[
            "download",
            "o/r",
            "--release",
            &release,
            "--asset-id",
            &id,
            "--dir",
            "out",
        ])
        .await;
    assert_eq!(got.status, 0, "{}", got.stderr);
    let out = s.dir.path().join("out");
    assert_eq!(files_in(&out), ["tool.zip"]);
    assert_eq!(std::fs::read(out.join("tool.zip")).unwrap(), b"tool bytes");
    assert!(s.github.asset(other).is_some());
}

/// A link planted at the part file `download` writes, naming a file that holds the asset's
/// first bytes: the tool neither resumes from it nor writes through it.
#[tokio::test]
async fn download_never_writes_through_a_link_at_its_part_file() {
    let s = setup().await;
    let bytes = pattern(200_000, 9);
    let id = s.add_asset("tool.bin", &bytes);
    let out = s.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let victim = s.dir.path().join("victim");
    std::fs::write(&victim, &bytes[..1000]).unwrap();
    let part = github_release_assets::partial_path(&out.join("tool.bin"), id).unwrap();
    std::os::unix::fs::symlink(&victim, &part).unwrap();

    let run = s.download("out", &["--json"]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["resumed_from"], 0, "{}", run.stdout);
    assert_eq!(std::fs::read(&victim).unwrap(), &bytes[..1000]);
    let saved = std::fs::symlink_metadata(out.join("tool.bin")).unwrap();
    assert!(saved.file_type().is_file(), "{:?}", saved.file_type());
    assert_eq!(std::fs::read(out.join("tool.bin")).unwrap(), bytes);
    assert_eq!(files_in(&out), ["tool.bin"]);
}

/// Immutable releases: upload to a draft found by tag, publish it, and from then on every
/// change to its assets is refused in one line that says what to do, with nothing sent.
#[tokio::test]
async fn upload_to_a_draft_then_publish_then_the_assets_are_locked() {
    let s = setup().await;
    s.github.set_immutable_releases("o", "r", true);
    let draft = s.github.create_release_with("o", "r", "v2", true);
    s.file("tool.zip", b"the tool");
    s.file("other.zip", b"another");

    let up = s.run(&["upload", "o/r", "--tag", "v2", "tool.zip"]).await;
    assert_eq!(up.status, 0, "{}", up.stderr);
    let published = s.run(&["publish", "o/r", "--tag", "v2"]).await;
    assert_eq!(published.status, 0, "{}", published.stderr);
    assert_eq!(
        published.stdout.trim(),
        "published v2 (1 assets, now immutable)"
    );
    assert!(!s.github.release("o", "r", draft).unwrap().draft);

    let asset_id = s.github.assets("o", "r", draft)[0].id.to_string();
    let sent_before = s.sent();
    for args in [
        &["upload", "o/r", "--tag", "v2", "other.zip"][..],
        &["upload", "o/r", "--tag", "v2", "--clobber", "tool.zip"],
        &["delete", "o/r", "--tag", "v2", "--name", "tool.zip"],
        &[
            "edit", "o/r", "--tag", "v2", "--name", "tool.zip", "--label", "x",
        ],
        // By id: the release is found from the asset's download URL, and refuses too.
        &["delete", "o/r", "--asset-id", &asset_id],
        &["edit", "o/r", "--asset-id", &asset_id, "--rename", "y.zip"],
    ] {
        let refused = s.run(args).await;
        assert_eq!(refused.status, 1, "{args:?}: {}", refused.stdout);
        assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
        assert!(
            refused.stderr.contains("release v2")
                && refused.stderr.contains("is immutable")
                && refused
                    .stderr
                    .contains("upload to a draft release, then publish it"),
            "{args:?}: {}",
            refused.stderr
        );
    }
    // The release job run again: what it would upload is there, so it is skipped.
    let skip = |file| ["upload", "o/r", "--tag", "v2", "--skip-existing", file];
    let rerun = s.run(&skip("tool.zip")).await;
    assert_eq!(rerun.status, 0, "{}", rerun.stderr);
    assert_eq!(
        rerun.stdout.trim(),
        "skipped tool.zip: the release has tool.zip already"
    );
    let missing = s.run(&skip("other.zip")).await;
    assert_eq!(missing.status, 1, "{}", missing.stdout);
    assert!(
        missing.stderr.contains("is immutable"),
        "{}",
        missing.stderr
    );
    let changes = s.requests_after(sent_before).changes().calls();
    assert!(changes.is_empty(), "{changes:?}");
    let assets = s.github.assets("o", "r", draft);
    assert_eq!(
        assets
            .iter()
            .map(|a| (a.name.as_str(), a.label.clone()))
            .collect::<Vec<_>>(),
        [("tool.zip", None)]
    );

    let again = s.run(&["publish", "o/r", "--tag", "v2"]).await;
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert_eq!(again.stdout.trim(), "v2 is already published");
}

/// `--clobber` replaces without a moment when the release lacks the asset: the new bytes
/// go up under a temporary name first, then the old asset is deleted and the new renamed.
#[tokio::test]
async fn clobber_uploads_first_then_swaps() {
    let s = setup().await;
    s.add_asset("tool.zip", b"old bytes");
    s.file("tool.zip", b"new bytes!");
    let replaced = s
        .run(&["upload", "o/r", "--tag", "v1", "--clobber", "tool.zip"])
        .await;
    assert_eq!(replaced.status, 0, "{}", replaced.stderr);
    let order = s.requests().changes().methods();
    assert_eq!(order, ["POST", "DELETE", "PATCH"]);
    let assets = s.assets();
    assert_eq!(assets.len(), 1, "{assets:?}");
    assert_eq!((assets[0].name.as_str(), assets[0].size), ("tool.zip", 10));
}

/// Every file says whether it was verified: downloads in lines and `--json`, and
/// `--require-digest` refuses an asset that cannot be, in one line, saving nothing.
#[tokio::test]
async fn downloads_say_whether_each_file_was_verified() {
    let s = setup().await;
    s.add_asset("new.bin", b"with a digest");
    let old = s.add_asset("old.bin", b"from before digests");
    s.github.set_asset_digest(old, None);

    let run = s.download("out", &[]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {}", run.stdout))
            .to_owned()
    };
    assert!(
        line("new.bin").contains("verified sha256:"),
        "{}",
        run.stdout
    );
    assert!(
        line("old.bin").contains("not verified: the asset has no digest"),
        "{}",
        run.stdout
    );

    let json = s
        .run(&["--json", "download", "o/r", "--tag", "v1", "--dir", "again"])
        .await;
    assert_eq!(json.status, 0, "{}", json.stderr);
    let verified: Vec<(String, bool)> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["verified"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(verified.contains(&("new.bin".into(), true)), "{verified:?}");
    assert!(
        verified.contains(&("old.bin".into(), false)),
        "{verified:?}"
    );

    let strict = s.download("strict", &["--require-digest"]).await;
    assert_eq!(strict.status, 1, "{}", strict.stdout);
    assert_eq!(strict.stderr.lines().count(), 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("old.bin") && strict.stderr.contains("cannot be verified"),
        "{}",
        strict.stderr
    );
    assert_eq!(files_in(&s.dir.path().join("strict")), ["new.bin"]);
}

/// `verify` checks local files against the release's assets: 0 when all match; 1 with one
/// line for each file that differs, is missing from the release, or cannot be verified.
#[tokio::test]
async fn verify_checks_local_files_against_the_release() {
    let s = setup().await;
    s.add_asset("a.bin", b"asset a");
    s.add_asset("b.bin", b"asset b");
    let old = s.add_asset("c.bin", b"asset c");
    s.github.set_asset_digest(old, None);
    s.file("a.bin", b"asset a");
    s.file("b.bin", b"asset B");
    s.file("c.bin", b"asset c");
    s.file("d.bin", b"not released");

    let good = s.run(&["verify", "o/r", "--tag", "v1", "a.bin"]).await;
    assert_eq!(good.status, 0, "{}", good.stderr);
    assert!(
        good.stdout.starts_with("a.bin: matches a.bin (sha256:"),
        "{}",
        good.stdout
    );

    let bad = s
        .run(&[
            "verify", "o/r", "--tag", "v1", "a.bin", "b.bin", "c.bin", "d.bin",
        ])
        .await;
    assert_eq!(bad.status, 1, "{}", bad.stdout);
    let lines: Vec<&str> = bad.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", bad.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("b.bin") && l.contains("differs")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("c.bin") && l.contains("cannot be verified")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("d.bin") && l.contains("no asset named")),
        "{lines:?}"
    );
    let json = s
        .run(&[
            "--json",
            "verify",
            "o/r",
            "--release",
            &s.release_id().to_string(),
            "a.bin",
        ])
        .await;
    assert_eq!(json.status, 0, "{}", json.stderr);
    assert_eq!(json.json()[0]["status"], "matches");
}

/// An upload to a server that gives no digest says it was checked by size only.
#[tokio::test]
async fn an_upload_says_whether_it_was_verified() {
    let s = setup().await;
    s.file("new.bin", b"fresh bytes");
    let run = s.run(&["upload", "o/r", "--tag", "v1", "new.bin"]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("verified sha256:"), "{}", run.stdout);
    s.github.set_digests(false);
    s.file("old.bin", b"older server");
    let run = s
        .run(&["--json", "upload", "o/r", "--tag", "v1", "old.bin"])
        .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["verified"], false, "{}", run.stdout);
}

/// A link at the file a download would save: it counts as a file there (kept unless
/// `--clobber`), and `--clobber` replaces the link itself, never what it names.
#[cfg(unix)]
#[tokio::test]
async fn download_never_writes_through_a_link_at_its_target() {
    let s = setup().await;
    let bytes = pattern(50_000, 3);
    s.add_asset("tool.bin", &bytes);
    let out = s.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let victim = s.dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, out.join("tool.bin")).unwrap();

    let kept = s.download("out", &[]).await;
    assert_eq!(kept.status, 1, "{}", kept.stdout);
    assert!(kept.stderr.contains("exists"), "{}", kept.stderr);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");

    let replaced = s.download("out", &["--clobber"]).await;
    assert_eq!(replaced.status, 0, "{}", replaced.stderr);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    let saved = std::fs::symlink_metadata(out.join("tool.bin")).unwrap();
    assert!(saved.file_type().is_file(), "{:?}", saved.file_type());
    assert_eq!(std::fs::read(out.join("tool.bin")).unwrap(), bytes);
}

/// A release whose `upload_url` names a host that is neither the API's uploads host nor
/// named with `--uploads-url`: one line saying so and what allows it; nothing sent there.
#[tokio::test]
async fn an_upload_url_elsewhere_is_refused_with_what_allows_it() {
    use wiremock::{MockServer, ResponseTemplate};
    let s = setup().await;
    let mut release = s.release().await.info().clone();
    let collector = MockServer::start().await;
    release.upload_url = format!(
        "{}/repos/o/r/releases/1/assets{{?name,label}}",
        collector.uri()
    );
    let api = MockServer::start().await;
    let found = ResponseTemplate::new(200).set_body_json(&release);
    support::answer(&api, "GET", "/repos/o/r/releases/tags/v1", found).await;
    let file = s.file("tool.zip", b"bytes");
    let run = run_in(
        s.dir.path(),
        (&api.uri(), &api.uri()),
        &["upload", "o/r", "--tag", "v1", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("--uploads-url"), "{}", run.stderr);
    assert!(collector.received_requests().await.unwrap().is_empty());
}

/// A connection that stays silent fails after `--read-timeout`, is retried (a listing is
/// idempotent), and ends with one line: the tool never hangs a CI job on a stall.
#[tokio::test]
async fn a_stalled_connection_times_out_and_is_retried() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
    let stalled = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(60)))
        .mount(&stalled)
        .await;
    let dir = support::temp_dir();
    let run = run_in(
        dir.path(),
        (&stalled.uri(), &stalled.uri()),
        &[
            "list",
            "o/r",
            "--tag",
            "v1",
            "--read-timeout",
            "1",
            "--retries",
            "1",
        ],
    )
    .await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert_eq!(stalled.received_requests().await.unwrap().len(), 2);
}

/// Nothing a server sends makes the tool panic: every command, against a server answering
/// with arbitrary answers in turn (`support::hostile`), exits 0 or 1 with its error on one
/// line, and with `--json` prints a JSON document whatever happened.
#[test]
fn no_answer_makes_the_tool_panic() {
    use proptest::test_runner::TestCaseError;
    use support::hostile::{self, HostileServer};

    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Each case starts the tool eleven times: bounded, so CI time stays flat.
    let mut runner = hostile::runner(12);
    runner
        .run(&hostile::answers(), |answers| {
            runtime.block_on(async {
                let server = HostileServer::start(answers).await;
                let dir = support::temp_dir();
                let file = support::file(dir.path(), "up.bin", b"bytes");
                let file = file.to_str().unwrap();
                let quick = ["--retries", "1", "--read-timeout", "5"];
                let commands: [&[&str]; 11] = [
                    &["list", "o/r", "--tag", "v1"],
                    &["--json", "list", "o/r", "--latest"],
                    &["download", "o/r", "--tag", "v1", "--dir", "out"],
                    &[
                        "--json",
                        "download",
                        "o/r",
                        "--release",
                        "1",
                        "--dir",
                        "out2",
                    ],
                    &["upload", "o/r", "--tag", "v1", file],
                    &["--json", "upload", "o/r", "--tag", "v1", "--clobber", file],
                    &["delete", "o/r", "--asset-id", "1"],
                    &["edit", "o/r", "--asset-id", "1", "--rename", "x.bin"],
                    &["verify", "o/r", "--tag", "v1", file],
                    &["--json", "verify", "o/r", "--tag", "v1", file],
                    &["publish", "o/r", "--tag", "v1"],
                ];
                let runs = futures_util::future::join_all(commands.iter().map(|args| {
                    let args = [&quick[..], args].concat();
                    let hosts = (server.base.as_str(), server.base.as_str());
                    let dir = dir.path();
                    async move { (args.clone(), run_in(dir, hosts, &args).await) }
                }))
                .await;
                for (args, run) in runs {
                    let said = format!("{args:?}: exit {}\n{}", run.status, run.stderr);
                    if !matches!(run.status, 0 | 1) || run.stderr.contains("panicked") {
                        return Err(TestCaseError::fail(said));
                    }
                    if args.contains(&"--json")
                        && serde_json::from_str::<Value>(&run.stdout).is_err()
                    {
                        return Err(TestCaseError::fail(format!(
                            "{said}\nnot JSON: {:?}",
                            run.stdout
                        )));
                    }
                }
                Ok(())
            })
        })
        .unwrap();
}

/// `--json` prints a JSON document even when the whole command fails, so a script that
/// parses standard output always has something to parse.
#[tokio::test]
async fn json_output_is_json_even_on_total_failure() {
    let dir = support::temp_dir();
    let run = run_in(
        dir.path(),
        ("http://127.0.0.1:1", "http://127.0.0.1:1"),
        &["--json", "--retries", "0", "list", "o/r", "--tag", "v1"],
    )
    .await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    let document = run.json();
    let message = document["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("connection failed"), "{message}");
    assert_eq!(document["error"]["status"], Value::Null);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    let s = setup().await;
    let run = s.run(&["--json", "list", "o/r", "--tag", "v404"]).await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(run.json()["error"]["status"], 404);

    // A command line clap refuses, too (exit status 2).
    let run = s.run(&["--json", "list", "o/r"]).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(run.json()["error"]["usage"], true);
    // One the tool itself refuses: one document, not two.
    let (a, b) = (s.file("a.bin", b"a"), s.file("b.bin", b"b"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let run = s
        .run(&[
            "--json", "upload", "o/r", "--tag", "v1", "--label", "x", a, b,
        ])
        .await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--label")
    );
    // Marked as a usage error, as clap's are.
    assert_eq!(run.json()["error"]["usage"], true);
}

/// Two processes downloading the same asset into the same directory: while one holds the
/// part file (here, this test's process, as another download would), the tool refuses and
/// changes nothing; once it is free, the tool downloads.
#[tokio::test]
async fn a_download_another_process_is_writing_is_refused() {
    let s = setup().await;
    let bytes = pattern(20_000, 9);
    let id = s.add_asset("tool.bin", &bytes);
    let out = s.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let part = github_release_assets::partial_path(&out.join("tool.bin"), id).unwrap();
    std::fs::write(&part, &bytes[..1000]).unwrap();
    let held = std::fs::OpenOptions::new().write(true).open(&part).unwrap();
    held.try_lock().unwrap();

    let refused = s.download("out", &[]).await;
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("another download is writing"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read(&part).unwrap(),
        &bytes[..1000],
        "the part file changed"
    );
    assert!(!out.join("tool.bin").exists());

    drop(held);
    let run = s.download("out", &[]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(out.join("tool.bin")).unwrap(), bytes);
    assert_eq!(files_in(&out), ["tool.bin"]);
}

/// `--root-certificates` trusts a private authority (a GitHub Enterprise Server's) besides
/// the system's: without it the TLS handshake fails, with it the server's own answer (a 404
/// here) is what the tool reports. A file that cannot be read, or is not PEM, is one line.
#[tokio::test]
async fn root_certificates_are_trusted_when_given() {
    let server = support::tls::tls_server("http://127.0.0.1:9".to_owned()).await;
    let dir = tempfile::tempdir().unwrap();
    let authority = dir.path().join("authority.pem");
    std::fs::write(&authority, &server.authority_pem).unwrap();
    let hosts = (server.url.as_str(), server.url.as_str());
    let list = ["--retries", "0", "list", "o/r", "--tag", "v1"];

    let untrusted = run_in(dir.path(), hosts, &list).await;
    assert_eq!(untrusted.status, 1, "{}", untrusted.stderr);
    assert!(
        untrusted.stderr.contains("UnknownIssuer")
            && untrusted
                .stderr
                .contains("trust it with --root-certificates"),
        "{}",
        untrusted.stderr
    );

    let trusted = run_in(
        dir.path(),
        hosts,
        &[&["--root-certificates", "authority.pem"][..], &list].concat(),
    )
    .await;
    assert_eq!(trusted.status, 1, "{}", trusted.stderr);
    assert!(
        !trusted.stderr.contains("certificate"),
        "{}",
        trusted.stderr
    );
    assert!(trusted.stderr.contains("not found"), "{}", trusted.stderr);

    let missing = run_in(
        dir.path(),
        hosts,
        &[&["--root-certificates", "missing.pem"][..], &list].concat(),
    )
    .await;
    assert_eq!(missing.status, 2, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("could not read the root certificates missing.pem"),
        "{}",
        missing.stderr
    );

    std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
    let junk = run_in(
        dir.path(),
        hosts,
        &[&["--root-certificates", "junk.pem"][..], &list].concat(),
    )
    .await;
    assert_eq!(junk.status, 1, "{}", junk.stderr);
    assert!(
        junk.stderr.contains("not PEM certificates"),
        "{}",
        junk.stderr
    );
}
