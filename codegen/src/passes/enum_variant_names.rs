//! String enums whose values typify cannot name apart become plain strings, with a note.
//!
//! typify names a variant from its value (`reactions-+1` -> `Reactions1`), and when two
//! values give one name it tries once more with the dropped characters spelled `X`; when
//! they still collide it panics. GitHub's search `sort` has `reactions-+1` and
//! `reactions--1`, which collide both times. A Rust enum cannot carry them under the
//! names typify gives, and the wire values must stay GitHub's, so the schema keeps its
//! type and loses its `enum`: the caller passes the string, and the note says where the
//! generator widened the type.

use std::collections::BTreeSet;

use heck::ToPascalCase;
use serde_json::Value;

use super::{Failure, Notes, for_each_schema};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    for_each_schema(doc, &mut |at, schema| {
        let Some(values) = schema.get("enum").and_then(Value::as_array) else {
            return;
        };
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if strings.len() < 2 || names_apart(&strings) {
            return;
        }
        let shown = strings.join(", ");
        if let Some(map) = schema.as_object_mut() {
            map.remove("enum");
            map.entry("type").or_insert_with(|| Value::from("string"));
        }
        notes.add(
            format!("{at}/enum"),
            format!(
                "widened to a string: typify cannot name the values [{shown}] apart as Rust variants"
            ),
        );
    });
    Ok(())
}

/// Whether typify names every value apart, in either of its two tries.
fn names_apart(values: &[&str]) -> bool {
    let unique = |names: Vec<String>| names.iter().collect::<BTreeSet<_>>().len() == names.len();
    unique(values.iter().map(|v| variant_name(v)).collect())
        || unique(
            values
                .iter()
                .map(|v| variant_name(&v.replace(|c: char| c == '_' || !is_ident_char(c), "X")))
                .collect(),
        )
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The name typify gives a variant for `value` (its `sanitize` in Pascal case).
fn variant_name(value: &str) -> String {
    let name = match value {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => value
            .replace('\'', "")
            .replace(|c: char| !is_ident_char(c), "-")
            .to_pascal_case(),
    };
    match name.chars().next() {
        None => "X".to_owned(),
        Some(c) if c.is_alphabetic() || c == '_' => name,
        Some(_) => format!("_{name}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::passes::run_one;

    #[test]
    fn values_typify_cannot_name_apart_become_a_string() {
        let mut doc = json!({"paths": {"/search/issues": {"get": {"parameters": [
            {"name": "sort", "in": "query", "schema": {"type": "string",
                "enum": ["comments", "reactions", "reactions-+1", "reactions--1", "reactions-smile"]}},
            {"name": "content", "in": "query", "schema": {"type": "string",
                "enum": ["+1", "-1", "laugh"]}},
            {"name": "order", "in": "query", "schema": {"type": "string",
                "enum": ["a--b", "a-b"]}}
        ]}}}});
        let notes = run_one("enum_variant_names", &mut doc);
        let parameters = &doc["paths"]["/search/issues"]["get"]["parameters"];
        assert_eq!(parameters[0]["schema"], json!({"type": "string"}));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(
            notes[0].at,
            "/paths/~1search~1issues/get/parameters/0/schema/enum"
        );
        assert!(
            notes[0].change.contains("reactions--1"),
            "{}",
            notes[0].change
        );
        // typify names these apart: `+1` and `-1` have names of their own, and `a--b`,
        // `a-b` differ on its second try (`AXXb`, `AXb`).
        assert_eq!(
            parameters[1]["schema"]["enum"],
            json!(["+1", "-1", "laugh"])
        );
        assert_eq!(parameters[2]["schema"]["enum"], json!(["a--b", "a-b"]));
    }

    #[test]
    fn variant_names_are_typifys() {
        assert_eq!(variant_name("reactions-+1"), "Reactions1");
        assert_eq!(variant_name("created_at"), "CreatedAt");
        assert_eq!(variant_name("+1"), "plus1");
        assert_eq!(variant_name("2fa"), "_2fa");
    }
}
