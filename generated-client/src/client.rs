//! Building a [`Client`] and what every request it sends carries: default headers, the
//! token, and one tracing span naming the operation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{self, HeaderMap, HeaderValue};

use crate::Error;
use crate::destination::Destinations;
use crate::generated::Client as Generated;
use crate::operations::Operations;

/// GitHub's public API host.
pub const GITHUB_API_URL: &str = "https://api.github.com";

/// The REST API version this crate was generated against, sent as `X-GitHub-Api-Version`.
pub const API_VERSION: &str = "2026-03-10";

/// The media type GitHub recommends for JSON requests.
const GITHUB_JSON: &str = "application/vnd.github+json";

/// A GitHub token. It is sent as `Authorization: Bearer …` and never printed: its `Debug`
/// output is redacted and it has no `Display`.
///
/// ```
/// let token = github_release_assets::Token::new("ghp_secret");
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// ```
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token string. Whitespace around it is dropped: a token read from a file
    /// ends with a line break, and no GitHub token holds whitespace.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().trim().to_owned())
    }

    /// The `Authorization` header value, marked sensitive so `HeaderMap`'s `Debug`
    /// does not print it either.
    fn header_value(&self) -> Result<HeaderValue, Error> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0))
            .map_err(|_| Self::unfit_for_a_header())?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Why a token cannot go in a header (its value is never part of the error).
    fn unfit_for_a_header() -> Error {
        Error::InvalidRequest(
            "the token holds characters a header cannot carry (a control character, such as a line break inside it): check how it was read".into(),
        )
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl From<String> for Token {
    fn from(token: String) -> Self {
        Self::new(token)
    }
}

impl From<&str> for Token {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

/// Gives the token for each request, for tokens that expire and are renewed, such as
/// GitHub App installation tokens. It is asked before every request to the API or uploads
/// host, so it should cache and refresh on its own.
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use github_release_assets::{Client, Error, Token, TokenSource};
///
/// struct Installation; // would hold the app's key and a cached token
/// impl TokenSource for Installation {
///     fn token(&self) -> Pin<Box<dyn Future<Output = Result<Token, Error>> + Send + '_>> {
///         Box::pin(async { Ok(Token::new("ghs_fresh")) })
///     }
/// }
/// let client = Client::builder("https://api.github.com").token_source(Installation).build().unwrap();
/// # let _ = client;
/// ```
pub trait TokenSource: Send + Sync + 'static {
    /// The token to send now.
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Token, Error>> + Send + '_>>;
}

/// A fixed token, or a source asked each time.
#[derive(Clone)]
enum Credential {
    /// The `Authorization` value, made once rather than for each request (`None`: the
    /// token holds characters a header cannot carry, which `build()` reports).
    Fixed(Option<HeaderValue>),
    Source(Arc<dyn TokenSource>),
}

impl Credential {
    fn fixed(token: Token) -> Self {
        Credential::Fixed(token.header_value().ok())
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Fixed(_) => f.write_str("Fixed(Token(<redacted>))"),
            Credential::Source(_) => f.write_str("Source(..)"),
        }
    }
}

/// The token the environment gives, as GitHub's tools look for it: `GITHUB_TOKEN`, then
/// `GH_TOKEN`; empty values do not count.
fn token_from(lookup: impl Fn(&str) -> Option<String>) -> Option<Token> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .into_iter()
        .filter_map(lookup)
        .find(|t| !t.trim().is_empty())
        .map(Token::new)
}

/// What the hooks need on every request. It lives inside the generated client.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    token: Option<Credential>,
    /// For downloads: follows no redirect by itself and sends no default header, so a
    /// redirect is followed by hand and never carries the token. Built at the first
    /// download (no need to build it for a client that never downloads), and shared by
    /// every clone of these settings.
    downloads: Arc<OnceLock<reqwest::Client>>,
    /// For uploads: the API client's headers and redirects without its read timeout,
    /// which reqwest keeps as one timer from the request's start to its answer's headers,
    /// so it would fail every upload longer than it; `upload_stall.rs` takes its place.
    /// Built at the first upload, and shared as `downloads` is.
    uploads: Arc<OnceLock<reqwest::Client>>,
    user_agent: String,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    retry: crate::RetryPolicy,
    /// Where requests may go, and where the token goes with them.
    destinations: Destinations,
    /// The TLS configuration of both HTTP clients: the system's root certificates and
    /// those given, loaded once, at the first https handshake.
    tls: crate::tls::SharedTls,
    /// The API's base URL, parsed once: a request's URL built from it parses no host
    /// (reqwest parsing a URL string is about 7% of a get's work).
    api: reqwest::Url,
}

impl Settings {
    /// The URL of `segments` below the API's base path, each percent-encoded as one
    /// segment (a `/` or `?` in a name stays in its segment).
    pub(crate) fn api_url<'a>(&self, segments: impl IntoIterator<Item = &'a str>) -> reqwest::Url {
        let mut url = self.api.clone();
        // The base is an http(s) URL with a host (`ClientBuilder::build` checks), which
        // always has path segments: the `Err` of a URL without them cannot occur.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// The API's origin: scheme, host and port.
    pub(crate) fn api_origin(&self) -> url::Origin {
        self.api.origin()
    }

    /// Adds the token to `request` if it goes to the API or uploads host, and only then.
    pub(crate) async fn authorize(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        let Some(credential) = &self.token else {
            return Ok(());
        };
        if !self.destinations.takes_token(request.url()) {
            return Ok(());
        }
        let value = match credential {
            Credential::Fixed(Some(value)) => value.clone(),
            Credential::Fixed(None) => return Err(Token::unfit_for_a_header()),
            Credential::Source(source) => source.token().await?.header_value()?,
        };
        request.headers_mut().insert(header::AUTHORIZATION, value);
        Ok(())
    }

    /// What the API client and the downloads client share: user agent, trusted
    /// certificates, timeouts.
    fn http_builder(&self) -> reqwest::ClientBuilder {
        self.http_builder_reading(self.read_timeout)
    }

    fn http_builder_reading(&self, read_timeout: Option<Duration>) -> reqwest::ClientBuilder {
        let builder = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .tls_backend_preconfigured(self.tls.config())
            .connect_timeout(self.connect_timeout);
        match read_timeout {
            Some(read) => builder.read_timeout(read),
            None => builder,
        }
    }

    /// An HTTP client for GitHub's API: its JSON and version headers by default, its
    /// redirects checked, and reads timed out after `read_timeout`.
    fn api_http(&self, read_timeout: Option<Duration>) -> Result<reqwest::Client, Error> {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(header::ACCEPT, HeaderValue::from_static(GITHUB_JSON));
        default_headers.insert(
            "x-github-api-version",
            HeaderValue::from_static(API_VERSION),
        );
        self.http_builder_reading(read_timeout)
            .default_headers(default_headers)
            .redirect(crate::destination::redirect_policy(
                self.destinations.hop_rules(),
            ))
            .build()
            .map_err(Error::from_transport)
    }

    /// The HTTP client uploads go through (see `uploads`).
    pub(crate) fn uploads_http(&self) -> Result<&reqwest::Client, Error> {
        if let Some(client) = self.uploads.get() {
            return Ok(client);
        }
        let client = self.api_http(None)?;
        Ok(self.uploads.get_or_init(|| client))
    }

    /// How long an upload may stand still, sending or awaiting its answer.
    pub(crate) fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }

    pub(crate) fn downloads(&self) -> Result<&reqwest::Client, Error> {
        if let Some(client) = self.downloads.get() {
            return Ok(client);
        }
        let client = self
            .http_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::from_transport)?;
        // Two first downloads at once may both build one; either will do.
        Ok(self.downloads.get_or_init(|| client))
    }

    pub(crate) fn retry(&self) -> &crate::RetryPolicy {
        &self.retry
    }

    pub(crate) fn destinations(&self) -> &Destinations {
        &self.destinations
    }
}

/// A GitHub REST client for releases and their assets. Cheap to clone: clones share one
/// connection pool.
///
/// ```
/// let client = github_release_assets::Client::builder("https://api.github.com")
///     .token("ghp_secret")
///     .build()
///     .unwrap();
/// let _same_pool = client.clone();
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    generated: Arc<Generated>,
}

impl Client {
    /// Every operation of the description, for what the handles do not cover.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let asset = client
    ///     .operations()
    ///     .get_release_asset()
    ///     .owner("octocat")
    ///     .repo("hello-world")
    ///     .asset_id(42)
    ///     .send()
    ///     .await?;
    /// println!("{} is {} bytes", asset.name, asset.size);
    /// # Ok(()) }
    /// ```
    pub fn operations(&self) -> Operations<'_> {
        Operations::new(&self.generated)
    }

    /// The API's base URL, as given to [`Client::builder`], without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.generated.baseurl
    }

    /// The connection pool of API requests.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.generated.client
    }

    /// The API URL of asset `asset_id` of `owner/repo`, which its get and its download
    /// both request.
    pub(crate) fn asset_url(&self, owner: &str, repo: &str, asset_id: i64) -> reqwest::Url {
        let id = asset_id.to_string();
        self.inner()
            .api_url(["repos", owner, repo, "releases", "assets", &id])
    }

    pub(crate) fn inner(&self) -> &Settings {
        &self.generated.inner
    }

    fn from_parts(base_url: &str, http: reqwest::Client, settings: Settings) -> Self {
        Client {
            generated: Arc::new(Generated {
                baseurl: base_url.to_owned(),
                client: http,
                inner: settings,
            }),
        }
    }
}

/// How long a read may wait for data unless [`ClientBuilder::read_timeout`] says otherwise:
/// a server that stops sending (a stalled connection, a proxy that hangs) fails the request
/// rather than holding it forever, as the `release-assets` tool's `--read-timeout` does.
///
/// ```
/// assert_eq!(github_release_assets::DEFAULT_READ_TIMEOUT.as_secs(), 60);
/// ```
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// let client = github_release_assets::Client::builder("https://api.github.com")
///     .token("ghp_secret")
///     .connect_timeout(Duration::from_secs(10))
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("ghp_secret"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Credential>,
    user_agent: String,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    retry: crate::RetryPolicy,
    uploads_urls: Vec<String>,
    allow_http: bool,
    allow_internal_redirects: bool,
    /// PEM certificates trusted besides the system's.
    root_certificates: Vec<u8>,
}

impl Client {
    /// Starts building a client for the API at `base_url`: [`GITHUB_API_URL`], or a GitHub
    /// Enterprise Server's `https://HOST/api/v3`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            user_agent: concat!("github-release-assets/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            retry: crate::RetryPolicy::default(),
            uploads_urls: Vec::new(),
            allow_http: false,
            allow_internal_redirects: false,
            root_certificates: Vec::new(),
        }
    }
}

impl Client {
    /// A client for the uploads host that a release's `upload_url` names, for
    /// `operations().upload_release_asset()`. GitHub answers uploads on another host
    /// (`uploads.github.com`), and GitHub Enterprise Server under `/api/uploads`; taking it
    /// from `upload_url` (an RFC 6570 template such as
    /// `https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}`) works for both.
    ///
    /// The host must be the uploads host of this client's API (`uploads.github.com` for
    /// `api.github.com`, the API's own origin for GitHub Enterprise Server) or one named
    /// with [`ClientBuilder::uploads_url`]; any other is
    /// [`Error::UntrustedDestination`], since the token and the file would go there.
    ///
    /// ```
    /// use github_release_assets::{Client, Error};
    /// let api = Client::builder("https://ghe.example.com/api/v3").build().unwrap();
    /// let uploads = api
    ///     .for_upload_url("https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets{?name,label}")
    ///     .unwrap();
    /// assert_eq!(uploads.base_url(), "https://ghe.example.com/api/uploads");
    /// let elsewhere = api.for_upload_url("https://collector.example/repos/o/r/releases/1/assets");
    /// assert!(matches!(elsewhere, Err(Error::UntrustedDestination { .. })));
    /// ```
    pub fn for_upload_url(&self, upload_url: &str) -> Result<Client, Error> {
        self.for_uploads_to(&UploadUrl::parse(upload_url)?)
    }

    /// [`Self::for_upload_url`] of a `upload_url` already parsed.
    pub(crate) fn for_uploads_to(&self, target: &UploadUrl) -> Result<Client, Error> {
        self.inner().destinations.check_uploads(&target.url)?;
        Ok(Client::from_parts(
            &target.base,
            self.inner().uploads_http()?.clone(),
            self.inner().clone(),
        ))
    }
}

/// What a release's `upload_url` (an RFC 6570 template such as
/// `https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}`) names.
pub(crate) struct UploadUrl {
    /// Without the template's query part.
    pub url: reqwest::Url,
    /// The uploads API's base: the origin and any path before `/repos/`.
    pub base: String,
    pub owner: String,
    pub repo: String,
    pub release_id: i64,
}

impl UploadUrl {
    pub fn parse(upload_url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::InvalidRequest(format!("upload_url {upload_url:?} {why}"));
        // Drop the template's query part, `{?name,label}`.
        let plain = upload_url.split('{').next().unwrap_or(upload_url);
        let url = reqwest::Url::parse(plain).map_err(|_| bad("is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("is not an http(s) URL"));
        }
        let segments: Vec<&str> = url.path().trim_matches('/').split('/').collect();
        let n = segments.len();
        let release_id = (n >= 6
            && segments[n - 6] == "repos"
            && segments[n - 3] == "releases"
            && segments[n - 1] == "assets")
            .then(|| segments[n - 2].parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| bad("does not end in /repos/OWNER/REPO/releases/ID/assets"))?;
        let origin = url.origin().ascii_serialization();
        let prefix: String = segments[..n - 6].iter().map(|s| format!("/{s}")).collect();
        Ok(Self {
            base: format!("{origin}{prefix}"),
            owner: segments[n - 5].to_owned(),
            repo: segments[n - 4].to_owned(),
            release_id,
            url,
        })
    }
}

impl ClientBuilder {
    /// Authenticates every request to the API (and uploads) host with this token.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(Credential::fixed(token.into()));
        self
    }

    /// Authenticates with the token in `GITHUB_TOKEN`, or else `GH_TOKEN`, if either is set
    /// (as GitHub Actions and the `gh` tool set them); otherwise requests go anonymously.
    pub fn token_from_env(mut self) -> Self {
        if let Some(token) = token_from(|name| std::env::var(name).ok()) {
            self.token = Some(Credential::fixed(token));
        }
        self
    }

    /// Asks `source` for the token before each request (for tokens that expire).
    pub fn token_source(mut self, source: impl TokenSource) -> Self {
        self.token = Some(Credential::Source(Arc::new(source)));
        self
    }

    /// Replaces the `User-Agent` (GitHub rejects requests without one).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long to wait for a connection (30 s unless set).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a read may wait for data ([`DEFAULT_READ_TIMEOUT`], 60 s, unless set);
    /// `None` waits forever. A stalled connection then fails the request, and an idempotent
    /// one (a listing, a download, a delete) is sent again. There is deliberately no timeout
    /// on a whole request: transfers of large assets take as long as they take.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = github_release_assets::Client::builder("https://api.github.com")
    ///     .read_timeout(Duration::from_secs(300))
    ///     .build()
    ///     .unwrap();
    /// let patient = github_release_assets::Client::builder("https://api.github.com")
    ///     .read_timeout(None)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.read_timeout = timeout.into();
        self
    }

    /// Names an uploads host the token may go to besides the API's own (for a server whose
    /// releases' `upload_url` names another origin). Without it, an `upload_url` on any
    /// origin but the API's own uploads host is refused.
    ///
    /// ```
    /// let client = github_release_assets::Client::builder("https://git.example.com/api/v3")
    ///     .uploads_url("https://uploads.git.example.com")
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn uploads_url(mut self, url: impl Into<String>) -> Self {
        self.uploads_urls.push(url.into());
        self
    }

    /// Allows plain http to hosts that are not loopback (loopback always may). Without it,
    /// an http API or uploads URL elsewhere is refused: the token would travel in clear. A
    /// redirect from https to http is refused either way.
    ///
    /// ```
    /// use github_release_assets::Client;
    /// assert!(Client::builder("http://ghe.internal/api/v3").build().is_err());
    /// assert!(Client::builder("http://ghe.internal/api/v3").allow_http().build().is_ok());
    /// assert!(Client::builder("http://127.0.0.1:8080").build().is_ok());
    /// ```
    pub fn allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// Follows redirects (a download's to storage, the API's own) to addresses inside a
    /// network (loopback, private, link-local) though the API is not on one: for a server
    /// whose storage sits on an internal address behind a public API name. Without it such
    /// a redirect is [`Error::UntrustedDestination`] with
    /// [`Untrusted::InternalAddress`](crate::Untrusted::InternalAddress), so that an answer
    /// from the internet cannot point this client at the network it runs in. An API on an
    /// internal address itself needs nothing: its redirects there are followed.
    ///
    /// ```
    /// let client = github_release_assets::Client::builder("https://git.example.com/api/v3")
    ///     .allow_internal_redirects()
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn allow_internal_redirects(mut self) -> Self {
        self.allow_internal_redirects = true;
        self
    }

    /// Trusts the certificate authorities in `pem` (one or more PEM certificates) besides
    /// the system's, for the API, uploads and download hosts alike: for a GitHub Enterprise
    /// Server whose certificate a private authority signed. [`Self::build`] fails on
    /// anything that is not PEM.
    ///
    /// ```no_run
    /// let pem = std::fs::read("/etc/ssl/corp-root.pem").unwrap();
    /// let client = github_release_assets::Client::builder("https://ghe.example.com/api/v3")
    ///     .root_certificates_pem(pem)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.extend_from_slice(pem.as_ref());
        self.root_certificates.push(b'\n');
        self
    }

    /// When to retry idempotent requests ([`RetryPolicy::default`] unless set;
    /// [`RetryPolicy::none`] turns retries off).
    ///
    /// [`RetryPolicy::default`]: crate::RetryPolicy::default
    /// [`RetryPolicy::none`]: crate::RetryPolicy::none
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the client. Fails on a base or uploads URL that is not an absolute http(s)
    /// URL, or is plain http to a host that is not loopback without [`Self::allow_http`],
    /// and on a token a header cannot carry (the token is never part of the error).
    ///
    /// ```
    /// use github_release_assets::{Client, GITHUB_API_URL};
    /// assert!(Client::builder(GITHUB_API_URL).token("ghp_ok\n").build().is_ok());
    /// let error = Client::builder(GITHUB_API_URL).token("ghp_a\nb").build().unwrap_err();
    /// assert!(error.to_string().contains("a header cannot carry"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        if matches!(self.token, Some(Credential::Fixed(None))) {
            return Err(Token::unfit_for_a_header());
        }
        let parse = |url: &str| {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| Error::InvalidRequest(format!("URL {url:?}: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(Error::InvalidRequest(format!(
                    "URL {url:?} is not an http(s) URL"
                )));
            }
            Ok(parsed)
        };
        let base = parse(&self.base_url)?;
        let uploads = self
            .uploads_urls
            .iter()
            .map(|u| parse(u))
            .collect::<Result<Vec<_>, _>>()?;
        let destinations = Destinations::new(
            &base,
            &uploads,
            self.allow_http,
            self.allow_internal_redirects,
        )?;
        let root_certificates = if self.root_certificates.is_empty() {
            Vec::new()
        } else {
            use rustls::pki_types::{CertificateDer, pem::PemObject};
            CertificateDer::pem_slice_iter(&self.root_certificates)
                .collect::<Result<Vec<_>, _>>()
                .ok()
                .filter(|certificates| !certificates.is_empty())
                .ok_or_else(|| {
                    Error::InvalidRequest(
                        "the root certificates given are not PEM certificates".into(),
                    )
                })?
        };
        let tls = crate::tls::SharedTls::new(root_certificates).map_err(|e| {
            Error::InvalidRequest(format!("a root certificate given cannot be trusted: {e}"))
        })?;
        let settings = Settings {
            downloads: Arc::default(),
            uploads: Arc::default(),
            user_agent: self.user_agent,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            retry: self.retry,
            token: self.token,
            destinations,
            tls,
            api: base,
        };
        let http = settings.api_http(settings.read_timeout)?;
        let base_url = self.base_url.trim_end_matches('/');
        Ok(Client::from_parts(base_url, http, settings))
    }
}

impl ClientHooks<Settings> for Generated {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // The generated requests carry GitHub's headers already (codegen's `github_headers`
        // made progenitor's `api-version` and `Accept` so), leaving only the token.
        crate::pipeline::authorize(self.inner(), request)
            .await
            .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // GitHub's operationId (`repos/get-release-asset`), not the Rust name.
        let operation_id = crate::operations::upstream_operation_id(info.operation_id)
            .unwrap_or(info.operation_id);
        crate::pipeline::execute(self.client(), self.inner(), request, operation_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library client has a read timeout unless told to wait forever: a stalled
    /// connection must not hold a release job until the CI kills it.
    #[test]
    fn reads_time_out_by_default_and_none_turns_that_off() {
        let builder = Client::builder(GITHUB_API_URL);
        assert_eq!(builder.read_timeout, Some(Duration::from_secs(60)));
        let set = builder.clone().read_timeout(Duration::from_secs(5));
        assert_eq!(set.read_timeout, Some(Duration::from_secs(5)));
        assert_eq!(builder.read_timeout(None).read_timeout, None);
    }

    /// The header value is made once, when the token is given, without the whitespace
    /// around it; a token a header cannot carry fails the build, and never shows itself.
    #[tokio::test]
    async fn the_authorization_value_is_made_once_and_a_bad_token_fails_the_build() {
        let request = || {
            reqwest::Request::new(
                reqwest::Method::GET,
                "https://api.github.com/repos/o/r".parse().unwrap(),
            )
        };
        let good = Client::builder(GITHUB_API_URL)
            .token(" ghs_good\r\n")
            .build()
            .unwrap();
        for _ in 0..2 {
            let mut sent = request();
            good.inner().authorize(&mut sent).await.unwrap();
            let value = &sent.headers()[header::AUTHORIZATION];
            assert_eq!(value, "Bearer ghs_good");
            assert!(value.is_sensitive());
        }
        assert!(!format!("{:?}", good.inner()).contains("ghs_good"));

        let error = Client::builder(GITHUB_API_URL)
            .token("ghs_bad\nline")
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("a header cannot carry"),
            "{error}"
        );
        assert!(!format!("{error} {error:?}").contains("ghs_bad"));
    }

    #[test]
    fn no_token_in_clear_to_an_uploads_host() {
        let shouting = Client::builder("HTTPS://ghe.example.com/api/v3")
            .token("ghs_x")
            .build()
            .unwrap();
        assert!(
            shouting
                .for_upload_url("http://ghe.example.com/api/uploads/repos/o/r/releases/1/assets")
                .is_err()
        );
        let api = Client::builder("https://ghe.example.com/api/v3")
            .token("ghs_x")
            .build()
            .unwrap();
        let error = api
            .for_upload_url(
                "http://ghe.example.com/api/uploads/repos/o/r/releases/1/assets{?name,label}",
            )
            .unwrap_err();
        assert!(error.to_string().contains("in clear"), "{error}");
        assert!(!error.to_string().contains("ghs_x"));
        assert!(
            api.for_upload_url("https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets")
                .is_ok()
        );
    }

    #[test]
    fn upload_url_gives_the_uploads_base() {
        let api = Client::builder(GITHUB_API_URL).token("t").build().unwrap();
        let uploads = api
            .for_upload_url("https://uploads.github.com/repos/octocat/Hello-World/releases/1/assets{?name,label}")
            .unwrap();
        assert_eq!(uploads.base_url(), "https://uploads.github.com");
        assert!(
            uploads
                .inner()
                .destinations()
                .takes_token(&reqwest::Url::parse("https://uploads.github.com/x").unwrap())
        );
        // An owner named `repos` does not confuse it.
        let named = Client::builder(GITHUB_API_URL)
            .uploads_url("https://127.0.0.1:9")
            .build()
            .unwrap();
        let odd = named
            .for_upload_url("https://127.0.0.1:9/up/repos/repos/assets/releases/7/assets")
            .unwrap();
        assert_eq!(odd.base_url(), "https://127.0.0.1:9/up");
        for bad in [
            "not a url",
            "ftp://h/repos/o/r/releases/1/assets",
            "https://h/repos/o/r/releases/1",
            // Well formed, but not the API's uploads host, nor named.
            "https://127.0.0.1:9/up/repos/repos/assets/releases/7/assets",
        ] {
            assert!(api.for_upload_url(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Any `upload_url` a server sends: the uploads base and ids, or an error, never a
        /// panic; and a base, when there is one, is on the URL's own origin.
        #[test]
        fn any_upload_url_is_parsed_or_refused(
            url in "(https?://[a-z0-9.:\\[\\]]{0,20})?(/[a-z0-9%{}?,.-]{0,12}){0,9}(\\{\\?name,label\\})?|\\PC{0,60}"
        ) {
            if let Ok(parsed) = UploadUrl::parse(&url) {
                proptest::prop_assert!(parsed.base.starts_with(&parsed.url.origin().ascii_serialization()));
            }
            // One client for all cases: building one for each would dominate the test.
            static API: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
            let api = API.get_or_init(|| Client::builder(GITHUB_API_URL).build().unwrap());
            let _ = api.for_upload_url(&url);
        }
    }

    #[test]
    fn the_environment_token_is_github_token_then_gh_token() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let found = |t: Option<Token>| t.map(|t| t.0);
        assert_eq!(
            found(token_from(env(&[("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b")]))),
            Some("a".into())
        );
        assert_eq!(
            found(token_from(env(&[("GITHUB_TOKEN", " "), ("GH_TOKEN", "b")]))),
            Some("b".into())
        );
        assert_eq!(found(token_from(env(&[]))), None);
    }

    #[test]
    fn a_bad_base_url_is_refused() {
        assert!(Client::builder("not a url").build().is_err());
        assert!(Client::builder("ftp://example.com").build().is_err());
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let client = Client::builder("http://127.0.0.1:1")
            .token("s3cr3t-token")
            .build()
            .unwrap();
        let printed = format!("{client:?} {:?}", client.inner());
        assert!(!printed.contains("s3cr3t-token"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }
}
