//! What an operation's `send_full()` gives: the answer's status and headers with its
//! decoded body; and the one place a generated answer or error becomes this crate's.

use std::future::Future;

use http::{HeaderMap, StatusCode};

use crate::Error;
use crate::error::ErrorBody;

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
    pub(crate) async fn from_generated<E, F>(send: F) -> Result<Self, Error>
    where
        F: Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
        E: ErrorBody,
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
    pub(crate) async fn body_from_generated<E, F>(send: F) -> Result<T, Error>
    where
        F: Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
        E: ErrorBody,
    {
        generated(send)
            .await
            .map(progenitor_client::ResponseValue::into_inner)
    }
}

/// A generated builder's answer, its error made this crate's.
async fn generated<T, E, F>(send: F) -> Result<progenitor_client::ResponseValue<T>, Error>
where
    F: Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
    E: ErrorBody,
{
    match send.await {
        Ok(value) => Ok(value),
        Err(error) => Err(Error::from_generated(error).await),
    }
}
