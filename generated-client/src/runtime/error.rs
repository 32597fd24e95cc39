//! The one error type of the crate, and how the generated client's errors become it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// How much of an unexpected body an error keeps.
const EXCERPT_CHARS: usize = 200;
/// How much of an error response's body is read to find GitHub's message.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Everything that can go wrong talking to GitHub. `Display` says what happened in a
/// sentence a person can act on; the variants carry the details.
///
/// ```
/// use github_release_assets::Error;
/// let e = Error::NotFound { message: "Not Found".into(), documentation_url: None };
/// assert_eq!(e.to_string(), "not found (404): Not Found. Check the owner, repository and id, and that the token can see them");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 404: the repository, release or asset does not exist, or the token cannot see it.
    #[error(
        "not found (404): {message}. Check the owner, repository and id, and that the token can see them"
    )]
    NotFound {
        message: String,
        documentation_url: Option<String>,
    },
    /// 422: GitHub refused the request's content (a duplicate asset name, a bad field).
    #[error("GitHub refused the request (422): {message}{}", describe_errors(.errors))]
    Unprocessable {
        message: String,
        /// GitHub's `errors` array, as sent.
        errors: Vec<serde_json::Value>,
        documentation_url: Option<String>,
    },
    /// A primary or secondary rate limit.
    #[error("rate limited ({status}): {message}{}", describe_wait(.retry_after, .reset))]
    RateLimited {
        status: u16,
        message: String,
        /// When the limit resets (`X-RateLimit-Reset`).
        reset: Option<DateTime<Utc>>,
        /// How long GitHub asked to wait (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// 401 or 403: the token is missing, wrong, expired or lacks a permission.
    #[error("not authorized ({status}): {message}. Check the token and its permissions")]
    Authentication { status: u16, message: String },
    /// Any other status GitHub answered with.
    #[error("GitHub answered {status}{}", .message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        status: u16,
        message: Option<String>,
        documentation_url: Option<String>,
    },
    /// A response whose body is not what the description says.
    #[error("could not read GitHub's response: {reason}{}", began(.excerpt))]
    Decode {
        reason: String,
        /// The body's first characters.
        excerpt: String,
    },
    /// A listing whose pages do not end: its `Link` header leads back to a page already
    /// read, or it goes past [`crate::MAX_PAGES`] pages or [`crate::MAX_ITEMS`] items. The
    /// items before were yielded.
    #[error("the listing does not end: {reason}")]
    EndlessListing { reason: String },
    /// The release is immutable: published with release immutability on, its assets can
    /// no longer be added, replaced, edited or deleted. Refused before anything was sent
    /// when the release says so (`status` `None`), or GitHub's 422 saying it.
    #[error(
        "{}is immutable: {message}. Once an immutable release is published, no asset can be added, replaced, edited or deleted, nor can it become a draft again; upload to a draft release, then publish it",
        .release.as_ref().map(|r| format!("release {r} ")).unwrap_or_else(|| "the release ".to_owned())
    )]
    ImmutableRelease {
        /// The release, as `TAG (id ID)`, when known.
        release: Option<String>,
        /// What was refused, or GitHub's message.
        message: String,
        /// 422 when GitHub refused; `None` when refused before sending.
        status: Option<u16>,
    },
    /// The release already has an asset of that name (GitHub's 422 `already_exists`). An
    /// upload with [`crate::Upload::replace`] or [`crate::Upload::skip_existing`] decides
    /// what to do instead.
    #[error("the release already has an asset named {name:?}")]
    AlreadyExists { name: String },
    /// What GitHub stored is not what was uploaded (its size, or its `digest` against the
    /// sha256 of the bytes sent). The stored asset was deleted.
    #[error(
        "the upload of {name:?} did not arrive intact: {reason}; {}",
        if *.removed { "the stored asset was deleted, upload again" } else { "deleting the stored asset failed too: delete it, then upload again" }
    )]
    UploadMismatch {
        name: String,
        reason: String,
        /// Whether what GitHub stored was deleted.
        removed: bool,
    },
    /// A replacement's new asset is complete and the old one deleted, but renaming the new
    /// one to the name kept failing: it is still under its temporary name. Renaming asset
    /// `asset_id` to `name` ([`crate::AssetHandle::edit`]) completes it.
    #[error(
        "replacing {name:?}: the new asset (id {asset_id}) is uploaded and the old one deleted, but renaming it from {temporary:?} failed ({reason})"
    )]
    ReplaceIncomplete {
        name: String,
        temporary: String,
        asset_id: i64,
        reason: String,
    },
    /// The asset's bytes cannot be checked against a digest, and the caller required one
    /// ([`crate::DownloadTo::require_digest`]). Nothing was downloaded.
    #[error("{name:?} cannot be verified: {reason}; nothing was downloaded")]
    Unverifiable { name: String, reason: Unverifiable },
    /// The downloaded bytes' sha256 is not the asset's `digest`. Nothing was saved.
    #[error(
        "digest mismatch: the asset's digest is sha256:{expected} but the bytes received hash to sha256:{actual}; nothing was saved, download again"
    )]
    DigestMismatch { expected: String, actual: String },
    /// A page (HTML, JSON) came instead of the asset's bytes, with a success status: a
    /// proxy, a captive portal, a sign-in page. Nothing was saved.
    #[error(
        "expected the asset's bytes but got a {content_type} page (a proxy or sign-in page?); nothing was saved. It began {excerpt:?}"
    )]
    NotTheAsset {
        content_type: String,
        excerpt: String,
    },
    /// An asset of the name is still being uploaded (state `open`), by another writer, and
    /// stayed so for as long as the upload would wait. It was left alone.
    #[error(
        "another upload of {name:?} is in progress (asset {asset_id} is still open); it was left alone"
    )]
    UploadInProgress { name: String, asset_id: i64 },
    /// Another download of the same asset to the same file is under way, in this process
    /// or another: its part file is locked. Nothing was changed.
    #[error(
        "another download is writing {} (its part file is locked); wait for it to finish",
        part.display()
    )]
    DownloadInProgress { part: std::path::PathBuf },
    /// The bytes ended before the asset's size (or went past it).
    #[error("the download stopped at {received} of {expected} bytes; download again to resume")]
    Incomplete { expected: u64, received: u64 },
    /// The bytes to upload failed while they were sent: the file could not be read, or
    /// ended sooner or went on longer than its length, or a stream did. The upload stopped
    /// there.
    #[error("the bytes to upload failed: {reason}; the upload stopped")]
    UploadSource { reason: String },
    /// Reading or writing a local file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The request did not complete in time. [`std::error::Error::source`] says more.
    #[error("timed out{}", at(.url))]
    Timeout {
        /// Where the request went, without its query.
        url: Option<String>,
        source: TransportError,
    },
    /// The connection failed or broke. [`std::error::Error::source`] says why.
    #[error("connection failed{}", at(.url))]
    Transport {
        /// Where the request went, without its query.
        url: Option<String>,
        source: TransportError,
    },
    /// The request was not sent, because of where it would have gone: an uploads host the
    /// API does not own and the caller did not name, plain http to a host that is not
    /// loopback, or a redirect from https to http. Nothing (neither the token nor a byte of
    /// the file) reached that destination.
    #[error("refused to send to {url}: {reason}")]
    UntrustedDestination {
        /// The destination, without its query.
        url: String,
        /// Why it is refused.
        reason: Untrusted,
    },
    /// The request could not be built (a missing parameter, an invalid value).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

/// Why a destination is refused ([`Error::UntrustedDestination`]).
///
/// ```
/// use github_release_assets::{Client, Error, Untrusted};
/// let error = Client::builder("http://ghe.internal/api/v3").build().unwrap_err();
/// assert!(matches!(error, Error::UntrustedDestination { reason: Untrusted::PlainHttp, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Untrusted {
    /// A release's `upload_url` names an origin that is neither the API's own uploads host
    /// nor one named with [`crate::ClientBuilder::uploads_url`].
    #[error("the release's upload_url names a host that is not this API's uploads host (the token goes to {} only)", .trusted.join(", "))]
    UploadsHost {
        /// The origins the token may go to.
        trusted: Vec<String>,
    },
    /// Plain http to a host that is not loopback, without
    /// [`crate::ClientBuilder::allow_http`]: the token and the data would travel in clear.
    #[error(
        "plain http to a host that is not loopback: the token and the data would travel in clear"
    )]
    PlainHttp,
    /// A redirect from https to http.
    #[error("a redirect from https to plain http")]
    Downgrade,
    /// A scheme other than http and https.
    #[error("{0:?} is not http(s)")]
    Scheme(String),
    /// A redirect to an address inside a network (loopback, private, link-local) from an
    /// API that is not on one, without [`crate::ClientBuilder::allow_internal_redirects`].
    #[error("a redirect to a loopback, private or link-local address, from an API on the internet")]
    InternalAddress,
    /// A listing's `Link: rel="next"` names another origin (scheme, host or port) than the
    /// API's: the next page would go with the token to wherever a server's answer says.
    #[error("a listing's next page is on another origin than the API's ({api})")]
    NextPageElsewhere {
        /// The API's origin.
        api: String,
    },
}

impl Error {
    /// The HTTP status behind this error, if GitHub answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NotFound { .. } => Some(404),
            Error::Unprocessable { .. } => Some(422),
            Error::ImmutableRelease { status, .. } => *status,
            Error::RateLimited { status, .. }
            | Error::Authentication { status, .. }
            | Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn from_transport(error: reqwest::Error) -> Self {
        if let Some(refused) = refused_redirect(&error) {
            return refused;
        }
        if let Some(failed) = cause::<SourceFailed>(&error) {
            return Error::UploadSource {
                reason: failed.0.clone(),
            };
        }
        if let Some(too_large) = too_large(&error) {
            return too_large;
        }
        let timeout = error.is_timeout();
        let source = TransportError::new(error);
        let url = source.url.clone();
        if timeout {
            Error::Timeout { url, source }
        } else {
            Error::Transport { url, source }
        }
    }

    /// Classifies a non-success answer from its status, headers and GitHub's error body.
    pub(crate) fn from_status(
        status: StatusCode,
        headers: &HeaderMap,
        body: Option<ErrorDetails>,
    ) -> Self {
        let body = body.unwrap_or_default();
        let message = body
            .message
            .clone()
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("no message").to_owned());
        let code = status.as_u16();
        let retry_after = header_u64(headers, "retry-after").map(Duration::from_secs);
        let exhausted = header_u64(headers, "x-ratelimit-remaining") == Some(0);
        if code == 429 || (code == 403 && (exhausted || retry_after.is_some())) {
            // A reset past what a date holds is as good as never: the latest date there is.
            let reset = header_u64(headers, "x-ratelimit-reset").map(|s| {
                i64::try_from(s)
                    .ok()
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
            });
            return Error::RateLimited {
                status: code,
                message,
                reset,
                retry_after,
            };
        }
        match code {
            404 => Error::NotFound {
                message,
                documentation_url: body.documentation_url,
            },
            422 => match immutable_release_message(&message, &body.errors) {
                Some(message) => Error::ImmutableRelease {
                    release: None,
                    message,
                    status: Some(422),
                },
                None => Error::Unprocessable {
                    message,
                    errors: body.errors,
                    documentation_url: body.documentation_url,
                },
            },
            401 | 403 => Error::Authentication {
                status: code,
                message,
            },
            _ => Error::Status {
                status: code,
                message: body.message,
                documentation_url: body.documentation_url,
            },
        }
    }

    /// Classifies an error response, reading GitHub's message from its body (at most
    /// 64 KiB; a body that cannot be read or parsed leaves the status to speak).
    pub(crate) async fn from_error_response(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_limited(response, ERROR_BODY_LIMIT).await.ok();
        let parsed = body
            .as_deref()
            .and_then(|b| serde_json::from_slice::<ErrorDetails>(b).ok());
        Error::from_status(status, &headers, parsed)
    }

    /// Converts an error of the generated client. Async because an undocumented status
    /// still has GitHub's message in its body, which is read here (at most 64 KiB).
    pub(crate) async fn from_generated<E: serde::Serialize>(
        error: progenitor_client::Error<E>,
    ) -> Self {
        use progenitor_client::Error as G;
        match error {
            G::InvalidRequest(message) | G::Custom(message) => Error::InvalidRequest(message),
            G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
                Error::from_transport(e)
            }
            G::ErrorResponse(value) => {
                let status = value.status();
                let headers = value.headers().clone();
                Error::from_status(status, &headers, ErrorDetails::of(&value.into_inner()))
            }
            G::InvalidResponsePayload(bytes, e) => Error::Decode {
                reason: e.to_string(),
                excerpt: excerpt(&bytes),
            },
            G::UnexpectedResponse(response) => {
                let status = response.status();
                if status.is_client_error() || status.is_server_error() {
                    return Error::from_error_response(response).await;
                }
                // A success the operation does not document (an HTML page with 200):
                // not the answer the caller waits for.
                let body = read_limited(response, ERROR_BODY_LIMIT)
                    .await
                    .unwrap_or_default();
                Error::Decode {
                    reason: format!("GitHub answered {status}, which this request does not expect"),
                    excerpt: excerpt(&body),
                }
            }
        }
    }
}

/// What GitHub's error body tells, as the runtime reads it: its message and details. The
/// generated code's error type (whatever the description calls it) is read through its
/// JSON, so the runtime names no generated type.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub(crate) struct ErrorDetails {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) documentation_url: Option<String>,
    /// Details of a validation failure, as GitHub sent them.
    #[serde(default)]
    pub(crate) errors: Vec<serde_json::Value>,
}

impl ErrorDetails {
    /// The details of a generated error body; `None` for an operation without one (`()`
    /// is JSON `null`) or a body that is not an object.
    fn of<E: serde::Serialize>(body: &E) -> Option<Self> {
        serde_json::to_value(body)
            .ok()
            .filter(serde_json::Value::is_object)
            .and_then(|value| serde_json::from_value(value).ok())
    }
}

/// Why an upload's own bytes failed (a file that could not be read, or that is not as long
/// as it said): carried through the HTTP client inside an [`std::io::Error`], so that the
/// upload reports it as [`Error::UploadSource`] and not as a failed connection.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct SourceFailed(pub(crate) String);

/// An [`std::io::Error`] of `kind` for an upload's bytes that failed, saying `message`.
pub(crate) fn source_failed(kind: std::io::ErrorKind, message: String) -> std::io::Error {
    std::io::Error::new(kind, SourceFailed(message))
}

/// The first cause of `error` of type `T`, looking inside the `io::Error`s a body's stream
/// wraps its errors in (whose own `source` skips what they carry).
pub(crate) fn cause<T: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&T> {
    let mut cause = std::error::Error::source(error);
    while let Some(why) = cause {
        let inner = why
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map_or(why, |inner| inner as &(dyn std::error::Error + 'static));
        if let Some(found) = inner.downcast_ref::<T>() {
            return Some(found);
        }
        cause = why.source();
    }
    None
}

/// Reads at most `limit` bytes of a body; the rest is left unread.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    Ok(body)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

pub(crate) fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .take(EXCERPT_CHARS)
        .collect()
}

/// GitHub's words when a 422 is about an immutable release ("Cannot upload assets to an
/// immutable release.", "Cannot delete asset from an immutable release", "state cannot be
/// changed when release is immutable"), from its `message` or one of its `errors`.
fn immutable_release_message(message: &str, errors: &[serde_json::Value]) -> Option<String> {
    // About a locked release's assets, or its draft state: not "tag_name was used by an
    // immutable release" (creating or publishing a release on a spent tag), whose remedy is
    // another tag, not a draft.
    let about_immutability = |text: &str| {
        let text = text.to_ascii_lowercase();
        (text.contains("immutable release") && text.contains("asset"))
            || text.contains("release is immutable")
    };
    if about_immutability(message) {
        return Some(message.trim_end_matches('.').to_owned());
    }
    errors
        .iter()
        .filter_map(|e| e.get("message").and_then(serde_json::Value::as_str))
        .find(|m| about_immutability(m))
        .map(|m| m.trim_end_matches('.').to_owned())
}

/// Whether one of GitHub's `errors` entries has the code `already_exists` (a name taken):
/// the one 422 that means "already exists".
pub(crate) fn says_already_exists(errors: &[serde_json::Value]) -> bool {
    errors
        .iter()
        .any(|e| e.get("code").and_then(serde_json::Value::as_str) == Some("already_exists"))
}

fn describe_errors(errors: &[serde_json::Value]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| match e {
            serde_json::Value::String(s) => s.clone(),
            other => {
                let field = |k: &str| other.get(k).and_then(|v| v.as_str()).unwrap_or("");
                [
                    field("resource"),
                    field("field"),
                    field("code"),
                    field("message"),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
            }
        })
        .collect();
    format!(" ({})", parts.join("; "))
}

fn describe_wait(retry_after: &Option<Duration>, reset: &Option<DateTime<Utc>>) -> String {
    match (retry_after, reset) {
        (Some(wait), _) => format!(". Retry after {} s", wait.as_secs()),
        (None, Some(reset)) => format!(". The limit resets at {}", reset.to_rfc3339()),
        (None, None) => ". Wait before retrying".to_owned(),
    }
}

/// `; it began "..."` for a body's first characters, or nothing when there were none.
fn began(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!("; it began {excerpt:?}")
    }
}

/// ` (URL)`, or nothing.
fn at(url: &Option<String>) -> String {
    url.as_ref().map(|u| format!(" ({u})")).unwrap_or_default()
}

/// Why a connection failed or timed out: the HTTP client's error, its causes reachable
/// through [`std::error::Error::source`]. Its URL, wherever it appears, has no query, no
/// fragment and no credentials: a storage URL's query is its signature.
///
/// ```
/// # async fn run() {
/// use std::error::Error as _;
/// let client = github_release_assets::Client::builder("http://127.0.0.1:9").build().unwrap();
/// let error = client.operations().get_latest_release().owner("o").repo("r").send().await.unwrap_err();
/// let mut cause = error.source();
/// while let Some(why) = cause {
///     eprintln!("because: {why}");
///     cause = why.source();
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct TransportError {
    error: TransportCause,
    url: Option<String>,
}

/// What a [`TransportError`] is at bottom.
#[derive(Debug)]
enum TransportCause {
    /// The HTTP client's error, its URL without the query.
    Http(reqwest::Error),
    /// An upload that stopped moving, said in words (see `upload_stall.rs`).
    Stalled(String),
}

impl TransportError {
    fn new(error: reqwest::Error) -> Self {
        let Some(url) = error.url().cloned() else {
            return Self {
                error: TransportCause::Http(error),
                url: None,
            };
        };
        let url = stripped(url);
        Self {
            url: Some(url.to_string()),
            error: TransportCause::Http(error.with_url(url)),
        }
    }

    /// An upload to `url` that stopped moving, as `why` says.
    pub(crate) fn stalled(url: &reqwest::Url, why: String) -> Self {
        Self {
            url: Some(without_query(url)),
            error: TransportCause::Stalled(why),
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            TransportCause::Http(error) => error.fmt(f),
            TransportCause::Stalled(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.error {
            TransportCause::Http(error) => error.source(),
            TransportCause::Stalled(_) => None,
        }
    }
}

/// Why an asset's bytes cannot be checked against a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unverifiable {
    /// The asset has no `digest` (uploaded before mid-2025, or an older server).
    NoDigest,
    /// The digest is of an algorithm this client does not know, or not `algorithm:hex`.
    UnknownAlgorithm {
        /// The digest as GitHub gave it.
        digest: String,
    },
    /// The caller asked for no digest check ([`crate::Upload::skip_digest_check`]): the
    /// bytes were not hashed.
    Skipped,
}

impl std::fmt::Display for Unverifiable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unverifiable::NoDigest => write!(f, "the asset has no digest"),
            Unverifiable::Skipped => write!(f, "the digest check was skipped"),
            Unverifiable::UnknownAlgorithm { digest } => {
                write!(
                    f,
                    "the asset's digest {digest:?} is of an algorithm this client does not know"
                )
            }
        }
    }
}

/// `url` without its query, fragment and credentials: a storage URL's query is its
/// signature, and it never goes into an error or a log.
pub(crate) fn without_query(url: &reqwest::Url) -> String {
    stripped(url.clone()).to_string()
}

/// `url` without its query, fragment and credentials (see [`without_query`]).
pub(crate) fn stripped(mut url: reqwest::Url) -> reqwest::Url {
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

/// A redirect loop, or a chain too long to be anything else; `status` is the last hop's.
#[derive(Debug, thiserror::Error)]
#[error("more than {limit} redirects")]
pub(crate) struct TooManyRedirects {
    pub(crate) status: u16,
    pub(crate) limit: usize,
}

/// Why the redirect policy stopped a request.
#[derive(Debug, thiserror::Error)]
#[error("a redirect to {to}: {reason}")]
pub(crate) struct RefusedRedirect {
    pub(crate) to: String,
    pub(crate) reason: Untrusted,
}

/// The error for a request the redirect policy stopped, if that is what `error` is.
pub(crate) fn refused_redirect(error: &reqwest::Error) -> Option<Error> {
    if !error.is_redirect() {
        return None;
    }
    if let Some(refused) = cause::<RefusedRedirect>(error) {
        return Some(Error::UntrustedDestination {
            url: refused.to.clone(),
            reason: refused.reason.clone(),
        });
    }
    cause::<TooManyRedirects>(error).map(|too_many| Error::Status {
        status: too_many.status,
        message: Some(too_many.to_string()),
        documentation_url: None,
    })
}

/// A JSON answer longer than the most that is read.
#[derive(Debug, thiserror::Error)]
#[error("the answer is longer than {} MiB, the most a JSON answer is read", .limit / (1024 * 1024))]
pub(crate) struct TooLarge {
    pub(crate) limit: usize,
}

/// The error for a body cut off by `pipeline::limit_body`, if that is what `error` is.
pub(crate) fn too_large(error: &reqwest::Error) -> Option<Error> {
    cause::<TooLarge>(error).map(|too_large| Error::Decode {
        reason: too_large.to_string(),
        excerpt: String::new(),
    })
}

#[cfg(test)]
mod tests {

    #[tokio::test]
    async fn a_broken_connection_says_why_and_hides_the_query() {
        // Port 1 is privileged and unused: the connection is refused. (A port bound and
        // closed again could be taken by another test's server in between.)
        let port = 1;
        let error = reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{port}/asset?X-Amz-Signature=s3cr3t"
            ))
            .send()
            .await
            .unwrap_err();
        let error = Error::from_transport(error);
        let message = error.to_string();
        assert!(
            message.starts_with("connection failed (http://127.0.0.1:"),
            "{message}"
        );
        assert!(message.ends_with("/asset)"), "{message}");
        // The causes are in the chain, each once, and none shows the signature.
        let mut chain = Vec::new();
        let mut cause = std::error::Error::source(&error);
        while let Some(why) = cause {
            chain.push(why.to_string());
            cause = why.source();
        }
        let chain = chain.join(": ");
        assert!(chain.contains("refused"), "{chain}");
        assert!(
            !format!("{message} {chain} {error:?}").contains("s3cr3t"),
            "{chain}"
        );
    }
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    reqwest::header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    fn body(message: &str) -> Option<ErrorDetails> {
        Some(ErrorDetails {
            message: Some(message.into()),
            ..Default::default()
        })
    }

    #[test]
    fn rate_limits_are_told_apart_from_permission_errors() {
        let limited = Error::from_status(
            StatusCode::FORBIDDEN,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000000"),
            ]),
            body("API rate limit exceeded"),
        );
        match &limited {
            Error::RateLimited {
                reset: Some(reset),
                retry_after: None,
                ..
            } => assert_eq!(reset.timestamp(), 1_700_000_000),
            other => panic!("{other:?}"),
        }
        let forbidden = Error::from_status(
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            body("Resource not accessible"),
        );
        assert!(
            matches!(forbidden, Error::Authentication { status: 403, .. }),
            "{forbidden:?}"
        );
        let secondary = Error::from_status(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "30")]),
            None,
        );
        assert_eq!(
            secondary.to_string(),
            "rate limited (429): Too Many Requests. Retry after 30 s"
        );
    }

    #[test]
    fn unprocessable_lists_githubs_errors() {
        let e = Error::from_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            Some(ErrorDetails {
                message: Some("Validation Failed".into()),
                errors: vec![
                    serde_json::json!({"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}),
                ],
                ..Default::default()
            }),
        );
        assert_eq!(
            e.to_string(),
            "GitHub refused the request (422): Validation Failed (ReleaseAsset name already_exists)"
        );
    }

    #[test]
    fn a_422_about_an_immutable_release_is_told_apart() {
        let upload = Error::from_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            body("Cannot upload assets to an immutable release."),
        );
        assert!(
            matches!(&upload, Error::ImmutableRelease { status: Some(422), message, .. } if message == "Cannot upload assets to an immutable release"),
            "{upload:?}"
        );
        assert!(
            upload
                .to_string()
                .contains("upload to a draft release, then publish it")
        );
        let delete = Error::from_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            Some(ErrorDetails {
                message: Some("Validation Failed".into()),
                errors: vec![
                    serde_json::json!({"resource": "ReleaseAsset", "code": "custom",
                    "message": "Cannot delete asset from an immutable release"}),
                ],
                ..Default::default()
            }),
        );
        assert!(
            matches!(&delete, Error::ImmutableRelease { message, .. } if message == "Cannot delete asset from an immutable release"),
            "{delete:?}"
        );
        // A spent tag is not about assets: publishing a draft would not help.
        let spent_tag = Error::from_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            Some(ErrorDetails {
                message: Some("Validation Failed".into()),
                errors: vec![serde_json::json!({"resource": "Release", "code": "custom",
                    "field": "tag_name", "message": "tag_name was used by an immutable release"})],
                ..Default::default()
            }),
        );
        assert!(
            matches!(spent_tag, Error::Unprocessable { .. }),
            "{spent_tag:?}"
        );
        // Any other validation failure stays what it is.
        let other = Error::from_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            Some(ErrorDetails {
                message: Some("Validation Failed".into()),
                errors: vec![serde_json::json!({"resource": "Release", "code": "custom",
                    "field": "tag_name", "message": "tag_name is not a valid tag"})],
                ..Default::default()
            }),
        );
        assert!(matches!(other, Error::Unprocessable { .. }), "{other:?}");
    }

    #[test]
    fn other_statuses_keep_githubs_message_or_say_none() {
        let e = Error::from_status(StatusCode::BAD_GATEWAY, &HeaderMap::new(), None);
        assert_eq!(e.to_string(), "GitHub answered 502");
        assert_eq!(e.status(), Some(502));
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(
            excerpt("é".repeat(500).as_bytes()).chars().count(),
            EXCERPT_CHARS
        );
    }
}
