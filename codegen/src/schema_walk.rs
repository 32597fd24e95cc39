//! Finding schemas and references in an OpenAPI document held as JSON.
//!
//! The passes work on the JSON form of the document: every schema, wherever it stands,
//! is then the same kind of value, and a pass is a short function over it.

use std::collections::BTreeSet;

use serde_json::Value;

/// Keys under which a schema holds one subschema.
const ONE_SUBSCHEMA: [&str; 3] = ["items", "not", "additionalProperties"];
/// Keys under which a schema holds a list of subschemas.
const SUBSCHEMA_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];
/// HTTP methods of a path item.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Escapes one JSON-pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Calls `f` on the schema at `at` and then, recursively, on each of its subschemas as
/// they are after `f` ran. `$ref`s are not followed.
pub fn walk_schema(schema: &mut Value, at: &str, f: &mut dyn FnMut(&str, &mut Value)) {
    f(at, schema);
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, sub) in props.iter_mut() {
            walk_schema(sub, &format!("{at}/properties/{}", escape(name)), f);
        }
    }
    for key in ONE_SUBSCHEMA {
        if let Some(sub @ Value::Object(_)) = map.get_mut(key) {
            walk_schema(sub, &format!("{at}/{key}"), f);
        }
    }
    for key in SUBSCHEMA_LISTS {
        if let Some(Value::Array(subs)) = map.get_mut(key) {
            for (i, sub) in subs.iter_mut().enumerate() {
                walk_schema(sub, &format!("{at}/{key}/{i}"), f);
            }
        }
    }
}

/// Where a schema is used from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// A request body or a parameter.
    Request,
    /// A response body or header.
    Response,
}

/// The pointers of the schemas that operations use directly (not through
/// `components.schemas`), with what they are used for. Responses and request bodies that
/// are `$ref`s to `components` are listed at their component.
pub fn operation_schema_roots(doc: &Value) -> Vec<(String, Use)> {
    let mut roots = Vec::new();
    let add_response = |at: String, response: &Value, roots: &mut Vec<(String, Use)>| {
        for (media, body) in obj(response.get("content")) {
            if body.get("schema").is_some() {
                roots.push((
                    format!("{at}/content/{}/schema", escape(media)),
                    Use::Response,
                ));
            }
        }
        for (name, header) in obj(response.get("headers")) {
            if header.get("schema").is_some() {
                roots.push((
                    format!("{at}/headers/{}/schema", escape(name)),
                    Use::Response,
                ));
            }
        }
    };
    for (path, item) in obj(doc.get("paths")) {
        let item_at = format!("/paths/{}", escape(path));
        for (i, p) in arr(item.get("parameters")).iter().enumerate() {
            if p.get("schema").is_some() {
                roots.push((format!("{item_at}/parameters/{i}/schema"), Use::Request));
            }
        }
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_at = format!("{item_at}/{method}");
            for (i, p) in arr(op.get("parameters")).iter().enumerate() {
                if p.get("schema").is_some() {
                    roots.push((format!("{op_at}/parameters/{i}/schema"), Use::Request));
                }
            }
            if let Some(body) = op.get("requestBody") {
                for (media, m) in obj(body.get("content")) {
                    if m.get("schema").is_some() {
                        roots.push((
                            format!("{op_at}/requestBody/content/{}/schema", escape(media)),
                            Use::Request,
                        ));
                    }
                }
            }
            for (status, response) in obj(op.get("responses")) {
                add_response(
                    format!("{op_at}/responses/{}", escape(status)),
                    response,
                    &mut roots,
                );
            }
        }
    }
    let components = doc.get("components");
    for (name, p) in obj(components.and_then(|c| c.get("parameters"))) {
        if p.get("schema").is_some() {
            roots.push((
                format!("/components/parameters/{}/schema", escape(name)),
                Use::Request,
            ));
        }
    }
    for (name, body) in obj(components.and_then(|c| c.get("requestBodies"))) {
        for (media, m) in obj(body.get("content")) {
            if m.get("schema").is_some() {
                roots.push((
                    format!(
                        "/components/requestBodies/{}/content/{}/schema",
                        escape(name),
                        escape(media)
                    ),
                    Use::Request,
                ));
            }
        }
    }
    for (name, response) in obj(components.and_then(|c| c.get("responses"))) {
        add_response(
            format!("/components/responses/{}", escape(name)),
            response,
            &mut roots,
        );
    }
    roots
}

/// Names of the `components.schemas` entries reachable through `$ref`s from the values at
/// `pointers` (following references transitively).
pub fn reachable_schemas<'a>(
    doc: &Value,
    pointers: impl IntoIterator<Item = &'a str>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    for p in pointers {
        if let Some(v) = doc.pointer(p) {
            refs_in(v, &mut queue);
        }
    }
    while let Some(reference) = queue.pop() {
        let Some(name) = schema_ref_name(&reference) else {
            continue;
        };
        if seen.insert(name.to_owned())
            && let Some(v) = doc.pointer(&format!("/components/schemas/{}", escape(name)))
        {
            refs_in(v, &mut queue);
        }
    }
    seen
}

/// The component name of a `#/components/schemas/NAME` reference.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference
        .strip_prefix("#/components/schemas/")
        .filter(|name| !name.contains('/'))
}

/// Every `$ref` string under `value`.
pub fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs_in(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

/// Rewrites every `$ref` under `value` with `f` (which returns the new reference, or
/// `None` to keep it).
pub fn rewrite_refs(value: &mut Value, f: &mut dyn FnMut(&str) -> Option<Value>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(new) = f(r) {
                    *value = new;
                }
                return;
            }
            map.values_mut().for_each(|v| rewrite_refs(v, f));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, f)),
        _ => {}
    }
}

/// The entries of an optional JSON object, or none.
pub fn obj(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

fn arr(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}
