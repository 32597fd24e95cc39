//! A response property the description marks both `required` and `nullable` may be absent:
//! it leaves `required`, so the generated field decodes a missing key as `None`, as it
//! decodes `null`.
//!
//! GitHub's description is a promise its servers do not always keep. An asset's `digest`
//! is required and nullable since mid-2025, yet every answer from before then, and from
//! GitHub Enterprise Server versions of that age, has no `digest` key at all; typify's
//! `Option` for a required field refuses a missing key (`missing field digest`), and with
//! it the whole asset, the whole list. `null` and absent say the same thing here: no value.
//!
//! Only what answers carry is loosened. A required property that is not nullable stays
//! required, so its absence is still a decode error naming it; a schema that request
//! bodies use too is left alone, because there `required` says what the caller must send.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Failure, Notes};
use crate::schema_walk::{
    Use, escape, operation_schema_roots, reachable_schemas, schema_ref_name, walk_schema,
};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let roots = operation_schema_roots(doc);
    let of_use = |wanted: Use| -> Vec<String> {
        roots
            .iter()
            .filter(|(_, used)| *used == wanted)
            .map(|(at, _)| at.clone())
            .collect()
    };
    let (response_roots, request_roots) = (of_use(Use::Response), of_use(Use::Request));
    let response_components = reachable_schemas(doc, response_roots.iter().map(String::as_str));
    let request_components = reachable_schemas(doc, request_roots.iter().map(String::as_str));
    let nullable_components: BTreeSet<String> =
        crate::schema_walk::obj(doc.pointer("/components/schemas"))
            .filter(|(_, schema)| is_nullable(schema, &BTreeSet::new()))
            .map(|(name, _)| name.clone())
            .collect();

    let mut targets = response_roots;
    for name in response_components {
        let at = format!("/components/schemas/{}", escape(&name));
        if request_components.contains(&name) {
            notes.add(
                at,
                "left as described: request bodies use this schema too, where required means sent",
            );
        } else {
            targets.push(at);
        }
    }
    for root in targets {
        let Some(schema) = doc.pointer_mut(&root) else {
            continue;
        };
        walk_schema(schema, &root, &mut |at, node| {
            let Some(map) = node.as_object_mut() else {
                return;
            };
            let Some(props) = map.get("properties").and_then(Value::as_object) else {
                return;
            };
            let Some(required) = map.get("required").and_then(Value::as_array) else {
                return;
            };
            let loosened: Vec<String> = required
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| {
                    props
                        .get(*name)
                        .is_some_and(|p| is_nullable(p, &nullable_components))
                })
                .map(str::to_owned)
                .collect();
            if loosened.is_empty() {
                return;
            }
            let kept: Vec<Value> = required
                .iter()
                .filter(|v| !v.as_str().is_some_and(|n| loosened.iter().any(|l| l == n)))
                .cloned()
                .collect();
            if kept.is_empty() {
                map.remove("required");
            } else {
                map.insert("required".into(), Value::Array(kept));
            }
            for name in loosened {
                notes.add(
                    format!("{at}/properties/{}", escape(&name)),
                    "required and nullable: may be absent, decoded as None",
                );
            }
        });
    }
    Ok(())
}

/// Whether `schema` admits `null`: `nullable: true` on it, or a `$ref` (alone or as the
/// one member of an `allOf`) to a component that is nullable.
fn is_nullable(schema: &Value, nullable_components: &BTreeSet<String>) -> bool {
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    let referenced = |s: &Value| {
        s.get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_ref_name)
            .is_some_and(|name| nullable_components.contains(name))
    };
    referenced(schema)
        || schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|all| all.len() == 1 && referenced(&all[0]))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::passes::run_one;

    fn doc() -> Value {
        json!({
            "paths": {"/a": {
                "get": {"operationId": "repos/get-asset", "responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/release-asset"}}}}}},
                "post": {"operationId": "repos/make",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/shared"}}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["note", "id"],
                        "properties": {
                            "note": {"type": "string", "nullable": true},
                            "id": {"type": "integer"}
                        }}}}}}}
            }},
            "components": {"schemas": {
                "release-asset": {"type": "object",
                    "required": ["id", "digest", "uploader", "owner", "shared"],
                    "properties": {
                        "id": {"type": "integer"},
                        "digest": {"type": "string", "nullable": true},
                        "uploader": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/user"}]},
                        "owner": {"$ref": "#/components/schemas/nullable-user"},
                        "shared": {"$ref": "#/components/schemas/shared"}
                    }},
                "user": {"type": "object", "required": ["login"], "properties": {"login": {"type": "string"}}},
                "nullable-user": {"type": "object", "nullable": true, "properties": {"login": {"type": "string"}}},
                "shared": {"type": "object", "required": ["maybe"], "properties": {
                    "maybe": {"type": "string", "nullable": true}}}
            }}
        })
    }

    #[test]
    fn required_nullable_response_fields_may_be_absent() {
        let mut doc = doc();
        let notes = run_one("absent_nullable", &mut doc);
        let asset = &doc["components"]["schemas"]["release-asset"];
        // Required and not nullable: still required, so a missing one is still an error.
        assert_eq!(asset["required"], json!(["id", "shared"]));
        let inline = doc
            .pointer("/paths/~1a/post/responses/201/content/application~1json/schema")
            .unwrap();
        assert_eq!(inline["required"], json!(["id"]));
        let at: Vec<&str> = notes.iter().map(|n| n.at.as_str()).collect();
        assert!(
            at.contains(&"/components/schemas/release-asset/properties/digest"),
            "{at:?}"
        );
        assert!(at.contains(&"/components/schemas/release-asset/properties/uploader"));
        assert!(at.contains(&"/components/schemas/release-asset/properties/owner"));
    }

    #[test]
    fn schemas_requests_use_keep_their_required_list() {
        let mut doc = doc();
        let notes = run_one("absent_nullable", &mut doc);
        assert_eq!(
            doc["components"]["schemas"]["shared"]["required"],
            json!(["maybe"])
        );
        assert!(
            notes
                .iter()
                .any(|n| n.at == "/components/schemas/shared" && n.change.contains("request")),
            "{notes:?}"
        );
        assert_eq!(
            doc["components"]["schemas"]["user"]["required"],
            json!(["login"])
        );
    }

    #[test]
    fn a_required_list_left_empty_is_removed_and_a_second_run_changes_nothing() {
        let mut doc = json!({
            "paths": {"/b": {"get": {"operationId": "b", "responses": {"200": {"content": {"application/json": {
                "schema": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string", "nullable": true}}}
            }}}}}}}
        });
        assert_eq!(run_one("absent_nullable", &mut doc).len(), 1);
        let schema = doc
            .pointer("/paths/~1b/get/responses/200/content/application~1json/schema")
            .unwrap();
        assert!(schema.get("required").is_none(), "{schema}");
        let once = doc.clone();
        assert!(run_one("absent_nullable", &mut doc).is_empty());
        assert_eq!(doc, once);
    }
}
