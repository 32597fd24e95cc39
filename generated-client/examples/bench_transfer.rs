//! One transfer of a large file on loopback, for `cargo xtask bench`: an upload with this
//! crate (`--mode client`) or with plain reqwest streaming 4 MiB chunks (`--mode reqwest`),
//! or a download with this crate to `--file`, verified against the asset's digest
//! (`--mode download --asset-id ID --digest sha256:… --size N`). Prints one JSON line:
//! mode, seconds, peak RSS.

use std::time::Instant;

use github_release_assets::types::Release;
use github_release_assets::{Client, RetryPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .ok_or_else(|| format!("missing {name}"))
    };
    let (mode, sink, file) = (arg("--mode")?, arg("--sink")?, arg("--file")?);
    if mode == "download" {
        let mut asset =
            conformance::description::example("release-asset").ok_or("no asset example")?;
        asset["id"] = arg("--asset-id")?.parse::<i64>()?.into();
        asset["size"] = arg("--size")?.parse::<i64>()?.into();
        asset["digest"] = arg("--digest")?.into();
        asset["name"] = "big.bin".into();
        let client = Client::builder(&sink).retry(RetryPolicy::none()).build()?;
        let started = Instant::now();
        let saved = client
            .repo("o", "r")
            .asset_from(serde_json::from_value(asset)?)
            .download_to(&file)
            .require_digest()
            .await?;
        return report(&mode, saved.size, started);
    }
    let length = std::fs::metadata(&file)?.len();
    let started = Instant::now();
    match mode.as_str() {
        "client" => {
            let mut release =
                conformance::description::example("release").ok_or("no release example")?;
            release["upload_url"] =
                format!("{sink}/repos/o/r/releases/1/assets{{?name,label}}").into();
            let release: Release = serde_json::from_value(release)?;
            let client = Client::builder(&sink).retry(RetryPolicy::none()).build()?;
            client
                .repo("o", "r")
                .release_from(release)
                .upload(&file)
                .name("big.bin")
                .content_type("application/octet-stream")
                .await?;
        }
        "reqwest" => {
            let handle = tokio::fs::File::open(&file).await?;
            let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
                handle,
                4 << 20,
            ));
            let response = reqwest::Client::new()
                .post(format!("{sink}/repos/o/r/releases/1/assets?name=big.bin"))
                .header("content-type", "application/octet-stream")
                .header("content-length", length)
                .body(body)
                .send()
                .await?;
            if !response.status().is_success() {
                return Err(format!("the sink answered {}", response.status()).into());
            }
        }
        other => return Err(format!("unknown mode {other}").into()),
    }
    report(&mode, length, started)
}

/// Prints the run's JSON line.
fn report(mode: &str, length: u64, started: Instant) -> Result<(), Box<dyn std::error::Error>> {
    let seconds = started.elapsed().as_secs_f64();
    let peak_rss_kib: u64 = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({"mode": mode, "bytes": length, "seconds": seconds, "peak_rss_kib": peak_rss_kib})
    );
    Ok(())
}
