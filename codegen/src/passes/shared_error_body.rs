//! Every JSON body of a 4xx or 5xx response becomes one shared schema, `github-error`,
//! and an error response documented without a body gets that body too.
//!
//! progenitor allows one error type per operation and panics when an operation documents
//! two (`repos/create-release`: 404 `basic-error`, 422 `validation-error`). GitHub's
//! error bodies are all the same shape anyway: `message`, `documentation_url`, and for
//! validation failures `errors`. `errors` items are kept as raw JSON: GitHub sends objects
//! with `resource`/`field`/`code` and, on some endpoints, plain strings.
//!
//! A bodiless error response (upload's 422 on a duplicate name, get-release's 401) would
//! make progenitor drop the body GitHub sends anyway, and with it GitHub's message.

use serde_json::{Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape, obj};

/// The name of the shared error schema in `components.schemas`.
pub const ERROR_SCHEMA: &str = "github-error";

fn error_schema() -> Value {
    json!({
        "description": "The body GitHub sends with a 4xx or 5xx status.",
        "type": "object",
        "properties": {
            "message": {"type": "string", "description": "What went wrong, in GitHub's words."},
            "documentation_url": {"type": "string", "description": "Where GitHub documents this error."},
            "status": {"type": "string", "description": "The HTTP status, as a string."},
            "url": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "Details of a validation failure, as GitHub sent them.",
                "items": {}
            }
        }
    })
}

fn is_error_status(status: &str) -> bool {
    matches!(status.as_bytes().first(), Some(b'4' | b'5'))
}

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let reference = json!({"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")});
    let mut used = false;
    let mut targets: Vec<(String, Option<String>)> = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            for (status, response) in obj(item.get(method).and_then(|op| op.get("responses"))) {
                if is_error_status(status) {
                    let at = format!(
                        "/paths/{}/{method}/responses/{}",
                        escape(path),
                        escape(status)
                    );
                    let shared = response
                        .get("$ref")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    targets.push((at, shared));
                }
            }
        }
    }
    for (at, shared) in targets {
        // A shared response is copied in, so success responses that share it are untouched.
        if let Some(reference) = shared {
            let target = reference
                .strip_prefix('#')
                .and_then(|p| doc.pointer(p))
                .cloned()
                .ok_or_else(|| (at.clone(), format!("dangling $ref {reference}")))?;
            if let Some(slot) = doc.pointer_mut(&at) {
                *slot = target;
            }
        }
        let Some(response) = doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(content) = response
            .entry("content")
            .or_insert_with(|| json!({}))
            .as_object_mut()
        else {
            continue;
        };
        if content.is_empty() {
            content.insert(
                "application/json".into(),
                json!({"schema": reference.clone()}),
            );
            used = true;
            notes.add(
                format!("{at}/content"),
                format!("bodiless error response: {ERROR_SCHEMA} body added"),
            );
            continue;
        }
        for (media, body) in content.iter_mut() {
            if !super::is_json(media) || body.get("schema") == Some(&reference) {
                continue;
            }
            body["schema"] = reference.clone();
            if let Some(map) = body.as_object_mut() {
                // Examples of the replaced schema would no longer be checked against it.
                map.remove("examples");
                map.remove("example");
            }
            used = true;
            notes.add(
                format!("{at}/content/{}/schema", escape(media)),
                format!("-> {ERROR_SCHEMA}"),
            );
        }
    }
    if used {
        let slot = &mut doc["components"]["schemas"][ERROR_SCHEMA];
        if slot.is_null() {
            *slot = error_schema();
        } else if *slot != error_schema() {
            return Err((
                format!("/components/schemas/{ERROR_SCHEMA}"),
                "the document already has a different schema of this name".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    fn doc() -> serde_json::Value {
        json!({
            "paths": {"/r": {"post": {"operationId": "create", "responses": {
                "201": {"$ref": "#/components/responses/ok"},
                "404": {"$ref": "#/components/responses/not_found"},
                "422": {"description": "bad", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/validation-error"}}}},
                "502": {"description": "no body"}
            }}}},
            "components": {
                "responses": {
                    "ok": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "not_found": {"description": "nf", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/basic-error"}}}}
                },
                "schemas": {"basic-error": {"type": "object"}, "validation-error": {"type": "object"}}
            }
        })
    }

    #[test]
    fn every_error_body_shares_one_schema() {
        let mut doc = doc();
        let notes = run_one("shared_error_body", &mut doc);
        let responses = &doc["paths"]["/r"]["post"]["responses"];
        let shared = json!({"$ref": "#/components/schemas/github-error"});
        assert_eq!(
            responses["404"]["content"]["application/json"]["schema"],
            shared
        );
        assert_eq!(
            responses["422"]["content"]["application/json"]["schema"],
            shared
        );
        assert_eq!(
            responses["502"],
            json!({"description": "no body", "content": {"application/json": {"schema": shared}}})
        );
        assert_eq!(
            responses["201"],
            json!({"$ref": "#/components/responses/ok"}),
            "success touched"
        );
        assert!(
            doc.pointer("/components/schemas/github-error/properties/errors")
                .is_some()
        );
        assert_eq!(notes.len(), 3);
    }

    #[test]
    fn running_twice_changes_nothing_more() {
        let mut doc = doc();
        run_one("shared_error_body", &mut doc);
        let once = doc.clone();
        assert!(run_one("shared_error_body", &mut doc).is_empty());
        assert_eq!(doc, once);
    }

    #[test]
    fn a_conflicting_schema_of_the_same_name_is_an_error() {
        let mut doc = doc();
        doc["components"]["schemas"]["github-error"] = json!({"type": "string"});
        let err = crate::passes::ALL
            .iter()
            .find(|p| p.name == "shared_error_body")
            .unwrap()
            .apply(&mut doc)
            .unwrap_err();
        assert_eq!(err.at, "/components/schemas/github-error");
    }
}
