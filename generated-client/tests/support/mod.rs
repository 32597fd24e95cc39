//! Set-up the integration tests share: a client for a fake GitHub, handles for its
//! repository and releases, files to upload, and their digests. Each test file takes what
//! it needs (`mod support;`), so not every item is used by every file.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use futures_util::{Stream, TryStreamExt};
use github_release_assets::types::ReleaseAsset;
use github_release_assets::{Client, Error, ReleaseHandle, ReleaseId, RepoHandle};
use github_release_assets_fake::FakeGitHub;
use sha2::Digest;

/// The repository every test uses.
pub const OWNER: &str = "o";
pub const REPO: &str = "r";

/// A client of `github`, with `token` when given.
pub fn client(github: &FakeGitHub, token: Option<&str>) -> Client {
    let builder = Client::builder(github.api_url());
    match token {
        Some(token) => builder.token(token),
        None => builder,
    }
    .build()
    .unwrap()
}

/// The repository `o/r` through `client`.
pub fn repo(client: &Client) -> RepoHandle {
    client.repo(OWNER, REPO)
}

/// The release `id` of `o/r`, fetched.
pub async fn release(client: &Client, id: i64) -> ReleaseHandle {
    repo(client).release(ReleaseId::new(id)).await.unwrap()
}

/// An asset as the description's example gives it, with id `id`: for servers that answer
/// only the download itself.
pub fn example_asset(id: i64) -> ReleaseAsset {
    let mut asset = conformance::description::example("release-asset").unwrap();
    asset["id"] = id.into();
    serde_json::from_value(asset).unwrap()
}

/// Every item of a listing.
pub async fn all<T>(stream: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    stream.try_collect().await
}

/// A file `name` in `dir` holding `bytes`.
pub fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `sha256:<hex>` of `bytes`, as GitHub writes an asset's digest.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}
