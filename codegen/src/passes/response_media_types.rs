//! A success GitHub offers in several media types (`repos/get-commit`: JSON, a diff, a
//! patch or the bare SHA) keeps JSON for `send()`, and each other media type becomes a
//! `send_<name>()` of its own that asks for it with `Accept`.
//!
//! progenitor generates one media type per answer and ignores the others, so a diff
//! GitHub documents would be out of reach. Here the operation's response keeps only the
//! JSON media type (or the first, when none is JSON), and the others go to
//! `x-response-media-types`, each with the name of its method (`diff`, `patch`, `sha`,
//! `star` for `application/vnd.github.v3.star+json`) and what it decodes into: a schema
//! component when it is JSON (an inline schema becomes one, named after the operation and
//! the method, so typify makes it a type), bytes otherwise. The `alternative_media_types`
//! rewrite adds the methods to progenitor's builder; the facade publishes them.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use serde_json::{Value, json};

use super::{Failure, Notes};
use crate::facade::type_name;
use crate::schema_walk::{METHODS, escape, obj, resolve};

/// The media type `send()` asks for, where it is a JSON type other than
/// `application/json` (`application/scim+json`): progenitor types only
/// `application/json`, so the success is given to it under that name, and the `Accept`
/// asks for the documented one.
pub const ACCEPT: &str = "x-response-accept";

/// Where the other media types of an operation's success are kept, in the order of the
/// description's keys: each `{"media_type": .., "name": .., "schema": {"$ref": ..}}`, or
/// `"bytes": true` in place of `"schema"` for a body that is not JSON.
pub const ALTERNATIVES: &str = "x-response-media-types";

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    let mut keys: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut types: BTreeSet<String> = keys.iter().map(|k| type_name(k)).collect();
    let mut targets = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            // Several successes are the `several_successes` pass's; one is read here.
            let successes: Vec<(&String, &Value)> = obj(op.get("responses"))
                .filter(|(status, _)| status.starts_with('2'))
                .collect();
            let [(status, response)] = successes[..] else {
                continue;
            };
            let response = resolve(doc, response);
            let media: Vec<&String> = obj(response.get("content")).map(|(m, _)| m).collect();
            let renamed = media.iter().all(|m| m.as_str() != "application/json")
                && media.iter().any(|m| super::is_json(m));
            if media.len() > 1 || renamed {
                targets.push((
                    format!("/paths/{}/{method}", escape(path)),
                    status.clone(),
                    response.clone(),
                ));
            }
        }
    }
    for (at, status, mut response) in targets {
        let operation = doc
            .pointer(&format!("{at}/operationId"))
            .and_then(Value::as_str)
            .unwrap_or("operation")
            .to_owned();
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let documented: Vec<String> = content.keys().cloned().collect();
        let kept = documented
            .iter()
            .find(|m| m.as_str() == "application/json")
            .or_else(|| documented.iter().find(|m| super::is_json(m)))
            .unwrap_or(&documented[0])
            .clone();
        // progenitor types `application/json` alone: a JSON success under another name
        // (`application/scim+json`) is given to it as that, and asked for as documented.
        let accept = (super::is_json(&kept) && kept != "application/json").then(|| kept.clone());
        if accept.is_some()
            && let Some(entry) = content.remove(&kept)
        {
            content.insert("application/json".to_owned(), entry);
        }
        let mut names = BTreeSet::from(["".to_owned()]);
        let mut alternatives = Vec::new();
        let mut hoisted = Vec::new();
        for media_type in documented.iter().filter(|m| **m != kept) {
            let entry = content.remove(media_type).unwrap_or_default();
            let name = method_name(media_type, &mut names);
            let mut alternative = json!({"media_type": media_type, "name": name});
            match entry.get("schema") {
                Some(schema) if schema.get("$ref").is_some() => {
                    alternative["schema"] = schema.clone();
                }
                Some(schema) if is_typed(media_type, schema) => {
                    let key = unique_type(&format!("{operation}-{name}"), &mut keys, &mut types);
                    hoisted.push((key.clone(), schema.clone()));
                    alternative["schema"] =
                        json!({"$ref": format!("#/components/schemas/{}", escape(&key))});
                }
                _ => alternative["bytes"] = json!(true),
            }
            alternatives.push(alternative);
        }
        super::add_schemas(doc, hoisted);
        let Some(op) = doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
            continue;
        };
        // The response is written into the operation: a shared one stays whole for its
        // other users.
        if let Some(all) = op.get_mut("responses").and_then(Value::as_object_mut) {
            all.insert(status.clone(), response);
        }
        let methods: Vec<String> = alternatives
            .iter()
            .map(|a| {
                format!(
                    "send_{}() for {}",
                    a["name"].as_str().unwrap_or_default(),
                    a["media_type"].as_str().unwrap_or_default()
                )
            })
            .collect();
        let typed = if accept.is_some() {
            " (typed as JSON)"
        } else {
            ""
        };
        if let Some(accept) = accept {
            op.insert(ACCEPT.to_owned(), Value::String(accept));
        }
        let others = if methods.is_empty() {
            String::new()
        } else {
            format!("; {}", methods.join(", "))
        };
        if !alternatives.is_empty() {
            op.insert(ALTERNATIVES.to_owned(), Value::Array(alternatives));
        }
        notes.add(
            format!("{at}/responses/{}/content", escape(&status)),
            format!("send() asks for {kept}{typed}{others}"),
        );
    }
    Ok(())
}

/// Whether a body of `media_type` described by `schema` is decoded as JSON: a JSON media
/// type, or a schema that describes more than a string (GitHub's
/// `application/vnd.github.object` is JSON without the `+json` suffix).
fn is_typed(media_type: &str, schema: &Value) -> bool {
    super::is_json(media_type)
        || !matches!(
            schema.get("type").and_then(Value::as_str),
            Some("string") | None
        )
}

/// The method's name for `media_type`: its subtype without GitHub's vendor prefix, version
/// and `+json` suffix (`application/vnd.github.v3.star+json` is `star`), in snake case;
/// made unique among `taken`.
fn method_name(media_type: &str, taken: &mut BTreeSet<String>) -> String {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let subtype = essence.rsplit('/').next().unwrap_or(essence);
    let mut name = subtype.strip_suffix("+json").unwrap_or(subtype);
    for prefix in ["vnd.github.", "vnd."] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    if let Some(rest) = name.strip_prefix('v')
        && let Some((version, rest)) = rest.split_once('.')
        && !version.is_empty()
        && version.chars().all(|c| c.is_ascii_digit())
    {
        name = rest;
    }
    let base = name.to_snake_case();
    let base = if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("media_{base}")
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// A component key from `wanted` whose key and type name are both new.
fn unique_type(wanted: &str, keys: &mut BTreeSet<String>, types: &mut BTreeSet<String>) -> String {
    let mut key = wanted.to_owned();
    let mut n = 2;
    while keys.contains(&key) || types.contains(&type_name(&key)) {
        key = format!("{wanted}-{n}");
        n += 1;
    }
    keys.insert(key.clone());
    types.insert(type_name(&key));
    key
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::method_name;
    use crate::passes::run_one;

    #[test]
    fn json_stays_for_send_and_each_other_media_type_is_kept_with_its_method() {
        let mut doc = json!({
            "paths": {"/commits/{sha}": {"get": {"operationId": "get-commit", "responses": {
                "200": {"description": "Commit", "content": {
                    "application/vnd.github.diff": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/commit"}},
                    "application/vnd.github.sha": {"schema": {"type": "string"}},
                    "application/vnd.github.v3.star+json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/commit"}}},
                    "application/vnd.github.object": {"schema": {"$ref": "#/components/schemas/tree"}}
                }},
                "404": {"description": "gone"}
            }}}},
            "components": {"schemas": {
                "commit": {"type": "object"}, "tree": {"type": "object"},
                "GetCommitStar": {"type": "string"}
            }}
        });
        let notes = run_one("response_media_types", &mut doc);
        let op = &doc["paths"]["/commits/{sha}"]["get"];
        assert_eq!(
            op["responses"]["200"]["content"],
            json!({"application/json": {"schema": {"$ref": "#/components/schemas/commit"}}})
        );
        assert_eq!(
            op["x-response-media-types"],
            json!([
                {"media_type": "application/vnd.github.diff", "name": "diff", "bytes": true},
                {"media_type": "application/vnd.github.object", "name": "object",
                 "schema": {"$ref": "#/components/schemas/tree"}},
                {"media_type": "application/vnd.github.sha", "name": "sha", "bytes": true},
                {"media_type": "application/vnd.github.v3.star+json", "name": "star",
                 "schema": {"$ref": "#/components/schemas/get-commit-star-2"}}
            ])
        );
        // The hoisted schema's type name meets no other (`GetCommitStar` was taken).
        assert_eq!(
            doc["components"]["schemas"]["get-commit-star-2"]["items"]["$ref"],
            "#/components/schemas/commit"
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].at,
            "/paths/~1commits~1{sha}/get/responses/200/content"
        );
        assert!(
            notes[0]
                .change
                .contains("send_diff() for application/vnd.github.diff")
        );
    }

    #[test]
    fn one_media_type_or_several_successes_are_left_alone() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "responses": {
                "200": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/b": {"put": {"operationId": "b", "responses": {
                "200": {"description": "", "content": {"application/json": {"schema": {"type": "object"}},
                                                       "text/plain": {"schema": {"type": "string"}}}},
                "201": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
        }});
        let before = doc.clone();
        assert!(run_one("response_media_types", &mut doc).is_empty());
        assert_eq!(doc, before);
    }

    #[test]
    fn method_names_are_identifiers_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(method_name("application/sarif+json", &mut taken), "sarif");
        assert_eq!(
            method_name("application/vnd.github.v3.star+json", &mut taken),
            "star"
        );
        assert_eq!(
            method_name("application/vnd.github.patch; charset=utf-8", &mut taken),
            "patch"
        );
        assert_eq!(method_name("text/x-markdown", &mut taken), "x_markdown");
        assert_eq!(
            method_name("application/vnd.github.star+json", &mut taken),
            "star_2"
        );
        assert_eq!(method_name("application/3gpp", &mut taken), "media_3gpp");
    }

    #[test]
    fn a_json_success_of_another_name_is_typed_and_asked_for_as_documented() {
        let mut doc = json!({"paths": {"/Users": {"get": {"operationId": "list", "responses": {
            "200": {"description": "", "content": {"application/scim+json": {"schema": {"type": "object"}}}}
        }}}}});
        let notes = run_one("response_media_types", &mut doc);
        let op = &doc["paths"]["/Users"]["get"];
        assert_eq!(
            op["responses"]["200"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
        assert_eq!(op["x-response-accept"], "application/scim+json");
        assert!(op.get("x-response-media-types").is_none(), "{op}");
        assert_eq!(
            notes[0].change,
            "send() asks for application/scim+json (typed as JSON)"
        );
    }
}
