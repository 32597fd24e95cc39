//! A union becomes what serde decodes untagged: its alternatives are tried in order, and
//! the first that matches wins. So an alternative that asks for more (more required
//! properties, then more properties) goes before one that asks for less, and an `anyOf`
//! with an alternative that is not an object becomes a `oneOf`; each change noted.
//!
//! typify makes a union an untagged enum in the description's order: a review with a
//! `state` and a `comment` matched "comment required" first, and the `state` was lost. An
//! `anyOf` of lists (`activity/list-stargazers-for-repo`: users, or stargazers with the
//! time they starred) it makes a struct of flattened optional members, which no list
//! decodes into. Which alternative is tried first says nothing in JSON Schema; here it
//! says which fields survive.

use serde_json::Value;

use super::{Failure, Notes, for_each_schema};
use crate::schema_walk::resolve;

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let snapshot = doc.clone();
    for_each_schema(doc, &mut |at, schema| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(alternatives)) = map.get_mut(key) else {
                continue;
            };
            let before: Vec<(usize, (usize, usize))> = alternatives
                .iter()
                .map(|a| demands(&snapshot, a))
                .enumerate()
                .collect();
            let mut order = before.clone();
            // Stable: alternatives that ask as much keep the description's order.
            order.sort_by(|(_, a), (_, b)| b.cmp(a));
            if order.iter().map(|(i, _)| *i).ne(0..alternatives.len()) {
                let old = std::mem::take(alternatives);
                *alternatives = order.iter().map(|(i, _)| old[*i].clone()).collect();
                notes.add(
                    format!("{at}/{key}"),
                    format!(
                        "alternatives tried in the order {:?} (of the description's), the one asking for more first: a value matching several keeps its fields",
                        order.iter().map(|(i, _)| i).collect::<Vec<_>>()
                    ),
                );
            }
        }
        let not_objects = map
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(|a| !is_object(resolve(&snapshot, a))));
        if not_objects && !map.contains_key("oneOf") {
            if let Some(list) = map.remove("anyOf") {
                map.insert("oneOf".to_owned(), list);
            }
            notes.add(
                format!("{at}/anyOf"),
                "anyOf with an alternative that is not an object made oneOf: decoded as the first alternative that matches",
            );
        }
    });
    Ok(())
}

/// How much an alternative asks for: its required properties, then its properties
/// (`allOf` members summed).
fn demands(doc: &Value, alternative: &Value) -> (usize, usize) {
    let schema = resolve(doc, alternative);
    let own = (
        schema
            .get("required")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map_or(0, |p| p.len()),
    );
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|member| demands(doc, member))
        .fold(own, |(r, p), (r2, p2)| (r + r2, p + p2))
}

/// An object schema: typed so, or with properties.
fn is_object(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        || (schema.get("type").is_none()
            && (schema.get("properties").is_some() || schema.get("allOf").is_some()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn the_alternative_asking_more_goes_first_and_lists_are_one_of() {
        let mut doc = json!({"components": {"schemas": {
            "comment": {"type": "object", "required": ["env", "comment"],
                "properties": {"env": {}, "comment": {}}},
            "state": {"type": "object", "required": ["env", "state"],
                "properties": {"env": {}, "state": {}, "comment": {}}},
            "review": {"anyOf": [
                {"$ref": "#/components/schemas/comment"},
                {"$ref": "#/components/schemas/state"}
            ]},
            "stargazers": {"anyOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/comment"}},
                {"type": "array", "items": {"$ref": "#/components/schemas/state"}}
            ]},
            "settled": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        }}});
        let notes = run_one("untagged_unions", &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["review"]["anyOf"][0]["$ref"],
            "#/components/schemas/state"
        );
        assert!(schemas["stargazers"].get("anyOf").is_none());
        assert_eq!(schemas["stargazers"]["oneOf"].as_array().unwrap().len(), 2);
        assert_eq!(schemas["settled"]["oneOf"][0]["type"], "string");
        let at: Vec<&str> = notes.iter().map(|n| n.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/review/anyOf",
                "/components/schemas/stargazers/anyOf"
            ]
        );
    }
}
