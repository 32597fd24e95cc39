//! The settings every request is sent with: the token and where it may go, the HTTP
//! clients (API, uploads, downloads), timeouts, retries and trusted certificates. A
//! [`ClientBuilder`] makes them; the client of the published crate, or of a crate
//! generated from a whole description, carries them as progenitor's inner type.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};

use super::destination::Destinations;
use super::error::Error;
use super::retry::RetryPolicy;
use super::tls::SharedTls;

/// GitHub's public API host.
pub const GITHUB_API_URL: &str = "https://api.github.com";

/// The REST API version this crate was generated against, sent as `X-GitHub-Api-Version`.
pub const API_VERSION: &str = "2026-03-10";

/// The media type GitHub recommends for JSON requests.
pub(crate) const GITHUB_JSON: &str = "application/vnd.github+json";

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

/// What the hooks need on every request. It lives inside the generated client, as
/// progenitor's inner type.
#[derive(Clone, Debug)]
pub struct Settings {
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
    retry: RetryPolicy,
    /// Where requests may go, and where the token goes with them.
    destinations: Destinations,
    /// The TLS configuration of both HTTP clients: the system's root certificates and
    /// those given, loaded once, at the first https handshake.
    tls: SharedTls,
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
            .redirect(super::destination::redirect_policy(
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

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    pub(crate) fn destinations(&self) -> &Destinations {
        &self.destinations
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

/// Builds a [`crate::Client`].
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
    retry: RetryPolicy,
    uploads_urls: Vec<String>,
    allow_http: bool,
    allow_internal_redirects: bool,
    /// PEM certificates trusted besides the system's.
    root_certificates: Vec<u8>,
}

impl ClientBuilder {
    /// A builder with the defaults, as [`crate::Client::builder`] gives it (a client
    /// generated from a whole description starts here too).
    ///
    /// ```
    /// let builder = github_release_assets::ClientBuilder::new("https://api.github.com");
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            user_agent: concat!("github-release-assets/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            retry: RetryPolicy::default(),
            uploads_urls: Vec::new(),
            allow_http: false,
            allow_internal_redirects: false,
            root_certificates: Vec::new(),
        }
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
    /// [`RetryPolicy::default`]: RetryPolicy::default
    /// [`RetryPolicy::none`]: RetryPolicy::none
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The checked settings and the API's HTTP client, for a client to be made of:
    /// [`ClientBuilder::build`] makes the crate's [`crate::Client`] of them. Fails as
    /// `build` does.
    ///
    /// ```
    /// let parts = github_release_assets::ClientBuilder::new("https://api.github.com/")
    ///     .into_parts()
    ///     .unwrap();
    /// assert_eq!(parts.base_url, "https://api.github.com");
    /// ```
    #[doc(hidden)]
    pub fn into_parts(self) -> Result<Parts, Error> {
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
        let tls = SharedTls::new(root_certificates).map_err(|e| {
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
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        Ok(Parts {
            base_url,
            http,
            settings,
        })
    }
}

/// What a built [`ClientBuilder`] gives a client: its base URL (no trailing `/`), the
/// HTTP client of API requests, and the settings its hooks read.
#[derive(Debug)]
pub struct Parts {
    pub base_url: String,
    pub http: reqwest::Client,
    pub settings: Settings,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library client has a read timeout unless told to wait forever: a stalled
    /// connection must not hold a release job until the CI kills it.
    #[test]
    fn reads_time_out_by_default_and_none_turns_that_off() {
        let builder = ClientBuilder::new(GITHUB_API_URL);
        assert_eq!(builder.read_timeout, Some(Duration::from_secs(60)));
        let set = builder.clone().read_timeout(Duration::from_secs(5));
        assert_eq!(set.read_timeout, Some(Duration::from_secs(5)));
        assert_eq!(builder.read_timeout(None).read_timeout, None);
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
}
