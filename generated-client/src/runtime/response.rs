//! What an operation's `send_full()` gives: the answer's status and headers with its
//! decoded body; and the one place a generated answer or error becomes this crate's.

use std::future::Future;

use futures_util::StreamExt;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{Error, excerpt};
use super::pipeline::JSON_BODY_LIMIT;

/// A successful answer: its status, its headers, and its body decoded.
///
/// ```no_run
/// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
/// let answer = client
///     .operations()
///     .get_latest_release()
///     .owner("octocat")
///     .repo("hello-world")
///     .send_full()
///     .await?;
/// let remaining = answer.headers().get("x-ratelimit-remaining");
/// println!("{} ({remaining:?} requests left)", answer.body().tag_name);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, the rest dropped.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Awaits a generated builder's `send()`, turning its answer and its error into this
    /// crate's types, so no progenitor type reaches the public API.
    #[doc(hidden)]
    pub async fn from_generated<E, F>(send: F) -> Result<Self, Error>
    where
        F: Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
        E: serde::Serialize,
    {
        let value = generated(send).await?;
        Ok(Response {
            status: value.status(),
            headers: value.headers().clone(),
            body: value.into_inner(),
        })
    }

    /// [`from_generated`](Self::from_generated)'s body alone: the headers, which the
    /// generated answer holds by reference only, are not copied to be dropped.
    #[doc(hidden)]
    pub async fn body_from_generated<E, F>(send: F) -> Result<T, Error>
    where
        F: Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
        E: serde::Serialize,
    {
        generated(send)
            .await
            .map(progenitor_client::ResponseValue::into_inner)
    }
}

// Operations with several success statuses (`repos/merge`: 201 or 204) are generated to
// answer bytes, which their `send()` decodes for the status with what follows. The
// published subset may hold none of them, so these may go unused in it.
#[allow(
    dead_code,
    reason = "called by operations with several successes, which a subset may lack"
)]
impl<T> Response<T> {
    /// This answer with its body made `f(status, body)`, or `f`'s error.
    #[doc(hidden)]
    pub fn try_map<U>(
        self,
        f: impl FnOnce(StatusCode, T) -> Result<U, Error>,
    ) -> Result<Response<U>, Error> {
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body: f(self.status, self.body)?,
        })
    }
}

#[allow(
    dead_code,
    reason = "called by operations with several successes, which a subset may lack"
)]
impl Response<Vec<u8>> {
    /// Awaits a generated builder whose successes are bytes, and reads them, at most
    /// [`JSON_BODY_LIMIT`] (they are JSON, or short).
    #[doc(hidden)]
    pub async fn bytes_from_generated<E, F>(send: F) -> Result<Self, Error>
    where
        F: Future<
            Output = Result<
                progenitor_client::ResponseValue<progenitor_client::ByteStream>,
                progenitor_client::Error<E>,
            >,
        >,
        E: serde::Serialize,
    {
        let value = generated(send).await?;
        let status = value.status();
        let headers = value.headers().clone();
        let mut stream = value.into_inner().into_inner();
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(Error::from_transport)?;
            if body.len() + chunk.len() > JSON_BODY_LIMIT {
                return Err(Error::Decode {
                    reason: format!("the answer goes past {JSON_BODY_LIMIT} bytes"),
                    excerpt: excerpt(&body),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// `body` decoded as JSON of type `T`; what does not decode is [`Error::Decode`] with
/// the body's first characters.
#[allow(
    dead_code,
    reason = "called by operations with several successes, which a subset may lack"
)]
#[doc(hidden)]
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        reason: e.to_string(),
        excerpt: excerpt(body),
    })
}

/// A success status the operation does not document: not the answer the caller waits for.
#[allow(
    dead_code,
    reason = "called by operations with several successes, which a subset may lack"
)]
#[doc(hidden)]
pub fn undocumented_success(status: u16, body: &[u8]) -> Error {
    Error::Decode {
        reason: format!("GitHub answered {status}, which this request does not expect"),
        excerpt: excerpt(body),
    }
}

/// A generated builder's answer, its error made this crate's.
async fn generated<T, E, F>(send: F) -> Result<progenitor_client::ResponseValue<T>, Error>
where
    F: Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
    E: serde::Serialize,
{
    match send.await {
        Ok(value) => Ok(value),
        Err(error) => Err(Error::from_generated(error).await),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use futures_util::stream;

    use super::*;

    /// A generated builder's `send()` answering `status` with `chunks` as its bytes.
    async fn sent(
        status: u16,
        chunks: Vec<Bytes>,
    ) -> Result<
        progenitor_client::ResponseValue<progenitor_client::ByteStream>,
        progenitor_client::Error<serde_json::Value>,
    > {
        let stream = stream::iter(chunks.into_iter().map(Ok));
        Ok(progenitor_client::ResponseValue::new(
            progenitor_client::ByteStream::new(Box::pin(stream)),
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
        ))
    }

    #[tokio::test]
    async fn several_successes_decode_by_status_and_bounded() {
        let chunks = vec![Bytes::from_static(b"{\"id\":"), Bytes::from_static(b"7}")];
        let answer = Response::bytes_from_generated(sent(201, chunks))
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
        let decoded = answer
            .try_map(|status, body| {
                assert_eq!(status, StatusCode::CREATED);
                decode_json::<serde_json::Value>(&body)
            })
            .unwrap();
        assert_eq!(decoded.body()["id"], 7);

        let error = decode_json::<serde_json::Value>(b"<html>").unwrap_err();
        assert!(
            matches!(&error, Error::Decode { excerpt, .. } if excerpt.contains("<html>")),
            "{error}"
        );
        let error = undocumented_success(299, b"odd");
        assert!(error.to_string().contains("299"), "{error}");

        // 33 chunks of 1 MiB: past the bound, an error and not 33 MiB in memory.
        let mib = Bytes::from(vec![b' '; 1 << 20]);
        let error = Response::bytes_from_generated(sent(200, vec![mib; 33]))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Decode { reason, .. } if reason.contains("goes past")),
            "{error}"
        );
    }
}
