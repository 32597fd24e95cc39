//! GitHub's operationIds carry their tag (`repos/get-release-asset`), which progenitor
//! turns into a prefix on every method and type (`repos_get_release_asset`,
//! `UpdateReleaseBody`). The prefix says nothing in a crate about one API area, so
//! it is dropped: the operationId becomes `get-release-asset`. The upstream id is kept in
//! `x-upstream-operation-id`, so the request's tracing span can still name it as GitHub
//! does. Two operations that would end with one name are an error, not a silent merge.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape};

/// Where the upstream operationId is kept.
pub const UPSTREAM_ID: &str = "x-upstream-operation-id";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let at = format!("/paths/{}/{method}", escape(path));
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let Some((_tag, short)) = id.split_once('/') else {
                continue;
            };
            if short.is_empty() {
                return Err((at, format!("operationId {id:?} has nothing after its tag")));
            }
            let (id, short) = (id.to_owned(), short.to_owned());
            if let Some(other) = taken.insert(short.clone(), id.clone()) {
                return Err((
                    at,
                    format!("{id:?} and {other:?} would both be named {short:?}"),
                ));
            }
            operation.insert(UPSTREAM_ID.to_owned(), Value::String(id.clone()));
            operation.insert("operationId".to_owned(), Value::String(short.clone()));
            notes.add(format!("{at}/operationId"), format!("{id} named {short}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
    fn two_operations_ending_with_one_name_are_refused() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "repos/get"}},
            "/b": {"get": {"operationId": "gists/get"}}
        }});
        let pass = ALL.iter().find(|p| p.name == "operation_names").unwrap();
        let error = pass.apply(&mut doc).unwrap_err();
        assert!(error.reason.contains("both be named \"get\""), "{error}");
    }
}
