//! The seven commands, each a few calls to the library.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use github_release_assets::types::{Release, ReleaseAsset, UpdateReleaseAssetBody};
use github_release_assets::{
    Client, DownloadOptions, Error, FileCheck, IfExists, UploadOptions, Verification, compare_file,
    github_file_name, is_asset_named, local_file_name,
};
use serde_json::{Value, json};

use crate::args::{Cli, Command, Download, Edit, Repository, Upload, WhichAsset, WhichRelease};
use crate::report::{Report, size};

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

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let client = Client::builder(cli.api_url.as_str())
        .token_from_env()
        .user_agent(concat!("release-assets/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let report = Report::new(cli.json);
    match cli.command {
        Command::List {
            repository,
            release,
        } => list(&client, &report, &repository, &release).await,
        Command::Upload(upload) => upload_files(&client, &report, upload).await,
        Command::Download(download) => download_assets(&client, &report, download).await,
        Command::Delete { repository, asset } => {
            delete(&client, &report, &repository, &asset).await
        }
        Command::Edit(edit) => edit_asset(&client, &report, edit).await,
        Command::Publish {
            repository,
            release,
        } => publish(&client, &report, &repository, &release.into()).await,
        Command::Verify {
            repository,
            release,
            files,
        } => verify(&client, &report, &repository, &release.into(), &files).await,
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
    let assets = client
        .all_release_assets(&r.owner, &r.repo, release.id)
        .await?;
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
            Some(asset) => match compare_file(asset, path).await {
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
                Err(error) => Err(error.to_string()),
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
        report.json(&json!({ "status": "already published", "release": release }));
        return Ok(());
    }
    let published = client
        .publish_release(&r.owner, &r.repo, release.id)
        .await?;
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
    report.json(&json!({ "status": "published", "release": published }));
    Ok(())
}

async fn find_release(
    client: &Client,
    r: &Repository,
    which: &WhichRelease,
) -> Result<Release, Error> {
    let release = if let Some(tag) = &which.tag {
        // Drafts included: uploads to an immutable repository go to a draft by tag.
        return client.release_by_tag(&r.owner, &r.repo, tag).await;
    } else if let Some(id) = which.release_id {
        client
            .operations()
            .get_release()
            .owner(r.owner.as_str())
            .repo(r.repo.as_str())
            .release_id(id)
            .send()
            .await?
    } else {
        client
            .operations()
            .get_latest_release()
            .owner(r.owner.as_str())
            .repo(r.repo.as_str())
            .send()
            .await?
    };
    Ok(release)
}

async fn list(
    client: &Client,
    report: &Report,
    r: &Repository,
    which: &WhichRelease,
) -> Result<(), Failure> {
    let release = find_release(client, r, which).await?;
    let assets = client
        .all_release_assets(&r.owner, &r.repo, release.id)
        .await?;
    report.json(&json!(assets));
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
    // With --skip-existing, what is already there is left alone without a request a file.
    let existing: Vec<ReleaseAsset> = if upload.skip_existing {
        client
            .all_release_assets(
                &upload.repository.owner,
                &upload.repository.repo,
                release.id,
            )
            .await?
    } else {
        Vec::new()
    };
    let if_exists = match (upload.clobber, upload.skip_existing) {
        (true, _) => IfExists::Replace,
        (_, true) => IfExists::Skip,
        _ => IfExists::Fail,
    };
    let label = upload.label.clone();
    let release = &release;
    let existing = &existing;
    let outcomes = futures_util::stream::iter(files)
        .map(|(path, name)| {
            let label = label.clone();
            async move {
                let item = path.display().to_string();
                if let Some(asset) = existing
                    .iter()
                    .find(|a| is_asset_named(&a.name, &name) && a.is_uploaded())
                {
                    report.line(format!("skipped {item}: the release has {} already", asset.name));
                    let result = Ok(
                        json!({ "item": item, "status": "skipped", "verified": false, "asset": asset }),
                    );
                    return Outcome { item, result };
                }
                let length = tokio::fs::metadata(&path)
                    .await
                    .map(|m| m.len())
                    .unwrap_or(0);
                let (bar, progress) = report.transfer(&name, length);
                let mut options = UploadOptions::new(name.as_str())
                    .if_exists(if_exists)
                    .progress(progress);
                if let Some(label) = label {
                    options = options.label(label);
                }
                let result = client
                    .upload_asset_from_path(release, &path, Some(options))
                    .await;
                bar.finish_and_clear();
                let result = match result {
                    Ok(asset) => {
                        // The library checks an upload's digest against the bytes sent
                        // whenever GitHub gives one; without, the size alone.
                        let verification = Verification::of_digest(asset.digest.as_deref());
                        report.line(format!(
                            "uploaded {item} as {} ({}, {verification}) {}",
                            asset.name,
                            size(u64::try_from(asset.size).unwrap_or(0)),
                            asset.browser_download_url
                        ));
                        Ok(json!({
                            "item": item,
                            "status": "uploaded",
                            "verified": verification.is_verified(),
                            "verification": verification.to_string(),
                            "asset": asset,
                        }))
                    }
                    Err(Error::AlreadyExists { name }) => Err(format!(
                        "the release already has an asset named {name:?}: --clobber replaces it, --skip-existing keeps it"
                    )),
                    Err(error) => Err(error.to_string()),
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
    let assets = client
        .all_release_assets(&r.owner, &r.repo, release.id)
        .await?;
    let everything = download.pattern.is_empty() && download.asset_id.is_empty();
    let chosen: Vec<ReleaseAsset> = assets
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
    let chosen: Vec<ReleaseAsset> = chosen
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
            let result = save(client, report, download, &asset).await;
            Outcome { item, result }
        })
        .buffer_unordered(usize::from(download.concurrency))
        .collect::<Vec<_>>()
        .await;
    outcomes.extend(saved);
    finish(report, outcomes)
}

async fn save(
    client: &Client,
    report: &Report,
    download: &Download,
    asset: &ReleaseAsset,
) -> Result<Value, String> {
    let r = &download.repository;
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
    let mut options = DownloadOptions::new().progress(progress);
    if download.require_digest {
        options = options.require_digest();
    }
    let result = client
        .download_asset_with(&r.owner, &r.repo, asset, &target, options)
        .await;
    bar.finish_and_clear();
    let saved = result.map_err(|e| e.to_string())?;
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

/// The asset a `delete` or `edit` names: by id, or by name in a release (then with the
/// release, so that a locked one refuses before anything is sent).
async fn find_asset(
    client: &Client,
    r: &Repository,
    which: &WhichAsset,
) -> Result<(ReleaseAsset, Option<Release>), Failure> {
    if let Some(id) = which.asset_id {
        let asset = client
            .operations()
            .get_release_asset()
            .owner(r.owner.as_str())
            .repo(r.repo.as_str())
            .asset_id(id)
            .send()
            .await?;
        // An asset does not name its release, but its download URL names the tag: with
        // the release, a locked one is refused before anything is sent (without, GitHub's
        // 422 says the same).
        let release = match tag_of(&asset) {
            Some(tag) => client
                .release_by_tag(&r.owner, &r.repo, tag)
                .await
                .ok()
                .filter(|release| release.assets.iter().any(|a| a.id == asset.id)),
            None => None,
        };
        return Ok((asset, release));
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
    let asset = client
        .all_release_assets(&r.owner, &r.repo, release.id)
        .await?
        .into_iter()
        .find(|a| is_asset_named(&a.name, name))
        .ok_or_else(|| {
            Failure::Error(Error::NotFound {
                message: format!("release {} has no asset named {name:?}", release.tag_name),
                documentation_url: None,
            })
        })?;
    Ok((asset, Some(release)))
}

/// The tag in an asset's `browser_download_url` (`…/releases/download/TAG/NAME`), when it
/// is there plainly (no escapes to undo).
fn tag_of(asset: &ReleaseAsset) -> Option<&str> {
    let (_, rest) = asset
        .browser_download_url
        .split_once("/releases/download/")?;
    let (tag, _) = rest.rsplit_once('/')?;
    (!tag.is_empty() && !tag.contains(['%', '/', '?', '#'])).then_some(tag)
}

async fn delete(
    client: &Client,
    report: &Report,
    r: &Repository,
    which: &WhichAsset,
) -> Result<(), Failure> {
    let (asset, release) = find_asset(client, r, which).await?;
    match &release {
        Some(release) => {
            client
                .delete_asset(&r.owner, &r.repo, release, asset.id)
                .await?
        }
        // By id alone the release is not known; a locked one is refused by GitHub.
        None => {
            client
                .operations()
                .delete_release_asset()
                .owner(r.owner.as_str())
                .repo(r.repo.as_str())
                .asset_id(asset.id)
                .send()
                .await?;
        }
    }
    report.line(format!("deleted {} ({})", asset.name, asset.id));
    report.json(&json!({ "status": "deleted", "asset": asset }));
    Ok(())
}

async fn edit_asset(client: &Client, report: &Report, edit: Edit) -> Result<(), Failure> {
    if edit.rename.is_none() && edit.label.is_none() {
        return Err(Failure::Usage(
            "nothing to change: give --rename or --label".into(),
        ));
    }
    let r = &edit.repository;
    let (asset, release) = find_asset(client, r, &edit.asset).await?;
    let updated = match &release {
        Some(release) => {
            client
                .edit_asset(
                    &r.owner,
                    &r.repo,
                    release,
                    asset.id,
                    edit.rename.as_deref(),
                    edit.label.as_deref(),
                )
                .await?
        }
        // By id alone the release is not known; a locked one is refused by GitHub.
        None => {
            client
                .operations()
                .update_release_asset()
                .owner(r.owner.as_str())
                .repo(r.repo.as_str())
                .asset_id(asset.id)
                .body(UpdateReleaseAssetBody {
                    name: edit.rename,
                    label: edit.label,
                    state: None,
                })
                .send()
                .await?
        }
    };
    report.line(format!(
        "edited {} ({}): name {}, label {}",
        asset.name,
        updated.id,
        updated.name,
        updated.label.as_deref().unwrap_or("(none)")
    ));
    report.json(&json!(updated));
    Ok(())
}
