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
