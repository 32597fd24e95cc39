//! `default` is dropped from the properties of request bodies.
//!
//! A default in a request schema documents what the *server* assumes when a field is
//! absent. typify turns it into a non-optional field that is always serialised, so every
//! request would send it: `repos/create-release` would send `make_latest: "true"` and
//! `draft: false` whether or not the caller set them. Without the default the field is
//! optional and only what the caller set travels.

use serde_json::Value;

use super::{Failure, Notes};
use crate::schema_walk::{request_body_schemas, walk_schema};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let targets = request_body_schemas(doc);
    for root in targets {
        let Some(schema) = doc.pointer_mut(&root) else {
            continue;
        };
        walk_schema(schema, &root, &mut |at, node| {
            if at.contains("/properties/")
                && let Some(default) = node.as_object_mut().and_then(|m| m.remove("default"))
            {
                notes.add(at, format!("request default {default} dropped"));
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn request_body_defaults_are_dropped_response_ones_kept() {
        let mut doc = json!({
            "paths": {"/r": {"post": {
                "operationId": "create",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "draft": {"type": "boolean", "default": false},
                    "make_latest": {"type": "string", "enum": ["true", "false"], "default": "true"},
                    "shared": {"$ref": "#/components/schemas/opts"}
                }}}}},
                "responses": {"201": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "count": {"type": "integer", "default": 0}
                }}}}}}
            }}},
            "components": {"schemas": {"opts": {"type": "object", "properties": {
                "flag": {"type": "boolean", "default": true}
            }}}}
        });
        let notes = run_one("request_defaults", &mut doc);
        let body =
            &doc["paths"]["/r"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert!(body["properties"]["draft"].get("default").is_none());
        assert!(body["properties"]["make_latest"].get("default").is_none());
        assert!(
            doc["components"]["schemas"]["opts"]["properties"]["flag"]
                .get("default")
                .is_none()
        );
        let response = &doc["paths"]["/r"]["post"]["responses"]["201"]["content"]["application/json"]
            ["schema"];
        assert_eq!(response["properties"]["count"]["default"], json!(0));
        assert_eq!(notes.len(), 3);
    }
}
