//! A fake GitHub for tests: the API host, the uploads host and a storage host, on
//! 127.0.0.1 ephemeral ports, with releases and assets in memory and asset bytes in files.
//!
//! It speaks the subset's operations with GitHub's semantics: 302 downloads to a storage
//! host that refuses `Authorization` (as S3 does) and checks a short-lived signature,
//! `Range` requests there, `Link` pagination with `per_page` capped at 100, 422 on a
//! duplicate asset name, GitHub's renaming of file names, `digest` as the sha256 of the
//! uploaded bytes, `download_count`; drafts (hidden from the look-up by tag, published by
//! `PATCH`), deleted releases, and immutable releases ([`FakeGitHub::set_immutable_releases`]).
//! Faults are injected per request ([`Fault`]); every request is recorded
//! ([`FakeGitHub::requests`]). It imports nothing of the client.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use github_release_assets_fake::FakeGitHub;
//! let github = FakeGitHub::start().await.unwrap();
//! let release = github.create_release("octocat", "hello", "v1.0.0");
//! let asset = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi").unwrap();
//! assert_eq!(github.asset(asset).unwrap().digest.as_deref(),
//!            Some("sha256:8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"));
//! # });
//! ```

#![forbid(unsafe_code)]

mod model;
mod server;

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

pub use model::github_file_name;

/// One of the fake's hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// The REST API (`api.github.com`).
    Api,
    /// The uploads host that `upload_url` names (`uploads.github.com`).
    Uploads,
    /// Where downloads redirect to (GitHub's object storage).
    Storage,
}

/// A fault for the next request to a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 502 Bad Gateway. On the uploads host the asset is left behind in state `starter`,
    /// as the upload documentation warns.
    BadGateway,
    /// A rate limit: `status` 429 (secondary) or 403 (primary, `X-RateLimit-Remaining: 0`),
    /// with `Retry-After` and `X-RateLimit-Reset` (seconds from now) when given.
    RateLimited {
        status: u16,
        retry_after: Option<u64>,
        reset_in: Option<u64>,
    },
    /// The connection is cut halfway through the response body.
    CutMidBody,
    /// The upload succeeds but the asset's `digest` is not the bytes' sha256.
    WrongDigest,
    /// An HTML page with status 200 instead of the answer (a captive portal, a proxy).
    HtmlPage,
    /// The response body comes in small pieces with this pause between them.
    SlowBody(Duration),
    /// The request is carried out (an upload stored, an asset deleted or renamed), then the
    /// answer is lost: 502, as when a proxy in front of GitHub gives up after GitHub acted.
    AnswerLost,
}

/// A request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub host: Host,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Headers as received, lower-case names.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a release holds now, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    pub id: i64,
    pub tag_name: String,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    /// Whether `published_at` is set.
    pub published: bool,
    pub immutable: bool,
    /// Its assets' ids, in upload order.
    pub assets: Vec<i64>,
}

/// What an asset holds now, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    pub id: i64,
    pub name: String,
    pub label: Option<String>,
    pub state: String,
    pub content_type: String,
    pub size: u64,
    pub digest: Option<String>,
    pub download_count: u64,
}

pub(crate) struct Shared {
    model: Mutex<model::Model>,
    faults: Mutex<VecDeque<(Host, Fault)>>,
    /// Faults for a request by its place among all requests received (see `inject_at`).
    faults_at: Mutex<Vec<(usize, Fault)>>,
    requests: Mutex<Vec<RecordedRequest>>,
    urls: model::Urls,
    storage_url: String,
    token: Option<String>,
    /// Signs storage URLs.
    secret: String,
    dir: tempfile::TempDir,
}

/// Locks a mutex, going on after a panic elsewhere (a test's state is still readable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running fake GitHub. Its servers stop when it is dropped.
pub struct FakeGitHub {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl FakeGitHub {
    /// Starts the three hosts; any token (or none) is accepted.
    pub async fn start() -> io::Result<Self> {
        Self::start_inner(None).await
    }

    /// Starts the three hosts; the API and uploads hosts answer 401 unless a request
    /// carries `Authorization: Bearer <token>`.
    pub async fn start_with_token(token: &str) -> io::Result<Self> {
        Self::start_inner(Some(token.to_owned())).await
    }

    async fn start_inner(token: Option<String>) -> io::Result<Self> {
        let api = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let uploads = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let storage = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = |l: &tokio::net::TcpListener| l.local_addr().map(|a| format!("http://{a}"));
        let shared = Arc::new(Shared {
            model: Mutex::new(model::Model::default()),
            faults: Mutex::new(VecDeque::new()),
            faults_at: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            urls: model::Urls {
                api: url(&api)?,
                uploads: url(&uploads)?,
            },
            storage_url: url(&storage)?,
            token,
            secret: format!("{:x}", Utc::now().timestamp_nanos_opt().unwrap_or_default()),
            dir: tempfile::tempdir()?,
        });
        let tasks = vec![
            server::spawn(api, Host::Api, shared.clone()),
            server::spawn(uploads, Host::Uploads, shared.clone()),
            server::spawn(storage, Host::Storage, shared.clone()),
        ];
        Ok(Self { shared, tasks })
    }

    /// The API's base URL, `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> &str {
        &self.shared.urls.api
    }

    /// The uploads host's base URL.
    pub fn uploads_url(&self) -> &str {
        &self.shared.urls.uploads
    }

    /// The storage host's base URL.
    pub fn storage_url(&self) -> &str {
        &self.shared.storage_url
    }

    /// Creates a published release and returns its id. It is immutable if the repository
    /// has immutable releases on ([`FakeGitHub::set_immutable_releases`]).
    pub fn create_release(&self, owner: &str, repo: &str, tag: &str) -> i64 {
        self.create_release_with(owner, repo, tag, false)
    }

    /// Creates a release, a draft or published now, and returns its id. A published one
    /// is immutable if the repository has immutable releases on; a draft becomes so when
    /// it is published (`PATCH` with `draft: false`).
    pub fn create_release_with(&self, owner: &str, repo: &str, tag: &str, draft: bool) -> i64 {
        let mut model = lock(&self.shared.model);
        let mut release = model.new_release(owner, repo, tag, draft);
        release.name = Some(tag.to_owned());
        let id = release.id;
        model.releases(owner, repo).push(release);
        id
    }

    /// Turns the repository's immutable releases setting on or off, as GitHub has had it
    /// since October 2025. While it is on, a release published (created with `draft`
    /// false, or a draft published) becomes immutable: `"immutable": true`, no asset can
    /// be uploaded to it, edited or deleted (422), and it cannot become a draft again.
    /// Releases published before are not changed, and turning it off leaves immutable
    /// releases immutable.
    pub fn set_immutable_releases(&self, owner: &str, repo: &str, on: bool) {
        let mut model = lock(&self.shared.model);
        let key = model::repo_key(owner, repo);
        if on {
            model.immutable_releases.insert(key);
        } else {
            model.immutable_releases.remove(&key);
        }
    }

    /// A release as it is now, for assertions.
    pub fn release(&self, owner: &str, repo: &str, id: i64) -> Option<ReleaseInfo> {
        let mut model = lock(&self.shared.model);
        model.release(owner, repo, id).map(|r| ReleaseInfo {
            id: r.id,
            tag_name: r.tag_name.clone(),
            name: r.name.clone(),
            body: r.body.clone(),
            draft: r.draft,
            prerelease: r.prerelease,
            published: r.published_at.is_some(),
            immutable: r.immutable,
            assets: r.assets.iter().map(|a| a.id).collect(),
        })
    }

    /// Adds an uploaded asset with these bytes (renamed as GitHub would) and returns its id.
    pub fn add_asset(
        &self,
        owner: &str,
        repo: &str,
        release: i64,
        name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> io::Result<i64> {
        let mut model = lock(&self.shared.model);
        let id = model.next_id();
        let path = self.shared.dir.path().join(format!("asset-{id}"));
        std::fs::write(&path, bytes)?;
        let digest = {
            use sha2::Digest;
            format!("sha256:{:x}", sha2::Sha256::digest(bytes))
        };
        let now = Utc::now();
        let release = model
            .release(owner, repo, release)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such release"))?;
        release.assets.push(model::Asset {
            id,
            name: github_file_name(name),
            label: None,
            state: "uploaded".to_owned(),
            content_type: content_type.to_owned(),
            size: bytes.len() as u64,
            digest: Some(digest),
            download_count: 0,
            path,
            created_at: now,
            updated_at: now,
        });
        Ok(id)
    }

    /// Whether uploads get a `digest` (they do unless turned off): off, the fake answers as
    /// GitHub did before mid-2025 and older Enterprise Servers do, with no `digest` key.
    pub fn set_digests(&self, on: bool) {
        lock(&self.shared.model).no_digests = !on;
    }

    /// Sets an asset's `digest` as GitHub would give it (`None`: none at all, as for an
    /// asset uploaded before mid-2025), for testing what a client makes of it. Returns
    /// whether the asset exists.
    pub fn set_asset_digest(&self, id: i64, digest: Option<&str>) -> bool {
        let mut model = lock(&self.shared.model);
        match model.asset_anywhere(id) {
            Some(asset) => {
                asset.digest = digest.map(str::to_owned);
                true
            }
            None => false,
        }
    }

    /// Queues `fault` for the next request to `host` (faults for one host apply in order).
    pub fn inject(&self, host: Host, fault: Fault) {
        lock(&self.shared.faults).push_back((host, fault));
    }

    /// Queues `fault` for the `n`th request from now on, whatever its host (0 is the next):
    /// to fail one step of a sequence of requests, counted from a run without faults.
    pub fn inject_at(&self, n: usize, fault: Fault) {
        let at = lock(&self.shared.requests).len() + n;
        lock(&self.shared.faults_at).push((at, fault));
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// An asset as it is now.
    pub fn asset(&self, id: i64) -> Option<AssetInfo> {
        let mut model = lock(&self.shared.model);
        model.asset_anywhere(id).map(|a| AssetInfo {
            id: a.id,
            name: a.name.clone(),
            label: a.label.clone(),
            state: a.state.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            digest: a.digest.clone(),
            download_count: a.download_count,
        })
    }

    /// The assets of a release, in upload order.
    pub fn assets(&self, owner: &str, repo: &str, release: i64) -> Vec<AssetInfo> {
        let ids: Vec<i64> = {
            let mut model = lock(&self.shared.model);
            model
                .release(owner, repo, release)
                .map(|r| r.assets.iter().map(|a| a.id).collect())
                .unwrap_or_default()
        };
        ids.into_iter().filter_map(|id| self.asset(id)).collect()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
