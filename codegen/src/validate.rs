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
    check_refs(doc)
}

/// Every reference local and resolving; `$ref`s inside examples, defaults and enums are
/// data and not checked.
fn check_refs(doc: &Value) -> Result<(), Invalid> {
    let mut first = None;
    crate::schema_walk::for_each_ref(doc, "", &mut |at, r| {
        let resolves = r
            .strip_prefix('#')
            .is_some_and(|p| doc.pointer(p).is_some());
        if !resolves && first.is_none() {
            first = Some(invalid(
                at,
                format!("$ref {r} does not resolve in this document"),
            ));
        }
    });
    first.map_or(Ok(()), Err)
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
    fn a_ref_inside_an_example_is_data() {
        let mut doc = ok_doc();
        doc["components"] = json!({
            "examples": {"stats": {"value": [{"actions": {"$ref": "actions.yaml"}}]}},
            "schemas": {
                "example": {"type": "object", "properties": {
                    "example": {"$ref": "#/components/schemas/gone"}
                }},
                "s": {"type": "object", "example": {"$ref": "x.yaml"}, "default": {"$ref": "y"}}
            }
        });
        doc["paths"]["/a"]["get"]["responses"] = json!({"200": {"description": "ok",
            "content": {"application/json": {"examples": {"inline": {"value": {"$ref": "z.yaml"}}}}}}});
        // A schema named `example`, and a property of that name, are not data.
        let err = validate(&doc).unwrap_err();
        assert_eq!(
            err.at,
            "/components/schemas/example/properties/example/$ref"
        );
        doc["components"]["schemas"]["example"]["properties"]["example"] =
            json!({"$ref": "#/components/schemas/s"});
        assert_eq!(validate(&doc), Ok(()));
    }

    #[test]
    fn rejects_a_document_without_operations() {
        let doc = json!({"openapi": "3.0.0", "paths": {}});
        assert_eq!(validate(&doc).unwrap_err().at, "/paths");
    }
}
