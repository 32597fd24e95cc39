//! Lists as streams that follow GitHub's `Link: <…>; rel="next"` header, 100 items a page.

use std::collections::{HashSet, VecDeque};

use futures_util::Stream;
use reqwest::header::{self, HeaderMap};
use serde::de::DeserializeOwned;

use crate::types::{Release, ReleaseAsset};
use crate::{Client, Error};

/// The largest page GitHub serves, and the one these streams ask for.
pub const PER_PAGE: u32 = 100;

/// No listing follows more pages than this (100,000 items at [`PER_PAGE`]; GitHub caps a
/// release at 1,000 assets): a `Link` chain that goes on ends in
/// [`Error::EndlessListing`].
pub const MAX_PAGES: usize = 1_000;

/// No listing yields more items than this, whatever its pages hold.
pub const MAX_ITEMS: usize = 100_000;

impl Client {
    pub(crate) fn release_assets(
        &self,
        owner: &str,
        repo: &str,
        release_id: i64,
    ) -> impl Stream<Item = Result<ReleaseAsset, Error>> + Send + use<> {
        let release = release_id.to_string();
        let url = self.first_page(["repos", owner, repo, "releases", &release, "assets"]);
        self.paginate(url, "repos/list-release-assets")
    }

    pub(crate) fn releases(
        &self,
        owner: &str,
        repo: &str,
    ) -> impl Stream<Item = Result<Release, Error>> + Send + use<> {
        let url = self.first_page(["repos", owner, repo, "releases"]);
        self.paginate(url, "repos/list-releases")
    }

    /// The first page's URL of the list at `segments`: [`PER_PAGE`] items a page.
    fn first_page<'a>(&self, segments: impl IntoIterator<Item = &'a str>) -> String {
        let mut url = self.inner().api_url(segments);
        url.set_query(Some(&format!("per_page={PER_PAGE}")));
        url.into()
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
        self.paginate_within(first, operation, MAX_PAGES, MAX_ITEMS)
    }

    /// [`Client::paginate`] with its bounds given (tests use small ones).
    fn paginate_within<T>(
        &self,
        first: String,
        operation: &'static str,
        max_pages: usize,
        max_items: usize,
    ) -> impl Stream<Item = Result<T, Error>> + Send + use<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        struct State<T> {
            items: VecDeque<T>,
            next: Option<String>,
            seen: HashSet<String>,
            yielded: usize,
        }
        let state = State {
            items: VecDeque::new(),
            next: Some(first),
            seen: HashSet::new(),
            yielded: 0,
        };
        let endless = |reason: String| Some((Err(Error::EndlessListing { reason }), None));
        let client = self.clone();
        futures_util::stream::unfold(Some(state), move |state| {
            let client = client.clone();
            async move {
                let mut state = state?;
                loop {
                    if let Some(item) = state.items.pop_front() {
                        if state.yielded == max_items {
                            return endless(format!("it holds more than {max_items} items"));
                        }
                        state.yielded += 1;
                        return Some((Ok(item), Some(state)));
                    }
                    let url = state.next.take()?;
                    if state.seen.len() == max_pages {
                        return endless(format!("it goes past {max_pages} pages"));
                    }
                    if !state.seen.insert(url.clone()) {
                        return endless(format!("its Link header leads back to {url}"));
                    }
                    match client.page::<T>(&url, operation).await {
                        // An empty page is the end, whatever its Link says.
                        Ok((items, _)) if items.is_empty() => return None,
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
        let (items, headers) =
            crate::pipeline::get_json(self.client(), self.inner(), url, operation).await?;
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Any bytes a `Link` header can carry: a next URL taken from between `<` and `>`,
        /// or none, never a panic.
        #[test]
        fn any_link_header_is_read_without_panic(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"<>;,= \"relnext".to_vec()),
                    proptest::prelude::any::<u8>(),
                ],
                0..120,
            )
        ) {
            if let Ok(value) = header::HeaderValue::from_bytes(&bytes) {
                let mut headers = HeaderMap::new();
                headers.insert(header::LINK, value);
                if let Some(next) = next_link(&headers) {
                    proptest::prop_assert!(!next.contains(','));
                }
            }
        }
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

    /// Pages larger than GitHub's reach the item bound before the page bound.
    #[tokio::test]
    async fn a_listing_stops_at_its_item_bound() {
        use futures_util::StreamExt;
        use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(vec![1_u32; 40])
                    .insert_header("link", format!("<{}/next>; rel=\"next\"", server.uri())),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(vec![2_u32; 40]))
            .mount(&server)
            .await;
        let client = Client::builder(server.uri()).build().unwrap();
        let items: Vec<Result<u32, Error>> = client
            .paginate_within(format!("{}/first", server.uri()), "test", 10, 50)
            .collect()
            .await;
        assert_eq!(items.len(), 51);
        assert!(items[..50].iter().all(Result::is_ok));
        assert!(
            matches!(&items[50], Err(Error::EndlessListing { reason }) if reason.contains("50 items")),
            "{:?}",
            items[50]
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
