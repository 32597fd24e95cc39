//! A component that is another component plus `nullable: true` (GitHub's
//! `nullable-simple-user` beside `simple-user`) is replaced, where it is referenced, by a
//! nullable `allOf` of its twin.
//!
//! Without this, typify generates a second type (`NullableSimpleUser`, a newtype around
//! `Option<SimpleUser>`) for the same object; with it, the field is `Option<SimpleUser>`,
//! whichever of the two forms the description uses.
//!
//! A nullable component without a twin (`issue-type`, titled `Issue Type`) loses its
//! `nullable`, and its references become a nullable `allOf` of it: typify would otherwise
//! name both the newtype around `Option<..>` and the object inside it after the title, and
//! define `IssueType` twice.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{escape, rewrite_refs, schema_ref_name};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    // Each schema's shape is computed once: comparing every nullable one with every
    // other, cloning as it went, was a tenth of a whole description's generation.
    let shapes: Vec<(&String, bool, Map<String, Value>)> = schemas
        .iter()
        .map(|(name, schema)| {
            let nullable = schema.get("nullable") == Some(&Value::Bool(true));
            (name, nullable, without_docs(schema))
        })
        .collect();
    // nullable component name -> its non-nullable twin
    let mut twins: Vec<(String, String)> = Vec::new();
    let mut alone: Vec<String> = Vec::new();
    for (name, _, shape) in shapes.iter().filter(|(_, nullable, _)| *nullable) {
        match shapes
            .iter()
            .find(|(other, nullable, s)| other != name && !nullable && s == shape)
        {
            Some((twin, _, _)) => twins.push(((*name).clone(), (*twin).clone())),
            None => alone.push((*name).clone()),
        }
    }
    for name in &alone {
        if let Some(map) = doc
            .pointer_mut(&format!("/components/schemas/{}", escape(name)))
            .and_then(Value::as_object_mut)
        {
            map.remove("nullable");
        }
    }
    // One walk of the document rewrites the references to all of them.
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    rewrite_refs(doc, &mut |reference| {
        let name = schema_ref_name(reference)?;
        let target = if let Some(name) = alone.iter().find(|n| n.as_str() == name) {
            *uses.entry(name).or_default() += 1;
            reference.to_owned()
        } else {
            let (nullable, twin) = twins.iter().find(|(n, _)| n.as_str() == name)?;
            *uses.entry(nullable).or_default() += 1;
            format!("#/components/schemas/{twin}")
        };
        Some(json!({"nullable": true, "allOf": [{"$ref": target}]}))
    });
    for name in &alone {
        let uses = uses.get(name.as_str()).copied().unwrap_or(0);
        notes.add(
            format!("/components/schemas/{}/nullable", escape(name)),
            format!("nullable component: {uses} reference(s) now a nullable allOf of it"),
        );
    }
    for (nullable, twin) in &twins {
        let uses = uses.get(nullable.as_str()).copied().unwrap_or(0);
        notes.add(
            format!("/components/schemas/{}", escape(nullable)),
            format!("nullable twin of {twin}: {uses} reference(s) now a nullable allOf of {twin}"),
        );
    }
    Ok(())
}

fn without_docs(schema: &Value) -> Map<String, Value> {
    let mut map = schema.as_object().cloned().unwrap_or_default();
    for key in ["nullable", "title", "description"] {
        map.remove(key);
    }
    map
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn references_to_a_nullable_twin_become_nullable_allof() {
        let user = json!({"type": "object", "properties": {"login": {"type": "string"}}});
        let mut nullable_user = user.clone();
        nullable_user["nullable"] = json!(true);
        nullable_user["title"] = json!("Simple User");
        let mut doc = json!({"components": {"schemas": {
            "simple-user": user,
            "nullable-simple-user": nullable_user,
            "asset": {"type": "object", "properties": {
                "uploader": {"$ref": "#/components/schemas/nullable-simple-user"},
                "author": {"$ref": "#/components/schemas/simple-user"}
            }}
        }}});
        let notes = run_one("nullable_twins", &mut doc);
        let props = &doc["components"]["schemas"]["asset"]["properties"];
        assert_eq!(
            props["uploader"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/simple-user"}]})
        );
        assert_eq!(
            props["author"],
            json!({"$ref": "#/components/schemas/simple-user"})
        );
        assert_eq!(notes.len(), 1);
        assert!(notes[0].change.contains("1 reference(s)"), "{}", notes[0]);
    }

    #[test]
    fn a_nullable_schema_without_twin_is_nullable_where_it_is_used() {
        let mut doc = json!({"components": {"schemas": {
            "a": {"type": "object", "nullable": true, "title": "A", "properties": {"x": {"type": "string"}}},
            "b": {"type": "object", "properties": {"y": {"type": "string"}}},
            "c": {"type": "object", "properties": {"p": {"$ref": "#/components/schemas/a"}}}
        }}});
        let notes = run_one("nullable_twins", &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["a"].get("nullable").is_none(), "{schemas}");
        assert_eq!(
            schemas["c"]["properties"]["p"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/a"}]})
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].at, "/components/schemas/a/nullable");
        // A second run finds nothing nullable left to move.
        assert!(run_one("nullable_twins", &mut doc).is_empty());
    }
}
