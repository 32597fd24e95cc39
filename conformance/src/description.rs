//! The vendored subset of GitHub's description, `openapi/github-release-assets.json`,
//! compiled in so tests need no path juggling.

use std::sync::OnceLock;

use serde_json::Value;

/// The vendored description's text.
pub const TEXT: &str = include_str!("../../openapi/github-release-assets.json");

/// The vendored description, parsed once. `None` only if the committed file is not JSON,
/// which `cargo xtask subset --check` would already have refused.
pub fn document() -> Option<&'static Value> {
    static DOC: OnceLock<Option<Value>> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(TEXT).ok()).as_ref()
}

/// The value of `components.examples.<name>`: the response bodies GitHub documents
/// (`release-asset`, `release-asset-items`, `release-asset-response-for-successful-upload`,
/// `release`, `release-items`).
///
/// ```
/// let items = conformance::description::example("release-asset-items").unwrap();
/// assert!(items.is_array());
/// assert!(conformance::description::example("no-such-example").is_none());
/// ```
pub fn example(name: &str) -> Option<Value> {
    document()?
        .pointer(&format!("/components/examples/{name}/value"))
        .cloned()
}
