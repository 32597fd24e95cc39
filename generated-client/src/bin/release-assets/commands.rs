//! The seven commands, each a few calls to the library.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use github_release_assets::{
    AssetHandle, AssetId, Client, Error, FileCheck, IfExists, ReleaseHandle, RepoHandle,
    RetryPolicy, UploadOutcome, github_file_name, is_asset_named, local_file_name,
};
use serde_json::{Value, json};

use crate::args::{Cli, Command, Download, Edit, Repository, Upload, WhichAsset, WhichRelease};
use crate::report::{Report, explain, size};

/// Why a command did not succeed.
pub enum Failure {
    /// The command line asks for something impossible (exit status 2).
    Usage(String),
    /// Errors were already reported, one line each (exit status 1).
    Reported,
    /// One error, to report (exit status 1).
    Error(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Error(error)
    }
}

/// How long connecting may take, as `--help` states.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the command; with `--json`, a command that fails before printing its document
/// prints `{"error": {"message", "status"}}` instead, so standard output is JSON whatever
/// happened.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let report = Report::new(cli.json);
    let result = run_command(cli, &report).await;
    if let Err(failure) = &result {
        let (message, status) = match failure {
            Failure::Usage(message) => (message.clone(), None),
            Failure::Reported => ("failed (see standard error)".to_owned(), None),
            Failure::Error(error) => (explain(error), error.status()),
        };
        let mut error = json!({ "message": message, "status": status });
        if matches!(failure, Failure::Usage(_)) {
            // The same document as for a command line clap refuses.
            error["usage"] = true.into();
        }
        report.json_unless_printed(&json!({ "error": error }));
    }
    result
}

async fn run_command(cli: Cli, report: &Report) -> Result<(), Failure> {
    let mut client = Client::builder(cli.api_url.as_str())
        .token_from_env()
        .user_agent(concat!("release-assets/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .retry(RetryPolicy::default().max_retries(cli.retries))
        .read_timeout((cli.read_timeout > 0).then(|| Duration::from_secs(cli.read_timeout)));
    if let Some(uploads) = &cli.uploads_url {
        client = client.uploads_url(uploads);
    }
    if cli.allow_http {
        client = client.allow_http();
    }
    if cli.allow_internal_redirects {
        client = client.allow_internal_redirects();
    }
    if let Some(path) = &cli.root_certificates {
        let pem = std::fs::read(path).map_err(|error| {
            Failure::Usage(format!(
                "could not read the root certificates {}: {error}",
                path.display()
            ))
        })?;
        client = client.root_certificates_pem(pem);
    }
    let client = client.build()?;
    match cli.command {
        Command::List {
            repository,
            release,
        } => list(&client, report, &repository, &release).await,
        Command::Upload(upload) => upload_files(&client, report, upload).await,
        Command::Download(download) => download_assets(&client, report, download).await,
        Command::Delete { repository, asset } => delete(&client, report, &repository, &asset).await,
        Command::Edit(edit) => edit_asset(&client, report, edit).await,
        Command::Publish {
            repository,
            release,
        } => publish(&client, report, &repository, &release.into()).await,
        Command::Verify {
            repository,
            release,
            files,
        } => verify(&client, report, &repository, &release.into(), &files).await,
    }
}

/// Each local file against the release's asset of its name: size and digest.
async fn verify(
    client: &Client,
    report: &Report,
    r: &Repository,
    which: &WhichRelease,
    files: &[PathBuf],
) -> Result<(), Failure> {
    let release = find_release(client, r, which).await?;
    let assets: Vec<AssetHandle> = release.assets().try_collect().await?;
    let mut outcomes = Vec::new();
    for path in files {
        let item = path.display().to_string();
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(Failure::Usage(format!("{item} has no file name")));
        };
        let result = match assets.iter().find(|a| is_asset_named(&a.name, &name)) {
            None => Err(format!(
                "release {} has no asset named {name:?}",
                release.tag_name
            )),
            Some(asset) => match asset.compare_file(path).await {
                Ok(FileCheck::Matches { sha256 }) => {
                    report.line(format!("{item}: matches {} (sha256:{sha256})", asset.name));
                    Ok(
                        json!({ "item": item, "status": "matches", "asset": asset.name, "sha256": sha256 }),
                    )
                }
                Ok(FileCheck::Differs(how)) => Err(format!("differs from {}: {how}", asset.name)),
                Ok(FileCheck::Unverifiable(why)) => Err(format!(
                    "cannot be verified against {}: {why} (the sizes match)",
                    asset.name
                )),
                Ok(other) => Err(format!("{other:?}")),
                Err(error) => Err(explain(&error)),
            },
        };
        outcomes.push(Outcome { item, result });
    }
    finish(report, outcomes)
}

async fn publish(
    client: &Client,
    report: &Report,
    r: &Repository,
    which: &WhichRelease,
) -> Result<(), Failure> {
    let release = find_release(client, r, which).await?;
    if !release.draft {
        report.line(format!("{} is already published", release.tag_name));
        report.json(&json!({ "status": "already published", "release": release.info() }));
        return Ok(());
    }
    let published = release.publish().await?;
    report.line(format!(
        "published {} ({} assets{})",
        published.tag_name,
        published.assets.len(),
        if published.assets_locked() {
            ", now immutable"
        } else {
            ""
        }
    ));
    report.json(&json!({ "status": "published", "release": published.info() }));
    Ok(())
}

fn repo(client: &Client, r: &Repository) -> RepoHandle {
    client.repo(r.owner.as_str(), r.repo.as_str())
}

async fn find_release(
    client: &Client,
    r: &Repository,
    which: &WhichRelease,
) -> Result<ReleaseHandle, Error> {
    // By tag, drafts included: uploads to an immutable repository go to a draft.
    repo(client, r).find_release(&which.to_ref()).await
}

async fn list(
    client: &Client,
    report: &Report,
    r: &Repository,
    which: &WhichRelease,
) -> Result<(), Failure> {
    let release = find_release(client, r, which).await?;
    let assets: Vec<AssetHandle> = release.assets().try_collect().await?;
    report.json(&json!(
        assets.iter().map(AssetHandle::info).collect::<Vec<_>>()
    ));
    report.line(format!(
        "{:>12}  {:>10}  {:<9}  {:>9}  NAME",
        "ID", "SIZE", "STATE", "DOWNLOADS"
    ));
    for asset in &assets {
        report.line(format!(
            "{:>12}  {:>10}  {:<9}  {:>9}  {}",
            asset.id,
            size(u64::try_from(asset.size).unwrap_or(0)),
            asset.state.to_string(),
            asset.download_count,
            asset.name
        ));
    }
    Ok(())
}

/// What happened to one file or asset, for the report.
struct Outcome {
    item: String,
    /// The item's JSON, or why it failed: a sentence.
    result: Result<Value, String>,
}

/// Reports each outcome's error and prints the JSON document; fails if any failed.
fn finish(report: &Report, outcomes: Vec<Outcome>) -> Result<(), Failure> {
    let mut failed = false;
    let mut document = Vec::new();
    for outcome in outcomes {
        match outcome.result {
            Ok(value) => document.push(value),
            Err(error) => {
                failed = true;
                report.item_error(&outcome.item, &error);
                document.push(
                    json!({ "item": outcome.item, "status": "failed", "error": error.to_string() }),
                );
            }
        }
    }
    report.json(&Value::Array(document));
    if failed {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

async fn upload_files(client: &Client, report: &Report, upload: Upload) -> Result<(), Failure> {
    if upload.label.is_some() && upload.files.len() > 1 {
        return Err(Failure::Usage(
            "--label names one asset: give one FILE with it".into(),
        ));
    }
    let mut names = HashSet::new();
    let mut files = Vec::new();
    for path in &upload.files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Failure::Usage(format!("{} has no file name", path.display())))?;
        // Where GitHub's renaming is known, two names it makes one collide.
        let asset_name = if name.is_ascii() {
            github_file_name(&name)
        } else {
            name.clone()
        };
        if !names.insert(asset_name.clone()) {
            return Err(Failure::Usage(format!(
                "two files would be the asset {asset_name:?}: upload them to different releases"
            )));
        }
        files.push((path.clone(), name));
    }
    let release = find_release(client, &upload.repository, &upload.release.clone().into()).await?;
    let if_exists = match (upload.clobber, upload.skip_existing) {
        (true, _) => IfExists::Replace,
        (_, true) => IfExists::Skip,
        _ => IfExists::Fail,
    };
    let label = upload.label.clone();
    let skip_digest_check = upload.skip_digest_check;
    let release = &release;
    let outcomes = futures_util::stream::iter(files)
        .map(|(path, name)| {
            let label = label.clone();
            async move {
                let item = path.display().to_string();
                let length = tokio::fs::metadata(&path)
                    .await
                    .map(|m| m.len())
                    .unwrap_or(0);
                let (bar, progress) = report.transfer(&name, length);
                let mut request = release
                    .upload(&path)
                    .name(name.as_str())
                    .if_exists(if_exists)
                    .progress(progress);
                if let Some(label) = label {
                    request = request.label(label);
                }
                if skip_digest_check {
                    request = request.skip_digest_check();
                }
                let result = request.await;
                bar.finish_and_clear();
                let result = match result {
                    Ok(uploaded) if uploaded.outcome == UploadOutcome::Kept => {
                        let asset = &uploaded.asset;
                        report.line(format!("skipped {item}: the release has {} already", asset.name));
                        Ok(
                            json!({ "item": item, "status": "skipped", "verified": false, "asset": asset.info() }),
                        )
                    }
                    Ok(uploaded) => {
                        let asset = &uploaded.asset;
                        let verified = uploaded
                            .verification
                            .as_ref()
                            .is_some_and(|v| v.is_verified());
                        let verification = uploaded
                            .verification
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default();
                        let status = match uploaded.outcome {
                            UploadOutcome::Replaced => "replaced",
                            // An earlier run of this command uploaded these bytes.
                            UploadOutcome::AlreadyUploaded => "already uploaded",
                            _ => "uploaded",
                        };
                        report.line(format!(
                            "{status} {item} as {} ({}, {verification}) {}",
                            asset.name,
                            size(u64::try_from(asset.size).unwrap_or(0)),
                            asset.browser_download_url
                        ));
                        Ok(json!({
                            "item": item,
                            "status": status,
                            "verified": verified,
                            "verification": verification,
                            "asset": asset.info(),
                        }))
                    }
                    Err(error) => Err(explain(&error)),
                };
                Outcome { item, result }
            }
        })
        .buffer_unordered(usize::from(upload.concurrency))
        .collect::<Vec<_>>()
        .await;
    finish(report, outcomes)
}

async fn download_assets(
    client: &Client,
    report: &Report,
    download: Download,
) -> Result<(), Failure> {
    let r = &download.repository;
    let release = find_release(client, r, &download.release).await?;
    let assets: Vec<AssetHandle> = release.assets().try_collect().await?;
    let everything = download.pattern.is_empty() && download.asset_id.is_empty();
    let chosen: Vec<AssetHandle> = assets
        .into_iter()
        .filter(|a| {
            everything
                || download.asset_id.contains(&a.id)
                || download.pattern.iter().any(|p| p.matches(&a.name))
        })
        .collect();
    // Asking for something the release lacks is an error, not a silent nothing.
    let mut outcomes = Vec::new();
    for id in &download.asset_id {
        if !chosen.iter().any(|a| a.id == *id) {
            outcomes.push(Outcome {
                item: format!("asset {id}"),
                result: Err(format!("release {} has no asset {id}", release.tag_name)),
            });
        }
    }
    for pattern in &download.pattern {
        if !chosen.iter().any(|a| pattern.matches(&a.name)) {
            outcomes.push(Outcome {
                item: pattern.to_string(),
                result: Err(format!("no asset of release {} matches", release.tag_name)),
            });
        }
    }
    // Two assets saved under one name (a server listing a name twice, or `A.zip` and
    // `a.zip` on a file system that ignores case) would share one file: the first wins.
    let mut targets = HashSet::new();
    let chosen: Vec<AssetHandle> = chosen
        .into_iter()
        .filter(|asset| {
            let free = targets.insert(asset.name.to_lowercase());
            if !free {
                outcomes.push(Outcome {
                    item: asset.name.clone(),
                    result: Err(format!(
                        "another asset of release {} is saved under this name; not saved (use --asset-id {})",
                        release.tag_name, asset.id
                    )),
                });
            }
            free
        })
        .collect();
    tokio::fs::create_dir_all(&download.dir)
        .await
        .map_err(|source| Error::Io {
            path: download.dir.clone(),
            source,
        })?;
    let download = &download;
    let saved = futures_util::stream::iter(chosen)
        .map(|asset| async move {
            let item = asset.name.clone();
            let result = save(report, download, &asset).await;
            Outcome { item, result }
        })
        .buffer_unordered(usize::from(download.concurrency))
        .collect::<Vec<_>>()
        .await;
    outcomes.extend(saved);
    finish(report, outcomes)
}

async fn save(report: &Report, download: &Download, asset: &AssetHandle) -> Result<Value, String> {
    let name = local_file_name(&asset.name).ok_or_else(|| {
        format!(
            "the server named asset {} {:?}, which is not a plain file name; not saved",
            asset.id, asset.name
        )
    })?;
    let target: PathBuf = download.dir.join(name);
    if exists(&target).await {
        if download.skip_existing {
            report.line(format!("skipped {}: the file exists", target.display()));
            return Ok(
                json!({ "asset_id": asset.id, "name": asset.name, "status": "skipped", "verified": false, "path": target.display().to_string() }),
            );
        }
        if !download.clobber {
            return Err(format!(
                "{} exists: --clobber overwrites it, --skip-existing keeps it",
                target.display()
            ));
        }
    }
    let (bar, progress) = report.transfer(name, u64::try_from(asset.size).unwrap_or(0));
    let mut request = asset.download_to(&target).progress(progress);
    if download.require_digest {
        request = request.require_digest();
    }
    // Without --clobber, a file that appears at the target while the bytes come is kept:
    // the check above and the final rename cannot be overtaken.
    if !download.clobber {
        request = request.keep_existing();
    }
    let result = request.await;
    bar.finish_and_clear();
    let saved = result.map_err(|e| {
        let mut text = explain(&e);
        if matches!(&e, github_release_assets::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists)
        {
            text.push_str(": --clobber overwrites it");
        }
        text
    })?;
    report.line(format!(
        "saved {} ({}, {})",
        saved.path.display(),
        size(saved.size),
        saved.verification
    ));
    Ok(json!({
        "asset_id": asset.id,
        "name": asset.name,
        "status": "saved",
        "path": saved.path.display().to_string(),
        "size": saved.size,
        "sha256": saved.sha256,
        "verified": saved.verification.is_verified(),
        "verification": saved.verification.to_string(),
        "resumed_from": saved.resumed_from,
    }))
}

async fn exists(path: &Path) -> bool {
    tokio::fs::symlink_metadata(path).await.is_ok()
}

/// The asset a `delete` or `edit` names: by id, or by name in a release. Either way the
/// handle knows its release where it can be found, so a locked one refuses before
/// anything is sent.
async fn find_asset(
    client: &Client,
    r: &Repository,
    which: &WhichAsset,
) -> Result<AssetHandle, Failure> {
    if let Some(id) = which.asset_id {
        return Ok(repo(client, r).asset(AssetId::new(id)).await?);
    }
    let (Some(name), true) = (
        &which.name,
        which.tag.is_some() || which.release_id.is_some(),
    ) else {
        return Err(Failure::Usage(
            "name the asset with --asset-id, or with --name and --tag or --release".into(),
        ));
    };
    let release = WhichRelease {
        tag: which.tag.clone(),
        release_id: which.release_id,
        latest: false,
    };
    let release = find_release(client, r, &release).await?;
    release.asset_named(name).await?.ok_or_else(|| {
        Failure::Error(Error::NotFound {
            message: format!("release {} has no asset named {name:?}", release.tag_name),
            documentation_url: None,
        })
    })
}

async fn delete(
    client: &Client,
    report: &Report,
    r: &Repository,
    which: &WhichAsset,
) -> Result<(), Failure> {
    let asset = find_asset(client, r, which).await?;
    asset.delete().await?;
    report.line(format!("deleted {} ({})", asset.name, asset.id));
    report.json(&json!({ "status": "deleted", "asset": asset.info() }));
    Ok(())
}

async fn edit_asset(client: &Client, report: &Report, edit: Edit) -> Result<(), Failure> {
    if edit.rename.is_none() && edit.label.is_none() {
        return Err(Failure::Usage(
            "nothing to change: give --rename or --label".into(),
        ));
    }
    let asset = find_asset(client, &edit.repository, &edit.asset).await?;
    let mut request = asset.edit();
    if let Some(name) = edit.rename {
        request = request.name(name);
    }
    if let Some(label) = edit.label {
        request = request.label(label);
    }
    let updated = request.await?;
    report.line(format!(
        "edited {} ({}): name {}, label {}",
        asset.name,
        updated.id,
        updated.name,
        updated.label.as_deref().unwrap_or("(none)")
    ));
    report.json(&json!(updated.info()));
    Ok(())
}
