//! An object GitHub documents as closed (`additionalProperties: false`) is left open, with
//! a note; an object open to any other key (`additionalProperties: true` beside its
//! properties) is noted, since its type keeps only the documented keys.
//!
//! typify makes a closed object `#[serde(deny_unknown_fields)]`: an answer with one field
//! GitHub added after the description was cut (as it added `digest` to assets) would fail
//! whole. GitHub adds fields without a new API version, so an answer decodes with the
//! fields the type knows and drops the rest; a request is written from the type, which
//! holds only documented fields either way.

use serde_json::Value;

use super::{Failure, Notes, for_each_schema};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    for_each_schema(doc, &mut |at, schema| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => {
                map.remove("additionalProperties");
                notes.add(
                    format!("{at}/additionalProperties"),
                    "closed object left open: an answer with a field GitHub adds later still decodes (the field is dropped)",
                );
            }
            Some(Value::Bool(true)) if map.contains_key("properties") => {
                notes.add(
                    format!("{at}/additionalProperties"),
                    "keys beyond the documented properties are dropped: the type keeps only those",
                );
            }
            _ => {}
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn a_closed_object_is_opened_and_an_open_one_noted() {
        let mut doc = json!({"components": {"schemas": {
            "closed": {"type": "object", "additionalProperties": false,
                "properties": {"a": {"type": "string"}}},
            "open": {"type": "object", "additionalProperties": true,
                "properties": {"b": {"type": "string"}}},
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "free": {"type": "object", "additionalProperties": true}
        }}});
        let notes = run_one("open_objects", &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["closed"].get("additionalProperties").is_none());
        assert_eq!(schemas["open"]["additionalProperties"], json!(true));
        assert_eq!(
            schemas["map"]["additionalProperties"],
            json!({"type": "string"})
        );
        let at: Vec<&str> = notes.iter().map(|n| n.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/closed/additionalProperties",
                "/components/schemas/open/additionalProperties"
            ]
        );
    }
}
