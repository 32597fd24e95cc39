//! Set-up the integration tests share: a fake GitHub with a release and a client for it
//! ([`Fixture`]), a client for a wiremock server, files of known bytes and their digests,
//! progress recorded, and filters over the requests the fake received ([`RequestLog`]).
//! Each test file takes what it needs (`mod support;`), so not every item is used by
//! every file.
#![allow(dead_code)]

pub mod hostile;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{Stream, TryStreamExt};
use github_release_assets::types::{Release, ReleaseAsset};
use github_release_assets::{
    AssetHandle, AssetId, Client, ClientBuilder, Error, Progress, ReleaseHandle, ReleaseId,
    RepoHandle, RetryPolicy,
};
use github_release_assets_fake::{AssetInfo, FakeGitHub, Host, RecordedRequest};
use sha2::Digest;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The owner of the repository the tests against the fake use.
pub const OWNER: &str = "o";
/// The name of the repository the tests against the fake use.
pub const REPO: &str = "r";
/// The tag of the release a [`Fixture`] starts with.
pub const TAG: &str = "v1";
/// The media type assets are added with unless a test names another.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Retries as the client makes them by default, but with a 2 ms first pause: a test that
/// retries does not wait.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default().base_delay(Duration::from_millis(2))
}

/// What the release a [`Fixture`] starts with is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartRelease {
    /// None: the repository starts empty.
    None,
    /// A published release.
    Published,
    /// A draft.
    Draft,
}

/// A fake GitHub with the release [`TAG`] in [`OWNER`]/[`REPO`], a client for it, and a
/// temporary directory for the files a test writes. Made by [`Fixture::builder`] or
/// [`Fixture::start`].
///
/// ```ignore
/// let f = Fixture::builder().token("ghs_t").quick_retries().start().await;
/// let release = f.release().await;
/// let uploaded = release.upload(f.file("tool.zip", b"the tool")).await.unwrap();
/// assert_eq!(f.assets()[0].id, uploaded.asset.id);
/// ```
pub struct Fixture {
    /// The fake GitHub: faults to inject, what it holds and the requests it received.
    pub github: FakeGitHub,
    /// A client of the fake, with the fixture's token and retry policy.
    pub client: Client,
    /// A temporary directory, removed when the fixture is dropped.
    pub dir: tempfile::TempDir,
    /// The id of the release [`TAG`], unless the fixture started without one.
    release_id: Option<i64>,
}

/// How a [`Fixture`] starts: without a token, default retries, and a published release
/// [`TAG`], unless told otherwise.
#[must_use = "the fixture starts only when `start` is awaited"]
pub struct FixtureBuilder {
    /// The token the fake wants and the client sends, if any.
    token: Option<String>,
    /// The client's retry policy, when not the default.
    retry: Option<RetryPolicy>,
    /// Whether the repository has immutable releases on.
    immutable_releases: bool,
    /// The release the repository starts with.
    release: StartRelease,
    /// The client's read timeout, if any.
    read_timeout: Option<Duration>,
}

impl FixtureBuilder {
    /// The fake answers 401 unless a request carries `token`; the client sends it.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// The client retries as `policy` says.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The client gives up on a connection silent for `timeout`.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// The client retries without waiting long ([`quick_retries`]).
    pub fn quick_retries(self) -> Self {
        self.retry(quick_retries())
    }

    /// The repository has immutable releases on (set before the release is created).
    pub fn immutable_releases(mut self) -> Self {
        self.immutable_releases = true;
        self
    }

    /// The release [`TAG`] is a draft.
    pub fn draft(mut self) -> Self {
        self.release = StartRelease::Draft;
        self
    }

    /// The repository starts without any release.
    pub fn without_release(mut self) -> Self {
        self.release = StartRelease::None;
        self
    }

    /// Starts the fake, creates what was asked for in it, and builds the client.
    pub async fn start(self) -> Fixture {
        let github = match &self.token {
            Some(token) => FakeGitHub::start_with_token(token).await,
            None => FakeGitHub::start().await,
        }
        .unwrap();
        if self.immutable_releases {
            github.set_immutable_releases(OWNER, REPO, true);
        }
        let release_id = match self.release {
            StartRelease::None => None,
            StartRelease::Published => Some(github.create_release(OWNER, REPO, TAG)),
            StartRelease::Draft => Some(github.create_release_with(OWNER, REPO, TAG, true)),
        };
        let mut client = Client::builder(github.api_url()).uploads_url(github.uploads_url());
        if let Some(token) = self.token {
            client = client.token(token);
        }
        if let Some(policy) = self.retry {
            client = client.retry(policy);
        }
        if let Some(timeout) = self.read_timeout {
            client = client.read_timeout(timeout);
        }
        Fixture {
            client: client.build().unwrap(),
            github,
            dir: temp_dir(),
            release_id,
        }
    }
}

impl Fixture {
    /// A fixture to set up: see [`FixtureBuilder`].
    pub fn builder() -> FixtureBuilder {
        FixtureBuilder {
            token: None,
            retry: None,
            immutable_releases: false,
            release: StartRelease::Published,
            read_timeout: None,
        }
    }

    /// The default fixture: no token, default retries, a published release [`TAG`].
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// The repository [`OWNER`]/[`REPO`] through the client.
    pub fn repo(&self) -> RepoHandle {
        self.client.repo(OWNER, REPO)
    }

    /// The id of the release [`TAG`].
    pub fn release_id(&self) -> i64 {
        self.release_id
            .expect("the fixture was started without a release")
    }

    /// The release [`TAG`], fetched by id (one GET).
    pub async fn release(&self) -> ReleaseHandle {
        self.repo()
            .release(ReleaseId::new(self.release_id()))
            .await
            .unwrap()
    }

    /// The asset `id`, fetched through [`RepoHandle::asset`]: a GET of the asset and one of
    /// its release by tag.
    pub async fn asset(&self, id: i64) -> AssetHandle {
        self.repo().asset(AssetId::new(id)).await.unwrap()
    }

    /// Adds an asset `name` holding `bytes` ([`OCTET_STREAM`]) to the release [`TAG`] in the
    /// fake, without a request, and returns its id.
    pub fn add_asset(&self, name: &str, bytes: &[u8]) -> i64 {
        self.add_asset_typed(name, OCTET_STREAM, bytes)
    }

    /// Adds an asset `name` of media type `content_type` holding `bytes` to the release
    /// [`TAG`] in the fake, without a request, and returns its id.
    pub fn add_asset_typed(&self, name: &str, content_type: &str, bytes: &[u8]) -> i64 {
        self.github
            .add_asset(OWNER, REPO, self.release_id(), name, content_type, bytes)
            .unwrap()
    }

    /// The assets of the release [`TAG`] as the fake holds them now, in upload order.
    pub fn assets(&self) -> Vec<AssetInfo> {
        self.github.assets(OWNER, REPO, self.release_id())
    }

    /// The path `name` in the fixture's directory (nothing is written).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A file `name` in the fixture's directory holding `bytes`.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        file(self.dir.path(), name, bytes)
    }

    /// Every request the fake received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.github.requests()
    }

    /// How many requests the fake received so far: a mark for [`Fixture::requests_after`].
    pub fn sent(&self) -> usize {
        self.github.requests().len()
    }

    /// The requests the fake received after the first `mark` ([`Fixture::sent`] before).
    pub fn requests_after(&self, mark: usize) -> Vec<RecordedRequest> {
        self.github.requests().split_off(mark)
    }

    /// Uploads `bytes` as `name` to `release` through the generated operation, past the
    /// client's own checks: for storing what a release should never hold (a wrong digest
    /// with `Fault::WrongDigest`), or for reading GitHub's own refusal.
    pub async fn upload_unchecked(
        &self,
        release: &Release,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ReleaseAsset, Error> {
        self.client
            .for_upload_url(&release.upload_url)?
            .operations()
            .upload_release_asset()
            .owner(OWNER)
            .repo(REPO)
            .release_id(release.id)
            .name(name)
            .content_type(content_type)
            .content_length(bytes.len())
            .body(bytes)
            .send()
            .await
    }
}

/// Filters over the requests a fake received ([`Fixture::requests`]).
pub trait RequestLog {
    /// Each request's method, in order.
    fn methods(&self) -> Vec<String>;
    /// Each request as `METHOD path`, in order.
    fn calls(&self) -> Vec<String>;
    /// The requests that may change something: all but GETs.
    fn changes(&self) -> Vec<RecordedRequest>;
    /// The requests sent with `method`.
    fn with_method(&self, method: &str) -> Vec<RecordedRequest>;
    /// The requests that went to `host`.
    fn on_host(&self, host: Host) -> Vec<RecordedRequest>;
}

impl RequestLog for [RecordedRequest] {
    fn methods(&self) -> Vec<String> {
        self.iter().map(|r| r.method.clone()).collect()
    }

    fn calls(&self) -> Vec<String> {
        self.iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    fn changes(&self) -> Vec<RecordedRequest> {
        self.iter().filter(|r| r.method != "GET").cloned().collect()
    }

    fn with_method(&self, method: &str) -> Vec<RecordedRequest> {
        self.iter()
            .filter(|r| r.method == method)
            .cloned()
            .collect()
    }

    fn on_host(&self, host: Host) -> Vec<RecordedRequest> {
        self.iter().filter(|r| r.host == host).cloned().collect()
    }
}

/// A builder of a client for the wiremock `server`, for a test to set more on (a token
/// source, retries, timeouts).
pub fn mock_builder(server: &MockServer) -> ClientBuilder {
    Client::builder(server.uri())
}

/// A client for the wiremock `server`, with `token` when given.
pub fn mock_client(server: &MockServer, token: Option<&str>) -> Client {
    let builder = mock_builder(server);
    match token {
        Some(token) => builder.token(token),
        None => builder,
    }
    .build()
    .unwrap()
}

/// The latest release of `octo/hello` through the generated operation: the request the
/// tests of what every request does (headers, timeouts, error bodies) send to a wiremock
/// server.
pub async fn get_latest_release(client: &Client) -> Result<Release, Error> {
    client
        .operations()
        .get_latest_release()
        .owner("octo")
        .repo("hello")
        .send()
        .await
}

/// An answer of status `status` with `body` as JSON.
pub fn json_answer(status: u16, body: impl serde::Serialize) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// Answers every `verb` request for the path `at` on `server` with `response`.
pub async fn answer(server: &MockServer, verb: &str, at: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Answers `verb` requests for the path `at` on `server` with `response`, and checks, when
/// the server is dropped, that exactly one came.
pub async fn answer_once(server: &MockServer, verb: &str, at: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

/// An example body from the vendored description, by its `components.examples` name.
pub fn example(name: &str) -> serde_json::Value {
    conformance::description::example(name).expect("example in the vendored description")
}

/// An asset as the description's example gives it, with id `id`: for servers that answer
/// only the download itself.
pub fn example_asset(id: i64) -> ReleaseAsset {
    let mut asset = example("release-asset");
    asset["id"] = id.into();
    serde_json::from_value(asset).unwrap()
}

/// The bytes of `asset`, streamed whole ([`AssetHandle::stream`]): from the API or the
/// storage host it redirects to.
pub async fn streamed_bytes(asset: &AssetHandle) -> bytes::Bytes {
    asset.stream().await.unwrap().bytes().await.unwrap()
}

/// Every item of a listing.
pub async fn all<T>(stream: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    stream.try_collect().await
}

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A file `name` in `dir` holding `bytes`.
pub fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `len` bytes that repeat only every 251 (a prime, so no power-of-two offset lines them
/// up), XORed with `seed`: different seeds differ at every byte.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ seed).collect()
}

/// The sha256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// `sha256:<hex>` of `bytes`, as GitHub writes an asset's digest.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// `sha256:<hex>` of the file at `path`.
pub fn sha256_file(path: &Path) -> String {
    sha256(&std::fs::read(path).unwrap())
}

/// Records the progress reports of a transfer: pass [`ProgressLog::progress`], read
/// [`ProgressLog::seen`].
#[derive(Clone, Default)]
pub struct ProgressLog(Arc<Mutex<Vec<(u64, u64)>>>);

impl ProgressLog {
    /// A progress callback that records each `(done, total)` here.
    pub fn progress(&self) -> Progress {
        let log = self.0.clone();
        Progress::new(move |done, total| log.lock().unwrap().push((done, total)))
    }

    /// The reports seen so far, in order.
    pub fn seen(&self) -> Vec<(u64, u64)> {
        self.0.lock().unwrap().clone()
    }
}

/// What a fmt subscriber writes, collected: see [`log_everything`].
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every event and span at every level (reqwest's and hyper's too), collected for this
/// thread while the guard lives. A test using it runs alone in its binary: a thread-local
/// subscriber races with tests on other threads over tracing's callsite cache.
pub fn log_everything() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}
