//! A `oneOf` or `anyOf` whose alternatives are objects told apart by one property of a
//! single value each (`type: creation`, `type: update`, …) keeps those tags closed, and
//! gains a last alternative, any object, for a kind GitHub adds later; with a note.
//!
//! `open_enums` would otherwise make each tag "its value, or any other string": every
//! alternative would then match every kind, and the first (a ruleset's `creation` rule)
//! would take them all, dropping the `parameters` of the others. With the tags closed,
//! each kind decodes as its own variant; one the description does not know decodes as
//! the catch-all, its JSON kept whole, instead of failing the answer it came in.

use serde_json::{Value, json};

use super::{Failure, Notes, for_each_schema};
use crate::schema_walk::{escape, resolve};

/// Marks a tag's schema, so `open_enums` leaves it closed.
pub(crate) const TAG_MARK: &str = "x-union-tag";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let snapshot = doc.clone();
    let mut tags: Vec<String> = Vec::new();
    for_each_schema(doc, &mut |at, schema| {
        for key in ["oneOf", "anyOf"] {
            let Some(alternatives) = schema.get(key).and_then(Value::as_array) else {
                continue;
            };
            let Some((property, pointers)) =
                tagged(&snapshot, alternatives, &format!("{at}/{key}"))
            else {
                continue;
            };
            let count = alternatives.len();
            if let Some(list) = schema.get_mut(key).and_then(Value::as_array_mut) {
                list.push(json!({
                    "type": "object",
                    "title": "other",
                    "description": format!("A kind the description does not list (its `{property}` is another value): its JSON, kept whole."),
                }));
            }
            tags.extend(pointers);
            notes.add(
                format!("{at}/{key}"),
                format!(
                    "{count} kinds told apart by `{property}`: the tags stay closed, and a last variant takes any other kind whole"
                ),
            );
        }
    });
    for pointer in tags {
        if let Some(Value::Object(tag)) = doc.pointer_mut(&pointer) {
            tag.insert(TAG_MARK.to_owned(), Value::Bool(true));
        }
    }
    Ok(())
}

/// The property every alternative requires with a single string value of its own, and
/// the pointer of that property's schema in each; none unless there are two or more.
fn tagged(doc: &Value, alternatives: &[Value], at: &str) -> Option<(String, Vec<String>)> {
    if alternatives.len() < 2 {
        return None;
    }
    let mut shared: Option<Vec<String>> = None;
    let mut resolved = Vec::new();
    for (i, alternative) in alternatives.iter().enumerate() {
        let pointer = match alternative.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference.strip_prefix('#')?.to_owned(),
            None => format!("{at}/{i}"),
        };
        let schema = resolve(doc, alternative);
        let required: Vec<&str> = schema
            .get("required")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let properties = schema.get("properties")?.as_object()?;
        let candidates: Vec<String> = required
            .into_iter()
            .filter(|name| properties.get(*name).is_some_and(is_single_string))
            .map(str::to_owned)
            .collect();
        shared = Some(match shared {
            None => candidates,
            Some(before) => before
                .into_iter()
                .filter(|n| candidates.contains(n))
                .collect(),
        });
        resolved.push((pointer, properties));
    }
    let property = shared?.into_iter().next()?;
    let mut values = Vec::new();
    for (_, properties) in &resolved {
        let value = properties.get(&property)?.get("enum")?.get(0)?.clone();
        if values.contains(&value) {
            return None;
        }
        values.push(value);
    }
    let pointers = resolved
        .into_iter()
        .map(|(pointer, _)| format!("{pointer}/properties/{}", escape(&property)))
        .collect();
    Some((property, pointers))
}

/// `{type: string, enum: [one value]}`.
fn is_single_string(schema: &Value) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.len() == 1 && values[0].is_string())
        && schema.get("type").is_none_or(|t| t == "string")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn kinds_told_apart_by_a_tag_keep_it_closed_and_gain_a_catch_all() {
        let tag = |value: &str| json!({"type": "string", "enum": [value]});
        let mut doc = json!({"components": {"schemas": {
            "rule": {"oneOf": [
                {"$ref": "#/components/schemas/creation"},
                {"type": "object", "required": ["type"], "properties": {
                    "type": tag("update"), "parameters": {"type": "object"}}}
            ]},
            "creation": {"type": "object", "required": ["type"], "properties": {"type": tag("creation")}},
            "same": {"oneOf": [
                {"type": "object", "required": ["type"], "properties": {"type": tag("a")}},
                {"type": "object", "required": ["type"], "properties": {"type": tag("a"), "b": {}}}
            ]},
            "untagged": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        }}});
        let notes = run_one("tagged_unions", &mut doc);
        let schemas = &doc["components"]["schemas"];
        let rule = schemas["rule"]["oneOf"].as_array().unwrap();
        assert_eq!(rule.len(), 3);
        assert_eq!(rule[2]["type"], "object");
        assert_eq!(
            schemas["creation"]["properties"]["type"]["x-union-tag"],
            true
        );
        assert_eq!(rule[1]["properties"]["type"]["x-union-tag"], true);
        // Two alternatives with one tag value, or no tag: not told apart, left alone.
        assert_eq!(schemas["same"]["oneOf"].as_array().unwrap().len(), 2);
        assert_eq!(schemas["untagged"]["oneOf"].as_array().unwrap().len(), 2);
        let at: Vec<&str> = notes.iter().map(|n| n.at.as_str()).collect();
        assert_eq!(at, ["/components/schemas/rule/oneOf"]);
    }
}
