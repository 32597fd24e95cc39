//! Bytes fetched without the token: an asset's from storage, or what a documented redirect
//! leads to (an archive's or a log's 302). GitHub answers with the bytes or with a
//! redirect to a storage host and a signed, short-lived URL; the redirect is followed here,
//! by hand, so that no hop ever carries `Authorization`: the storage URL is its own
//! credential, and storage (S3) refuses a request that carries a second one. Each hop is
//! checked as the API's redirects are (never from https to http, nor inward). The body is a
//! stream: nothing holds a whole archive.

use futures_util::{Stream, TryStreamExt};
use reqwest::header::{self, HeaderValue};

use super::error::{Error, excerpt, read_limited, without_query};
use super::pipeline::{Credentials, send};
use super::settings::Settings;

/// At most this many redirects are followed.
const MAX_REDIRECTS: usize = 5;

/// Bytes on their way (an asset's, or a redirect's target's): status and headers are in,
/// the body is not read yet. The crate names it `AssetDownload`.
///
/// Its `Debug` output names where the bytes come from without the query: a storage URL's
/// query is its signature, good for anyone who sees it until it expires.
pub struct Download {
    response: reqwest::Response,
    redirects: usize,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("from", &without_query(self.response.url()))
            .field("status", &self.response.status().as_u16())
            .field("content_length", &self.content_length())
            .field("content_type", &self.content_type())
            .field("redirects", &self.redirects)
            .finish()
    }
}

impl Download {
    /// The length announced by the server, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The `Content-Type` the bytes came with.
    pub fn content_type(&self) -> Option<&str> {
        self.header(header::CONTENT_TYPE)
    }

    /// Whether the server sent only the range asked for (206 Partial Content).
    pub fn is_partial(&self) -> bool {
        self.response.status() == reqwest::StatusCode::PARTIAL_CONTENT
    }

    /// The `Content-Range` of a partial answer (`bytes 100-199/200`).
    pub fn content_range(&self) -> Option<&str> {
        self.header(header::CONTENT_RANGE)
    }

    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.response.headers().get(name)?.to_str().ok()
    }

    /// Where the bytes of a partial answer start, from its `Content-Range`.
    pub(crate) fn range_start(&self) -> Option<u64> {
        content_range_start(self.content_range()?)
    }

    /// How many redirects led to the bytes (0 when the API streamed them itself).
    pub fn redirects(&self) -> usize {
        self.redirects
    }

    /// The first characters of the body, for an error that shows what came instead.
    pub(crate) async fn excerpt(self) -> String {
        let body = read_limited(self.response, 1024).await.unwrap_or_default();
        excerpt(&body)
    }

    /// The bytes, as they arrive.
    pub fn into_stream(self) -> impl Stream<Item = Result<bytes::Bytes, Error>> + Send {
        self.response.bytes_stream().map_err(Error::from_transport)
    }

    /// All the bytes at once: for small assets only.
    pub async fn bytes(self) -> Result<bytes::Bytes, Error> {
        self.response.bytes().await.map_err(Error::from_transport)
    }
}

/// The first byte a `Content-Range` value (`bytes 100-199/200`) says the body starts at.
fn content_range_start(value: &str) -> Option<u64> {
    value
        .strip_prefix("bytes ")?
        .split_once('-')?
        .0
        .trim()
        .parse()
        .ok()
}

/// Follows the redirects `response` starts (none when it holds the bytes), each hop
/// without the token and checked, asking for `range` when given; the bytes' answer, or the
/// error it is. `operation` names the spans.
pub(crate) async fn follow(
    http: &reqwest::Client,
    settings: &Settings,
    mut response: reqwest::Response,
    operation: &'static str,
    range: Option<&str>,
) -> Result<Download, Error> {
    let mut redirects = 0;
    while response.status().is_redirection() {
        redirects += 1;
        if redirects > MAX_REDIRECTS {
            return Err(Error::Status {
                status: response.status().as_u16(),
                message: Some(format!("more than {MAX_REDIRECTS} redirects")),
                documentation_url: None,
            });
        }
        let location = location_of(&response)?;
        // Never from https to http: the signed URL is a credential, and the bytes could be
        // swapped on the way.
        settings
            .destinations()
            .check_hop(response.url(), &location)?;
        response = hop(http, settings, location, operation, range).await?;
    }
    if !response.status().is_success() {
        return Err(Error::from_error_response(response).await);
    }
    Ok(Download {
        response,
        redirects,
    })
}

/// A GET of `location`, a redirect's target, without the token (the storage URL is signed).
async fn hop(
    http: &reqwest::Client,
    settings: &Settings,
    location: reqwest::Url,
    operation: &'static str,
    range: Option<&str>,
) -> Result<reqwest::Response, Error> {
    let mut hop = http.get(location).header(
        header::ACCEPT,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(range) = range {
        hop = hop.header(header::RANGE, range);
    }
    let hop = hop.build().map_err(Error::from_transport)?;
    send(http, settings, hop, operation, Credentials::Withheld).await
}

/// Where a redirect leads, resolved against the URL it came from.
fn location_of(response: &reqwest::Response) -> Result<reqwest::Url, Error> {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| response.url().join(l).ok())
        .ok_or_else(|| Error::Decode {
            reason: "a redirect without a usable Location".into(),
            excerpt: String::new(),
        })
}

/// A documented redirect an operation answered with (a 302 to an archive, a log or an
/// artifact in storage): where it leads, to fetch without the token.
///
/// Its `Location` is a signed URL, a credential until it expires: `Debug` shows it
/// without its query, and so does every error about it.
///
/// ```no_run
/// # async fn run(answer: github_release_assets::Redirect) -> Result<(), github_release_assets::Error> {
/// use futures_util::TryStreamExt;
/// let download = answer.fetch().await?; // no token goes with it
/// let mut bytes = std::pin::pin!(download.into_stream());
/// while let Some(chunk) = bytes.try_next().await? {
///     // write `chunk` somewhere
/// #   let _ = chunk;
/// }
/// # Ok(()) }
/// ```
pub struct Redirect {
    status: u16,
    location: reqwest::Url,
    from: reqwest::Url,
    settings: Settings,
    operation: &'static str,
}

impl std::fmt::Debug for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redirect")
            .field("status", &self.status)
            .field("location", &without_query(&self.location))
            .finish_non_exhaustive()
    }
}

impl Redirect {
    /// The redirect of a generated operation's answer: a 3xx with a `Location`; a 2xx is
    /// fetched as it stands (a server that sent the bytes itself), anything else is the
    /// error it is.
    #[doc(hidden)]
    pub async fn from_generated<E, F>(
        send: F,
        settings: &Settings,
        operation: &'static str,
    ) -> Result<Self, Error>
    where
        F: std::future::Future<
                Output = Result<
                    progenitor_client::ResponseValue<progenitor_client::ByteStream>,
                    progenitor_client::Error<E>,
                >,
            >,
        E: serde::Serialize,
    {
        let response = match send.await {
            Err(progenitor_client::Error::UnexpectedResponse(response))
                if response.status().is_redirection() =>
            {
                response
            }
            Err(error) => return Err(Error::from_generated(error).await),
            Ok(answer) => {
                return Err(Error::Decode {
                    reason: format!(
                        "GitHub answered {} where it documents a redirect",
                        answer.status()
                    ),
                    excerpt: String::new(),
                });
            }
        };
        Ok(Redirect {
            status: response.status().as_u16(),
            location: location_of(&response)?,
            from: response.url().clone(),
            settings: settings.clone(),
            operation,
        })
    }

    /// The redirect's status (302 Found, 303 See Other).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Where it leads: a signed URL, good for anyone who holds it until it expires.
    pub fn location(&self) -> &str {
        self.location.as_str()
    }

    /// Fetches what it leads to, without the token, following further hops as the first
    /// (checked, at most five); the bytes come as a stream.
    pub async fn fetch(self) -> Result<Download, Error> {
        self.settings
            .destinations()
            .check_hop(&self.from, &self.location)?;
        let http = self.settings.downloads()?;
        let first = hop(http, &self.settings, self.location, self.operation, None).await?;
        let mut download = follow(http, &self.settings, first, self.operation, None).await?;
        download.redirects += 1;
        Ok(download)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_start_of_a_content_range() {
        assert_eq!(content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(content_range_start("bytes 0-0/*"), Some(0));
        for bad in [
            "bytes */200",
            "items 1-2/3",
            "bytes -5/9",
            "bytes 18446744073709551616-1/2",
            "",
        ] {
            assert_eq!(content_range_start(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Any value, numbers up to and past `u64`: a start or none, never a panic.
        #[test]
        fn any_content_range_is_read_without_panic(
            value in "(bytes )?[0-9 -]{0,30}(/[0-9*]{0,25})?|\\PC{0,40}"
        ) {
            if let Some(start) = content_range_start(&value) {
                prop_assert!(value.starts_with("bytes "));
                prop_assert!(value.contains(&start.to_string()));
            }
        }
    }
}
