//! Resource handles: a repository, a release, an asset. Each carries the client and what
//! names it, so a call takes only what differs (`release.upload(path)`), returns
//! `Result<T, Error>` directly, and takes its optional settings as builder methods on the
//! value it returns, awaited as it is.
//!
//! A [`ReleaseHandle`] holds the release as GitHub last described it (it derefs to
//! [`Release`]), an [`AssetHandle`] the asset (it derefs to [`ReleaseAsset`]). Both are
//! cheap to clone and own everything they need, so they move into spawned tasks.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt, TryStreamExt};

use crate::download_to_file::DownloadTo;
use crate::ids::{AssetId, ReleaseId};
use crate::types::{self, CreateReleaseBody, Release, ReleaseAsset};
use crate::upload::{Source, Upload};
use crate::{AssetDownload, Client, Error, is_asset_named};

/// What a builder's `await` gives: boxed, so the builders' types stay nameable.
pub(crate) type Pending<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

impl Client {
    /// The repository `owner/repo`: its releases and their assets.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let repo = client.repo("octocat", "hello-world");
    /// let release = repo.release_by_tag("v1.2.0").await?;
    /// println!("{} has {} assets", release.tag_name, release.assets.len());
    /// # Ok(()) }
    /// ```
    pub fn repo(&self, owner: impl Into<String>, repo: impl Into<String>) -> RepoHandle {
        RepoHandle {
            client: self.clone(),
            names: Arc::new(RepoNames {
                owner: owner.into(),
                repo: repo.into(),
            }),
        }
    }
}

#[derive(Debug)]
struct RepoNames {
    owner: String,
    repo: String,
}

/// Which release: by tag (drafts included), by id, or the latest published one. For
/// callers that choose at run time, as a command line does.
///
/// ```no_run
/// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
/// use github_release_assets::ReleaseRef;
/// let which = std::env::args().nth(1).map_or(ReleaseRef::Latest, ReleaseRef::Tag);
/// let release = client.repo("octocat", "hello-world").find_release(&which).await?;
/// # let _ = release; Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseRef {
    /// The release of this tag, drafts included ([`RepoHandle::release_by_tag`]).
    Tag(String),
    /// The release of this id ([`RepoHandle::release`]).
    Id(ReleaseId),
    /// The latest published full release ([`RepoHandle::latest_release`]).
    Latest,
}

/// A repository: finds, lists, creates, publishes and deletes its releases. Made by
/// [`Client::repo`].
#[derive(Clone)]
pub struct RepoHandle {
    client: Client,
    names: Arc<RepoNames>,
}

impl fmt::Debug for RepoHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RepoHandle({}/{})", self.names.owner, self.names.repo)
    }
}

impl RepoHandle {
    /// The repository's owner.
    pub fn owner(&self) -> &str {
        &self.names.owner
    }

    /// The repository's name.
    pub fn name(&self) -> &str {
        &self.names.repo
    }

    fn handle(&self, release: Release) -> ReleaseHandle {
        ReleaseHandle {
            repo: self.clone(),
            release: Arc::new(release),
        }
    }

    /// A handle for a release already fetched (through [`Client::operations`]), without a
    /// request.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let release = client.operations().get_release().owner("o").repo("r").release_id(1).send().await?;
    /// let release = client.repo("o", "r").release_from(release);
    /// # let _ = release; Ok(()) }
    /// ```
    pub fn release_from(&self, release: Release) -> ReleaseHandle {
        self.handle(release)
    }

    /// A handle for an asset already fetched (through [`Client::operations`]), without a
    /// request. Its release is looked up only to edit or delete it (see
    /// [`RepoHandle::asset`]).
    pub fn asset_from(&self, asset: ReleaseAsset) -> AssetHandle {
        AssetHandle {
            repo: self.clone(),
            release: None,
            asset,
        }
    }

    /// The release `which` names.
    pub async fn find_release(&self, which: &ReleaseRef) -> Result<ReleaseHandle, Error> {
        match which {
            ReleaseRef::Tag(tag) => self.release_by_tag(tag).await,
            ReleaseRef::Id(id) => self.release(*id).await,
            ReleaseRef::Latest => self.latest_release().await,
        }
    }

    /// The release tagged `tag`, drafts included: GitHub's tag look-up first, and when it
    /// finds nothing (it never returns drafts), the repository's releases, listed.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let release = client.repo("octocat", "hello-world").release_by_tag("v1.2.0").await?;
    /// println!("{} is a draft: {}", release.tag_name, release.draft);
    /// # Ok(()) }
    /// ```
    pub async fn release_by_tag(&self, tag: &str) -> Result<ReleaseHandle, Error> {
        let release = self
            .client
            .release_by_tag(self.owner(), self.name(), tag)
            .await?;
        Ok(self.handle(release))
    }

    /// The release with id `id`.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// use github_release_assets::ReleaseId;
    /// let release = client.repo("octocat", "hello-world").release(ReleaseId::new(1)).await?;
    /// # let _ = release; Ok(()) }
    /// ```
    pub async fn release(&self, id: ReleaseId) -> Result<ReleaseHandle, Error> {
        let release = self
            .client
            .operations()
            .get_release()
            .owner(self.owner())
            .repo(self.name())
            .release_id(id.get())
            .send()
            .await?;
        Ok(self.handle(release))
    }

    /// The latest published full release (not a draft nor a prerelease), as GitHub
    /// chooses it.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let latest = client.repo("octocat", "hello-world").latest_release().await?;
    /// println!("latest: {}", latest.tag_name);
    /// # Ok(()) }
    /// ```
    pub async fn latest_release(&self) -> Result<ReleaseHandle, Error> {
        let release = self
            .client
            .operations()
            .get_latest_release()
            .owner(self.owner())
            .repo(self.name())
            .send()
            .await?;
        Ok(self.handle(release))
    }

    /// Every release, newest first, page after page (100 a page), drafts included when
    /// the token may see them. An error ends the stream.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// use futures_util::TryStreamExt;
    /// let tags: Vec<String> = client
    ///     .repo("octocat", "hello-world")
    ///     .releases()
    ///     .map_ok(|release| release.tag_name.clone())
    ///     .try_collect()
    ///     .await?;
    /// # let _ = tags; Ok(()) }
    /// ```
    pub fn releases(&self) -> impl Stream<Item = Result<ReleaseHandle, Error>> + Send + 'static {
        let repo = self.clone();
        self.client
            .releases(self.owner(), self.name())
            .map(move |release| release.map(|r| repo.handle(r)))
    }

    /// Creates a release for `tag` (a draft with [`CreateRelease::draft`], as releases of
    /// an immutable repository should start).
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let draft = client
    ///     .repo("octocat", "hello-world")
    ///     .create_release("v1.2.0")
    ///     .name("1.2.0")
    ///     .draft()
    ///     .await?;
    /// assert!(draft.draft);
    /// # Ok(()) }
    /// ```
    pub fn create_release(&self, tag: impl Into<String>) -> CreateRelease {
        CreateRelease {
            repo: self.clone(),
            // The generated builder, not a struct literal: GitHub's products differ in
            // this body's fields (GHES 3.17 has no `discussion_category_name`), and the
            // crate generated from any of them must compile.
            body: CreateReleaseBody::builder().tag_name(tag.into()),
        }
    }

    /// Publishes the draft release `id`; see [`ReleaseHandle::publish`].
    pub async fn publish_release(&self, id: ReleaseId) -> Result<ReleaseHandle, Error> {
        let release = self
            .client
            .publish_release(self.owner(), self.name(), id.get())
            .await?;
        Ok(self.handle(release))
    }

    /// Deletes the release `id` (its assets with it; the tag stays).
    pub async fn delete_release(&self, id: ReleaseId) -> Result<(), Error> {
        self.client
            .operations()
            .delete_release()
            .owner(self.owner())
            .repo(self.name())
            .release_id(id.get())
            .send()
            .await
    }

    /// The asset with id `id`: one request. An asset does not name its release, but its
    /// download URL names the tag: [`AssetHandle::delete`] and [`AssetHandle::edit`] look
    /// the release up by it first, so as to refuse a locked one before changing anything
    /// (where the look-up fails, GitHub's answer says the same).
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// use github_release_assets::AssetId;
    /// let asset = client.repo("octocat", "hello-world").asset(AssetId::new(42)).await?;
    /// println!("{} is {} bytes", asset.name, asset.size);
    /// # Ok(()) }
    /// ```
    pub async fn asset(&self, id: AssetId) -> Result<AssetHandle, Error> {
        let asset = self.get_asset(id).await?;
        Ok(self.asset_from(asset))
    }

    /// The release `asset` belongs to, found by the tag its download URL names; `None`
    /// when that finds no release holding it.
    async fn release_of(&self, asset: &ReleaseAsset) -> Option<Release> {
        let tag = tag_in_download_url(&asset.browser_download_url)?;
        self.client
            .release_by_tag(self.owner(), self.name(), tag)
            .await
            .ok()
            .filter(|release| release.assets.iter().any(|a| a.id == asset.id))
    }

    async fn get_asset(&self, id: AssetId) -> Result<ReleaseAsset, Error> {
        self.client
            .release_asset(self.owner(), self.name(), id)
            .await
    }
}

/// The tag in an asset's `browser_download_url` (`…/releases/download/TAG/NAME`), when it
/// is there plainly (no escapes to undo).
fn tag_in_download_url(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("/releases/download/")?;
    let (tag, _) = rest.rsplit_once('/')?;
    (!tag.is_empty() && !tag.contains(['%', '/', '?', '#'])).then_some(tag)
}

/// A release to create; await it. Made by [`RepoHandle::create_release`].
#[must_use = "a release is created only when this is awaited"]
#[derive(Debug, Clone)]
pub struct CreateRelease {
    repo: RepoHandle,
    body: types::builder::CreateReleaseBody,
}

impl CreateRelease {
    /// The release's title (the tag unless set).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body = self.body.name(Some(name.into()));
        self
    }

    /// The release notes, Markdown.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = self.body.body(Some(body.into()));
        self
    }

    /// Creates it as a draft: unpublished, its assets still open on an immutable
    /// repository.
    pub fn draft(mut self) -> Self {
        self.body = self.body.draft(Some(true));
        self
    }

    /// Marks it a prerelease.
    pub fn prerelease(mut self) -> Self {
        self.body = self.body.prerelease(Some(true));
        self
    }

    /// The branch or commit the tag is created from, when the tag does not exist yet.
    pub fn target_commitish(mut self, target: impl Into<String>) -> Self {
        self.body = self.body.target_commitish(Some(target.into()));
        self
    }
}

impl IntoFuture for CreateRelease {
    type Output = Result<ReleaseHandle, Error>;
    type IntoFuture = Pending<ReleaseHandle>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let release = self
                .repo
                .client
                .operations()
                .create_release()
                .owner(self.repo.owner())
                .repo(self.repo.name())
                .body(self.body)
                .send()
                .await?;
            Ok(self.repo.handle(release))
        })
    }
}

/// A release: its assets, uploads to it, publishing it. Derefs to the [`Release`] as GitHub
/// last described it.
#[derive(Clone)]
pub struct ReleaseHandle {
    repo: RepoHandle,
    release: Arc<Release>,
}

impl fmt::Debug for ReleaseHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReleaseHandle({}/{} {} id {})",
            self.repo.owner(),
            self.repo.name(),
            self.release.tag_name,
            self.release.id
        )
    }
}

impl Deref for ReleaseHandle {
    type Target = Release;

    fn deref(&self) -> &Release {
        &self.release
    }
}

impl ReleaseHandle {
    /// The release's id, typed.
    pub fn id(&self) -> ReleaseId {
        self.release.release_id()
    }

    /// The release as GitHub last described it.
    pub fn info(&self) -> &Release {
        &self.release
    }

    /// The repository it belongs to.
    pub fn repo(&self) -> &RepoHandle {
        &self.repo
    }

    pub(crate) fn client(&self) -> &Client {
        &self.repo.client
    }

    /// A handle for an asset of this release (listed or just uploaded).
    pub(crate) fn asset_handle(&self, asset: ReleaseAsset) -> AssetHandle {
        AssetHandle {
            repo: self.repo.clone(),
            release: Some(self.release.clone()),
            asset,
        }
    }

    /// Every asset, page after page (100 a page; a release's embedded `assets` list stops
    /// at GitHub's first page). An error ends the stream.
    ///
    /// ```no_run
    /// # async fn run(release: github_release_assets::ReleaseHandle) -> Result<(), github_release_assets::Error> {
    /// use futures_util::TryStreamExt;
    /// let mut assets = std::pin::pin!(release.assets());
    /// while let Some(asset) = assets.try_next().await? {
    ///     println!("{} ({} bytes)", asset.name, asset.size);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn assets(&self) -> impl Stream<Item = Result<AssetHandle, Error>> + Send + 'static {
        let release = self.clone();
        self.client()
            .release_assets(self.repo.owner(), self.repo.name(), self.release.id)
            .map(move |asset| asset.map(|a| release.asset_handle(a)))
    }

    /// The asset that has `name` as GitHub would store it (GitHub renames some
    /// characters: `my file.zip` is `my.file.zip`), if there is one.
    ///
    /// ```no_run
    /// # async fn run(release: github_release_assets::ReleaseHandle) -> Result<(), github_release_assets::Error> {
    /// if let Some(asset) = release.asset_named("tool.zip").await? {
    ///     asset.delete().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn asset_named(&self, name: &str) -> Result<Option<AssetHandle>, Error> {
        let mut assets = std::pin::pin!(self.assets());
        while let Some(asset) = assets.try_next().await? {
            if is_asset_named(&asset.name, name) {
                return Ok(Some(asset));
            }
        }
        Ok(None)
    }

    /// Uploads the file at `path`, under its file name unless [`Upload::name`] says
    /// otherwise. Streamed: memory stays flat whatever the file's size. Await it; it says
    /// what happened ([`crate::Uploaded`]).
    ///
    /// ```no_run
    /// # async fn run(release: github_release_assets::ReleaseHandle, progress: github_release_assets::Progress) -> Result<(), github_release_assets::Error> {
    /// let uploaded = release
    ///     .upload("dist/tool-linux-x64.tar.gz")
    ///     .label("Linux x64")
    ///     .replace()
    ///     .progress(progress)
    ///     .await?;
    /// println!("{:?} {}", uploaded.outcome, uploaded.asset.browser_download_url);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, path: impl Into<PathBuf>) -> Upload {
        Upload::new(self.clone(), Source::Path(path.into()))
    }

    /// Uploads `length` bytes from `stream` under `name`. A stream is read once: a 502 is
    /// cleaned up but not retried, nor is a rate limit (upload from a path to have them
    /// retried).
    ///
    /// ```no_run
    /// # async fn run(release: github_release_assets::ReleaseHandle) -> Result<(), github_release_assets::Error> {
    /// let bytes = bytes::Bytes::from_static(b"hello");
    /// let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes)]);
    /// release.upload_stream(stream, 5, "hello.txt").await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_stream<S>(&self, stream: S, length: u64, name: impl Into<String>) -> Upload
    where
        S: Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + Sync + 'static,
    {
        Upload::new(
            self.clone(),
            Source::Stream {
                stream: Box::pin(stream),
                length,
            },
        )
        .name(name)
    }

    /// Publishes this draft (`draft: false`) and returns the release as GitHub now has it.
    /// On a repository with immutable releases its assets are locked from then on.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let draft = client.repo("octocat", "hello-world").release_by_tag("v1.2.0").await?;
    /// draft.upload("dist/tool.zip").await?;
    /// let published = draft.publish().await?;
    /// assert!(!published.draft);
    /// # Ok(()) }
    /// ```
    pub async fn publish(&self) -> Result<ReleaseHandle, Error> {
        self.repo.publish_release(self.id()).await
    }

    /// Deletes this release (its assets with it; the tag stays).
    pub async fn delete(&self) -> Result<(), Error> {
        self.repo.delete_release(self.id()).await
    }

    /// The release as GitHub has it now.
    pub async fn refresh(&self) -> Result<ReleaseHandle, Error> {
        self.repo.release(self.id()).await
    }
}

/// A release asset: fetch, edit, delete, download. Derefs to the [`ReleaseAsset`] as GitHub
/// last described it.
#[derive(Clone)]
pub struct AssetHandle {
    repo: RepoHandle,
    /// The release, where known: a locked one refuses changes before anything is sent.
    release: Option<Arc<Release>>,
    asset: ReleaseAsset,
}

impl fmt::Debug for AssetHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AssetHandle({}/{} {:?} id {})",
            self.repo.owner(),
            self.repo.name(),
            self.asset.name,
            self.asset.id
        )
    }
}

impl Deref for AssetHandle {
    type Target = ReleaseAsset;

    fn deref(&self) -> &ReleaseAsset {
        &self.asset
    }
}

impl AssetHandle {
    /// The asset's id, typed.
    pub fn id(&self) -> AssetId {
        self.asset.asset_id()
    }

    /// The asset as GitHub last described it.
    pub fn info(&self) -> &ReleaseAsset {
        &self.asset
    }

    /// The asset as GitHub last described it, the handle dropped.
    pub fn into_info(self) -> ReleaseAsset {
        self.asset
    }

    /// The release it belongs to, when known: for assets listed or uploaded through a
    /// [`ReleaseHandle`], not for one got by id ([`RepoHandle::asset`]).
    pub fn release(&self) -> Option<&Release> {
        self.release.as_deref()
    }

    fn client(&self) -> &Client {
        &self.repo.client
    }

    /// Refuses to `what` when the asset's release has its assets locked; a release not
    /// known yet is looked up first (GET requests only).
    async fn ensure_unlocked(&self, what: &str) -> Result<(), Error> {
        match &self.release {
            Some(release) => release.ensure_assets_unlocked(what),
            None => match self.repo.release_of(&self.asset).await {
                Some(release) => release.ensure_assets_unlocked(what),
                None => Ok(()),
            },
        }
    }

    /// The asset as GitHub has it now.
    pub async fn get(&self) -> Result<AssetHandle, Error> {
        let asset = self.repo.get_asset(self.id()).await?;
        Ok(AssetHandle {
            asset,
            ..self.clone()
        })
    }

    /// Renames or relabels the asset: set [`EditAsset::name`] or [`EditAsset::label`], then
    /// await. Refused before sending when its release's assets are locked.
    ///
    /// ```no_run
    /// # async fn run(asset: github_release_assets::AssetHandle) -> Result<(), github_release_assets::Error> {
    /// let edited = asset.edit().label("Linux x64").await?;
    /// assert_eq!(edited.label.as_deref(), Some("Linux x64"));
    /// # Ok(()) }
    /// ```
    pub fn edit(&self) -> EditAsset {
        EditAsset {
            asset: self.clone(),
            name: None,
            label: None,
        }
    }

    /// Deletes the asset. Refused before sending when its release's assets are locked.
    pub async fn delete(&self) -> Result<(), Error> {
        self.ensure_unlocked("delete an asset").await?;
        self.client()
            .delete_asset_unchecked(self.repo.owner(), self.repo.name(), self.asset.id)
            .await
    }

    /// Downloads the asset to `path`, verified against its size and `digest`, never
    /// half-written under the final name, resumed after an interruption. Await it.
    ///
    /// ```no_run
    /// # async fn run(asset: github_release_assets::AssetHandle, progress: github_release_assets::Progress) -> Result<(), github_release_assets::Error> {
    /// let saved = asset.download_to("dist/tool.zip").require_digest().progress(progress).await?;
    /// println!("{}: {}", saved.path.display(), saved.verification);
    /// # Ok(()) }
    /// ```
    pub fn download_to(&self, path: impl AsRef<Path>) -> DownloadTo {
        DownloadTo::new(
            self.client().clone(),
            self.repo.owner().to_owned(),
            self.repo.name().to_owned(),
            self.asset.clone(),
            path.as_ref().to_owned(),
        )
    }

    /// Starts streaming the asset's bytes: follows GitHub's redirect to storage (without
    /// the token) and returns once the status and headers are in.
    ///
    /// ```no_run
    /// # async fn run(asset: github_release_assets::AssetHandle) -> Result<(), github_release_assets::Error> {
    /// use futures_util::TryStreamExt;
    /// let mut bytes = std::pin::pin!(asset.stream().await?.into_stream());
    /// while let Some(chunk) = bytes.try_next().await? {
    ///     // write `chunk` somewhere
    /// #   let _ = chunk;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream(&self) -> Result<AssetDownload, Error> {
        self.client()
            .start_download(self.repo.owner(), self.repo.name(), self.asset.id, None)
            .await
    }

    /// Compares the file at `path` with the asset: its size and sha256 against the asset's
    /// size and digest.
    pub async fn compare_file(&self, path: impl AsRef<Path>) -> Result<crate::FileCheck, Error> {
        crate::compare_file(&self.asset, path).await
    }
}

/// A change of an asset's name or label; await it. Made by [`AssetHandle::edit`].
#[must_use = "the asset changes only when this is awaited"]
#[derive(Debug, Clone)]
pub struct EditAsset {
    asset: AssetHandle,
    name: Option<String>,
    label: Option<String>,
}

impl EditAsset {
    /// The new file name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The new label, shown in place of the name.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

impl IntoFuture for EditAsset {
    type Output = Result<AssetHandle, Error>;
    type IntoFuture = Pending<AssetHandle>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let handle = self.asset;
            handle.ensure_unlocked("edit an asset").await?;
            let asset = handle
                .client()
                .edit_asset_unchecked(
                    handle.repo.owner(),
                    handle.repo.name(),
                    handle.asset.id,
                    self.name.as_deref(),
                    self.label.as_deref(),
                )
                .await?;
            Ok(AssetHandle { asset, ..handle })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handles, their builders' futures and their streams move into spawned tasks: they
    /// are `Send` and own what they need. (Compiled, not run.)
    #[allow(dead_code, clippy::let_underscore_future)]
    fn what_a_spawned_task_needs(repo: RepoHandle, release: ReleaseHandle, asset: AssetHandle) {
        fn owned<T: Send + 'static>(_: T) {}
        fn sent<T: Send>(_: T) {}
        owned(release.upload("tool.zip").replace().into_future());
        owned(asset.download_to("tool.zip").require_digest().into_future());
        owned(asset.edit().label("x").into_future());
        owned(repo.create_release("v1").draft().into_future());
        owned(release.assets());
        owned(repo.releases());
        sent(repo.release_by_tag("v1"));
        sent(release.publish());
        sent(asset.delete());
        sent(asset.stream());
        owned((repo, release, asset));
    }

    #[test]
    fn the_tag_comes_from_a_plain_download_url_only() {
        let url = "https://github.com/o/r/releases/download/v1.0/tool.zip";
        assert_eq!(tag_in_download_url(url), Some("v1.0"));
        for odd in [
            "https://github.com/o/r/releases/download/a%2Fb/tool.zip",
            "https://github.com/o/r/releases/download//tool.zip",
            "https://github.com/o/r/archive/v1.zip",
        ] {
            assert_eq!(tag_in_download_url(odd), None, "{odd}");
        }
    }
}
