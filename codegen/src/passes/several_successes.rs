//! An operation with several 2xx statuses of different bodies (`repos/merge`: 201 with the
//! merge commit, 204 when there was nothing to merge) gets one typed answer per status.
//!
//! progenitor takes one success type per operation and asserts on more. So each success's
//! JSON schema becomes a component (a `$ref` to one is kept as it is), where typify makes
//! it a type; the statuses, with their schema or none, go to `x-success-statuses`; and
//! every 2xx response is left to progenitor as bytes. The `operations` facade reads
//! `x-success-statuses` and writes an enum with a variant per status (`Created(Commit)`,
//! `NoContent`) that the builder's `send()` decodes the bytes into.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape, obj, resolve};

/// Where the statuses of an operation with several successes are kept, in order: each
/// `{"status": "201", "description": .., "schema": {"$ref": ..}}`, `"schema"` absent for a
/// status without a body and `"bytes": true` for a body that is not JSON.
pub const SUCCESSES: &str = "x-success-statuses";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut targets = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let successes: Vec<(String, Value)> = obj(op.get("responses"))
                .filter(|(status, _)| status.starts_with('2'))
                .map(|(status, response)| (status.clone(), resolve(doc, response).clone()))
                .collect();
            let bodies: BTreeSet<String> = successes
                .iter()
                .map(|(_, response)| body_of(response).to_string())
                .collect();
            if bodies.len() > 1 {
                targets.push((format!("/paths/{}/{method}", escape(path)), successes));
            }
        }
    }
    for (at, successes) in targets {
        let name = doc
            .pointer(&format!("{at}/operationId"))
            .and_then(Value::as_str)
            .unwrap_or("operation")
            .to_owned();
        let mut statuses = Vec::new();
        let mut hoisted = Vec::new();
        let mut responses = Map::new();
        for (status, response) in &successes {
            let status_code: u16 = status.parse().map_err(|_| {
                (
                    format!("{at}/responses/{}", escape(status)),
                    format!("a success status {status:?} that is not a number: one variant each needs one"),
                )
            })?;
            let mut entry = json!({"status": status_code});
            if let Some(description) = response.get("description") {
                entry["description"] = description.clone();
            }
            match body_of(response) {
                Body::Json(schema) if schema.get("$ref").is_some() => {
                    entry["schema"] = schema.clone();
                }
                Body::Json(schema) => {
                    let key = super::unique(&format!("{name}-{status}"), &mut taken);
                    hoisted.push((key.clone(), schema.clone()));
                    entry["schema"] =
                        json!({"$ref": format!("#/components/schemas/{}", escape(&key))});
                }
                Body::Bytes => entry["bytes"] = json!(true),
                Body::None => {}
            }
            statuses.push(entry);
            // progenitor's view: every success is bytes, the facade decodes them.
            let mut raw = json!({
                "description": response.get("description").cloned().unwrap_or_else(|| json!("")),
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
            });
            if let Some(headers) = response.get("headers") {
                raw["headers"] = headers.clone();
            }
            responses.insert(status.clone(), raw);
        }
        super::add_schemas(doc, hoisted);
        let Some(op) = doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
            continue;
        };
        if let Some(all) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, raw) in responses {
                all.insert(status, raw);
            }
        }
        let listed: Vec<&str> = successes.iter().map(|(s, _)| s.as_str()).collect();
        op.insert(SUCCESSES.to_owned(), Value::Array(statuses));
        notes.add(
            format!("{at}/responses"),
            format!(
                "successes {} have different bodies: one enum, a variant each",
                listed.join(", ")
            ),
        );
    }
    Ok(())
}

/// What a response carries.
enum Body<'a> {
    Json(&'a Value),
    Bytes,
    None,
}

impl std::fmt::Display for Body<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Json(schema) => write!(f, "json {schema}"),
            Body::Bytes => f.write_str("bytes"),
            Body::None => f.write_str("none"),
        }
    }
}

fn body_of(response: &Value) -> Body<'_> {
    let content: Vec<(&String, &Value)> = obj(response.get("content")).collect();
    if let Some(schema) = content
        .iter()
        .find(|(media, _)| super::is_json(media))
        .and_then(|(_, m)| m.get("schema"))
    {
        return Body::Json(schema);
    }
    if content.is_empty() {
        Body::None
    } else {
        Body::Bytes
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn each_success_is_kept_with_its_type_and_progenitor_sees_bytes() {
        let mut doc = json!({
            "paths": {"/merges": {"post": {"operationId": "merge", "responses": {
                "201": {"description": "Merged", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/commit"}}}},
                "202": {"description": "Queued", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}},
                "204": {"$ref": "#/components/responses/no-content"},
                "404": {"description": "gone"}
            }}}},
            "components": {
                "schemas": {"commit": {"type": "object"}, "merge-202": {"type": "string"}},
                "responses": {"no-content": {"description": "Nothing to merge"}}
            }
        });
        let notes = run_one("several_successes", &mut doc);
        let op = &doc["paths"]["/merges"]["post"];
        assert_eq!(
            op["x-success-statuses"],
            json!([
                {"status": 201, "description": "Merged", "schema": {"$ref": "#/components/schemas/commit"}},
                {"status": 202, "description": "Queued", "schema": {"$ref": "#/components/schemas/merge-202-2"}},
                {"status": 204, "description": "Nothing to merge"}
            ])
        );
        assert_eq!(
            doc["components"]["schemas"]["merge-202-2"]["properties"]["id"]["type"],
            "integer"
        );
        for status in ["201", "202", "204"] {
            assert_eq!(
                op["responses"][status]["content"],
                json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}),
                "{status}"
            );
        }
        assert_eq!(op["responses"]["404"], json!({"description": "gone"}));
        // The shared response stays as it was, for its other users.
        assert_eq!(
            doc["components"]["responses"]["no-content"],
            json!({"description": "Nothing to merge"})
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].at, "/paths/~1merges/post/responses");
    }

    #[test]
    fn successes_of_one_body_are_left_to_progenitor() {
        let mut doc = json!({"paths": {"/a": {"put": {"operationId": "put", "responses": {
            "200": {"description": "Updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/file"}}}},
            "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/file"}}}}
        }}}}});
        let before = doc.clone();
        assert!(run_one("several_successes", &mut doc).is_empty());
        assert_eq!(doc, before);
    }
}
