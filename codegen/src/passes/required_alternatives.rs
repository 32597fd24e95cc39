//! An object whose `anyOf` or `oneOf` only lists which of its properties must be present
//! (`anyOf: [{required: [state]}, {required: [assignees]}]`: "set at least one of them")
//! keeps its properties, all optional, and loses the alternatives, with a note.
//!
//! typify makes such a schema an untagged enum with a variant per alternative, each holding
//! only the properties that alternative requires: a body with two of them decodes as the
//! first variant that matches, and the other is dropped (updating a Pages site's `cname`
//! and `source` at once could not be written). GitHub checks which are present; the type
//! lets the caller set any of them. A name an alternative requires that is not a property
//! becomes one, of any JSON value.

use serde_json::{Map, Value};

use super::{Failure, Notes, for_each_schema};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    for_each_schema(doc, &mut |at, schema| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        if !map.get("properties").is_some_and(Value::is_object) {
            return;
        }
        for key in ["anyOf", "oneOf"] {
            let Some(names) = map.get(key).and_then(required_only) else {
                continue;
            };
            let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) else {
                return;
            };
            let mut added = Vec::new();
            for name in &names {
                if !properties.contains_key(name) {
                    properties.insert(name.clone(), Value::Object(Map::new()));
                    added.push(name.as_str());
                }
            }
            let mut change = format!(
                "{} of the properties {} must be set: not checked, each is optional",
                if key == "oneOf" {
                    "exactly one set"
                } else {
                    "at least one"
                },
                names.join(", ")
            );
            if !added.is_empty() {
                change.push_str(&format!(
                    " ({} required there but not a property: added, of any JSON value)",
                    added.join(", ")
                ));
            }
            map.remove(key);
            notes.add(format!("{at}/{key}"), change);
        }
    });
    Ok(())
}

/// The property names of alternatives that each only say which are required.
fn required_only(alternatives: &Value) -> Option<Vec<String>> {
    let alternatives = alternatives.as_array()?;
    if alternatives.is_empty() {
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    for alternative in alternatives {
        let map = alternative.as_object()?;
        if !map.contains_key("required")
            || map
                .keys()
                .any(|k| !matches!(k.as_str(), "required" | "description" | "title"))
        {
            return None;
        }
        for name in map.get("required")?.as_array()? {
            let name = name.as_str()?.to_owned();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn alternatives_that_only_require_become_optional_properties() {
        let mut doc = json!({"components": {"schemas": {
            "update": {"type": "object",
                "properties": {"state": {"type": "string"}, "assignees": {"type": "array"}},
                "anyOf": [{"required": ["state"]}, {"required": ["assignees", "public"]}]},
            "either": {"type": "object",
                "properties": {"id": {"type": "integer"}, "owner": {"type": "string"}},
                "oneOf": [{"required": ["id"]}, {"required": ["owner"]}]},
            "shapes": {"type": "object", "properties": {"a": {"type": "string"}},
                "oneOf": [{"required": ["a"]}, {"type": "object", "required": ["b"]}]}
        }}});
        let notes = run_one("required_alternatives", &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["update"].get("anyOf").is_none());
        assert_eq!(schemas["update"]["properties"]["public"], json!({}));
        assert!(schemas["either"].get("oneOf").is_none());
        // An alternative with a shape of its own is a real union: left to typify.
        assert!(schemas["shapes"].get("oneOf").is_some());
        let at: Vec<&str> = notes.iter().map(|n| n.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/either/oneOf",
                "/components/schemas/update/anyOf"
            ]
        );
        assert!(notes[1].change.contains("public"), "{}", notes[1].change);
        assert!(
            notes[0].change.starts_with("exactly one"),
            "{}",
            notes[0].change
        );
    }
}
