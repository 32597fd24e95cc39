//! What becomes of a string's `format`: typify makes a type of some (`date-time`, `date`
//! as chrono's, `ip`, `ipv4`, `ipv6` as std's, `binary` as bytes) and takes the others as
//! plain strings. Each of those others is noted, so a reader sees where the description
//! promises more than the type checks (`uri`, `email`, `uri-template`...).
//!
//! `uuid` (GHEC's and GHES's descriptions have it) would be `uuid::Uuid`, a dependency the
//! crate does not take for a handful of ids it only passes back: it is removed, and the
//! value is a string.

use serde_json::Value;

use super::{Failure, Notes, for_each_schema};

/// The formats typify makes a type of, from crates the client depends on.
pub const TYPED: [&str; 6] = ["date-time", "date", "ip", "ipv4", "ipv6", "binary"];

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    for_each_schema(doc, &mut |at, schema| {
        let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
        let Some(format) = schema.get("format").and_then(Value::as_str) else {
            return;
        };
        if !is_string || TYPED.contains(&format) {
            return;
        }
        let format = format.to_owned();
        if format == "uuid" {
            if let Some(map) = schema.as_object_mut() {
                map.remove("format");
            }
            notes.add(
                format!("{at}/format"),
                "format uuid removed: a String (the crate does not depend on uuid)",
            );
        } else {
            notes.add(
                format!("{at}/format"),
                format!("format {format:?} not checked: a String"),
            );
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn uuid_goes_other_unchecked_formats_are_noted_typed_ones_stay() {
        let mut doc = json!({"components": {"schemas": {"s": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "url": {"type": "string", "format": "uri"},
            "at": {"type": "string", "format": "date-time"},
            "n": {"type": "integer", "format": "int64"}
        }}}}});
        let notes = run_one("string_formats", &mut doc);
        let properties = &doc["components"]["schemas"]["s"]["properties"];
        assert_eq!(properties["id"], json!({"type": "string"}));
        assert_eq!(properties["url"]["format"], "uri");
        assert_eq!(properties["at"]["format"], "date-time");
        let at: Vec<&str> = notes.iter().map(|n| n.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/s/properties/id/format",
                "/components/schemas/s/properties/url/format"
            ]
        );
    }
}
