//! An inline schema whose type typify would name like another type gets a title of its
//! own, so no two types share a name.
//!
//! typify names a component's type after its key (`repository-ruleset-conditions` is
//! `RepositoryRulesetConditions`), and an inline schema after its title, or else after the
//! type it stands in and its property (`repository-ruleset`'s `conditions` is also
//! `RepositoryRulesetConditions`). Across GitHub's whole description such names meet, and
//! typify then either defines the type twice, or (when one is made first) silently gives
//! the second schema the first one's type, whatever its shape: `discussion`'s inline `user`
//! would decode as the component `user`. Components keep their names (they are the
//! crate's public names); an inline schema that meets a type of another shape (its title,
//! description and examples aside) is titled `<name>-2` (then `-3`...), in the order of the
//! description's keys. One of the same shape keeps the name, and typify makes one type.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use serde_json::Value;

use super::{Failure, Notes};
use crate::facade::type_name;
use crate::schema_walk::escape;

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    // Type name -> the shape of the schema that holds it.
    let mut taken: BTreeMap<String, Value> = schemas
        .iter()
        .map(|(key, schema)| (type_name(key), shape(schema)))
        .collect();
    for (key, schema) in schemas.iter_mut() {
        let at = format!("/components/schemas/{}", escape(key));
        name_properties(schema, &type_name(key), &at, &mut taken, notes);
    }
    Ok(())
}

/// Names the inline schemas under `schema` (whose type is `name`), property by property.
fn name_properties(
    schema: &mut Value,
    name: &str,
    at: &str,
    taken: &mut BTreeMap<String, Value>,
    notes: &mut Notes,
) {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (property, sub) in properties.iter_mut() {
        if !makes_a_type(sub) {
            continue;
        }
        let here = format!("{at}/properties/{}", escape(property));
        let wanted = match sub.get("title").and_then(Value::as_str) {
            Some(title) => type_name(title),
            None => type_name(&format!("{name}_{}", property.to_snake_case())),
        };
        let own = shape(sub);
        let named = match taken.get(&wanted) {
            None => wanted,
            Some(other) if *other == own => wanted,
            Some(_) => {
                // The first free number, or one an inline schema of this shape has.
                let mut n = 2;
                while taken
                    .get(&format!("{wanted}{n}"))
                    .is_some_and(|other| *other != own)
                {
                    n += 1;
                }
                let title = format!("{wanted}-{n}");
                if let Some(map) = sub.as_object_mut() {
                    map.insert("title".to_owned(), Value::String(title.clone()));
                }
                notes.add(
                    format!("{here}/title"),
                    format!("typify would name it {wanted}, as another type: titled {title}"),
                );
                type_name(&title)
            }
        };
        taken.entry(named.clone()).or_insert(own);
        name_properties(sub, &named, &here, taken, notes);
    }
}

/// What makes two schemas one type: all but their title, description and examples.
fn shape(schema: &Value) -> Value {
    let mut shape = schema.clone();
    if let Some(map) = shape.as_object_mut() {
        for key in ["title", "description", "example", "examples"] {
            map.remove(key);
        }
    }
    shape
}

/// Whether typify makes a named type of an inline schema: an object with properties, an
/// enum, or a union.
fn makes_a_type(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && (schema.get("properties").is_some()
            || schema.get("enum").is_some()
            || ["oneOf", "anyOf"].iter().any(|k| schema.get(k).is_some())
            || schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|all| all.len() > 1))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn an_inline_type_named_as_a_component_is_titled_apart() {
        let mut doc = json!({"components": {"schemas": {
            "repository-ruleset": {"type": "object", "properties": {
                "conditions": {"nullable": true, "anyOf": [
                    {"$ref": "#/components/schemas/repository-ruleset-conditions"},
                    {"type": "object"}
                ]},
                "name": {"type": "string"},
                "target": {"type": "string", "enum": ["branch", "tag"]}
            }},
            "repository-ruleset-conditions": {"type": "object", "properties": {"ref_name": {"type": "string"}}},
            "variant-analysis": {"type": "object", "properties": {
                "status": {"type": "string", "enum": ["in_progress", "failed"]}
            }},
            "variant-analysis-status": {"type": "string", "enum": ["pending", "failed"]},
            "user": {"type": "object", "title": "User", "properties": {"login": {"type": "string"}}},
            "links": {"type": "object", "properties": {
                "html": {"title": "User", "type": "object", "properties": {"href": {"type": "string"}}},
                "self": {"title": "User", "type": "object", "properties": {"href": {"type": "string"}}}
            }},
            "same": {"type": "object", "properties": {
                "owner": {"title": "User", "description": "The owner", "type": "object", "properties": {"login": {"type": "string"}}},
                "author": {"title": "User", "type": "object", "properties": {"name": {"type": "string"}}},
                "a": {"title": "Shared", "type": "string", "enum": ["x"]},
                "b": {"title": "Shared", "type": "string", "enum": ["x"]},
                "c": {"title": "Shared", "type": "string", "enum": ["y"]}
            }}
        }}});
        let notes = run_one("type_names", &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["repository-ruleset"]["properties"]["conditions"]["title"],
            "RepositoryRulesetConditions-2"
        );
        assert_eq!(
            schemas["variant-analysis"]["properties"]["status"]["title"],
            "VariantAnalysisStatus-2"
        );
        // A name no other type has, or the same shape under one title, stays.
        assert!(
            schemas["repository-ruleset"]["properties"]["target"]
                .get("title")
                .is_none()
        );
        assert_eq!(schemas["same"]["properties"]["b"]["title"], "Shared");
        assert_eq!(schemas["same"]["properties"]["c"]["title"], "Shared-2");
        // The same shape as the component keeps its name, another is titled apart.
        assert_eq!(schemas["same"]["properties"]["owner"]["title"], "User");
        // Inline schemas of one shape share their new name.
        assert_eq!(schemas["links"]["properties"]["html"]["title"], "User-2");
        assert_eq!(schemas["links"]["properties"]["self"]["title"], "User-2");
        assert_eq!(schemas["same"]["properties"]["author"]["title"], "User-3");
        assert_eq!(notes.len(), 6, "{notes:?}");
        // Components keep their names.
        assert!(schemas["variant-analysis-status"].get("title").is_none());
    }
}
