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

use heck::{ToKebabCase, ToSnakeCase};
use serde_json::{Value, json};

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
    let mut names = Names {
        taken: schemas
            .iter()
            .map(|(key, schema)| (type_name(key), shape(schema)))
            .collect(),
        moved: BTreeMap::new(),
        new_components: Vec::new(),
    };
    for (key, schema) in schemas.iter_mut() {
        let at = format!("/components/schemas/{}", escape(key));
        name_properties(schema, &type_name(key), &at, &mut names, notes);
    }
    for (key, schema) in names.new_components {
        schemas.insert(key, schema);
    }
    Ok(())
}

/// The type names given so far, and the components made for inline schemas.
struct Names {
    /// Type name -> the shape of the schema that holds it.
    taken: BTreeMap<String, Value>,
    /// Type name -> key of the component made for it.
    moved: BTreeMap<String, String>,
    new_components: Vec<(String, Value)>,
}

/// Names the inline schemas under `schema` (whose type is `name`), property by property.
fn name_properties(schema: &mut Value, name: &str, at: &str, names: &mut Names, notes: &mut Notes) {
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
        match names.taken.get(&wanted) {
            None => {
                names.taken.insert(wanted.clone(), own);
                name_properties(sub, &wanted, &here, names, notes);
            }
            Some(other) if *other == own => {
                name_properties(sub, &wanted, &here, names, notes);
            }
            Some(_) => {
                // The first free number, or one an inline schema of this shape has.
                let mut n = 2;
                while names
                    .taken
                    .get(&format!("{wanted}{n}"))
                    .is_some_and(|other| *other != own)
                {
                    n += 1;
                }
                let named = format!("{wanted}{n}");
                let nullable = sub.get("nullable") == Some(&Value::Bool(true));
                let key = match names.moved.get(&named) {
                    Some(key) => key.clone(),
                    None => {
                        let key = format!("{}-{n}", wanted.to_kebab_case());
                        let mut moved = sub.take();
                        if let Some(map) = moved.as_object_mut() {
                            map.remove("nullable");
                        }
                        let component_at = format!("/components/schemas/{}", escape(&key));
                        names.taken.insert(named.clone(), own);
                        names.moved.insert(named.clone(), key.clone());
                        name_properties(&mut moved, &named, &component_at, names, notes);
                        names.new_components.push((key.clone(), moved));
                        key
                    }
                };
                // A component, so typify names it by its key: a title would not reach
                // the type inside a nullable union, whose title progenitor moves out.
                let reference = json!({"$ref": format!("#/components/schemas/{}", escape(&key))});
                *sub = if nullable {
                    json!({"nullable": true, "allOf": [reference]})
                } else {
                    reference
                };
                notes.add(
                    here,
                    format!("typify would name it {wanted}, as another type: made component {key}"),
                );
            }
        }
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
            schemas["repository-ruleset"]["properties"]["conditions"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/repository-ruleset-conditions-2"}]})
        );
        assert_eq!(
            schemas["repository-ruleset-conditions-2"]["anyOf"][1],
            json!({"type": "object"})
        );
        assert!(
            schemas["repository-ruleset-conditions-2"]
                .get("nullable")
                .is_none()
        );
        assert_eq!(
            schemas["variant-analysis"]["properties"]["status"],
            json!({"$ref": "#/components/schemas/variant-analysis-status-2"})
        );
        // A name no other type has, or the same shape under one title, stays.
        assert!(
            schemas["repository-ruleset"]["properties"]["target"]
                .get("title")
                .is_none()
        );
        assert_eq!(schemas["same"]["properties"]["b"]["title"], "Shared");
        assert_eq!(
            schemas["same"]["properties"]["c"],
            json!({"$ref": "#/components/schemas/shared-2"})
        );
        // The same shape as the component keeps its name, another is titled apart.
        assert_eq!(schemas["same"]["properties"]["owner"]["title"], "User");
        // Inline schemas of one shape share their new component.
        let user2 = json!({"$ref": "#/components/schemas/user-2"});
        assert_eq!(schemas["links"]["properties"]["html"], user2);
        assert_eq!(schemas["links"]["properties"]["self"], user2);
        assert_eq!(
            schemas["same"]["properties"]["author"],
            json!({"$ref": "#/components/schemas/user-3"})
        );
        assert_eq!(notes.len(), 6, "{notes:?}");
        // Components keep their names.
        assert!(schemas["variant-analysis-status"].get("title").is_none());
    }
}
