//! Components nothing refers to any more (after the other passes replaced them) are
//! removed, so they do not become unused types.
//!
//! Webhooks (`webhooks`, GitHub's `x-webhooks`) describe what GitHub sends, not operations
//! a client calls: they are removed first, with a note, so the payload schemas only they
//! use (a third of api.github.com's types) are not generated.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Failure, Notes};
use crate::schema_walk::{escape, refs_in};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    if let Some(map) = doc.as_object_mut() {
        for key in ["webhooks", "x-webhooks"] {
            if let Some(hooks) = map.remove(key) {
                let count = hooks.as_object().map_or(0, |h| h.len());
                notes.add(
                    format!("/{key}"),
                    format!("{count} webhooks removed: payloads GitHub sends are not operations"),
                );
            }
        }
    }
    // Everything else outside `components` is a root; components are kept only if reached.
    let mut queue = Vec::new();
    if let Some(map) = doc.as_object() {
        for (key, value) in map {
            if key != "components" {
                refs_in(value, &format!("/{}", escape(key)), &mut queue);
            }
        }
    }
    let mut reached = BTreeSet::new();
    while let Some(reference) = queue.pop() {
        let Some(pointer) = reference.strip_prefix('#') else {
            continue;
        };
        let component: String = pointer.split('/').take(4).collect::<Vec<_>>().join("/");
        if reached.insert(component.clone())
            && let Some(v) = doc.pointer(&component)
        {
            refs_in(v, &component, &mut queue);
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (kind, items) in components.iter_mut() {
        let Some(items) = items.as_object_mut() else {
            continue;
        };
        let unused: Vec<String> = items
            .keys()
            .filter(|name| {
                !reached.contains(&format!("/components/{}/{}", escape(kind), escape(name)))
            })
            .cloned()
            .collect();
        for name in unused {
            items.remove(&name);
            notes.add(
                format!("/components/{}/{}", escape(kind), escape(&name)),
                "unused, removed",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn unreferenced_components_go_referenced_ones_stay() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/ok"}}}}},
            "components": {
                "responses": {"ok": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/a"}}}}},
                "schemas": {
                    "a": {"properties": {"b": {"$ref": "#/components/schemas/b"}}},
                    "b": {"type": "string"},
                    "orphan": {"properties": {"b": {"$ref": "#/components/schemas/b"}}}
                }
            }
        });
        let notes = run_one("prune_components", &mut doc);
        let names: Vec<&String> = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].at, "/components/schemas/orphan");
    }

    #[test]
    fn webhooks_go_with_the_schemas_only_they_use() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/shared"}}}}}}}},
            "x-webhooks": {"push": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/push-payload"}}}}}}},
            "components": {"schemas": {
                "shared": {"type": "string"},
                "push-payload": {"properties": {"s": {"$ref": "#/components/schemas/shared"}}}
            }}
        });
        let notes = run_one("prune_components", &mut doc);
        assert!(doc.get("x-webhooks").is_none());
        let names: Vec<&String> = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["shared"]);
        assert_eq!(notes[0].at, "/x-webhooks");
        assert!(notes[0].change.contains("1 webhooks removed"), "{notes:?}");
    }
}
