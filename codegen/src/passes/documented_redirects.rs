//! An operation whose answer is a redirect, and nothing else (an archive's, a log's or an
//! artifact's 302 to storage), answers that redirect: its `Location`, which the runtime
//! fetches without the token.
//!
//! Followed by the HTTP client, the redirect would bring the whole archive back as the
//! answer's body, read into memory and bounded as JSON is. So the operation is marked
//! (`x-redirect-statuses`), its request follows no redirect, and the `operations` facade
//! gives its `send()` the runtime's `Redirect`. An operation with a 2xx besides (a release
//! asset's 302 to storage answers another media type) keeps its typed 2xx answer; a
//! 307 or 308 (a renamed repository's, which repeats the request) and an undocumented
//! redirect are followed as before.

use serde_json::{Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape, obj};

/// The redirect statuses an operation answers with and nothing else, in order.
pub const REDIRECTS: &str = "x-redirect-statuses";

/// The redirects that answer with a `Location` to fetch, not a request to repeat.
const FETCHED: [&str; 2] = ["302", "303"];

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut targets = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let statuses: Vec<&String> = obj(op.get("responses")).map(|(s, _)| s).collect();
            let redirects: Vec<u16> = statuses
                .iter()
                .filter(|s| FETCHED.contains(&s.as_str()))
                .filter_map(|s| s.parse().ok())
                .collect();
            let success = statuses.iter().any(|s| s.starts_with('2'));
            if !redirects.is_empty() && !success {
                targets.push((format!("/paths/{}/{method}", escape(path)), redirects));
            }
        }
    }
    for (at, redirects) in targets {
        if let Some(op) = doc.pointer_mut(&at).and_then(Value::as_object_mut) {
            op.insert(REDIRECTS.to_owned(), json!(redirects));
        }
        notes.add(
            at,
            format!(
                "answers a redirect ({}) and nothing else: `send()` gives its Location as a `Redirect`, fetched without the token; the request follows no redirect",
                redirects
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::run_one;

    #[test]
    fn only_a_redirect_without_a_success_is_marked() {
        let mut doc = json!({"paths": {
            "/tarball": {"get": {"operationId": "repos/download-tarball-archive",
                "responses": {"302": {"description": "Found"}}}},
            "/artifact": {"get": {"operationId": "actions/download-artifact",
                "responses": {"302": {"description": "Found"}, "410": {"description": "Gone"}}}},
            "/asset": {"get": {"operationId": "repos/get-release-asset",
                "responses": {"200": {"description": "ok"}, "302": {"description": "Found"}}}},
            "/renamed": {"patch": {"operationId": "repos/update",
                "responses": {"307": {"description": "Temporary Redirect"}}}}
        }});
        let notes = run_one("documented_redirects", &mut doc);
        assert_eq!(
            doc["paths"]["/tarball"]["get"]["x-redirect-statuses"],
            json!([302])
        );
        assert_eq!(
            doc["paths"]["/artifact"]["get"]["x-redirect-statuses"],
            json!([302])
        );
        assert!(
            doc["paths"]["/asset"]["get"]
                .get("x-redirect-statuses")
                .is_none()
        );
        assert!(
            doc["paths"]["/renamed"]["patch"]
                .get("x-redirect-statuses")
                .is_none()
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].change.contains("Redirect"), "{notes:?}");
    }
}
