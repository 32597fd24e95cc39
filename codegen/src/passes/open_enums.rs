//! String enums that responses carry become open: the known values, or any other string,
//! kept as sent.
//!
//! GitHub adds enum values without notice: an asset's `state` is documented as
//! `uploaded | open`, yet a failed upload leaves one in state `starter`. A closed Rust
//! enum would fail to parse that asset, and with it the whole list it came in.
//!
//! The enum moves to a component `<name>-known`, and where it stood goes
//! `oneOf: [<name>-known, {type: string, title: <name>-other}]`. typify makes that an
//! untagged enum whose variants (their shared prefix stripped) are `Known(..)`, tried
//! first, and `Other(String)`. Enums only requests use stay closed: there the type
//! checks what the caller sends.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{Use, escape, operation_schema_roots, reachable_schemas, walk_schema};

/// Marks a component made by this pass, so a second run leaves it alone.
const KNOWN_MARK: &str = "x-known-values";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let response_roots: Vec<String> = operation_schema_roots(doc)
        .into_iter()
        .filter(|(_, used)| *used == Use::Response)
        .map(|(at, _)| at)
        .collect();
    let components = reachable_schemas(doc, response_roots.iter().map(String::as_str));
    let targets: Vec<String> = response_roots
        .into_iter()
        .chain(
            components
                .iter()
                .map(|n| format!("/components/schemas/{}", escape(n))),
        )
        .collect();

    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let operation_ids = operation_ids(doc);
    let mut hoisted: Vec<(String, Value)> = Vec::new();

    for root in targets {
        let Some(schema) = doc.pointer_mut(&root) else {
            continue;
        };
        walk_schema(schema, &root, &mut |at, node| {
            let Some(values) = string_enum(node) else {
                return;
            };
            let name = suggested_name(at, &operation_ids);
            let known = super::unique(&format!("{name}-known"), &mut taken);
            let map = node.as_object_mut().expect("string_enum checked an object");
            let nullable = map.get("nullable") == Some(&Value::Bool(true))
                || values.iter().any(Value::is_null);
            let known_values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
            let mut known_schema = json!({
                "type": "string",
                "enum": known_values,
                "description": format!("The values of `{name}` this client was generated with."),
            });
            known_schema[KNOWN_MARK] = Value::Bool(true);
            for key in [
                "format",
                "pattern",
                "minLength",
                "maxLength",
                "type",
                "enum",
            ] {
                if let Some(v) = map.remove(key)
                    && key != "type"
                    && key != "enum"
                {
                    known_schema[key] = v;
                }
            }
            map.remove("nullable");
            let mut wrapper: Map<String, Value> = std::mem::take(map);
            if nullable {
                wrapper.insert("nullable".into(), Value::Bool(true));
            }
            wrapper.insert(
                "oneOf".into(),
                json!([
                    {"$ref": format!("#/components/schemas/{known}")},
                    {
                        "type": "string",
                        "title": format!("{name}-other"),
                        "description": "A value GitHub added after this client was generated, kept as sent."
                    }
                ]),
            );
            *map = wrapper;
            notes.add(
                at,
                format!("closed enum opened: known values in {known}, any other string kept"),
            );
            hoisted.push((known, known_schema));
        });
    }
    for (name, schema) in hoisted {
        doc["components"]["schemas"][name.as_str()] = schema;
    }
    Ok(())
}

/// The values of a string enum this pass should open, or `None`.
fn string_enum(node: &Value) -> Option<Vec<Value>> {
    let map = node.as_object()?;
    // A tag that tells a union's kinds apart stays closed (`tagged_unions`).
    if map.contains_key(KNOWN_MARK) || map.contains_key(super::tagged_unions::TAG_MARK) {
        return None;
    }
    let values = map.get("enum")?.as_array()?;
    let typed_string = map.get("type").and_then(Value::as_str) == Some("string");
    let all_strings = values.iter().all(|v| v.is_string() || v.is_null());
    (all_strings
        && (typed_string || !map.contains_key("type"))
        && values.iter().any(Value::is_string))
    .then(|| values.clone())
}

/// operationId of each `/paths/<path>/<method>` pointer prefix.
fn operation_ids(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in crate::schema_walk::obj(doc.get("paths")) {
        for method in crate::schema_walk::METHODS {
            if let Some(id) = item
                .get(method)
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
            {
                out.push((
                    format!("/paths/{}/{method}/", escape(path)),
                    id.replace('/', "-"),
                ));
            }
        }
    }
    out
}

/// A kebab-case name for the schema at `at`: the component or operation it belongs to,
/// then the property path down to it.
fn suggested_name(at: &str, operation_ids: &[(String, String)]) -> String {
    let segments: Vec<String> = at
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (base, rest) = if at.starts_with("/components/schemas/") {
        (segments[2].clone(), &segments[3..])
    } else {
        let base = operation_ids
            .iter()
            .find(|(prefix, _)| at.starts_with(prefix.as_str()))
            .map(|(_, id)| id.clone())
            .or_else(|| segments.get(2).cloned())
            .unwrap_or_else(|| "enum".into());
        let start = segments
            .iter()
            .position(|s| s == "schema")
            .map_or(segments.len(), |i| i + 1);
        (base, &segments[start..])
    };
    let mut name = base;
    let mut i = 0;
    while i < rest.len() {
        let part = match rest[i].as_str() {
            "properties" if i + 1 < rest.len() => {
                i += 1;
                rest[i].clone()
            }
            "items" => "item".into(),
            "additionalProperties" => "value".into(),
            "allOf" | "anyOf" | "oneOf" if i + 1 < rest.len() => {
                i += 1;
                format!("variant{}", rest[i])
            }
            other => other.to_owned(),
        };
        name.push('-');
        name.push_str(&part);
        i += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    fn doc() -> serde_json::Value {
        json!({
            "paths": {"/a": {
                "get": {"operationId": "repos/get-asset", "responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/release-asset"}}}}}},
                "post": {"operationId": "repos/make", "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]}}}}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {
                        "type": "object", "properties": {"kind": {"type": "string", "enum": ["x"], "nullable": true}}}}}}}}
            }},
            "components": {"schemas": {"release-asset": {"type": "object", "properties": {
                "state": {"description": "State of the release asset.", "type": "string", "enum": ["uploaded", "open"]}
            }}}}
        })
    }

    #[test]
    fn response_enum_becomes_known_or_other() {
        let mut doc = doc();
        run_one("open_enums", &mut doc);
        assert_eq!(
            doc["components"]["schemas"]["release-asset"]["properties"]["state"],
            json!({
                "description": "State of the release asset.",
                "oneOf": [
                    {"$ref": "#/components/schemas/release-asset-state-known"},
                    {"type": "string", "title": "release-asset-state-other",
                     "description": "A value GitHub added after this client was generated, kept as sent."}
                ]
            })
        );
        let known = &doc["components"]["schemas"]["release-asset-state-known"];
        assert_eq!(known["enum"], json!(["uploaded", "open"]));
        assert_eq!(known["type"], json!("string"));
    }

    #[test]
    fn inline_response_enum_is_named_after_its_operation_and_keeps_nullable() {
        let mut doc = doc();
        run_one("open_enums", &mut doc);
        let kind = doc
            .pointer(
                "/paths/~1a/post/responses/201/content/application~1json/schema/properties/kind",
            )
            .unwrap();
        assert_eq!(kind["nullable"], json!(true));
        assert_eq!(
            kind["oneOf"][0]["$ref"],
            json!("#/components/schemas/repos-make-kind-known")
        );
    }

    #[test]
    fn request_only_enum_stays_closed() {
        let mut doc = doc();
        run_one("open_enums", &mut doc);
        let mode = doc
            .pointer("/paths/~1a/post/requestBody/content/application~1json/schema/properties/mode")
            .unwrap();
        assert_eq!(mode, &json!({"type": "string", "enum": ["a", "b"]}));
    }

    #[test]
    fn second_run_changes_nothing() {
        let mut doc = doc();
        run_one("open_enums", &mut doc);
        let once = doc.clone();
        assert!(run_one("open_enums", &mut doc).is_empty());
        assert_eq!(doc, once);
    }
}
