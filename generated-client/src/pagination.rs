//! Lists as streams that follow GitHub's `Link: <…>; rel="next"` header, 100 items a page.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

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
        T: DeserializeOwned + Send + Unpin + 'static,
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
        T: DeserializeOwned + Send + Unpin + 'static,
    {
        Pages {
            client: self.clone(),
            operation,
            items: Vec::new().into_iter(),
            next: Some(first),
            seen: HashSet::new(),
            yielded: 0,
            max_pages,
            max_items,
            fetching: None,
            ended: false,
        }
    }

    /// One page: its items and the URL of the next.
    async fn page<T: DeserializeOwned>(
        &self,
        url: &str,
        operation: &'static str,
    ) -> Result<(Vec<T>, Option<String>), Error> {
        let (items, headers) =
            crate::runtime::get_json(self.client(), self.inner(), url, operation).await?;
        Ok((items, next_link(&headers)))
    }

    /// Refuses a next page anywhere but on the API's origin: a server's `Link` must not
    /// send the token, or the listing, elsewhere (the token would go only to the API's and
    /// uploads origins anyway; a page from elsewhere would still be taken as GitHub's).
    fn ensure_api_origin(&self, next: &str) -> Result<(), Error> {
        let api = self.inner().api_origin();
        match reqwest::Url::parse(next) {
            Ok(url) if url.origin() == api => Ok(()),
            Ok(url) => Err(Error::UntrustedDestination {
                url: crate::runtime::without_query(&url),
                reason: crate::Untrusted::NextPageElsewhere {
                    api: api.ascii_serialization(),
                },
            }),
            Err(error) => Err(Error::Decode {
                reason: format!("a listing's Link header names no URL ({error})"),
                excerpt: String::new(),
            }),
        }
    }
}

/// A page being fetched: its items and the next page's URL.
type PageFuture<T> = Pin<Box<dyn Future<Output = Result<(Vec<T>, Option<String>), Error>> + Send>>;

/// The stream [`Client::paginate_within`] gives. Written out rather than made with
/// `futures_util::stream::unfold`: unfold builds a new future for every item, and moving
/// that future (it holds a whole page request's) into place cost about 1,000 instructions
/// an item, 2.5% of a listing of 1,000 assets (callgrind, `cargo xtask bench`). Here an item
/// is taken from the page in hand, and a future exists only while a page is fetched.
struct Pages<T> {
    client: Client,
    operation: &'static str,
    items: std::vec::IntoIter<T>,
    next: Option<String>,
    seen: HashSet<String>,
    yielded: usize,
    max_pages: usize,
    max_items: usize,
    fetching: Option<PageFuture<T>>,
    /// An error or the last page ended it: nothing more is yielded.
    ended: bool,
}

impl<T: DeserializeOwned + Send + Unpin + 'static> Pages<T> {
    /// Ends the stream with `error`.
    fn end(&mut self, error: Error) -> Poll<Option<Result<T, Error>>> {
        self.ended = true;
        Poll::Ready(Some(Err(error)))
    }

    fn endless(&mut self, reason: String) -> Poll<Option<Result<T, Error>>> {
        self.end(Error::EndlessListing { reason })
    }
}

impl<T: DeserializeOwned + Send + Unpin + 'static> Stream for Pages<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            if let Some(fetching) = &mut this.fetching {
                let fetched = ready!(fetching.as_mut().poll(cx));
                this.fetching = None;
                match fetched {
                    // An empty page is the end, whatever its Link says.
                    Ok((items, _)) if items.is_empty() => this.ended = true,
                    Ok((items, next)) => {
                        this.items = items.into_iter();
                        this.next = next;
                    }
                    Err(error) => return this.end(error),
                }
                continue;
            }
            if let Some(item) = this.items.next() {
                if this.yielded == this.max_items {
                    let max_items = this.max_items;
                    return this.endless(format!("it holds more than {max_items} items"));
                }
                this.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            let Some(url) = this.next.take() else {
                this.ended = true;
                continue;
            };
            if this.seen.len() == this.max_pages {
                let max_pages = this.max_pages;
                return this.endless(format!("it goes past {max_pages} pages"));
            }
            // Only a link a server's answer gave is checked: the first page is the API's.
            if !this.seen.is_empty()
                && let Err(error) = this.client.ensure_api_origin(&url)
            {
                return this.end(error);
            }
            if !this.seen.insert(url.clone()) {
                return this.endless(format!("its Link header leads back to {url}"));
            }
            let (client, operation) = (this.client.clone(), this.operation);
            this.fetching = Some(Box::pin(async move { client.page(&url, operation).await }));
        }
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
