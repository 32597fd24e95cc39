#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Published for other projects' tests: every public item says what it is.
#![warn(missing_docs)]

mod model;
mod server;

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

pub use model::github_file_name;

/// One of the fake's hosts, to aim a fault at ([`FakeGitHub::inject`]) or to tell where a
/// recorded request went ([`RecordedRequest::host`]).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use github_release_assets_fake::{FakeGitHub, Fault, Host};
/// let github = FakeGitHub::start().await.unwrap();
/// github.inject(Host::Uploads, Fault::BadGateway);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// The REST API (`api.github.com`).
    Api,
    /// The uploads host that `upload_url` names (`uploads.github.com`).
    Uploads,
    /// Where downloads redirect to (GitHub's object storage).
    Storage,
}

/// A way for a request to fail, injected with [`FakeGitHub::inject`] (the next request to
/// a host) or [`FakeGitHub::inject_at`] (the `n`th request from now).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use github_release_assets_fake::{FakeGitHub, Fault, Host};
/// let github = FakeGitHub::start().await.unwrap();
/// let fault = Fault::RateLimited { status: 429, retry_after: Some(1), reset_in: None };
/// github.inject(Host::Api, fault);
/// let answer = reqwest::get(format!("{}/repos/o/r/releases", github.api_url())).await.unwrap();
/// assert_eq!(answer.status(), 429);
/// assert_eq!(answer.headers()["retry-after"], "1");
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 502 Bad Gateway. On the uploads host the asset is left behind in state `starter`,
    /// as the upload documentation warns.
    BadGateway,
    /// A rate limit: `status` 429 (secondary) or 403 (primary, `X-RateLimit-Remaining: 0`),
    /// with `Retry-After` and `X-RateLimit-Reset` (seconds from now) when given.
    RateLimited {
        /// 429 or 403, as GitHub answers; another status is sent as given (one that is not
        /// a valid status code, as 429).
        status: u16,
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
        /// `X-RateLimit-Reset` this many seconds from now (with `X-RateLimit-Remaining: 0`).
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
    /// The server says nothing for this long, then goes on as usual: a stalled connection,
    /// which a client only leaves by a read timeout.
    Stall(Duration),
    /// This status instead of the answer, with a short text body: a 503 from storage, a 500.
    Status(u16),
    /// The connection is closed before any answer: no status, no headers.
    ResetBeforeHeaders,
    /// A redirect (302) to a URL that redirects to itself, on and on.
    RedirectLoop,
    /// The answer's body is longer than its `Content-Length` says: the length announced is
    /// half the body's, so a client reads half and the connection ends.
    BodyLongerThanContentLength,
}

/// A request the fake received, from [`FakeGitHub::requests`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use github_release_assets_fake::{FakeGitHub, Host};
/// let github = FakeGitHub::start().await.unwrap();
/// reqwest::get(format!("{}/repos/o/r/releases?per_page=5", github.api_url())).await.unwrap();
/// let request = &github.requests()[0];
/// assert_eq!((request.host, request.method.as_str()), (Host::Api, "GET"));
/// assert_eq!(request.path, "/repos/o/r/releases");
/// assert_eq!(request.query.as_deref(), Some("per_page=5"));
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The host it went to.
    pub host: Host,
    /// The method, `GET`, `POST`, …
    pub method: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The query string, as sent, if any.
    pub query: Option<String>,
    /// Headers as received, lower-case names.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first value of header `name` (lower-case).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let url = format!("{}/repos/o/r/releases", github.api_url());
    /// reqwest::Client::new().get(url).bearer_auth("t").send().await.unwrap();
    /// assert_eq!(github.requests()[0].header("authorization"), Some("Bearer t"));
    /// # });
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a release holds now, for assertions: from [`FakeGitHub::release`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
/// let id = github.create_release_with("octocat", "hello", "v1.0.0", true);
/// let release = github.release("octocat", "hello", id).unwrap();
/// assert!(release.draft && !release.published && release.assets.is_empty());
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// Its id.
    pub id: i64,
    /// Its tag.
    pub tag_name: String,
    /// Its title.
    pub name: Option<String>,
    /// Its notes.
    pub body: Option<String>,
    /// Whether it is a draft.
    pub draft: bool,
    /// Whether it is a prerelease.
    pub prerelease: bool,
    /// Whether `published_at` is set.
    pub published: bool,
    /// Whether it is immutable (see [`FakeGitHub::set_immutable_releases`]).
    pub immutable: bool,
    /// Its assets' ids, in upload order.
    pub assets: Vec<i64>,
}

/// What an asset holds now, for assertions: from [`FakeGitHub::asset`] and
/// [`FakeGitHub::assets`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
/// let release = github.create_release("octocat", "hello", "v1.0.0");
/// let id = github.add_asset("octocat", "hello", release, "a b.txt", "text/plain", b"hi").unwrap();
/// let asset = github.asset(id).unwrap();
/// assert_eq!((asset.name.as_str(), asset.state.as_str(), asset.size), ("a.b.txt", "uploaded", 2));
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    /// Its id.
    pub id: i64,
    /// Its file name, as GitHub renamed it ([`github_file_name`]).
    pub name: String,
    /// Its label.
    pub label: Option<String>,
    /// `uploaded`, or `starter` when an upload failed (see [`Fault::BadGateway`]); an edit
    /// can set any other.
    pub state: String,
    /// Its media type, as uploaded.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its `digest` (`sha256:…`), if it has one.
    pub digest: Option<String>,
    /// How many times it was downloaded from the storage host.
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

/// A running fake GitHub: the API, uploads and storage hosts on 127.0.0.1. Its servers
/// stop when it is dropped; its temporary directory of asset bytes is removed when the
/// last connection to them has ended.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use github_release_assets_fake::FakeGitHub;
/// let github = FakeGitHub::start().await.unwrap();
/// let release = github.create_release("octocat", "hello", "v1.0.0");
/// let url = format!("{}/repos/octocat/hello/releases/tags/v1.0.0", github.api_url());
/// let body: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
/// assert_eq!(body["id"], release);
/// # });
/// ```
pub struct FakeGitHub {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

/// Its three origins (the model behind them, and any token, are left out).
impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub")
            .field("api", &self.api_url())
            .field("uploads", &self.uploads_url())
            .field("storage", &self.storage_url())
            .finish_non_exhaustive()
    }
}

impl FakeGitHub {
    /// Starts the three hosts; any token (or none) is accepted. Call it inside a Tokio
    /// runtime: the servers are tasks on it.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// # });
    /// ```
    pub async fn start() -> io::Result<Self> {
        Self::start_inner(None).await
    }

    /// Starts the three hosts; the API and uploads hosts answer 401 unless a request
    /// carries `Authorization: Bearer <token>`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use github_release_assets_fake::FakeGitHub;
    /// let github = FakeGitHub::start_with_token("secret").await.unwrap();
    /// let url = format!("{}/repos/o/r/releases", github.api_url());
    /// let http = reqwest::Client::new();
    /// assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    /// assert_eq!(http.get(&url).bearer_auth("secret").send().await.unwrap().status(), 200);
    /// # });
    /// ```
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

    /// The API's base URL, `http://127.0.0.1:PORT`: what the code under test takes
    /// instead of `https://api.github.com`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// assert!(github.api_url().starts_with("http://127.0.0.1:"));
    /// # });
    /// ```
    pub fn api_url(&self) -> &str {
        &self.shared.urls.api
    }

    /// The uploads host's base URL, the one releases' `upload_url` names.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let id = github.create_release("octocat", "hello", "v1.0.0");
    /// let url = format!("{}/repos/octocat/hello/releases/{id}", github.api_url());
    /// let release: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    /// let upload_url = release["upload_url"].as_str().unwrap();
    /// assert!(upload_url.starts_with(github.uploads_url()));
    /// assert!(upload_url.ends_with("/assets{?name,label}"));
    /// # });
    /// ```
    pub fn uploads_url(&self) -> &str {
        &self.shared.urls.uploads
    }

    /// The storage host's base URL, where an asset's download is redirected.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1.0.0");
    /// let id = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi");
    /// let id = id.unwrap();
    /// let url = format!("{}/repos/octocat/hello/releases/assets/{id}", github.api_url());
    /// let download = reqwest::Client::new()
    ///     .get(url)
    ///     .header("accept", "application/octet-stream")
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// assert!(download.url().as_str().starts_with(github.storage_url()));
    /// assert_eq!(download.text().await.unwrap(), "hi");
    /// # });
    /// ```
    pub fn storage_url(&self) -> &str {
        &self.shared.storage_url
    }

    /// Creates a published release and returns its id. It is immutable if the repository
    /// has immutable releases on ([`FakeGitHub::set_immutable_releases`]). Its name is
    /// its tag.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let id = github.create_release("octocat", "hello", "v1.0.0");
    /// assert!(github.release("octocat", "hello", id).unwrap().published);
    /// # });
    /// ```
    pub fn create_release(&self, owner: &str, repo: &str, tag: &str) -> i64 {
        self.create_release_with(owner, repo, tag, false)
    }

    /// Creates a release, a draft or published now, and returns its id. A published one
    /// is immutable if the repository has immutable releases on; a draft becomes so when
    /// it is published (`PATCH` with `draft: false`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let id = github.create_release_with("octocat", "hello", "v1.0.0", true);
    /// // GitHub's look-up by tag does not find drafts.
    /// let url = format!("{}/repos/octocat/hello/releases/tags/v1.0.0", github.api_url());
    /// assert_eq!(reqwest::get(url).await.unwrap().status(), 404);
    /// # });
    /// ```
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
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// github.set_immutable_releases("octocat", "hello", true);
    /// let id = github.create_release("octocat", "hello", "v1.0.0");
    /// let uploads = github.uploads_url();
    /// let upload = format!("{uploads}/repos/octocat/hello/releases/{id}/assets?name=a.txt");
    /// let answer = reqwest::Client::new()
    ///     .post(upload)
    ///     .header("content-type", "text/plain")
    ///     .body("hi")
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(answer.status(), 422);
    /// assert!(github.release("octocat", "hello", id).unwrap().assets.is_empty());
    /// # });
    /// ```
    pub fn set_immutable_releases(&self, owner: &str, repo: &str, on: bool) {
        let mut model = lock(&self.shared.model);
        let key = model::repo_key(owner, repo);
        if on {
            model.immutable_releases.insert(key);
        } else {
            model.immutable_releases.remove(&key);
        }
    }

    /// A release as it is now, for assertions; `None` if there is none of that id in
    /// the repository.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let id = github.create_release_with("octocat", "hello", "v1.0.0", true);
    /// let url = format!("{}/repos/octocat/hello/releases/{id}", github.api_url());
    /// let body = serde_json::json!({"draft": false});
    /// reqwest::Client::new().patch(url).json(&body).send().await.unwrap();
    /// let release = github.release("octocat", "hello", id).unwrap();
    /// assert!(release.published && !release.draft);
    /// assert!(github.release("octocat", "hello", id + 1).is_none());
    /// # });
    /// ```
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
    /// It sets a test up, so GitHub's rules are not applied: immutable releases take it,
    /// and a name already used is not refused. An error if there is no such release, or
    /// if the bytes cannot be written to the fake's directory.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1.0.0");
    /// let asset = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi");
    /// let asset = asset.unwrap();
    /// assert_eq!(
    ///     github.asset(asset).unwrap().digest.as_deref(),
    ///     Some("sha256:8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
    /// );
    /// # });
    /// ```
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
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// github.set_digests(false);
    /// let id = github.create_release("octocat", "hello", "v1.0.0");
    /// let uploads = github.uploads_url();
    /// let upload = format!("{uploads}/repos/octocat/hello/releases/{id}/assets?name=a.txt");
    /// let answer = reqwest::Client::new()
    ///     .post(upload)
    ///     .header("content-type", "text/plain")
    ///     .body("hi")
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// let asset: serde_json::Value = answer.json().await.unwrap();
    /// assert!(asset.get("digest").is_none());
    /// # });
    /// ```
    pub fn set_digests(&self, on: bool) {
        lock(&self.shared.model).no_digests = !on;
    }

    /// Sets an asset's `digest` as GitHub would give it (`None`: none at all, as for an
    /// asset uploaded before mid-2025), for testing what a client makes of it. Returns
    /// whether the asset exists.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1.0.0");
    /// let id = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi");
    /// let id = id.unwrap();
    /// assert!(github.set_asset_digest(id, Some("sha512:00")));
    /// assert_eq!(github.asset(id).unwrap().digest.as_deref(), Some("sha512:00"));
    /// assert!(!github.set_asset_digest(id + 1, None));
    /// # });
    /// ```
    pub fn set_asset_digest(&self, id: i64, digest: Option<&str>) -> bool {
        self.update_asset(id, |asset| asset.digest = digest.map(str::to_owned))
    }

    /// Sets asset `id`'s `state`, as another writer's upload would leave it: `open` while
    /// its bytes are still arriving, `starter` after a failure, `uploaded` once complete.
    /// `false` if there is no such asset.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use github_release_assets_fake::FakeGitHub;
    /// let github = FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1");
    /// let id = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi").unwrap();
    /// assert!(github.set_asset_state(id, "open"));
    /// assert_eq!(github.asset(id).unwrap().state, "open");
    /// # });
    /// ```
    pub fn set_asset_state(&self, id: i64, state: &str) -> bool {
        self.update_asset(id, |asset| asset.state = state.to_owned())
    }

    /// Sets when GitHub created asset `id` (its `created_at`): an asset another writer left
    /// earlier. `false` if there is no such asset.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use std::time::{Duration, SystemTime};
    /// use github_release_assets_fake::FakeGitHub;
    /// let github = FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1");
    /// let id = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi").unwrap();
    /// let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    /// assert!(github.set_asset_created_at(id, an_hour_ago));
    /// # });
    /// ```
    pub fn set_asset_created_at(&self, id: i64, at: std::time::SystemTime) -> bool {
        self.update_asset(id, |asset| asset.created_at = at.into())
    }

    /// Applies `change` to asset `id`, wherever it is; `false` if there is no such asset.
    fn update_asset(&self, id: i64, change: impl FnOnce(&mut model::Asset)) -> bool {
        let mut model = lock(&self.shared.model);
        model.asset_anywhere(id).map(change).is_some()
    }

    /// Queues `fault` for the next request to `host` (faults for one host apply in order).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use github_release_assets_fake::{FakeGitHub, Fault, Host};
    /// let github = FakeGitHub::start().await.unwrap();
    /// github.inject(Host::Api, Fault::BadGateway);
    /// let url = format!("{}/repos/o/r/releases", github.api_url());
    /// assert_eq!(reqwest::get(&url).await.unwrap().status(), 502);
    /// assert_eq!(reqwest::get(&url).await.unwrap().status(), 200, "one request, one fault");
    /// # });
    /// ```
    pub fn inject(&self, host: Host, fault: Fault) {
        lock(&self.shared.faults).push_back((host, fault));
    }

    /// Queues `fault` for the `n`th request from now on, whatever its host (0 is the next):
    /// to fail one step of a sequence of requests, counted from a run without faults.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use github_release_assets_fake::{FakeGitHub, Fault};
    /// let github = FakeGitHub::start().await.unwrap();
    /// github.inject_at(1, Fault::HtmlPage);
    /// let url = format!("{}/repos/o/r/releases", github.api_url());
    /// let content_types = [
    ///     reqwest::get(&url).await.unwrap().headers()["content-type"].clone(),
    ///     reqwest::get(&url).await.unwrap().headers()["content-type"].clone(),
    /// ];
    /// assert_eq!(content_types[0], "application/json; charset=utf-8");
    /// assert_eq!(content_types[1], "text/html; charset=utf-8");
    /// # });
    /// ```
    pub fn inject_at(&self, n: usize, fault: Fault) {
        let at = lock(&self.shared.requests).len() + n;
        lock(&self.shared.faults_at).push((at, fault));
    }

    /// Every request received so far, in order, faulted ones included.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// reqwest::get(format!("{}/repos/o/r/releases/latest", github.api_url())).await.unwrap();
    /// let requests = github.requests();
    /// assert_eq!(requests.len(), 1);
    /// assert_eq!(requests[0].path, "/repos/o/r/releases/latest");
    /// # });
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// An asset as it is now, whatever its release; `None` if there is none of that id.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1.0.0");
    /// let id = github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"hi");
    /// let id = id.unwrap();
    /// let url = format!("{}/repos/octocat/hello/releases/assets/{id}", github.api_url());
    /// reqwest::Client::new().delete(url).send().await.unwrap();
    /// assert!(github.asset(id).is_none());
    /// # });
    /// ```
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

    /// The assets of a release, in upload order; none if there is no such release.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let github = github_release_assets_fake::FakeGitHub::start().await.unwrap();
    /// let release = github.create_release("octocat", "hello", "v1.0.0");
    /// github.add_asset("octocat", "hello", release, "a.txt", "text/plain", b"a").unwrap();
    /// github.add_asset("octocat", "hello", release, "b.txt", "text/plain", b"b").unwrap();
    /// let assets = github.assets("octocat", "hello", release);
    /// let names: Vec<&str> = assets.iter().map(|a| a.name.as_str()).collect();
    /// assert_eq!(names, ["a.txt", "b.txt"]);
    /// # });
    /// ```
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
