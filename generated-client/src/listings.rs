//! The crate's own listings, releases and a release's assets, as streams of every page
//! (the runtime's [`Pages`]), 100 items a page.

use futures_util::Stream;

use crate::Client;
use crate::runtime::{Error, PER_PAGE, Pages, collect};
use crate::types::{Release, ReleaseAsset};

impl Client {
    pub(crate) fn release_assets(
        &self,
        owner: &str,
        repo: &str,
        release_id: i64,
    ) -> impl Stream<Item = Result<ReleaseAsset, Error>> + Send + use<> {
        let release = release_id.to_string();
        let url = self.first_page(["repos", owner, repo, "releases", &release, "assets"]);
        Pages::from_url(
            self.client(),
            self.inner(),
            url,
            "repos/list-release-assets",
        )
    }

    pub(crate) fn releases(
        &self,
        owner: &str,
        repo: &str,
    ) -> impl Stream<Item = Result<Release, Error>> + Send + use<> {
        let url = self.first_page(["repos", owner, repo, "releases"]);
        Pages::from_url(self.client(), self.inner(), url, "repos/list-releases")
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
}
