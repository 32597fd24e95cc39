//! An operation that takes raw bytes gets required `content-type` and `content-length`
//! header parameters.
//!
//! progenitor sends every non-JSON body as `application/octet-stream`, whatever the
//! bytes are; GitHub stores an asset under the `Content-Type` it was uploaded with, so
//! the caller must choose it. And GitHub wants the length up front: a body streamed from
//! a file has no length reqwest knows, and would go chunked. The generated builder then
//! has `.content_type(..)` and `.content_length(..)`, whose headers replace what reqwest
//! would set (its `headers()` replaces). The names are lower-case because the generated
//! code makes static header names of them.

use serde_json::{Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape, obj};

/// The parameters added, with their schema and description.
fn parameters() -> [(&'static str, Value, &'static str); 2] {
    [
        (
            "content-type",
            json!({"type": "string"}),
            "The media type of the bytes sent, such as `application/zip`.",
        ),
        (
            "content-length",
            json!({"type": "integer", "format": "int64", "minimum": 0}),
            "The number of bytes sent: GitHub needs it before the body.",
        ),
    ]
}

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut targets = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let media: Vec<&String> =
                obj(super::request_body(doc, op).and_then(|b| b.get("content")))
                    .map(|(m, _)| m)
                    .collect();
            if !media.is_empty() && media.iter().all(|m| !super::is_json(m)) {
                targets.push(format!("/paths/{}/{method}", escape(path)));
            }
        }
    }
    for at in targets {
        // The media types GitHub documents for this body, when it names more than one
        // or a multipart one (`request_media_types` kept them).
        let documented: Vec<String> = doc
            .pointer(&format!(
                "{at}/{}",
                escape(super::request_media_types::MEDIA_TYPES)
            ))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let Some(Value::Array(list)) = doc
            .pointer_mut(&at)
            .and_then(Value::as_object_mut)
            .map(|o| o.entry("parameters").or_insert_with(|| json!([])))
        else {
            continue;
        };
        for (name, schema, description) in parameters() {
            let declared = list.iter().any(|p| {
                p.get("in") == Some(&json!("header"))
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
            if !declared {
                let description = if name == "content-type" && !documented.is_empty() {
                    format!(
                        "The media type of the bytes sent: GitHub documents {}.",
                        documented.join(", ")
                    )
                } else {
                    description.to_owned()
                };
                list.push(json!({
                    "name": name,
                    "in": "header",
                    "required": true,
                    "description": description,
                    "schema": schema
                }));
                notes.add(
                    format!("{at}/parameters"),
                    format!("raw body: required {name} header parameter added"),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn a_raw_body_gets_content_type_and_length_parameters_json_bodies_do_not() {
        let mut doc = json!({"paths": {"/up": {
            "post": {"operationId": "upload", "parameters": [{"name": "name", "in": "query"}],
                "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
            "patch": {"operationId": "edit",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}
        }}});
        let notes = run_one("binary_body_headers", &mut doc);
        let params = doc["paths"]["/up"]["post"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["name", "content-type", "content-length"]);
        assert!(
            params[1..]
                .iter()
                .all(|p| p["in"] == json!("header") && p["required"] == json!(true))
        );
        assert_eq!(params[2]["schema"]["type"], json!("integer"));
        assert!(doc["paths"]["/up"]["patch"].get("parameters").is_none());
        assert_eq!(notes.len(), 2);
        // A second run adds nothing.
        assert!(run_one("binary_body_headers", &mut doc).is_empty());
    }

    #[test]
    fn a_shared_body_counts_and_documented_media_types_are_named() {
        let mut doc = json!({
            "paths": {"/raw": {"post": {"operationId": "render",
                "x-request-media-types": ["text/plain", "text/x-markdown"],
                "requestBody": {"$ref": "#/components/requestBodies/text"}}}},
            "components": {"requestBodies": {"text": {"content": {"text/plain": {"schema": {"type": "string"}}}}}}
        });
        run_one("binary_body_headers", &mut doc);
        let params = &doc["paths"]["/raw"]["post"]["parameters"];
        assert_eq!(params[0]["name"], "content-type");
        assert!(
            params[0]["description"]
                .as_str()
                .unwrap()
                .contains("text/plain, text/x-markdown"),
            "{params}"
        );
    }
}
