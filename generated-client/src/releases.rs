//! The release lifecycle that immutable releases need: find a release by tag, drafts
//! included; tell whether its assets are locked; publish a draft; and change a release's
//! assets only while they are not locked.
//!
//! Since October 2025 a repository can make its releases immutable: once published, a
//! release's assets can no longer be added, deleted or edited (GitHub answers 422). Release
//! tooling therefore creates a draft, uploads to it, and publishes last. GitHub's tag
//! look-up does not return drafts, so finding "the release for v1.2.0" while it is still a
//! draft takes a listing.

use futures_util::TryStreamExt;

use crate::types::{
    Release, ReleaseAsset, ReleaseAssetState, ReleaseAssetStateKnown, UpdateReleaseAssetBody,
    UpdateReleaseBody,
};
use crate::{AssetId, Client, Error};

impl Release {
    /// Whether the release's assets are locked: it is immutable and published. A draft of
    /// an immutable repository is not locked yet: that is where assets go.
    ///
    /// ```
    /// # let mut release: github_release_assets::types::Release = serde_json::from_value(serde_json::json!({
    /// #   "url": "u", "html_url": "h", "assets_url": "a", "upload_url": "p", "tarball_url": null,
    /// #   "zipball_url": null, "id": 1, "node_id": "n", "tag_name": "v1", "target_commitish": "main",
    /// #   "name": null, "draft": true, "prerelease": false, "created_at": "2026-01-01T00:00:00Z",
    /// #   "published_at": null, "author": {"login": "o", "id": 1, "node_id": "n", "avatar_url": "a",
    /// #   "gravatar_id": null, "url": "u", "html_url": "h", "followers_url": "f", "following_url": "f",
    /// #   "gists_url": "g", "starred_url": "s", "subscriptions_url": "s", "organizations_url": "o",
    /// #   "repos_url": "r", "events_url": "e", "received_events_url": "r", "type": "User",
    /// #   "site_admin": false}, "assets": [], "immutable": true})).unwrap();
    /// assert!(!release.assets_locked(), "a draft takes uploads");
    /// release.draft = false;
    /// assert!(release.assets_locked());
    /// ```
    pub fn assets_locked(&self) -> bool {
        self.immutable == Some(true) && !self.draft
    }

    /// `Ok` when the release's assets may change; otherwise [`Error::ImmutableRelease`]
    /// saying that `what` was refused, before anything is sent.
    pub(crate) fn ensure_assets_unlocked(&self, what: &str) -> Result<(), Error> {
        if self.assets_locked() {
            return Err(Error::ImmutableRelease {
                release: Some(format!("{} (id {})", self.tag_name, self.id)),
                message: format!("cannot {what}"),
                status: None,
            });
        }
        Ok(())
    }
}

impl ReleaseAsset {
    /// Whether the asset is complete (`uploaded`), not one still being uploaded (`open`) or
    /// left by a failed upload (`starter`).
    ///
    /// ```
    /// # let asset: github_release_assets::types::ReleaseAsset = serde_json::from_value(serde_json::json!({
    /// #   "url": "u", "browser_download_url": "b", "id": 1, "node_id": "n", "name": "a.zip",
    /// #   "content_type": "application/zip", "state": "starter", "size": 0, "download_count": 0,
    /// #   "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})).unwrap();
    /// assert!(!asset.is_uploaded());
    /// ```
    pub fn is_uploaded(&self) -> bool {
        matches!(
            self.state,
            ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
        )
    }

    /// Whether the asset is still being uploaded (`open`): another writer's, until it ends.
    pub(crate) fn is_open(&self) -> bool {
        matches!(
            self.state,
            ReleaseAssetState::Known(ReleaseAssetStateKnown::Open)
        )
    }
}

impl Client {
    /// The release tagged `tag`, drafts included: GitHub's tag look-up first, and when it
    /// finds nothing (it never returns drafts), the repository's releases, listed.
    pub(crate) async fn release_by_tag(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
    ) -> Result<Release, Error> {
        let not_found = match self
            .operations()
            .get_release_by_tag()
            .owner(owner)
            .repo(repo)
            .tag(tag)
            .send()
            .await
        {
            Ok(release) => return Ok(release),
            Err(error @ Error::NotFound { .. }) => error,
            Err(error) => return Err(error),
        };
        let mut releases = std::pin::pin!(self.releases(owner, repo));
        while let Some(release) = releases.try_next().await? {
            if release.tag_name == tag {
                return Ok(release);
            }
        }
        Err(not_found)
    }

    /// Publishes a draft release (`draft: false`), returning it as GitHub now has it.
    pub(crate) async fn publish_release(
        &self,
        owner: &str,
        repo: &str,
        release_id: i64,
    ) -> Result<Release, Error> {
        self.operations()
            .update_release()
            .owner(owner)
            .repo(repo)
            .release_id(release_id)
            .body(UpdateReleaseBody {
                draft: Some(false),
                ..Default::default()
            })
            .send()
            .await
    }

    /// GET of an asset by id: what the generated `get_release_asset` sends, on the lighter
    /// path of [`crate::runtime::get_json`] (a get is the call made most often).
    pub(crate) async fn release_asset(
        &self,
        owner: &str,
        repo: &str,
        asset_id: AssetId,
    ) -> Result<ReleaseAsset, Error> {
        let url = self.asset_url(owner, repo, asset_id.get());
        crate::runtime::get_json(self.client(), self.inner(), url, "repos/get-release-asset")
            .await
            .map(|(asset, _)| asset)
    }

    /// DELETE of an asset, with no look at its release.
    pub(crate) async fn delete_asset_unchecked(
        &self,
        owner: &str,
        repo: &str,
        asset_id: i64,
    ) -> Result<(), Error> {
        self.operations()
            .delete_release_asset()
            .owner(owner)
            .repo(repo)
            .asset_id(asset_id)
            .send()
            .await
            .map(|_| ())
    }

    /// PATCH of an asset's name and label, with no look at its release.
    pub(crate) async fn edit_asset_unchecked(
        &self,
        owner: &str,
        repo: &str,
        asset_id: i64,
        name: Option<&str>,
        label: Option<&str>,
    ) -> Result<ReleaseAsset, Error> {
        self.operations()
            .update_release_asset()
            .owner(owner)
            .repo(repo)
            .asset_id(asset_id)
            .body(UpdateReleaseAssetBody {
                name: name.map(str::to_owned),
                label: label.map(str::to_owned),
                ..Default::default()
            })
            .send()
            .await
    }
}
