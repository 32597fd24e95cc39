//! Lists as streams that follow GitHub's `Link: <…>; rel="next"` header: the crate's
//! release and asset listings, and every generated operation that pages
//! (`per_page`/`page`), whose `stream()` starts from the page its builder asks for.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use reqwest::header::{self, HeaderMap};
use serde::de::DeserializeOwned;

use super::error::{Error, Untrusted, without_query};
use super::pipeline::get_json;
use super::response::Response;
use super::settings::Settings;

/// The largest page GitHub serves, and the one these streams ask for.
pub const PER_PAGE: u32 = 100;

/// No listing follows more pages than this (100,000 items at [`PER_PAGE`]; GitHub caps a
/// release at 1,000 assets): a `Link` chain that goes on ends in
/// [`Error::EndlessListing`].
pub const MAX_PAGES: usize = 1_000;

/// No listing yields more items than this, whatever its pages hold.
pub const MAX_ITEMS: usize = 100_000;

/// A page being fetched: its items and the next page's URL.
type PageFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<(Vec<T>, Option<String>), Error>> + Send + 'a>>;

/// How a page after the first is fetched: a GET of the `Link`'s URL, its body the items
/// (a JSON array) or the one item (a page that is an object).
type Fetch<T> = fn(reqwest::Client, Settings, String, &'static str) -> PageFuture<'static, T>;

fn fetch_items<T: DeserializeOwned + Send + 'static>(
    http: reqwest::Client,
    settings: Settings,
    url: String,
    operation: &'static str,
) -> PageFuture<'static, T> {
    Box::pin(async move {
        let (items, headers) = get_json::<Vec<T>>(&http, &settings, url, operation).await?;
        Ok((items, next_link(&headers)))
    })
}

fn fetch_page<T: DeserializeOwned + Send + 'static>(
    http: reqwest::Client,
    settings: Settings,
    url: String,
    operation: &'static str,
) -> PageFuture<'static, T> {
    Box::pin(async move {
        let (page, headers) = get_json::<T>(&http, &settings, url, operation).await?;
        Ok((vec![page], next_link(&headers)))
    })
}

/// Every item of a listing, page after page, following GitHub's `Link: rel="next"`;
/// bounded by [`MAX_PAGES`] and [`MAX_ITEMS`] ([`Error::EndlessListing`] past them, or
/// when a `Link` leads back to a page read), ended by an empty page, and never following
/// a `Link` off the API's origin. A stream (`futures::Stream`): an error ends it.
///
/// The crate's listings give one ([`crate::RepoHandle::releases`]), and so does
/// `stream()` of every generated operation that pages:
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
/// let releases: Vec<_> = client
///     .operations()
///     .list_releases()
///     .owner("octocat")
///     .repo("hello-world")
///     .per_page(100)
///     .stream()
///     .try_collect()
///     .await?;
/// println!("{} releases", releases.len());
/// # Ok(()) }
/// ```
///
/// Written out rather than made with `futures_util::stream::unfold`: unfold builds a new
/// future for every item, and moving that future (it holds a whole page request's) into
/// place cost about 1,000 instructions an item, 2.5% of a listing of 1,000 assets
/// (callgrind, `cargo xtask bench`). Here an item is taken from the page in hand, and a
/// future exists only while a page is fetched.
#[must_use = "a stream does nothing unless polled"]
pub struct Pages<'a, T> {
    http: reqwest::Client,
    settings: Settings,
    operation: &'static str,
    fetch: Fetch<T>,
    items: std::vec::IntoIter<T>,
    next: Option<String>,
    seen: HashSet<String>,
    /// Pages asked for so far, the first included (a generated operation's first page
    /// is its builder's request, whose URL is not in `seen`).
    fetched: usize,
    /// Whether `next` came from a server's `Link` (and is checked), not from the caller.
    next_from_server: bool,
    yielded: usize,
    max_pages: usize,
    max_items: usize,
    fetching: Option<PageFuture<'a, T>>,
    /// An error or the last page ended it: nothing more is yielded.
    ended: bool,
}

impl<T> std::fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &self.operation)
            .field("pages", &self.fetched)
            .field("yielded", &self.yielded)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> Pages<'static, T> {
    /// The items of every page from `first`, a URL of the API.
    pub(crate) fn from_url(
        http: &reqwest::Client,
        settings: &Settings,
        first: String,
        operation: &'static str,
    ) -> Self {
        Self::within(http, settings, first, operation, MAX_PAGES, MAX_ITEMS)
    }

    /// [`Pages::from_url`] with its bounds given (tests use small ones).
    pub(crate) fn within(
        http: &reqwest::Client,
        settings: &Settings,
        first: String,
        operation: &'static str,
        max_pages: usize,
        max_items: usize,
    ) -> Self {
        let mut pages = Pages::new(http, settings, operation, fetch_items::<T>, None);
        pages.next = Some(first);
        pages.max_pages = max_pages;
        pages.max_items = max_items;
        pages
    }
}

impl<'a, T: DeserializeOwned + Send + 'static> Pages<'a, T> {
    fn new(
        http: &reqwest::Client,
        settings: &Settings,
        operation: &'static str,
        fetch: Fetch<T>,
        first: Option<PageFuture<'a, T>>,
    ) -> Self {
        Pages {
            http: http.clone(),
            settings: settings.clone(),
            operation,
            fetch,
            items: Vec::new().into_iter(),
            next: None,
            seen: HashSet::new(),
            fetched: usize::from(first.is_some()),
            next_from_server: false,
            yielded: 0,
            max_pages: MAX_PAGES,
            max_items: MAX_ITEMS,
            fetching: first,
            ended: false,
        }
    }

    /// The items of a generated operation's pages: `first` sends its request (the page
    /// its builder asks for), and each `Link: rel="next"` after it is followed.
    #[doc(hidden)]
    pub fn items_after<F>(
        http: &reqwest::Client,
        settings: &Settings,
        operation: &'static str,
        first: F,
    ) -> Self
    where
        F: Future<Output = Result<Response<Vec<T>>, Error>> + Send + 'a,
    {
        let first = Box::pin(async move {
            let answer = first.await?;
            let next = next_link(answer.headers());
            Ok((answer.into_body(), next))
        });
        Pages::new(http, settings, operation, fetch_items::<T>, Some(first))
    }

    /// The pages themselves, for an operation whose page is an object (a count beside
    /// the list): each page is one item.
    #[doc(hidden)]
    pub fn pages_after<F>(
        http: &reqwest::Client,
        settings: &Settings,
        operation: &'static str,
        first: F,
    ) -> Self
    where
        F: Future<Output = Result<Response<T>, Error>> + Send + 'a,
    {
        let first = Box::pin(async move {
            let answer = first.await?;
            let next = next_link(answer.headers());
            Ok((vec![answer.into_body()], next))
        });
        Pages::new(http, settings, operation, fetch_page::<T>, Some(first))
    }

    /// Refuses a next page anywhere but on the API's origin: a server's `Link` must not
    /// send the token, or the listing, elsewhere (the token would go only to the API's and
    /// uploads origins anyway; a page from elsewhere would still be taken as GitHub's).
    fn ensure_api_origin(&self, next: &str) -> Result<(), Error> {
        let api = self.settings.api_origin();
        match reqwest::Url::parse(next) {
            Ok(url) if url.origin() == api => Ok(()),
            Ok(url) => Err(Error::UntrustedDestination {
                url: without_query(&url),
                reason: Untrusted::NextPageElsewhere {
                    api: api.ascii_serialization(),
                },
            }),
            Err(error) => Err(Error::Decode {
                reason: format!("a listing's Link header names no URL ({error})"),
                excerpt: String::new(),
            }),
        }
    }

    /// Ends the stream with `error`.
    fn end(&mut self, error: Error) -> Poll<Option<Result<T, Error>>> {
        self.ended = true;
        Poll::Ready(Some(Err(error)))
    }

    fn endless(&mut self, reason: String) -> Poll<Option<Result<T, Error>>> {
        self.end(Error::EndlessListing { reason })
    }
}

// Nothing of `Pages` is pinned in place: its future is boxed, its items are a vector's.
impl<T> Unpin for Pages<'_, T> {}

impl<T: DeserializeOwned + Send + 'static> Stream for Pages<'_, T> {
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
                        this.next_from_server = true;
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
            if this.fetched == this.max_pages {
                let max_pages = this.max_pages;
                return this.endless(format!("it goes past {max_pages} pages"));
            }
            // Only a link a server's answer gave is checked: a first page given as a URL
            // is the API's.
            if this.next_from_server
                && let Err(error) = this.ensure_api_origin(&url)
            {
                return this.end(error);
            }
            if !this.seen.insert(url.clone()) {
                return this.endless(format!("its Link header leads back to {url}"));
            }
            this.fetched += 1;
            let fetch = this.fetch;
            this.fetching = Some(fetch(
                this.http.clone(),
                this.settings.clone(),
                url,
                this.operation,
            ));
        }
    }
}

pub(crate) async fn collect<T>(
    stream: impl Stream<Item = Result<T, Error>>,
) -> Result<Vec<T>, Error> {
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
        let parts = super::super::settings::ClientBuilder::new(server.uri())
            .into_parts()
            .unwrap();
        let items: Vec<Result<u32, Error>> = Pages::within(
            &parts.http,
            &parts.settings,
            format!("{}/first", server.uri()),
            "test",
            10,
            50,
        )
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
