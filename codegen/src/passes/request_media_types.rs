//! A request body offered in several media types, or as `multipart/form-data`, becomes one
//! progenitor can send, with the media type left to the caller.
//!
//! progenitor takes one request media type (it panics on two: GitHub's `render-raw` takes
//! `text/plain` or `text/x-markdown`) and refuses `multipart/form-data` (GHES's license
//! upload). Bodies that are not JSON are bytes the caller gives, with the `content-type`
//! the caller names (the `binary_body_headers` pass, which runs next, adds that header
//! parameter): one media type stays for progenitor, a multipart body becomes
//! `application/octet-stream` (the caller encodes the parts, boundary included), and the
//! documented types are kept in `x-request-media-types`, which the header's description
//! lists. Where JSON is one of several, the JSON body stays, typed, and the note names the
//! media types the generated builder cannot send.

use serde_json::{Map, Value, json};

use super::{Failure, Notes};
use crate::schema_walk::{METHODS, escape, obj};

/// Where the documented request media types are kept.
pub const MEDIA_TYPES: &str = "x-request-media-types";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut targets = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(body) = item.get(method).and_then(|op| op.get("requestBody")) else {
                continue;
            };
            let at = format!("/paths/{}/{method}", escape(path));
            // A shared body is rewritten where it is defined, once.
            let body_at = match body.get("$ref").and_then(Value::as_str) {
                Some(r) => r.strip_prefix('#').unwrap_or(r).to_owned(),
                None => format!("{at}/requestBody"),
            };
            let media: Vec<&String> = doc
                .pointer(&body_at)
                .map(|b| obj(b.get("content")).map(|(m, _)| m).collect())
                .unwrap_or_default();
            if media.len() > 1 || media.iter().any(|m| is_multipart(m)) {
                targets.push((at, body_at));
            }
        }
    }
    for (at, body_at) in targets {
        let Some(content) = doc
            .pointer_mut(&format!("{body_at}/content"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let documented: Vec<String> = content.keys().cloned().collect();
        if content.is_empty() {
            continue;
        }
        let json = documented.iter().find(|m| super::is_json(m)).cloned();
        let (kept, entry) = match json {
            Some(json) => {
                let entry = content.remove(&json).unwrap_or_default();
                (json, entry)
            }
            None if documented.iter().any(|m| is_multipart(m)) => (
                "application/octet-stream".to_owned(),
                json!({"schema": {"type": "string", "format": "binary"}}),
            ),
            None => {
                let first = documented[0].clone();
                let entry = content.remove(&first).unwrap_or_default();
                (first, entry)
            }
        };
        let mut single = Map::new();
        single.insert(kept.clone(), entry);
        *content = single;
        let change = if super::is_json(&kept) {
            let others: Vec<&String> = documented.iter().filter(|m| **m != kept).collect();
            format!("request body sent as {kept}, typed; not generated: {others:?}")
        } else {
            format!(
                "request body sent as bytes, its media type the caller's `content_type` (documented: {})",
                documented.join(", ")
            )
        };
        if !super::is_json(&kept)
            && let Some(op) = doc.pointer_mut(&at).and_then(Value::as_object_mut)
        {
            op.insert(MEDIA_TYPES.to_owned(), json!(documented));
        }
        notes.add(format!("{body_at}/content"), change);
    }
    Ok(())
}

fn is_multipart(media_type: &str) -> bool {
    media_type.trim().starts_with("multipart/")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn text_bodies_keep_one_type_and_the_caller_names_it() {
        let mut doc = json!({"paths": {"/markdown/raw": {"post": {"requestBody": {"content": {
            "text/plain": {"schema": {"type": "string"}},
            "text/x-markdown": {"schema": {"type": "string"}}
        }}}}}});
        let notes = run_one("request_media_types", &mut doc);
        let op = &doc["paths"]["/markdown/raw"]["post"];
        assert_eq!(
            op["requestBody"]["content"],
            json!({"text/plain": {"schema": {"type": "string"}}})
        );
        assert_eq!(
            op["x-request-media-types"],
            json!(["text/plain", "text/x-markdown"])
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].at,
            "/paths/~1markdown~1raw/post/requestBody/content"
        );
    }

    #[test]
    fn a_multipart_body_is_bytes_and_json_stays_typed() {
        let mut doc = json!({
            "paths": {
                "/setup/api/start": {"post": {"requestBody": {"$ref": "#/components/requestBodies/license"}}},
                "/both": {"put": {"requestBody": {"content": {
                    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    "application/json": {"schema": {"type": "object"}}
                }}}}
            },
            "components": {"requestBodies": {"license": {"content": {
                "multipart/form-data": {"schema": {"$ref": "#/components/schemas/license"}}
            }}}}
        });
        let notes = run_one("request_media_types", &mut doc);
        assert_eq!(
            doc["components"]["requestBodies"]["license"]["content"],
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        );
        assert_eq!(
            doc["paths"]["/setup/api/start"]["post"]["x-request-media-types"],
            json!(["multipart/form-data"])
        );
        let both = &doc["paths"]["/both"]["put"];
        assert_eq!(
            both["requestBody"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
        assert!(both.get("x-request-media-types").is_none());
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.at == "/paths/~1both/put/requestBody/content"
                    && n.change
                        .contains("not generated: [\"application/x-www-form-urlencoded\"]")),
            "{notes:?}"
        );
    }

    #[test]
    fn one_json_or_raw_body_is_left_alone() {
        let mut doc = json!({"paths": {"/a": {"post": {"requestBody": {"content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
        }}}}}});
        let before = doc.clone();
        assert!(run_one("request_media_types", &mut doc).is_empty());
        assert_eq!(doc, before);
    }
}
