//! Checks made before any pass runs, so that a broken description fails with a
//! pointer to the problem rather than somewhere inside the generator.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::schema_walk::{METHODS, escape, obj};

/// What is wrong with the document, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid description at {at}: {reason}")]
pub struct Invalid {
    /// JSON pointer of the problem.
    pub at: String,
    /// What is wrong there.
    pub reason: String,
}

fn invalid(at: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        at: at.into(),
        reason: reason.into(),
    }
}

/// OpenAPI 3.0.x, at least one operation, every operation with a unique operationId, and
/// every `$ref` local and resolving.
pub fn validate(doc: &Value) -> Result<(), Invalid> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(invalid(
            "/openapi",
            format!("OpenAPI {version:?} is not supported; 3.0.x is"),
        ));
    }
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = format!("/paths/{}/{method}", escape(path));
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                return Err(invalid(at, "operation has no operationId"));
            };
            if let Some(first) = ids.insert(id.to_owned(), at.clone()) {
                return Err(invalid(
                    at,
                    format!("operationId {id} is also used at {first}"),
                ));
            }
        }
    }
    if ids.is_empty() {
        return Err(invalid("/paths", "the description has no operations"));
    }
    check_refs(doc, doc, "")
}

fn check_refs(doc: &Value, value: &Value, at: &str) -> Result<(), Invalid> {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{at}/{}", escape(key));
                if let ("$ref", Value::String(r)) = (key.as_str(), v) {
                    let resolves = r
                        .strip_prefix('#')
                        .is_some_and(|p| doc.pointer(p).is_some());
                    if !resolves {
                        return Err(invalid(
                            here,
                            format!("$ref {r} does not resolve in this document"),
                        ));
                    }
                } else {
                    check_refs(doc, v, &here)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_refs(doc, v, &format!("{at}/{i}"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ok_doc() -> Value {
        json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"operationId": "a", "responses": {}}}}})
    }

    #[test]
    fn accepts_a_minimal_document() {
        assert_eq!(validate(&ok_doc()), Ok(()));
    }

    #[test]
    fn rejects_other_versions() {
        let mut doc = ok_doc();
        doc["openapi"] = json!("3.1.0");
        assert_eq!(validate(&doc).unwrap_err().at, "/openapi");
    }

    #[test]
    fn names_a_duplicate_operation_id() {
        let mut doc = ok_doc();
        doc["paths"]["/b"] = json!({"post": {"operationId": "a", "responses": {}}});
        let err = validate(&doc).unwrap_err();
        assert_eq!(err.at, "/paths/~1b/post");
        assert!(err.reason.contains("/paths/~1a/get"), "{err}");
    }

    #[test]
    fn names_a_dangling_ref() {
        let mut doc = ok_doc();
        doc["paths"]["/a"]["get"]["responses"] =
            json!({"200": {"$ref": "#/components/responses/gone"}});
        let err = validate(&doc).unwrap_err();
        assert_eq!(err.at, "/paths/~1a/get/responses/200/$ref");
    }

    #[test]
    fn rejects_a_document_without_operations() {
        let doc = json!({"openapi": "3.0.0", "paths": {}});
        assert_eq!(validate(&doc).unwrap_err().at, "/paths");
    }
}
