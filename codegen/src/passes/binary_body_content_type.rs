//! An operation that takes raw bytes gets a required `content-type` header parameter.
//!
//! progenitor sends every non-JSON body as `application/octet-stream`, whatever the
//! bytes are; GitHub stores an asset under the `Content-Type` it was uploaded with, so
//! the caller must choose it. The generated builder then has `.content_type(..)`, and
//! its header replaces the hard-coded one (reqwest's `headers()` replaces what is set).
//! The name is lower-case because the generated code makes a static header name of it.

use serde_json::{Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape, obj};

const PARAMETER: &str = "content-type";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut targets = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let media: Vec<&String> = obj(op.get("requestBody").and_then(|b| b.get("content")))
                .map(|(m, _)| m)
                .collect();
            let binary = !media.is_empty() && media.iter().all(|m| !is_json(m));
            let declared = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| {
                    ps.iter().any(|p| {
                        p.get("in") == Some(&json!("header"))
                            && p.get("name")
                                .and_then(Value::as_str)
                                .is_some_and(|n| n.eq_ignore_ascii_case(PARAMETER))
                    })
                });
            if binary && !declared {
                targets.push(format!("/paths/{}/{method}", escape(path)));
            }
        }
    }
    for at in targets {
        let Some(op) = doc.pointer_mut(&at) else {
            continue;
        };
        let parameters = op
            .as_object_mut()
            .map(|o| o.entry("parameters").or_insert_with(|| json!([])));
        if let Some(Value::Array(list)) = parameters {
            list.push(json!({
                "name": PARAMETER,
                "in": "header",
                "required": true,
                "description": "The media type of the bytes sent, such as `application/zip`.",
                "schema": {"type": "string"}
            }));
            notes.add(
                format!("{at}/parameters"),
                "raw body: required content-type header parameter added",
            );
        }
    }
    Ok(())
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn a_raw_body_gets_a_content_type_parameter_json_bodies_do_not() {
        let mut doc = json!({"paths": {"/up": {
            "post": {"operationId": "upload", "parameters": [{"name": "name", "in": "query"}],
                "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
            "patch": {"operationId": "edit",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}
        }}});
        let notes = run_one("binary_body_content_type", &mut doc);
        let params = &doc["paths"]["/up"]["post"]["parameters"];
        assert_eq!(params.as_array().unwrap().len(), 2);
        assert_eq!(params[1]["name"], json!("content-type"));
        assert_eq!(params[1]["in"], json!("header"));
        assert_eq!(params[1]["required"], json!(true));
        assert!(doc["paths"]["/up"]["patch"].get("parameters").is_none());
        assert_eq!(notes.len(), 1);
        // A second run adds nothing.
        assert!(run_one("binary_body_content_type", &mut doc).is_empty());
    }
}
