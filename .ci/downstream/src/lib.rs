//! Publishes a release the way immutable releases require: every file uploaded to a
//! draft, then the draft published. Written against `github-release-assets` as a user of
//! the crate writes it; `tests/publish.rs` runs it against the fake GitHub.

use std::path::PathBuf;

use futures_util::TryStreamExt;
use github_release_assets::{AssetHandle, Client, Error, ReleaseHandle, Uploaded};

/// What [`publish_release`] did.
#[derive(Debug)]
pub struct Summary {
    /// The release as GitHub has it at the end: published.
    pub release: ReleaseHandle,
    /// One upload per file, in the order the files were given.
    pub uploads: Vec<Uploaded>,
    /// Every asset of the release after the uploads, as listed (all pages).
    pub assets: Vec<AssetHandle>,
}

/// Finds the release tagged `tag` in `owner/repo` (drafts included) or creates it as a
/// draft, uploads every file of `files` to it (replacing an asset of the same name), lists
/// its assets and publishes it.
///
/// A release found already published is not published again; if its assets are locked
/// (an immutable release), the first upload fails with [`Error::ImmutableRelease`] before
/// anything is sent.
pub async fn publish_release(
    client: &Client,
    owner: &str,
    repo: &str,
    tag: &str,
    files: &[PathBuf],
) -> Result<Summary, Error> {
    let repo = client.repo(owner, repo);
    let release = match repo.release_by_tag(tag).await {
        Ok(release) => release,
        Err(Error::NotFound { .. }) => repo.create_release(tag).draft().await?,
        Err(error) => return Err(error),
    };
    let mut uploads = Vec::with_capacity(files.len());
    for file in files {
        uploads.push(release.upload(file).replace().await?);
    }
    let assets = release.assets().try_collect().await?;
    let release = if release.draft {
        release.publish().await?
    } else {
        release.refresh().await?
    };
    Ok(Summary {
        release,
        uploads,
        assets,
    })
}
