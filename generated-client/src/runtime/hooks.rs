//! What the generated client's `ClientHooks` call: the generated code writes the `impl`
//! (progenitor asks for one), and each of its two methods is one call here.

use super::pipeline;
use super::settings::Settings;

/// Before a generated request is sent: adds the token where it may go. The generated
/// requests carry GitHub's headers already (codegen's `github_headers` made progenitor's
/// `api-version` and `Accept` so), leaving only the token.
///
/// ```
/// # async fn run() {
/// let parts = github_release_assets::ClientBuilder::new("https://api.github.com")
///     .token("ghp_secret")
///     .into_parts()
///     .unwrap();
/// let mut request = reqwest::Request::new(
///     reqwest::Method::GET,
///     "https://api.github.com/repos/o/r".parse().unwrap(),
/// );
/// github_release_assets::runtime::pre::<()>(&parts.settings, &mut request).await.unwrap();
/// assert!(request.headers().contains_key("authorization"));
/// # }
/// ```
pub async fn pre<E>(
    settings: &Settings,
    request: &mut reqwest::Request,
) -> Result<(), progenitor_client::Error<E>> {
    pipeline::authorize(settings, request)
        .await
        .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))
}

/// Sends a generated request through the runtime's pipeline (its span named
/// `operation_id`, GitHub's operationId such as `repos/get-release-asset`, retries, bounded
/// bodies).
pub async fn exec(
    http: &reqwest::Client,
    settings: &Settings,
    request: reqwest::Request,
    operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    pipeline::execute(http, settings, request, operation_id).await
}

/// [`exec`] for an operation that answers a redirect to fetch (an archive's 302): sent by
/// the client that follows no redirect, so the answer is the redirect itself and its
/// target is fetched without the token ([`crate::runtime::Redirect::fetch`]).
pub async fn exec_unfollowed(
    api: &reqwest::Client,
    settings: &Settings,
    mut request: reqwest::Request,
    operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    // The downloads client sends no default header: GitHub's, as the API client sends
    // them, go on here.
    let headers = request.headers_mut();
    headers
        .entry("x-github-api-version")
        .or_insert(reqwest::header::HeaderValue::from_static(
            super::settings::API_VERSION,
        ));
    headers
        .entry(reqwest::header::ACCEPT)
        .or_insert(reqwest::header::HeaderValue::from_static(
            super::settings::GITHUB_JSON,
        ));
    // It is built at its first use, as the API client was, and cannot fail where that did
    // not; were it to, the API client follows the redirect and the answer says so.
    let http = settings.downloads().unwrap_or(api);
    pipeline::execute(http, settings, request, operation_id).await
}
