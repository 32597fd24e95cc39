//! `cargo xtask bench`: uploads of a large file to a loopback sink, by this crate, by
//! plain reqwest (4 MiB chunks), by `curl -T`, and by `curl -T` followed by `sha256sum`;
//! then downloads of it, answered 200 by the API or 302 to a storage path, by this crate
//! (verified against the digest while streaming), by `curl -L -o`, and by `curl -L -o`
//! followed by `sha256sum`; all measured in the same run.
//!
//! The crate checks every upload: it computes the sha256 of the bytes while sending them
//! and compares it with the digest GitHub answers with. Its like-for-like peer is therefore
//! curl followed by `sha256sum` of the file (what a script does to check an upload); bare
//! `curl -T` and reqwest check nothing, and their ratios show what the check costs.
//!
//! The machines are shared and noisy, so absolute times mean little: what is reported is
//! this crate's time as a ratio of each peer's, the best of several interleaved runs each
//! (every tool a process, timed from outside), and its peak resident memory. It fails when
//! the crate is slower than curl with sha256sum or its memory is over the limit, whatever
//! the file's size.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use futures_util::StreamExt;
use serde_json::Value;

/// Options of `cargo xtask bench`.
pub struct Options {
    /// The file's size in MiB.
    pub size_mib: u64,
    /// Runs of each tool; the best counts.
    pub runs: u32,
}

/// One timed run: seconds, and the peak resident memory (KiB) when the tool reports it.
type Measure = Box<dyn FnMut() -> Result<(f64, Option<u64>), Box<dyn std::error::Error>>>;

/// Peak resident memory the crate may use for an upload, whatever the file's size.
const RSS_LIMIT_KIB: u64 = 32 * 1024;

pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "github-release-assets",
            "--example",
            "bench_transfer",
        ])
        .current_dir(root)
        .status()?;
    if !built.success() {
        return Err("building the bench_transfer example failed".into());
    }
    let runner = root.join("target/release/examples/bench_transfer");

    let dir = tempfile::tempdir_in(root.join("target"))?;
    let file = dir.path().join("big.bin");
    write_file(&file, options.size_mib)?;
    let bytes = options.size_mib << 20;
    // GitHub answers an upload with the bytes' digest, which the crate checks against the
    // sha256 it computes while sending. The sink gives it too, computed here once, so the
    // sink spends no time hashing while it is measured.
    let digest = format!("sha256:{}", sha256_of(&file)?);
    let served = file.clone();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let sink = format!("http://{}", listener.local_addr()?);
    let upload_digest = digest.clone();
    runtime.spawn(async move {
        use axum::routing::get;
        let (api, storage) = (served.clone(), served);
        let router = axum::Router::new()
            // Asset 1 is answered by the API itself; asset 2 by a redirect to storage.
            .route(
                "/repos/o/r/releases/assets/1",
                get(move || serve_file(api.clone())),
            )
            .route(
                "/repos/o/r/releases/assets/2",
                get(|| async { axum::response::Redirect::to("/storage/big.bin?sig=bench") }),
            )
            .route("/storage/big.bin", get(move || serve_file(storage.clone())))
            .fallback(move |request| drain(request, upload_digest.clone()));
        let _ = axum::serve(listener, router).await;
    });

    let url = format!("{sink}/repos/o/r/releases/1/assets?name=big.bin");
    let curl_file = file.clone();
    let mut curl_upload = curl_command(&url);
    let curl: Measure = Box::new(move || {
        let started = Instant::now();
        if !curl_upload(&curl_file)? {
            return Err("curl failed (is it installed?)".into());
        }
        Ok((started.elapsed().as_secs_f64(), None))
    });
    let checked_file = file.clone();
    let mut curl_then_hash = curl_command(&url);
    let checked: Measure = Box::new(move || {
        let started = Instant::now();
        let uploaded = curl_then_hash(&checked_file)?;
        let hashed = Command::new("sha256sum")
            .arg(&checked_file)
            .stdout(std::process::Stdio::null())
            .status()?;
        if !uploaded || !hashed.success() {
            return Err("curl or sha256sum failed (are they installed?)".into());
        }
        Ok((started.elapsed().as_secs_f64(), None))
    });
    let tool = |mode: &'static str| {
        let (runner, sink, file) = (runner.clone(), sink.clone(), file.clone());
        Box::new(move || {
            let mut command = Command::new(&runner);
            command
                .args(["--mode", mode, "--sink", &sink, "--file"])
                .arg(&file);
            time_example(command)
        }) as Measure
    };
    let mut tools: [Tool; 4] = [
        ("curl -T", curl, f64::INFINITY, None),
        ("curl -T, then sha256sum", checked, f64::INFINITY, None),
        (
            "reqwest, 4 MiB chunks",
            tool("reqwest"),
            f64::INFINITY,
            None,
        ),
        ("github-release-assets", tool("client"), f64::INFINITY, None),
    ];
    interleave(&mut tools, options.runs, bytes)?;
    let [
        (_, _, curl, _),
        (_, _, checked, _),
        (_, _, reqwest, _),
        (_, _, client, rss),
    ] = tools;

    println!(
        "bench: {} MiB upload, checked: github-release-assets takes {:.2}x the time of curl then sha256sum; unchecked peers: {:.2}x curl's, {:.2}x raw reqwest's; peak RSS {} MiB (limit {} MiB)",
        options.size_mib,
        client / checked,
        client / curl,
        client / reqwest,
        rss.unwrap_or(0) / 1024,
        RSS_LIMIT_KIB / 1024
    );
    let downloads = downloads(&runner, &sink, &dir, &digest, options)?;
    // The requirement: a checked upload at least as fast as curl's upload checked with
    // sha256sum (best of interleaved runs, so a busy moment hits all alike).
    if client > checked {
        return Err(format!(
            "this crate took {:.2}x the time of curl then sha256sum: slower",
            client / checked
        )
        .into());
    }
    for peak in std::iter::once(rss).chain(downloads) {
        if peak.unwrap_or(0) > RSS_LIMIT_KIB {
            return Err(format!(
                "peak RSS {} KiB is over {RSS_LIMIT_KIB} KiB",
                peak.unwrap_or(0)
            )
            .into());
        }
    }
    Ok(())
}

/// A tool's label, its run, its best time and its peak memory.
type Tool = (&'static str, Measure, f64, Option<u64>);

/// Runs the tools in turns (one, two, three, one, …) so that what else the shared machine
/// does weighs on all alike, keeps each one's best time and highest peak, and prints them.
fn interleave(tools: &mut [Tool], runs: u32, bytes: u64) -> Result<(), Box<dyn std::error::Error>> {
    for _ in 0..runs.max(1) {
        for (_, once, fastest, rss) in tools.iter_mut() {
            let (seconds, peak) = once()?;
            *fastest = fastest.min(seconds);
            *rss = (*rss).max(peak);
        }
    }
    for (label, _, fastest, rss) in tools.iter() {
        println!(
            "bench: {label:<37} best {fastest:>7.3} s  {:>8.0} MiB/s{}",
            (bytes as f64 / (1 << 20) as f64) / fastest,
            rss.map(|r| format!("  peak RSS {} MiB", r / 1024))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// Downloads of the file, answered 200 (asset 1) and by a 302 to storage (asset 2): this
/// crate, verified while streaming, against `curl -L -o` and `curl -L -o` then
/// `sha256sum`. Prints the ratios; returns the crate's peak memory of each.
fn downloads(
    runner: &Path,
    sink: &str,
    dir: &tempfile::TempDir,
    digest: &str,
    options: &Options,
) -> Result<Vec<Option<u64>>, Box<dyn std::error::Error>> {
    let bytes = options.size_mib << 20;
    let out = dir.path().join("downloaded.bin");
    let mut peaks = Vec::new();
    for (asset, how) in [(1, "200"), (2, "302 to storage")] {
        let url = format!("{sink}/repos/o/r/releases/assets/{asset}");
        let curl = |then_hash: bool| {
            let (url, out) = (url.clone(), out.clone());
            Box::new(move || {
                let _ = std::fs::remove_file(&out);
                let started = Instant::now();
                let fetched = Command::new("curl")
                    .args(["-sS", "-L", "-H", "Accept: application/octet-stream", "-o"])
                    .arg(&out)
                    .arg(&url)
                    .status()?;
                let hashed = !then_hash
                    || Command::new("sha256sum")
                        .arg(&out)
                        .stdout(std::process::Stdio::null())
                        .status()?
                        .success();
                if !fetched.success() || !hashed {
                    return Err("curl or sha256sum failed (are they installed?)".into());
                }
                Ok((started.elapsed().as_secs_f64(), None))
            }) as Measure
        };
        let crate_run = {
            let (runner, sink, out, digest) = (
                runner.to_owned(),
                sink.to_owned(),
                out.clone(),
                digest.to_owned(),
            );
            Box::new(move || {
                let _ = std::fs::remove_file(&out);
                let mut command = Command::new(&runner);
                command
                    .args(["--mode", "download", "--sink", &sink, "--asset-id"])
                    .arg(asset.to_string())
                    .args(["--digest", &digest, "--size"])
                    .arg(bytes.to_string())
                    .arg("--file")
                    .arg(&out);
                time_example(command)
            }) as Measure
        };
        let mut tools: [Tool; 3] = [
            ("download, curl -L -o", curl(false), f64::INFINITY, None),
            (
                "download, curl -L -o, then sha256sum",
                curl(true),
                f64::INFINITY,
                None,
            ),
            (
                "download, github-release-assets",
                crate_run,
                f64::INFINITY,
                None,
            ),
        ];
        interleave(&mut tools, options.runs, bytes)?;
        let [(_, _, curl, _), (_, _, checked, _), (_, _, client, rss)] = tools;
        println!(
            "bench: {} MiB download ({how}), verified: github-release-assets takes {:.2}x the time of curl then sha256sum, {:.2}x bare curl's; peak RSS {} MiB",
            options.size_mib,
            client / checked,
            client / curl,
            rss.unwrap_or(0) / 1024,
        );
        peaks.push(rss);
    }
    Ok(peaks)
}

/// Runs the `bench_transfer` example as `command`, timed from outside (process start
/// included, as curl's is): seconds, and the peak memory it reports.
fn time_example(mut command: Command) -> Result<(f64, Option<u64>), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let output = command.output()?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned().into());
    }
    let line: Value = serde_json::from_slice(&output.stdout)?;
    Ok((seconds, line["peak_rss_kib"].as_u64()))
}

/// The file, streamed as an asset's bytes.
async fn serve_file(path: std::path::PathBuf) -> axum::response::Response {
    let Ok(file) = tokio::fs::File::open(&path).await else {
        return axum::response::Response::builder()
            .status(500)
            .body(axum::body::Body::empty())
            .unwrap_or_default();
    };
    let length = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 1 << 20);
    axum::response::Response::builder()
        .header("content-type", "application/octet-stream")
        .header("content-length", length)
        .body(axum::body::Body::from_stream(stream))
        .unwrap_or_default()
}

/// Writes `mib` MiB of varied bytes (not a sparse file: every byte is read from the page
/// cache like a real asset's).
fn write_file(path: &Path, mib: u64) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut block = vec![0_u8; 1 << 20];
    for i in 0..mib {
        for (j, byte) in block.iter_mut().enumerate() {
            *byte = (j as u64).wrapping_mul(2_654_435_761).wrapping_add(i) as u8;
        }
        file.write_all(&block)?;
    }
    file.flush()
}

/// `curl -T FILE -X POST` to `url` (streamed from the file; `--data-binary @file` would
/// read it into memory first): whether it succeeded.
fn curl_command(url: &str) -> impl FnMut(&Path) -> std::io::Result<bool> + use<> {
    let url = url.to_owned();
    move |file| {
        Command::new("curl")
            .args([
                "-sS",
                "-o",
                "/dev/null",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/octet-stream",
                "-T",
            ])
            .arg(file)
            .arg(&url)
            .status()
            .map(|s| s.success())
    }
}

/// The sha256 of a file, hex.
fn sha256_of(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0_u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(format!("{:x}", hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

/// The sink: reads the whole body and answers as GitHub's upload does, with `digest` (the
/// file's, known beforehand).
async fn drain(request: axum::extract::Request, digest: String) -> axum::response::Response {
    let mut body = request.into_body().into_data_stream();
    let mut size = 0_u64;
    while let Some(Ok(chunk)) = body.next().await {
        size += chunk.len() as u64;
    }
    let mut asset = conformance::description::example("release-asset").unwrap_or_default();
    asset["size"] = size.into();
    asset["name"] = "big.bin".into();
    asset["digest"] = digest.into();
    axum::response::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            serde_json::to_vec(&asset).unwrap_or_default(),
        ))
        .unwrap_or_default()
}
