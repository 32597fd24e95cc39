//! An optional list in a request body keeps "empty" apart from "not set": its schema is
//! made nullable, with a note, so the type is `Option<Vec<T>>`.
//!
//! typify makes an optional array `Vec<T>` that is left out when empty, so a request
//! could not say `[]`: an update clearing a budget's `alert_recipients` or an issue's
//! `labels` would send nothing, and change nothing. As `Option<Vec<T>>`, `None` is left
//! out and `Some(vec![])` is sent as `[]`; `null` is never sent. Components a response
//! uses too are left as they are (an absent list there reads as empty).

use serde_json::Value;

use super::{Failure, Notes};
use crate::schema_walk::{escape, request_body_schemas, walk_schema};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let targets = request_body_schemas(doc);
    for root in targets {
        let Some(schema) = doc.pointer_mut(&root) else {
            continue;
        };
        walk_schema(schema, &root, &mut |at, node| {
            let Some(object) = node.as_object_mut() else {
                return;
            };
            let required: Vec<String> = object
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let Some(Value::Object(properties)) = object.get_mut("properties") else {
                return;
            };
            for (name, property) in properties.iter_mut() {
                let Some(property) = property.as_object_mut() else {
                    continue;
                };
                let is_list = property.get("type").and_then(Value::as_str) == Some("array");
                if !is_list || required.contains(name) || property.contains_key("nullable") {
                    continue;
                }
                property.insert("nullable".to_owned(), Value::Bool(true));
                notes.add(
                    format!("{at}/properties/{}", escape(name)),
                    "optional list made Option<Vec<_>>: an empty list is sent as [], an unset one not at all",
                );
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
    fn an_optional_request_list_becomes_nullable_a_response_one_stays() {
        let list = json!({"type": "array", "items": {"type": "string"}});
        let mut doc = json!({
            "paths": {"/r": {"patch": {
                "operationId": "update",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                    "required": ["names"],
                    "properties": {
                        "labels": list, "names": list,
                        "alerting": {"type": "object", "properties": {"recipients": list}},
                        "shared": {"$ref": "#/components/schemas/both"}
                    }}}}},
                "responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/both"}}}}}
            }}},
            "components": {"schemas": {"both": {"type": "object", "properties": {"tags": list}}}}
        });
        let notes = run_one("request_empty_lists", &mut doc);
        let body =
            &doc["paths"]["/r"]["patch"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["properties"]["labels"]["nullable"], json!(true));
        assert_eq!(
            body["properties"]["alerting"]["properties"]["recipients"]["nullable"],
            json!(true)
        );
        // A required list is always sent; a response's is left alone.
        assert!(body["properties"]["names"].get("nullable").is_none());
        assert!(
            doc["components"]["schemas"]["both"]["properties"]["tags"]
                .get("nullable")
                .is_none()
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
