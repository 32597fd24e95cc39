//! One measured task against a loopback stand-in for GitHub, for `cargo xtask bench`, done
//! by this crate or by its raw peer (plain reqwest and serde_json, the same headers). Prints
//! one JSON line: the task, and the seconds spent on it in this process (the bench takes
//! memory and CPU from GNU time).
//!
//! Tasks (`--task`): `upload` / `upload-unchecked` (without the digest check) /
//! `upload-reqwest` (`--file`); `download` (`--asset-id`,
//! `--digest`, `--size`, `--file`), verified while streaming; `list` / `list-reqwest` (every
//! asset of `--release`); `gets` / `gets-reqwest` (`--count` sequential gets of assets from
//! `--first-id` on); `uploads-at-once` (`--file` under `--count` names at once) and
//! `downloads-at-once` (every asset of `--release` into `--dir` at once).

use std::future::IntoFuture;
use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use github_release_assets::types::{Release, ReleaseAsset};
use github_release_assets::{API_VERSION, AssetId, Client, RetryPolicy};

/// The token both sides send: the stand-in checks nothing, but the header costs the same.
const TOKEN: &str = "bench-token";

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .ok_or_else(|| format!("missing {name}"))
    };
    let (task, api) = (arg("--task")?, arg("--api")?);
    let client = Client::builder(&api)
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()?;
    let repo = client.repo("o", "r");
    // Both clients are built before the clock starts: building reqwest's own loads the
    // system's root certificates, which is no part of the task. The peer's only for the
    // peer's tasks: a transfer is timed as a whole process, which must not pay for it.
    let raw = task.ends_with("-reqwest").then(raw_client).transpose()?;
    let raw = || raw.as_ref().ok_or("a peer's task needs the peer's client");
    // A short task runs `--repeat` times on the same connection; its median counts.
    let repeat: usize = arg("--repeat").map_or(Ok(1), |r| r.parse())?;
    // The release listed is made before the clock starts, as the peer has its URL ready.
    let listed = match arg("--release") {
        Ok(id) => Some(repo.release_from(release(&api, id.parse()?)?)),
        Err(_) => None,
    };
    let mut times = Vec::new();
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        let _items: u64 = match task.as_str() {
            "upload" | "upload-unchecked" => {
                let file = arg("--file")?;
                let mut upload = repo
                    .release_from(release(&api, 1)?)
                    .upload(&file)
                    .name("big.bin")
                    .content_type("application/octet-stream");
                if task == "upload-unchecked" {
                    upload = upload.skip_digest_check();
                }
                upload.await?;
                1
            }
            "upload-reqwest" => {
                let file = arg("--file")?;
                let length = std::fs::metadata(&file)?.len();
                let handle = tokio::fs::File::open(&file).await?;
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
                    handle,
                    4 << 20,
                ));
                let response = raw()?
                    .post(format!("{api}/repos/o/r/releases/1/assets?name=big.bin"))
                    .header("content-type", "application/octet-stream")
                    .header("content-length", length)
                    .body(body)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    return Err(format!("the stand-in answered {}", response.status()).into());
                }
                1
            }
            "download" => {
                let mut asset =
                    conformance::description::example("release-asset").ok_or("no asset example")?;
                asset["id"] = arg("--asset-id")?.parse::<i64>()?.into();
                asset["size"] = arg("--size")?.parse::<i64>()?.into();
                asset["digest"] = arg("--digest")?.into();
                asset["name"] = "big.bin".into();
                repo.asset_from(serde_json::from_value(asset)?)
                    .download_to(arg("--file")?)
                    .require_digest()
                    .await?;
                1
            }
            "list" => {
                listed
                    .as_ref()
                    .ok_or("missing --release")?
                    .assets()
                    .try_fold(0, |n, _| async move { Ok(n + 1) })
                    .await?
            }
            "list-reqwest" => {
                let mut next = Some(format!(
                    "{api}/repos/o/r/releases/{}/assets?per_page=100",
                    arg("--release")?
                ));
                let mut n = 0;
                while let Some(url) = next.take() {
                    let response = raw()?.get(&url).send().await?.error_for_status()?;
                    next = next_page(response.headers());
                    let page: Vec<ReleaseAsset> = serde_json::from_slice(&response.bytes().await?)?;
                    n += page.len() as u64;
                }
                n
            }
            "gets" => {
                let (first, count) = (arg("--first-id")?.parse::<i64>()?, arg("--count")?.parse()?);
                for id in (first..).take(count) {
                    // One GET each, as the peer's: what a user's `repo.asset(id)` sends.
                    let asset = repo.asset(AssetId::new(id)).await?;
                    assert_eq!(asset.asset_id(), AssetId::new(id));
                }
                count as u64
            }
            "gets-reqwest" => {
                let (first, count) = (arg("--first-id")?.parse::<i64>()?, arg("--count")?.parse()?);
                for id in (first..).take(count) {
                    let response = raw()?
                        .get(format!("{api}/repos/o/r/releases/assets/{id}"))
                        .send()
                        .await?
                        .error_for_status()?;
                    let asset: ReleaseAsset = serde_json::from_slice(&response.bytes().await?)?;
                    assert_eq!(asset.id, id);
                }
                count as u64
            }
            "uploads-at-once" => {
                let (file, count) = (arg("--file")?, arg("--count")?.parse::<usize>()?);
                let release = repo.release_from(release(&api, 1)?);
                futures_util::stream::iter(0..count)
                    .map(|i| {
                        release
                            .upload(&file)
                            .name(format!("at-once-{i}.bin"))
                            .content_type("application/octet-stream")
                            .into_future()
                    })
                    .buffer_unordered(count)
                    .try_fold(0, |n, _| async move { Ok(n + 1) })
                    .await?
            }
            "downloads-at-once" => {
                let dir = std::path::PathBuf::from(arg("--dir")?);
                let release = repo.release_from(release(&api, arg("--release")?.parse()?)?);
                let assets: Vec<_> = release.assets().try_collect().await?;
                futures_util::stream::iter(assets)
                    .map(|asset| {
                        let path = dir.join(&asset.name);
                        async move { asset.download_to(path).require_digest().await }
                    })
                    .buffer_unordered(100)
                    .try_fold(0, |n, _| async move { Ok(n + 1) })
                    .await?
            }
            other => return Err(format!("unknown task {other}").into()),
        };
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let seconds = times[times.len() / 2];
    println!("{}", serde_json::json!({"task": task, "seconds": seconds}));
    Ok(())
}

/// Release `id` of the stand-in, whose uploads go to its own origin.
fn release(api: &str, id: i64) -> Result<Release, Failure> {
    let mut release = conformance::description::example("release").ok_or("no release example")?;
    release["id"] = id.into();
    release["upload_url"] = format!("{api}/repos/o/r/releases/{id}/assets{{?name,label}}").into();
    release["immutable"] = false.into();
    Ok(serde_json::from_value(release)?)
}

/// A reqwest client sending what this crate sends: GitHub's media type, the API version,
/// a user agent and the token.
fn raw_client() -> Result<reqwest::Client, Failure> {
    use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/vnd.github+json"),
    );
    headers.insert(
        "x-github-api-version",
        HeaderValue::from_static(API_VERSION),
    );
    headers.insert(AUTHORIZATION, format!("Bearer {TOKEN}").parse()?);
    Ok(reqwest::Client::builder()
        .user_agent("raw-reqwest-bench")
        .default_headers(headers)
        .build()?)
}

/// The `rel="next"` URL of a `Link` header, as a hand-written client would find it.
fn next_page(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}
