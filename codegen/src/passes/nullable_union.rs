//! `anyOf`/`oneOf` of `{type: null}` and X becomes a nullable X.
//!
//! This is how OpenAPI 3.1 (and GitHub's documentation of `uploader`) says "X or null";
//! progenitor panics on it. A `$ref` cannot carry `nullable` beside it in 3.0, so a
//! referenced X becomes `allOf: [X]` with `nullable: true`, which typify turns into
//! `Option<X>`.

use serde_json::{Map, Value};

use super::{Failure, Notes};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    super::for_each_schema(doc, &mut |at, schema| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = map.get(key) else {
                continue;
            };
            if !members.iter().any(is_null_schema) {
                continue;
            }
            let rest: Vec<Value> = members
                .iter()
                .filter(|m| !is_null_schema(m))
                .cloned()
                .collect();
            map.remove(key);
            map.insert("nullable".into(), Value::Bool(true));
            match <[Value; 1]>::try_from(rest) {
                Ok([only]) if only.get("$ref").is_some() => {
                    map.insert("allOf".into(), Value::Array(vec![only]));
                    notes.add(at, format!("{key} with null -> nullable allOf of one $ref"));
                }
                Ok([Value::Object(only)]) => {
                    merge_under(map, only);
                    notes.add(at, format!("{key} with null -> nullable schema"));
                }
                Ok([other]) => {
                    map.insert(key.into(), Value::Array(vec![other]));
                }
                Err(rest) => {
                    map.insert(key.into(), Value::Array(rest));
                    notes.add(
                        at,
                        format!("{key}: null member dropped, schema made nullable"),
                    );
                }
            }
        }
    });
    Ok(())
}

/// Is this schema satisfied by null alone?
fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        _ => schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_null)),
    }
}

/// Moves `member`'s keys into `outer`; the outer schema's documentation keys win.
fn merge_under(outer: &mut Map<String, Value>, member: Map<String, Value>) {
    for (key, value) in member {
        let documentation = matches!(key.as_str(), "description" | "title" | "example");
        if !(documentation && outer.contains_key(&key)) {
            outer.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn seed_uploader_form_becomes_nullable_ref() {
        let mut doc = json!({"components": {"schemas": {
            "simple-user": {"type": "object"},
            "release-asset": {"type": "object", "properties": {"uploader": {
                "anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/simple-user"}]
            }}}
        }}});
        let notes = run_one("nullable_union", &mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/release-asset/properties/uploader")
                .unwrap(),
            &json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/simple-user"}]})
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].at,
            "/components/schemas/release-asset/properties/uploader"
        );
    }

    #[test]
    fn inline_member_is_merged_keeping_outer_docs() {
        let mut doc = json!({"components": {"schemas": {"label": {
            "description": "outer", "oneOf": [{"type": "string", "description": "inner"}, {"enum": [null]}]
        }}}});
        run_one("nullable_union", &mut doc);
        assert_eq!(
            doc["components"]["schemas"]["label"],
            json!({"description": "outer", "type": "string", "nullable": true})
        );
    }

    #[test]
    fn several_members_stay_a_union() {
        let mut doc = json!({"components": {"schemas": {"v": {
            "anyOf": [{"type": "string"}, {"type": "null"}, {"type": "integer"}]
        }}}});
        run_one("nullable_union", &mut doc);
        assert_eq!(
            doc["components"]["schemas"]["v"],
            json!({"nullable": true, "anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn unions_without_null_are_left_alone() {
        let before = json!({"components": {"schemas": {"v": {
            "oneOf": [{"type": "string"}, {"type": "integer"}]
        }}}});
        let mut doc = before.clone();
        assert!(run_one("nullable_union", &mut doc).is_empty());
        assert_eq!(doc, before);
    }
}
