//! GitHub's operationIds carry their tag (`repos/get-release-asset`), which progenitor
//! turns into a prefix on every method and type (`repos_get_release_asset`,
//! `UpdateReleaseBody`). The prefix says nothing in a crate about one API area, so
//! it is dropped: the operationId becomes `get-release-asset`. The upstream id is kept in
//! `x-upstream-operation-id`, so the request's tracing span can still name it as GitHub
//! does.
//!
//! Short names are unique within one tag only: across GitHub's whole API, `get` is
//! `repos/get`, `gists/get`, `pulls/get` and ten more. Operations whose short names would
//! give one Rust name keep their tag instead (`repos-get`, `gists-get`), all of them, so
//! none is favoured and each says where it belongs; an operation whose short name no other
//! shares keeps the short one. Names are compared as Rust names (progenitor's snake case),
//! so `get-foo` and `get_foo` collide too. A collision the tags cannot settle is an error.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use serde_json::Value;

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape};

/// Where the upstream operationId is kept.
pub const UPSTREAM_ID: &str = "x-upstream-operation-id";

/// The Rust name progenitor gives an operationId: what is not part of an identifier
/// becomes a word break, then snake case.
pub(crate) fn rust_name(operation_id: &str) -> String {
    operation_id
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_snake_case()
}

/// One operation's ids: where it is, GitHub's id, and the name it is given.
struct Named {
    at: String,
    upstream: String,
    name: String,
}

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(());
    };
    let mut named = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(id) = item
                .get(method)
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let at = format!("/paths/{}/{method}", escape(path));
            let name = match id.split_once('/') {
                Some((_, "")) => {
                    return Err((at, format!("operationId {id:?} has nothing after its tag")));
                }
                Some((_, short)) => short.to_owned(),
                None => id.to_owned(),
            };
            named.push(Named {
                at,
                upstream: id.to_owned(),
                name,
            });
        }
    }
    // Short names shared by two operations or more: those keep their tag.
    let mut by_rust_name: BTreeMap<String, usize> = BTreeMap::new();
    for op in &named {
        *by_rust_name.entry(rust_name(&op.name)).or_default() += 1;
    }
    for op in &mut named {
        if by_rust_name[&rust_name(&op.name)] > 1 && op.upstream.contains('/') {
            op.name = op.upstream.replacen('/', "-", 1);
        }
    }
    let mut taken: BTreeMap<String, &Named> = BTreeMap::new();
    for op in &named {
        if let Some(other) = taken.insert(rust_name(&op.name), op) {
            return Err((
                op.at.clone(),
                format!(
                    "{:?} and {:?} (at {}) would both be named {:?}, tag included",
                    op.upstream,
                    other.upstream,
                    other.at,
                    rust_name(&op.name)
                ),
            ));
        }
    }
    for op in named {
        if op.name == op.upstream {
            continue;
        }
        let Some(operation) = doc.pointer_mut(&op.at).and_then(Value::as_object_mut) else {
            continue;
        };
        operation.insert(UPSTREAM_ID.to_owned(), Value::String(op.upstream.clone()));
        operation.insert("operationId".to_owned(), Value::String(op.name.clone()));
        let why = if op
            .upstream
            .split_once('/')
            .is_some_and(|(_, s)| s != op.name)
        {
            ": its short name is another operation's too"
        } else {
            ""
        };
        notes.add(
            format!("{}/operationId", op.at),
            format!("{} named {}{why}", op.upstream, op.name),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::rust_name;
    use crate::passes::{ALL, run_one};

    #[test]
    fn the_tag_prefix_goes_and_the_upstream_id_stays() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "repos/get-release-asset"}},
            "/b": {"post": {"operationId": "plain"}}
        }});
        let notes = run_one("operation_names", &mut doc);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(
            doc["paths"]["/a"]["get"],
            json!({
                "operationId": "get-release-asset",
                "x-upstream-operation-id": "repos/get-release-asset"
            })
        );
        assert_eq!(doc["paths"]["/b"]["post"], json!({"operationId": "plain"}));
    }

    #[test]
    fn operations_sharing_a_short_name_all_keep_their_tag() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "enterprise-team-memberships/list"}},
            "/b": {"get": {"operationId": "enterprise-teams/list"}},
            "/c": {"get": {"operationId": "gists/get_comment"}, "post": {"operationId": "issues/get-comment"}},
            "/d": {"get": {"operationId": "repos/list-releases"}}
        }});
        let notes = run_one("operation_names", &mut doc);
        let ids: Vec<&str> = ["/a", "/b", "/c", "/c", "/d"]
            .iter()
            .zip(["get", "get", "get", "post", "get"])
            .map(|(p, m)| doc["paths"][p][m]["operationId"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "enterprise-team-memberships-list",
                "enterprise-teams-list",
                "gists-get_comment",
                "issues-get-comment",
                "list-releases"
            ]
        );
        assert_eq!(
            doc["paths"]["/b"]["get"]["x-upstream-operation-id"],
            "enterprise-teams/list"
        );
        assert!(
            notes.iter().any(|n| n.at == "/paths/~1a/get/operationId"
                && n.change.contains("another operation's too")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_collision_the_tags_cannot_settle_is_refused() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "repos/get"}},
            "/b": {"get": {"operationId": "gists/get"}},
            "/c": {"get": {"operationId": "repos-get"}}
        }});
        let pass = ALL.iter().find(|p| p.name == "operation_names").unwrap();
        let error = pass.apply(&mut doc).unwrap_err();
        assert!(
            error.reason.contains("both be named \"repos_get\""),
            "{error}"
        );
        assert!(error.reason.contains("/paths/~1"), "{error}");
    }

    #[test]
    fn rust_names_are_progenitors_snake_case() {
        assert_eq!(rust_name("get-release-asset"), "get_release_asset");
        assert_eq!(
            rust_name("reactions/create-for-issue"),
            "reactions_create_for_issue"
        );
        assert_eq!(rust_name("getFoo"), "get_foo");
    }
}
