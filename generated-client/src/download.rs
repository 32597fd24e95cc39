//! Downloading an asset's bytes.
//!
//! GitHub answers `GET …/releases/assets/{id}` with `Accept: application/octet-stream`
//! either with the bytes (200) or with a redirect (302) to a storage host and a signed,
//! short-lived URL. The redirect is followed here, by hand, so that no hop ever carries
//! `Authorization`: the storage URL is its own credential, and storage (S3) refuses a
//! request that carries a second one. The body is a stream: nothing holds a whole asset.

use futures_util::{Stream, TryStreamExt};
use reqwest::header::{self, HeaderValue};

use crate::runtime::{self as pipeline, Credentials};
use crate::{Client, Error};

/// At most this many redirects are followed.
const MAX_REDIRECTS: usize = 5;

/// An asset's bytes on their way: status and headers are in, the body is not read yet.
///
/// Its `Debug` output names where the bytes come from without the query: a storage URL's
/// query is its signature, good for anyone who sees it until it expires.
pub struct AssetDownload {
    response: reqwest::Response,
    redirects: usize,
}

impl std::fmt::Debug for AssetDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetDownload")
            .field("from", &crate::runtime::without_query(self.response.url()))
            .field("status", &self.response.status().as_u16())
            .field("content_length", &self.content_length())
            .field("content_type", &self.content_type())
            .field("redirects", &self.redirects)
            .finish()
    }
}

impl AssetDownload {
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
        let body = crate::runtime::read_limited(self.response, 1024)
            .await
            .unwrap_or_default();
        crate::runtime::excerpt(&body)
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

impl Client {
    /// Starts a download, from byte `from` on when given (`Range: bytes=from-`).
    pub(crate) async fn start_download(
        &self,
        owner: &str,
        repo: &str,
        asset_id: i64,
        from: Option<u64>,
    ) -> Result<AssetDownload, Error> {
        let range = from.map(|from| format!("bytes={from}-"));
        let url = self.asset_url(owner, repo, asset_id);
        const OPERATION: &str = "repos/get-release-asset";
        let settings = self.inner();
        let http = settings.downloads()?;
        let mut request = http
            .get(url)
            .header(header::ACCEPT, "application/octet-stream")
            .header("x-github-api-version", crate::API_VERSION);
        if let Some(range) = &range {
            request = request.header(header::RANGE, range);
        }
        let request = request.build().map_err(Error::from_transport)?;
        let mut response =
            pipeline::send(http, settings, request, OPERATION, Credentials::Token).await?;
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
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| response.url().join(l).ok())
                .ok_or_else(|| Error::Decode {
                    reason: "a redirect without a usable Location".into(),
                    excerpt: String::new(),
                })?;
            // Never from https to http: the signed URL is a credential, and the bytes
            // could be swapped on the way.
            settings
                .destinations()
                .check_hop(response.url(), &location)?;
            let mut hop = http.get(location).header(
                header::ACCEPT,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Some(range) = &range {
                hop = hop.header(header::RANGE, range);
            }
            let hop = hop.build().map_err(Error::from_transport)?;
            // A hop never carries the token: the storage URL is signed.
            response =
                pipeline::send(http, settings, hop, OPERATION, Credentials::Withheld).await?;
        }
        if !response.status().is_success() {
            return Err(Error::from_error_response(response).await);
        }
        Ok(AssetDownload {
            response,
            redirects,
        })
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
