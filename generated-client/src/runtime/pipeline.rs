//! The one way a request goes out. The generated operations (through their hooks), the
//! paginated lists and the downloads all send through [`execute`], which:
//!
//! - opens one `github_request` span naming GitHub's operationId, the method and the path
//!   (never the query: a storage URL's query is its signature), and records the status;
//! - retries as the client's [`crate::RetryPolicy`] says;
//! - reads an error answer's body (at most 64 KiB) and makes it a JSON object, so that an
//!   HTML 502 from a proxy keeps its status and its first words;
//! - lets a JSON answer be read up to [`JSON_BODY_LIMIT`] and no further, so a server
//!   cannot fill memory with one (an asset's bytes are a stream, and not bounded).
//!
//! [`authorize`] adds the token where it may go, and [`send`] is both, with a failure
//! status made an [`Error`]; the generated code reaches the same two through its `pre`
//! and `exec` hooks, and its error answers end in the same [`Error::from_status`].

use reqwest::header::{self, HeaderValue};
use reqwest::{Request, Response};
use tracing::Instrument;

use super::error::{ERROR_BODY_LIMIT, Error, TooLarge, excerpt, read_limited, stripped};
use super::retry::rebuilt;
use super::settings::Settings;

/// The most of a JSON answer that is read: 32 MiB. A page of 100 releases, each with the
/// longest body GitHub allows, fits; more is [`Error::Decode`].
pub const JSON_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Whether a request carries the token (to an origin it may go to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// Added when the request goes to the API's or the uploads host's origin.
    Token,
    /// Never: a redirect to storage, whose signed URL is its own credential (and S3
    /// refuses a request carrying a second one).
    Withheld,
}

/// Adds the token to `request` when it goes to the API or uploads origin, and only then.
pub(crate) async fn authorize(settings: &Settings, request: &mut Request) -> Result<(), Error> {
    settings.authorize(request).await
}

/// Sends `request` as the module docs say; an error answer comes back as a response whose
/// body is a JSON object. Only a request that got no answer is an `Err`.
pub(crate) async fn execute(
    http: &reqwest::Client,
    settings: &Settings,
    request: Request,
    operation_id: &str,
) -> reqwest::Result<Response> {
    let span = tracing::info_span!(
        "github_request",
        operation_id,
        method = %request.method(),
        path = request.url().path(),
        status = tracing::field::Empty,
    );
    // JSON unless the request asks for another type (a download asks for octet-stream);
    // without an Accept of its own, it gets the API client's default, GitHub's JSON.
    let wants_json = request
        .headers()
        .get(header::ACCEPT)
        .is_none_or(|v| v.to_str().is_ok_and(|accept| accept.contains("json")));
    async {
        let result = match super::retry::execute(http, request, settings.retry()).await {
            Ok(response) if response.status().as_u16() >= 400 => json_error_body(response).await,
            Ok(response) if wants_json => Ok(limit_body(response, JSON_BODY_LIMIT)),
            Ok(response) => Ok(response),
            // reqwest's error shows its URL whole: a storage hop's query is its signature.
            Err(error) => Err(without_query(error)),
        };
        match &result {
            Ok(response) => {
                tracing::Span::current().record("status", response.status().as_u16());
                tracing::debug!("response received");
            }
            Err(error) => tracing::debug!(%error, "request failed"),
        }
        result
    }
    .instrument(span)
    .await
}

/// `error` showing its URL without the query, fragment or credentials: a signed storage URL
/// is good for anyone who reads it until it expires, so no log line or error carries one.
fn without_query(error: reqwest::Error) -> reqwest::Error {
    match error.url().cloned() {
        Some(url) => error.with_url(stripped(url)),
        None => error,
    }
}

/// [`authorize`] (as `credentials` says) and [`execute`]; a 4xx or 5xx answer is the
/// [`Error`] it means. Redirects and other answers are the caller's to read.
pub(crate) async fn send(
    http: &reqwest::Client,
    settings: &Settings,
    mut request: Request,
    operation_id: &str,
    credentials: Credentials,
) -> Result<Response, Error> {
    if credentials == Credentials::Token {
        authorize(settings, &mut request).await?;
    }
    let response = execute(http, settings, request, operation_id)
        .await
        .map_err(Error::from_transport)?;
    if response.status().as_u16() >= 400 {
        return Err(Error::from_error_response(response).await);
    }
    Ok(response)
}

/// A GET of `url` with the token whose answer is JSON: the decoded body and the answer's
/// headers. A 4xx or 5xx answer is the [`Error`] it means; another answer that is not a
/// success (a redirect the API client did not follow) is too.
///
/// The look-ups made often (an asset by id, every page of a listing) take this path
/// rather than a generated builder's: it sends the same request, and skips the builder's
/// per-request allocations and its header copy, a measurable share of a get's CPU.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    settings: &Settings,
    url: impl reqwest::IntoUrl,
    operation_id: &str,
) -> Result<(T, header::HeaderMap), Error> {
    let request = http.get(url).build().map_err(Error::from_transport)?;
    let mut response = send(http, settings, request, operation_id, Credentials::Token).await?;
    if !response.status().is_success() {
        return Err(Error::from_error_response(response).await);
    }
    // Taken, not cloned: the body is read apart from them.
    let headers = std::mem::take(response.headers_mut());
    let bytes = response.bytes().await.map_err(Error::from_transport)?;
    let body = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
        reason: e.to_string(),
        excerpt: excerpt(&bytes),
    })?;
    Ok((body, headers))
}

/// Makes an error response's body a JSON object, keeping its status and headers.
///
/// GitHub's error bodies are JSON, but a proxy's may not be (an HTML page with a 502).
/// The generated code parses a documented error body as JSON and, when that fails, reports
/// a decode error that has lost the status. So the body (at most 64 KiB: error bodies are
/// small) is read here and, when it is not a JSON object, replaced by
/// `{"message": "<its first characters>"}`.
async fn json_error_body(response: Response) -> reqwest::Result<Response> {
    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    let mut headers = response.headers().clone();
    let body = read_limited(response, ERROR_BODY_LIMIT).await?;
    let body =
        if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body).is_ok() {
            body
        } else {
            let message = excerpt(&body);
            let message = if message.trim().is_empty() {
                status.canonical_reason().unwrap_or("no message").to_owned()
            } else {
                message
            };
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap_or_default()
        };
    // The body may have changed length, and is no longer encoded.
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_ENCODING);
    headers.remove(header::TRANSFER_ENCODING);
    Ok(rebuilt(status, version, url, headers, body))
}

/// `response` with a body that fails with [`TooLarge`] once it passes `limit` bytes,
/// keeping status and headers; it is still a stream (nothing is read here).
fn limit_body(response: Response, limit: usize) -> Response {
    use futures_util::StreamExt;
    // A body whose declared length is within the limit ends there (hyper reads no more
    // than `Content-Length`): it needs no count of its own, and no stream wrapped around it.
    if response
        .content_length()
        .is_some_and(|length| length <= limit as u64)
    {
        return response;
    }
    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    let headers = response.headers().clone();
    let mut seen = 0_usize;
    let body = response.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen = seen.saturating_add(chunk.len());
        if seen > limit {
            return Err(std::io::Error::other(TooLarge { limit }));
        }
        Ok(chunk)
    });
    rebuilt(
        status,
        version,
        url,
        headers,
        reqwest::Body::wrap_stream(body),
    )
}
