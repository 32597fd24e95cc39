//! The vendored subset of GitHub's description, `openapi/github-release-assets.json`,
//! compiled in so tests need no path juggling.

use std::sync::OnceLock;

use serde_json::Value;

/// The vendored description's text.
pub const TEXT: &str = include_str!("../../openapi/github-release-assets.json");

/// The vendored description, parsed once. `None` only if the committed file is not JSON,
/// which `cargo xtask subset --check` would already have refused.
pub fn document() -> Option<&'static Value> {
    static DOC: OnceLock<Option<Value>> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(TEXT).ok()).as_ref()
}

/// The value of `components.examples.<name>`: the response bodies GitHub documents
/// (`release-asset`, `release-asset-items`, `release-asset-response-for-successful-upload`,
/// `release`, `release-items`).
///
/// ```
/// let items = conformance::description::example("release-asset-items").unwrap();
/// assert!(items.is_array());
/// assert!(conformance::description::example("no-such-example").is_none());
/// ```
pub fn example(name: &str) -> Option<Value> {
    document()?
        .pointer(&format!("/components/examples/{name}/value"))
        .cloned()
}

/// The operationIds of the vendored description, sorted.
pub fn operation_ids() -> Vec<String> {
    let mut ids: Vec<String> = operations()
        .map(|(_, _, op)| op)
        .filter_map(|op| op.get("operationId")?.as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

/// `(path, method, operation)` of every operation.
fn operations() -> impl Iterator<Item = (&'static str, &'static str, &'static Value)> {
    document()
        .and_then(|doc| doc.get("paths")?.as_object())
        .into_iter()
        .flatten()
        .filter_map(|(path, item)| Some((path.as_str(), item.as_object()?)))
        .flat_map(|(path, item)| {
            item.iter()
                .filter(|(_, op)| op.get("operationId").is_some())
                .map(move |(method, op)| (path, method.as_str(), op))
        })
}

/// What the description says of one operation, in a form made to be read in review:
/// method, path, servers, parameters (with `$ref`s resolved), request body and responses.
/// Schemas that are components are named (`$ref release-asset`); inline ones are shown.
///
/// ```
/// let summary = conformance::description::operation_summary("repos/delete-release-asset").unwrap();
/// assert_eq!(summary["method"], "DELETE");
/// assert!(summary["responses"]["204"].is_object());
/// ```
pub fn operation_summary(operation_id: &str) -> Option<Value> {
    let doc = document()?;
    let (path, method, op) = operations()
        .find(|(_, _, op)| op.get("operationId").and_then(Value::as_str) == Some(operation_id))?;
    let resolve = |v: &'static Value| -> &'static Value {
        v.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
            .unwrap_or(v)
    };
    let parameters: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(resolve)
        .map(|p| {
            serde_json::json!({
                "name": p.get("name"),
                "in": p.get("in"),
                "required": p.get("required").and_then(Value::as_bool).unwrap_or(false),
                "schema": p.get("schema").map(compact),
            })
        })
        .collect();
    let content = |holder: &Value| -> Value {
        holder
            .get("content")
            .and_then(Value::as_object)
            .map(|c| {
                c.iter()
                    .map(|(media, m)| {
                        (
                            media.clone(),
                            m.get("schema").map(compact).unwrap_or(Value::Null),
                        )
                    })
                    .collect()
            })
            .unwrap_or(Value::Null)
    };
    let request_body = op.get("requestBody").map(resolve).map(|body| {
        serde_json::json!({
            "required": body.get("required").and_then(Value::as_bool).unwrap_or(false),
            "content": content(body),
        })
    });
    let responses: serde_json::Map<String, Value> = op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(status, response)| {
            let response = resolve(response);
            let headers: Vec<&String> = response
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| h.keys().collect())
                .unwrap_or_default();
            (
                status.clone(),
                serde_json::json!({
                    "description": response.get("description"),
                    "content": content(response),
                    "headers": headers,
                }),
            )
        })
        .collect();
    let servers: Vec<&Value> = op
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url"))
        .collect();
    Some(serde_json::json!({
        "operationId": operation_id,
        "method": method.to_uppercase(),
        "path": path,
        "servers": servers,
        "parameters": parameters,
        "requestBody": request_body,
        "responses": responses,
    }))
}

/// A schema with component references shortened to `$ref <name>`.
fn compact(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => match map.get("$ref").and_then(Value::as_str) {
            Some(r) if map.len() == 1 => {
                Value::String(format!("$ref {}", r.rsplit('/').next().unwrap_or(r)))
            }
            _ => Value::Object(map.iter().map(|(k, v)| (k.clone(), compact(v))).collect()),
        },
        Value::Array(items) => Value::Array(items.iter().map(compact).collect()),
        other => other.clone(),
    }
}
