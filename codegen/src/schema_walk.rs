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
            refs_in(v, p, &mut queue);
        }
    }
    while let Some(reference) = queue.pop() {
        let Some(name) = schema_ref_name(&reference) else {
            continue;
        };
        let at = format!("/components/schemas/{}", escape(name));
        if seen.insert(name.to_owned())
            && let Some(v) = doc.pointer(&at)
        {
            refs_in(v, &at, &mut queue);
        }
    }
    seen
}

/// The schemas only requests use: each request body's schema, and each component schema
/// a request body reaches and no response does (one a response shares is left out).
pub fn request_body_schemas(doc: &Value) -> Vec<String> {
    let roots = operation_schema_roots(doc);
    let body_roots: Vec<String> = roots
        .iter()
        .filter(|(at, used)| *used == Use::Request && at.contains("/requestBod"))
        .map(|(at, _)| at.clone())
        .collect();
    let response_reach = reachable_schemas(
        doc,
        roots
            .iter()
            .filter(|(_, u)| *u == Use::Response)
            .map(|(at, _)| at.as_str()),
    );
    let request_only = reachable_schemas(doc, body_roots.iter().map(String::as_str))
        .into_iter()
        .filter(|name| !response_reach.contains(name))
        .map(|name| format!("/components/schemas/{}", escape(&name)));
    body_roots.iter().cloned().chain(request_only).collect()
}

/// `value`, or what its local `$ref` names (itself when that does not resolve).
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| doc.pointer(p))
        .unwrap_or(value)
}

/// The component name of a `#/components/schemas/NAME` reference.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference
        .strip_prefix("#/components/schemas/")
        .filter(|name| !name.contains('/'))
}

/// What the members of a JSON object are, for telling a reference from data that looks
/// like one: GHEC's description has `{"$ref": "server-statistics-actions.yaml"}` inside an
/// example's value, which is data, not a reference.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Members {
    /// An OpenAPI object (a schema, an operation...): `example`, `default`, `enum` and
    /// `const` hold data.
    Fields,
    /// A map from names to objects (`properties`, `paths`, `components.schemas`...): any
    /// name, `example` included, is a name.
    Names,
    /// A map from names to Example Objects, whose `value` is data.
    Examples,
    /// An Example Object: its `value` is data.
    Example,
}

/// Keys whose value maps names to objects.
const NAME_MAPS: [&str; 14] = [
    "properties",
    "paths",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "content",
    "encoding",
    "variables",
    "webhooks",
];

impl Members {
    /// What the value under `key` holds, or `None` when it is data to skip.
    fn of(self, key: &str, value: &Value) -> Option<Members> {
        match self {
            Members::Names => Some(Members::Fields),
            Members::Examples => Some(Members::Example),
            Members::Example if key == "value" => None,
            Members::Example => Some(Members::Fields),
            Members::Fields => match key {
                "example" | "default" | "enum" | "const" => None,
                // OpenAPI 3.1's schema `examples` is a list of data.
                "examples" if value.is_array() => None,
                "examples" => Some(Members::Examples),
                // `properties` of a schema, `responses` of an operation, ...; but an
                // operation's `parameters` is a list of objects.
                k if NAME_MAPS.contains(&k) && value.is_object() => Some(Members::Names),
                _ => Some(Members::Fields),
            },
        }
    }
}

/// Calls `f` with the JSON pointer and the target of every `$ref` under `value` (at
/// `at`), skipping examples, defaults and enums: their `$ref`s are data.
pub fn for_each_ref(value: &Value, at: &str, f: &mut dyn FnMut(&str, &str)) {
    visit_refs(value, at, Members::at(at), f);
}

impl Members {
    /// What the object at `at` is: an Example Object when it is a component example.
    fn at(at: &str) -> Members {
        match at.strip_prefix("/components/examples/") {
            Some(name) if !name.contains('/') => Members::Example,
            _ => Members::Fields,
        }
    }
}

fn visit_refs(value: &Value, at: &str, members: Members, f: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{at}/{}", escape(key));
                if let (Members::Fields | Members::Example, "$ref", Value::String(r)) =
                    (members, key.as_str(), v)
                {
                    f(&here, r);
                } else if let Some(inner) = members.of(key, v) {
                    visit_refs(v, &here, inner, f);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                visit_refs(v, &format!("{at}/{i}"), members, f);
            }
        }
        _ => {}
    }
}

/// Every `$ref` string under `value` (at `at`) that is a reference (see [`for_each_ref`]).
pub fn refs_in(value: &Value, at: &str, out: &mut Vec<String>) {
    visit_refs_fast(value, Members::at(at), out);
}

/// [`for_each_ref`] without the pointers, which the passes do not need and which cost a
/// string each.
fn visit_refs_fast(value: &Value, members: Members, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if let (Members::Fields | Members::Example, "$ref", Value::String(r)) =
                    (members, key.as_str(), v)
                {
                    out.push(r.clone());
                } else if let Some(inner) = members.of(key, v) {
                    visit_refs_fast(v, inner, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| visit_refs_fast(v, members, out)),
        _ => {}
    }
}

/// Rewrites every `$ref` under `value` with `f` (which returns the new reference, or
/// `None` to keep it); examples, defaults and enums are data and stay as they are.
pub fn rewrite_refs(value: &mut Value, f: &mut dyn FnMut(&str) -> Option<Value>) {
    rewrite_refs_in(value, Members::Fields, f);
}

fn rewrite_refs_in(value: &mut Value, members: Members, f: &mut dyn FnMut(&str) -> Option<Value>) {
    match value {
        Value::Object(map) => {
            if matches!(members, Members::Fields | Members::Example)
                && let Some(Value::String(r)) = map.get("$ref")
            {
                if let Some(new) = f(r) {
                    *value = new;
                }
                return;
            }
            for (key, v) in map.iter_mut() {
                if let Some(inner) = members.of(key, v) {
                    rewrite_refs_in(v, inner, f);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rewrite_refs_in(v, members, f)),
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
