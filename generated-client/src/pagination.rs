//! Lists as streams that follow GitHub's `Link: <…>; rel="next"` header, 100 items a page.

use std::collections::VecDeque;

use futures_util::Stream;
use progenitor_client::encode_path;
use reqwest::header::{self, HeaderMap};
use serde::de::DeserializeOwned;

use crate::pipeline::Credentials;
use crate::types::{Release, ReleaseAsset};
use crate::{Client, Error};

/// The largest page GitHub serves, and the one these streams ask for.
pub const PER_PAGE: u32 = 100;

impl Client {
    pub(crate) fn release_assets(
        &self,
        owner: &str,
        repo: &str,
        release_id: i64,
    ) -> impl Stream<Item = Result<ReleaseAsset, Error>> + Send + use<> {
        let url = format!(
            "{}/repos/{}/{}/releases/{release_id}/assets?per_page={PER_PAGE}",
            self.baseurl(),
            encode_path(owner),
            encode_path(repo)
        );
        self.paginate(url, "repos/list-release-assets")
    }

    pub(crate) fn releases(
        &self,
        owner: &str,
        repo: &str,
    ) -> impl Stream<Item = Result<Release, Error>> + Send + use<> {
        let url = format!(
            "{}/repos/{}/{}/releases?per_page={PER_PAGE}",
            self.baseurl(),
            encode_path(owner),
            encode_path(repo)
        );
        self.paginate(url, "repos/list-releases")
    }

    pub(crate) async fn all_release_assets(
        &self,
        owner: &str,
        repo: &str,
        release_id: i64,
    ) -> Result<Vec<ReleaseAsset>, Error> {
        collect(self.release_assets(owner, repo, release_id)).await
    }

    /// The items of every page from `first` on. The stream owns a clone of the client, so
    /// it outlives the handle that made it.
    fn paginate<T>(
        &self,
        first: String,
        operation: &'static str,
    ) -> impl Stream<Item = Result<T, Error>> + Send + use<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        struct State<T> {
            items: VecDeque<T>,
            next: Option<String>,
            seen: Vec<String>,
        }
        let state = State {
            items: VecDeque::new(),
            next: Some(first),
            seen: Vec::new(),
        };
        let client = self.clone();
        futures_util::stream::unfold(Some(state), move |state| {
            let client = client.clone();
            async move {
                let mut state = state?;
                loop {
                    if let Some(item) = state.items.pop_front() {
                        return Some((Ok(item), Some(state)));
                    }
                    let url = state.next.take()?;
                    if state.seen.contains(&url) {
                        let error = Error::Decode {
                            reason: format!("the Link header leads back to {url}"),
                            excerpt: String::new(),
                        };
                        return Some((Err(error), None));
                    }
                    state.seen.push(url.clone());
                    match client.page::<T>(&url, operation).await {
                        Ok((items, next)) => {
                            state.items = items.into();
                            state.next = next;
                        }
                        // An error ends the stream.
                        Err(error) => return Some((Err(error), None)),
                    }
                }
            }
        })
    }

    /// One page: its items and the URL of the next.
    async fn page<T: DeserializeOwned>(
        &self,
        url: &str,
        operation: &'static str,
    ) -> Result<(Vec<T>, Option<String>), Error> {
        let http = self.client();
        let request = http.get(url).build().map_err(Error::from_transport)?;
        let response =
            crate::pipeline::send(http, self.inner(), request, operation, Credentials::Token)
                .await?;
        if !response.status().is_success() {
            // A redirect or another answer no page comes with.
            return Err(Error::from_error_response(response).await);
        }
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(Error::from_transport)?;
        let items = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
            reason: e.to_string(),
            excerpt: crate::error::excerpt(&bytes),
        })?;
        Ok((items, next_link(&headers)))
    }
}

async fn collect<T>(stream: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    use futures_util::TryStreamExt;
    stream.try_collect().await
}

/// The URL of `rel="next"` in a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.trim().split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::LINK, header::HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn finds_next_wherever_it_stands() {
        let headers = link(
            "<https://api.github.com/x?page=1>; rel=\"prev\", <https://api.github.com/x?page=3>; rel=\"next\", <https://api.github.com/x?page=5>; rel=\"last\"",
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/x?page=3")
        );
    }

    #[test]
    fn no_next_on_the_last_page() {
        assert_eq!(
            next_link(&link("<https://api.github.com/x?page=1>; rel=\"first\"")),
            None
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }
}
