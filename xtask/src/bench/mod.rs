//! `cargo xtask bench`: this crate, as a library and as the `release-assets` tool, measured
//! against its peers in one run on this machine, each several times, interleaved so that
//! whatever else the shared machine does weighs on all alike:
//!
//! - uploads of each size: with `skip_digest_check` against `curl -T FILE -X POST` (which
//!   streams the file, and checks nothing); checked (the default: the bytes are hashed
//!   while sent and compared with GitHub's digest) against curl followed by `sha256sum`
//!   (what a script does to check an upload), and against bare curl and plain reqwest;
//! - downloads to a file, answered 200 by the API or by a 302 to storage, against
//!   `curl -L -o FILE` and against curl followed by `sha256sum` (the crate verifies while
//!   streaming);
//! - listing 1,000 assets (10 pages) and 1,000 sequential asset gets, against plain
//!   reqwest and serde_json sending the same headers, both timed inside their process;
//! - 8 uploads and 100 downloads at once, against one `curl -Z` doing the same;
//! - `cargo xtask regenerate --check`, within a second (and `subset --check` when GitHub's
//!   description is beside the project);
//! - with that description: generating the operations of it progenitor alone can
//!   generate, against progenitor alone (the passes and the facade add at most 30%), and
//!   generating the whole of it, within 15 seconds; `cargo check` of the crate generated
//!   from it against octorust's, per operation, and with the `repos` feature alone against
//!   the whole (under a fifth of its time).
//!
//! Every run is a process measured the same way (see [`measure`]): wall time, CPU seconds
//! and peak resident memory, and meanwhile the CPU the rest of the machine spent and the
//! time the hypervisor took for other guests (steal). A run that writes files starts with
//! the disk settled ([`settle`], off the clock). Absolute times mean little on a shared
//! machine, so what counts is each run's speed as a ratio to the peer's run beside it:
//! median and spread. The report goes to `target/bench/report.md` and `report.json`; the
//! command fails when a target is missed.

mod measure;
mod report;
mod stand_in;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use measure::{Job, Runner, Sample};
use stand_in::StandIn;

/// Options of `cargo xtask bench`.
pub struct Options {
    /// Sizes of the transferred files, MiB.
    pub sizes_mib: Vec<u64>,
    /// Runs of each tool.
    pub runs: u32,
    /// Keep the stand-in on CPU 0 and every measured process on CPU 1.
    pub pin: bool,
    /// Measure only the groups whose name contains one of these (all when empty).
    pub only: Vec<String>,
}

/// Peak resident memory a transfer may take, whatever the file's size.
pub const RSS_LIMIT_KIB: u64 = 32 * 1024;
/// How much more memory the largest transfer may take than the smallest: "flat".
pub const RSS_GROWTH_LIMIT_KIB: u64 = 2 * 1024;
/// A transfer's speed, at least, as a ratio to curl's.
pub const TRANSFER_SPEED: f64 = 0.95;
/// A verified download's (or checked upload's) speed, at least, as a ratio to curl's
/// followed by sha256sum.
pub const VERIFIED_SPEED: f64 = 1.5;
/// Listing and gets: at most 1.05x the time of raw reqwest, so at least this speed.
pub const API_SPEED: f64 = 1.0 / 1.05;
/// A transfer swings with whatever else the machine does, the more so the shorter it is.
/// Transfers smaller than this take a fraction of a second: run three times as often.
/// Larger ones run twice as often: their medians over five runs moved by a tenth from one
/// bench to the next.
const SHORT_TRANSFER: u64 = 1 << 30;
/// The size of each of the files downloaded all at once.
const MANY_MIB: u64 = 10;
/// How many uploads go at once.
const UPLOADS_AT_ONCE: usize = 8;
/// The most transfers the tool runs at once.
const TOOL_CONCURRENCY: usize = 16;
/// The token every client sends to the stand-in.
const TOKEN: &str = "bench-token";
/// Generating what progenitor alone can: the passes and the facade add at most 30% to
/// progenitor's time, so at least this speed.
pub const GENERATION_SPEED: f64 = 1.0 / 1.3;
/// Generating GitHub's whole description, at most (seconds, on a 2-core machine).
pub const WHOLE_API_SECONDS: f64 = 15.0;
/// `cargo check` of the whole-API crate: no more seconds per operation than octorust's,
/// so at least this speed per operation.
pub const CHECK_SPEED_PER_OPERATION: f64 = 1.0;
/// `cargo check` of the whole-API crate with only the `repos` tag's feature: under a fifth
/// of the whole crate's time, so at least this speed against it.
pub const ONE_TAG_SPEED: f64 = 5.0;
/// The tag whose feature alone is checked: the largest of GitHub's (about 200 operations).
const ONE_TAG: &str = "repos";
/// The peer of `cargo check`: octorust's newest release on crates.io (2026-12-07).
const OCTORUST: &str = "0.10.0";
/// `cargo xtask regenerate --check`, at most (seconds).
pub const REGENERATE_CHECK_SECONDS: f64 = 1.0;

/// One tool measured in a group.
pub struct Entry {
    pub label: String,
    /// This crate (library or tool), as opposed to a peer.
    pub ours: bool,
    job: Job,
    pub samples: Vec<Sample>,
}

/// A speed ratio to report: `ours` against `peer` (indexes into the group's entries).
pub struct Comparison {
    pub ours: usize,
    pub peer: usize,
    /// The target, when there is one: the median speed ratio at least this.
    pub at_least: Option<f64>,
    /// Our work over the peer's (operations checked, say), by which the ratio of times is
    /// multiplied to compare speed per unit of work; 1 when both do the same task.
    pub scale: f64,
}

/// Tools doing the same task.
pub struct Group {
    pub name: String,
    /// For a single transfer: what it is ("upload", "download, 200"), whatever the size.
    pub transfer: Option<String>,
    /// Bytes each run moves, for throughput.
    pub bytes: Option<u64>,
    pub entries: Vec<Entry>,
    pub comparisons: Vec<Comparison>,
    /// Entries whose median time must stay within a number of seconds (where the task's
    /// requirement is a time, not a ratio to a peer).
    pub limits: Vec<(usize, f64)>,
    /// Runs of this group for each run asked for: more for tasks short enough to be noisy.
    pub runs_per_run: u32,
}

impl Group {
    fn new(name: impl Into<String>, bytes: Option<u64>) -> Self {
        Self {
            name: name.into(),
            transfer: None,
            bytes,
            entries: Vec::new(),
            comparisons: Vec::new(),
            limits: Vec::new(),
            runs_per_run: 1,
        }
    }

    fn transfer(kind: &str, bytes: u64) -> Self {
        Self {
            transfer: Some(kind.to_owned()),
            runs_per_run: if bytes < SHORT_TRANSFER { 3 } else { 2 },
            ..Self::new(format!("{kind}, {}", size_name(bytes)), Some(bytes))
        }
    }

    fn peer(&mut self, label: &str, job: Job) -> usize {
        self.add(label, false, job)
    }

    fn ours(&mut self, label: &str, job: Job) -> usize {
        self.add(label, true, job)
    }

    fn add(&mut self, label: &str, ours: bool, job: Job) -> usize {
        self.entries.push(Entry {
            label: label.to_owned(),
            ours,
            job,
            samples: Vec::new(),
        });
        self.entries.len() - 1
    }

    /// Requires `entry`'s median time to be at most `seconds`.
    fn within(&mut self, entry: usize, seconds: f64) {
        self.limits.push((entry, seconds));
    }

    fn compare(&mut self, ours: usize, peer: usize, at_least: Option<f64>) {
        self.compare_per(ours, peer, at_least, 1.0);
    }

    /// Compares speed per unit of work, ours doing `scale` times the peer's.
    fn compare_per(&mut self, ours: usize, peer: usize, at_least: Option<f64>, scale: f64) {
        self.comparisons.push(Comparison {
            ours,
            peer,
            at_least,
            scale,
        });
    }

    /// Runs every entry `runs` times, in turns, every other turn in reverse order, so that
    /// going first or last favours no one.
    fn run(&mut self, runner: &Runner, runs: u32) -> Result<(), String> {
        for turn in 0..runs.max(1) * self.runs_per_run {
            let mut order: Vec<&mut Entry> = self.entries.iter_mut().collect();
            if turn % 2 == 1 {
                order.reverse();
            }
            for entry in order {
                let sample = runner
                    .run(&mut entry.job)
                    .map_err(|e| format!("{}: {}: {e}", self.name, entry.label))?;
                entry.samples.push(sample);
            }
        }
        Ok(())
    }
}

/// Where the built binaries are, and the stand-in's URL.
struct Tools {
    client: PathBuf,
    tool: PathBuf,
    api: String,
}

impl Tools {
    fn client(&self, task: &str) -> Job {
        Job::new(&self.client).args(["--task", task, "--api", &self.api])
    }

    fn tool(&self) -> Job {
        Job::new(&self.tool)
            .args(["--api-url", &self.api, "--retries", "0"])
            .env("GITHUB_TOKEN", TOKEN)
    }
}

pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if cfg!(debug_assertions) {
        // The stand-in and the files' digests run in this process: unoptimized, the
        // stand-in would be the bottleneck measured.
        println!("bench: running an optimized build of xtask");
        let sizes: Vec<String> = options.sizes_mib.iter().map(u64::to_string).collect();
        let status = Command::new(&cargo)
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
            ])
            .args([
                "--sizes-mib",
                &sizes.join(","),
                "--runs",
                &options.runs.to_string(),
            ])
            .args(options.pin.then_some("--pin"))
            .args(options.only.iter().flat_map(|o| ["--only", o.as_str()]))
            .current_dir(root)
            .status()?;
        return if status.success() {
            Ok(())
        } else {
            Err("the optimized bench failed (above)".into())
        };
    }
    let built = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "github-release-assets",
        ])
        .args([
            "--features",
            "cli",
            "--bin",
            "release-assets",
            "--example",
            "bench_client",
        ])
        .current_dir(root)
        .status()?;
    if !built.success() {
        return Err("building the tool and the bench_client example failed".into());
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let out_dir = target.join("bench");
    std::fs::create_dir_all(&out_dir)?;
    let scratch = tempfile::tempdir_in(&out_dir)?;
    let work = scratch.path();

    let mut sizes = options.sizes_mib.clone();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.len() > stand_in::MAX_SIZES {
        return Err(format!("at most {} sizes at a time", stand_in::MAX_SIZES).into());
    }
    println!("bench: writing files of {sizes:?} MiB");
    let transfers = sizes
        .iter()
        .map(|&mib| file(work, &format!("{mib}mib.bin"), mib))
        .collect::<std::io::Result<Vec<_>>>()?;
    let many = file(work, "many.bin", MANY_MIB)?;
    settle()?;
    let stand_in = StandIn::start(&transfers, &many)?;
    let cpu = if options.pin {
        pin_this_process(0)?;
        Some(1)
    } else {
        None
    };
    let runner = Runner::new(work, cpu)?;
    let tools = Tools {
        client: target.join("release/examples/bench_client"),
        tool: target.join("release/release-assets"),
        api: stand_in.url.clone(),
    };

    let mut groups = Vec::new();
    for (index, file) in transfers.iter().enumerate() {
        groups.push(upload_group(&tools, file));
        let (direct, redirected) = stand_in::transfer_ids(index);
        groups.push(download_group(&tools, work, file, direct, "200")?);
        groups.push(download_group(
            &tools,
            work,
            file,
            redirected,
            "302 to storage",
        )?);
    }
    groups.push(api_group(&tools, "list 1,000 assets (10 pages)", "list"));
    groups.push(api_group(&tools, "1,000 sequential asset gets", "gets"));
    if let Some(smallest) = transfers.first() {
        groups.push(uploads_at_once(&tools, work, smallest)?);
    }
    groups.push(downloads_at_once(&tools, work)?);
    groups.push(regenerate_group(root, &cargo));
    let wanted = |name: &str| {
        options.only.is_empty() || options.only.iter().any(|o| name.contains(o.as_str()))
    };
    // Finding what progenitor alone generates takes a minute: only when measured.
    if wanted("generate") {
        groups.extend(generate_group(root, work)?);
    }
    // Writing and building both crates' dependencies takes minutes: only when measured.
    if wanted("check") {
        groups.extend(check_group(root, &cargo)?);
    }

    if !options.only.is_empty() {
        groups.retain(|g| options.only.iter().any(|o| g.name.contains(o.as_str())));
    }
    for group in &mut groups {
        print!("bench: {} ...", group.name);
        std::io::stdout().flush()?;
        group.run(&runner, options.runs)?;
        println!(" done");
    }
    drop(stand_in);

    let machine = report::Machine::here(root, options);
    let targets = report::targets(&groups, machine.cores);
    let markdown = report::markdown(&machine, &groups, &targets);
    std::fs::write(out_dir.join("report.md"), &markdown)?;
    std::fs::write(
        out_dir.join("report.json"),
        serde_json::to_vec_pretty(&report::json(&machine, &groups, &targets))?,
    )?;
    println!("\n{markdown}");
    println!("bench: written to {}", out_dir.join("report.md").display());
    let missed = targets.iter().filter(|t| !t.met).count();
    if missed > 0 {
        return Err(format!(
            "{missed} of {} targets missed (see the report)",
            targets.len()
        )
        .into());
    }
    Ok(())
}

fn upload_group(tools: &Tools, file: &stand_in::File) -> Group {
    let mut group = Group::transfer("upload", file.bytes);
    let url = format!(
        "{}/repos/o/r/releases/{}/assets?name=up.bin",
        tools.api,
        stand_in::TRANSFERS
    );
    let curl = group.peer(
        "curl -T",
        Job::shell(r#"curl -sS -o /dev/null -X POST -H "Content-Type: application/octet-stream" -T "$1" "$2""#)
            .arg(&file.path)
            .arg(&url),
    );
    let checked = group.peer(
        "curl -T, then sha256sum",
        Job::shell(r#"curl -sS -o /dev/null -X POST -H "Content-Type: application/octet-stream" -T "$1" "$2" && sha256sum "$1" >/dev/null"#)
            .arg(&file.path)
            .arg(&url),
    );
    let reqwest = group.peer(
        "reqwest, 4 MiB reads (checks nothing)",
        tools.client("upload-reqwest").arg("--file").arg(&file.path),
    );
    let tool_upload = |check: Option<&str>| {
        tools
            .tool()
            .args(["upload", "--release", &stand_in::TRANSFERS.to_string()])
            .args(check)
            .arg("o/r")
            .arg(&file.path)
    };
    let library = group.ours(
        "github-release-assets (library), checked",
        tools.client("upload").arg("--file").arg(&file.path),
    );
    let tool = group.ours("release-assets upload (tool), checked", tool_upload(None));
    let library_unchecked = group.ours(
        "github-release-assets (library), skip_digest_check",
        tools
            .client("upload-unchecked")
            .arg("--file")
            .arg(&file.path),
    );
    let tool_unchecked = group.ours(
        "release-assets upload --skip-digest-check (tool)",
        tool_upload(Some("--skip-digest-check")),
    );
    // Like for like: an upload that checks nothing against curl, which checks nothing; a
    // checked one against curl and then sha256sum. A checked upload against bare curl is
    // reported, bound by hashing (see `sent_digest`).
    for ours in [library_unchecked, tool_unchecked] {
        group.compare(ours, curl, Some(TRANSFER_SPEED));
    }
    for ours in [library, tool] {
        group.compare(ours, checked, Some(VERIFIED_SPEED));
        group.compare(ours, curl, None);
    }
    group.compare(library, reqwest, None);
    group
}

fn download_group(
    tools: &Tools,
    work: &Path,
    file: &stand_in::File,
    asset: i64,
    how: &str,
) -> Result<Group, Box<dyn std::error::Error>> {
    let mut group = Group::transfer(&format!("download {how}"), file.bytes);
    let url = format!("{}/repos/o/r/releases/assets/{asset}", tools.api);
    let dir = work.join("downloads");
    std::fs::create_dir_all(&dir)?;
    let out = dir.join("out.bin");
    let removes = |path: PathBuf| {
        move || {
            remove_if_there(&path)?;
            settle()
        }
    };
    let curl_script = r#"curl -sS -L -H "Accept: application/octet-stream" -o "$1" "$2""#;
    let curl = group.peer(
        "curl -L -o",
        Job::shell(curl_script)
            .arg(&out)
            .arg(&url)
            .prepare(removes(out.clone())),
    );
    let checked = group.peer(
        "curl -L -o, then sha256sum",
        Job::shell(&format!(r#"{curl_script} && sha256sum "$1" >/dev/null"#))
            .arg(&out)
            .arg(&url)
            .prepare(removes(out.clone())),
    );
    let library = group.ours(
        "github-release-assets (library), verified",
        tools
            .client("download")
            .args(["--asset-id", &asset.to_string(), "--digest", &file.digest])
            .args(["--size", &file.bytes.to_string(), "--file"])
            .arg(&out)
            .prepare(removes(out.clone())),
    );
    let saved = dir.join(stand_in::transfer_name(file, asset));
    let tool = group.ours(
        "release-assets download (tool), verified",
        tools
            .tool()
            .args(["download", "--release", &stand_in::TRANSFERS.to_string()])
            .args([
                "--asset-id",
                &asset.to_string(),
                "--require-digest",
                "--dir",
            ])
            .arg(&dir)
            .arg("o/r")
            .prepare(removes(saved)),
    );
    for ours in [library, tool] {
        group.compare(ours, curl, Some(TRANSFER_SPEED));
        group.compare(ours, checked, Some(VERIFIED_SPEED));
    }
    Ok(group)
}

/// Listing or gets: the library against raw reqwest, both timed inside their process, each
/// process taking the median of several repetitions. 1,000 gets take about 0.12 s, and the
/// host's speed drifts between processes a few seconds apart: with 5 repetitions a process
/// the pairs' ratios spread from 0.70x to 1.09x, with 15 from 0.86x to 1.13x. Such a spread
/// makes the median of 15 pairs uncertain by about 3%, more than the gets' margin (the
/// gets measured 0.97x over 96 pairs alternating in one process), so the pairs are
/// doubled, each from shorter processes (11 repetitions), closer in time.
fn api_group(tools: &Tools, name: &str, task: &str) -> Group {
    let mut group = Group::new(name, None);
    group.runs_per_run = 6;
    let arguments = |job: Job| match task {
        "list" => job.args([
            "--release",
            &stand_in::LISTING.to_string(),
            "--repeat",
            "21",
        ]),
        _ => job.args([
            "--repeat",
            "11",
            "--first-id",
            &stand_in::FIRST_LISTED_ID.to_string(),
            "--count",
            &stand_in::LISTED.to_string(),
        ]),
    };
    let peer = group.peer(
        "reqwest + serde_json, same headers",
        arguments(tools.client(&format!("{task}-reqwest"))).timed_inside(),
    );
    let library = group.ours(
        "github-release-assets (library)",
        arguments(tools.client(task)).timed_inside(),
    );
    group.compare(library, peer, Some(API_SPEED));
    group
}

fn uploads_at_once(
    tools: &Tools,
    work: &Path,
    file: &stand_in::File,
) -> Result<Group, Box<dyn std::error::Error>> {
    let mut group = Group::new(
        format!(
            "{UPLOADS_AT_ONCE} uploads at once, {} each",
            size_name(file.bytes)
        ),
        Some(file.bytes * UPLOADS_AT_ONCE as u64),
    );
    // The tool uploads files under their own names: links to the one file.
    let dir = work.join("at-once");
    std::fs::create_dir_all(&dir)?;
    let mut names = Vec::new();
    for i in 0..UPLOADS_AT_ONCE {
        let link = dir.join(format!("at-once-{i}.bin"));
        remove_if_there(&link)?;
        std::fs::hard_link(&file.path, &link)?;
        names.push(link);
    }
    let mut curl = Job::new("curl").args([
        "-sS",
        "-Z",
        "--parallel-max",
        &UPLOADS_AT_ONCE.to_string(),
        "-X",
        "POST",
        "-H",
        "Content-Type: application/octet-stream",
    ]);
    for (i, name) in names.iter().enumerate() {
        curl = curl
            .arg("-T")
            .arg(name)
            .args(["-o", "/dev/null"])
            .arg(format!(
                "{}/repos/o/r/releases/{}/assets?name=at-once-{i}.bin",
                tools.api,
                stand_in::TRANSFERS
            ));
    }
    let curl = group.peer("curl -Z (one process)", curl);
    let library = group.ours(
        "github-release-assets (library)",
        tools
            .client("uploads-at-once")
            .arg("--file")
            .arg(&file.path)
            .args(["--count", &UPLOADS_AT_ONCE.to_string()]),
    );
    let tool = group.ours(
        "release-assets upload --concurrency 8 (tool)",
        tools
            .tool()
            .args(["upload", "--concurrency", &UPLOADS_AT_ONCE.to_string()])
            .args(["--release", &stand_in::TRANSFERS.to_string(), "o/r"])
            .args(&names),
    );
    group.compare(library, curl, None);
    group.compare(tool, curl, None);
    Ok(group)
}

fn downloads_at_once(tools: &Tools, work: &Path) -> Result<Group, Box<dyn std::error::Error>> {
    let count = stand_in::MANY as u64;
    let mut group = Group::new(
        format!("{count} downloads at once, {MANY_MIB} MiB each"),
        Some(count * (MANY_MIB << 20)),
    );
    let dir = work.join("many");
    let fresh = |dir: PathBuf| {
        move || {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::create_dir_all(&dir)?;
            settle()
        }
    };
    let mut curl = Job::new("curl").args([
        "-sS",
        "-Z",
        "--parallel-max",
        &count.to_string(),
        "-L",
        "-H",
        "Accept: application/octet-stream",
    ]);
    for id in stand_in::MANY_IDS {
        curl = curl
            .arg("-o")
            .arg(dir.join(format!("many-{id}.bin")))
            .arg(format!("{}/repos/o/r/releases/assets/{id}", tools.api));
    }
    let curl = group.peer("curl -Z (one process)", curl.prepare(fresh(dir.clone())));
    let library = group.ours(
        "github-release-assets (library), verified",
        tools
            .client("downloads-at-once")
            .args(["--release", &stand_in::MANY_RELEASE.to_string(), "--dir"])
            .arg(&dir)
            .prepare(fresh(dir.clone())),
    );
    let tool = group.ours(
        &format!(
            "release-assets download --concurrency {TOOL_CONCURRENCY} (tool; its most), verified"
        ),
        tools
            .tool()
            .args(["download", "--concurrency", &TOOL_CONCURRENCY.to_string()])
            .args(["--release", &stand_in::MANY_RELEASE.to_string()])
            .args(["--require-digest", "--dir"])
            .arg(&dir)
            .arg("o/r")
            .prepare(fresh(dir.clone())),
    );
    group.compare(library, curl, None);
    group.compare(tool, curl, None);
    Ok(group)
}

/// `cargo xtask regenerate --check`, and `subset --check` when the upstream description
/// is beside the project: as a user runs them (cargo's look at what to rebuild included).
fn regenerate_group(root: &Path, cargo: &str) -> Group {
    let mut group = Group::new("regenerate", None);
    let manifest = root.join("Cargo.toml");
    let xtask = |args: &[&str]| {
        let (cargo, manifest) = (cargo.to_owned(), manifest.clone());
        Job::new(&cargo)
            .args(["run", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .args(["--package", "xtask", "--"])
            .args(args.iter().copied())
            // Built before the clock starts: a user runs it built, after the first time.
            .prepare(move || {
                Command::new(&cargo)
                    .args(["build", "--quiet", "--manifest-path"])
                    .arg(&manifest)
                    .args(["--package", "xtask"])
                    .status()
                    .map(drop)
            })
    };
    let check = group.ours(
        "cargo xtask regenerate --check",
        xtask(&["regenerate", "--check"]),
    );
    group.within(check, REGENERATE_CHECK_SECONDS);
    let upstream = root.join("../shared/upstream/api.github.com.json.gz");
    if upstream.exists() {
        let from = upstream.to_string_lossy().into_owned();
        group.ours(
            "cargo xtask subset --check (from GitHub's full description)",
            xtask(&["subset", "--check", "--from", &from]),
        );
    }
    group
}

/// Generating GitHub's whole description (`../shared/upstream`, when it is there): this
/// generator against progenitor alone on the operations progenitor alone generates (each
/// tried alone; the same description for both), and this generator on all of it.
fn generate_group(root: &Path, work: &Path) -> Result<Option<Group>, Box<dyn std::error::Error>> {
    let upstream = root.join("../shared/upstream/api.github.com.json.gz");
    if !upstream.exists() {
        return Ok(None);
    }
    // This process is the optimized xtask (see `run`): both sides run it.
    let xtask = std::env::current_exe()?;
    let cut = work.join("progenitor-generates.json");
    let started = std::time::Instant::now();
    let (generable, total) = crate::progenitor_alone::cut(&upstream, &cut)?;
    println!(
        "bench: progenitor alone generates {generable} of api.github.com's {total} operations, each alone ({:.0} s to find)",
        started.elapsed().as_secs_f64()
    );
    let mut group = Group::new(
        format!("generate api.github.com ({generable} operations progenitor alone generates)"),
        None,
    );
    // `generate` writes only under `target/`, which `work` is in.
    let ours = group.ours(
        "cargo xtask generate",
        Job::new(&xtask)
            .args(["generate", "--spec"])
            .arg(&cut)
            .arg("--out")
            .arg(work.join("generated-cut")),
    );
    let peer = group.peer(
        "progenitor alone (same settings, no passes or facade)",
        Job::new(&xtask)
            .args(["progenitor-alone", "--spec"])
            .arg(&cut)
            .arg("--out")
            .arg(work.join("progenitor-alone.rs")),
    );
    group.compare(ours, peer, Some(GENERATION_SPEED));
    let whole = group.ours(
        &format!("cargo xtask generate, all {total} operations"),
        Job::new(&xtask)
            .args(["generate", "--spec"])
            .arg(&upstream)
            .arg("--out")
            .arg(work.join("generated-whole")),
    );
    group.within(whole, WHOLE_API_SECONDS);
    Ok(Some(group))
}

/// `cargo check` of the crate generated from GitHub's whole description (`../shared/upstream`,
/// when it is there) against octorust's [`OCTORUST`], each crate alone (its dependencies
/// built first, off the clock, into a target directory of their own): seconds per
/// operation, with the lines of each in the group's name.
fn check_group(root: &Path, cargo: &str) -> Result<Option<Group>, Box<dyn std::error::Error>> {
    let upstream = root.join("../shared/upstream/api.github.com.json.gz");
    if !upstream.exists() {
        return Ok(None);
    }
    let dir = root.join("target/bench/check");
    let target_dir = dir.join("target");
    let ours_dir = dir.join("api.github.com");
    let generated = Command::new(std::env::current_exe()?)
        .args(["generate", "--spec"])
        .arg(&upstream)
        .arg("--out")
        .arg(&ours_dir)
        .status()?;
    if !generated.success() {
        return Err("generating the whole API's crate failed (above)".into());
    }
    let probe = dir.join("octorust-probe");
    std::fs::create_dir_all(probe.join("src"))?;
    std::fs::write(
        probe.join("Cargo.toml"),
        format!(
            "[package]\nname = \"octorust-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\noctorust = \"={OCTORUST}\"\n\n[workspace]\n"
        ),
    )?;
    std::fs::write(probe.join("src/lib.rs"), "pub use octorust;\n")?;
    let check = |manifest: PathBuf, package: String, features: &[&str]| {
        let (cargo, target_dir) = (cargo.to_owned(), target_dir.clone());
        let clean_manifest = manifest.clone();
        Job::new(&cargo)
            .args(["check", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .args(features)
            .arg("--target-dir")
            .arg(&target_dir)
            // Cargo compiles a registry dependency (octorust here, either crate in a user's
            // build) without incremental state, but the package it is run in with it: the
            // same for both, as users get them.
            .env("CARGO_INCREMENTAL", "0")
            // Only the crate itself is checked again, each run.
            .prepare(move || {
                Command::new(&cargo)
                    .args(["clean", "--quiet", "-p", &package, "--manifest-path"])
                    .arg(&clean_manifest)
                    .arg("--target-dir")
                    .arg(&target_dir)
                    .status()
                    .map(drop)
            })
    };
    for manifest in [ours_dir.join("Cargo.toml"), probe.join("Cargo.toml")] {
        println!("bench: building the dependencies of {}", manifest.display());
        let built = Command::new(cargo)
            .args(["check", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target_dir)
            .status()?;
        if !built.success() {
            return Err(format!("cargo check of {} failed", manifest.display()).into());
        }
    }
    let ours_lines = lines_in(&ours_dir.join("src"))?;
    let ours_operations = codegen::progenitor_alone::operations(&serde_json::from_slice(
        &crate::subset::read_upstream(&upstream)?,
    )?)
    .len();
    let octorust_src = octorust_source(cargo, &probe)?;
    let octorust_lines = lines_in(&octorust_src)?;
    let octorust_operations = octorust_operations(&octorust_src)?;
    let mut group = Group::new(
        format!(
            "cargo check: api.github.com's crate ({ours_operations} operations, {ours_lines} lines, {} an operation) vs octorust {OCTORUST} ({octorust_operations} operations, {octorust_lines} lines, {} an operation)",
            ours_lines / ours_operations.max(1),
            octorust_lines / octorust_operations.max(1)
        ),
        None,
    );
    let ours = group.ours(
        "cargo check, the whole API's crate",
        check(
            ours_dir.join("Cargo.toml"),
            crate::generate::crate_name(&ours_dir),
            &[],
        ),
    );
    let one_tag = group.ours(
        &format!("cargo check, the whole API's crate with the {ONE_TAG} feature alone"),
        check(
            ours_dir.join("Cargo.toml"),
            crate::generate::crate_name(&ours_dir),
            &["--no-default-features", "--features", ONE_TAG],
        ),
    );
    let peer = group.peer(
        &format!("cargo check, octorust {OCTORUST}"),
        check(probe.join("Cargo.toml"), "octorust".to_owned(), &[]),
    );
    group.compare(one_tag, ours, Some(ONE_TAG_SPEED));
    group.compare_per(
        ours,
        peer,
        Some(CHECK_SPEED_PER_OPERATION),
        ours_operations as f64 / octorust_operations.max(1) as f64,
    );
    Ok(Some(group))
}

/// Lines of the `.rs` files under `dir`.
fn lines_in(dir: &Path) -> std::io::Result<usize> {
    let mut lines = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            lines += lines_in(&path)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            lines += std::fs::read_to_string(&path)?.lines().count();
        }
    }
    Ok(lines)
}

/// Where cargo unpacked octorust's source for the probe.
fn octorust_source(cargo: &str, probe: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(probe.join("Cargo.toml"))
        .output()?;
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "octorust")
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|m| Path::new(m).parent())
        .map(|d| d.join("src"))
        .ok_or_else(|| "cargo metadata does not list octorust".into())
}

/// octorust's operations: its `pub async fn`s that send a request, less the `_all`
/// variants that follow every page of another ("As opposed to `X`, this function returns
/// all the pages"), and its token exchange (`auth.rs`).
fn octorust_operations(src: &Path) -> std::io::Result<usize> {
    let mut count = 0usize;
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n == "auth.rs") {
            continue;
        }
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)?;
            count += text.matches("pub async fn").count();
            count =
                count.saturating_sub(text.matches("this function returns all the pages").count());
        }
    }
    Ok(count)
}

/// "100 MiB", "1 GiB".
pub fn size_name(bytes: u64) -> String {
    let mib = bytes >> 20;
    if mib >= 1024 && mib.is_multiple_of(1024) {
        format!("{} GiB", mib / 1024)
    } else {
        format!("{mib} MiB")
    }
}

/// Waits for every written byte to be on disk (`sync`), before a run that writes files and
/// off its clock: curl does not sync, and the gigabyte it leaves in memory would otherwise
/// be written out during the next run, charged to whichever tool runs next (this crate's
/// download syncs, so it would wait for curl's bytes as well as its own).
fn settle() -> std::io::Result<()> {
    let status = Command::new("sync").status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("sync: {status}")))
    }
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Keeps every thread of this process (the stand-in's included) on `cpu`.
fn pin_this_process(cpu: usize) -> Result<(), Box<dyn std::error::Error>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 {
        return Err("--pin needs two CPUs: one for the stand-in, one for the tool measured".into());
    }
    let pinned = Command::new("taskset")
        .args([
            "-a",
            "-p",
            "-c",
            &cpu.to_string(),
            &std::process::id().to_string(),
        ])
        .stdout(std::process::Stdio::null())
        .status()?;
    if !pinned.success() {
        return Err("taskset could not pin the stand-in (is util-linux installed?)".into());
    }
    Ok(())
}

/// Writes a file of `mib` MiB of varied bytes (not sparse: every byte is read from the
/// page cache like a real asset's) and its digest.
fn file(dir: &Path, name: &str, mib: u64) -> std::io::Result<stand_in::File> {
    use sha2::Digest;
    let path = dir.join(name);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut hasher = sha2::Sha256::new();
    let mut block = vec![0_u8; 1 << 20];
    for i in 0..mib {
        for (j, byte) in block.iter_mut().enumerate() {
            *byte = (j as u64).wrapping_mul(2_654_435_761).wrapping_add(i) as u8;
        }
        hasher.update(&block);
        out.write_all(&block)?;
    }
    out.flush()?;
    Ok(stand_in::File {
        path,
        bytes: mib << 20,
        digest: format!("sha256:{:x}", hasher.finalize()),
    })
}
