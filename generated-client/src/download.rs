//! Downloading an asset's bytes: a GET of the asset with `Accept: application/octet-stream`
//! and the token, whose answer (the bytes, or a 302 to storage) the runtime follows
//! without the token (`runtime/fetch.rs`).

use reqwest::header;

use crate::runtime::{self, AssetDownload, Credentials};
use crate::{Client, Error};

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
        let response =
            runtime::send(http, settings, request, OPERATION, Credentials::Token).await?;
        runtime::follow(http, settings, response, OPERATION, range.as_deref()).await
    }
}
