//! progenitor alone: the crate's settings, none of the passes, rewrites or facade. What
//! `cargo xtask bench` measures the generator against, on the operations progenitor can
//! generate without them.

use serde_json::{Map, Value};

use crate::census::alone;
use crate::engine;
use crate::schema_walk::{METHODS, obj};

/// Every operation of `doc`: its path and method.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    obj(doc.get("paths"))
        .flat_map(|(path, item)| {
            METHODS
                .into_iter()
                .filter(|method| item.get(*method).is_some())
                .map(|method| (path.clone(), method.to_owned()))
        })
        .collect()
}

/// The operations of `doc` (path, method) that progenitor alone generates, each tried
/// alone with the components it reaches.
pub fn generable(doc: &Value) -> Vec<(String, String)> {
    operations(doc)
        .into_iter()
        .filter(|(path, method)| {
            serde_json::from_value::<openapiv3::OpenAPI>(alone(doc, path, method))
                .map_err(|e| e.to_string())
                .and_then(|spec| engine::generate_alone(&spec).map(drop))
                .is_ok()
        })
        .collect()
}

/// `doc` with only `operations` (path, method) left; every component stays.
pub fn keep(doc: &Value, operations: &[(String, String)]) -> Value {
    let mut cut = doc.clone();
    let mut paths = Map::new();
    for (path, item) in obj(doc.get("paths")) {
        let mut kept = Map::new();
        for (key, value) in item.as_object().into_iter().flatten() {
            let wanted = operations.iter().any(|(p, m)| p == path && m == key);
            if wanted || !METHODS.contains(&key.as_str()) {
                kept.insert(key.clone(), value.clone());
            }
        }
        if kept.keys().any(|k| METHODS.contains(&k.as_str())) {
            paths.insert(path.clone(), Value::Object(kept));
        }
    }
    cut["paths"] = Value::Object(paths);
    cut
}

/// The source progenitor alone writes for `spec`, formatted as the crate's is; or
/// progenitor's error (or panic).
pub fn generate(spec: &openapiv3::OpenAPI) -> Result<String, String> {
    let output = engine::generate_alone(spec)?;
    let file: syn::File = syn::parse2(output.tokens).map_err(|e| e.to_string())?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_operation_progenitor_refuses_alone_is_left_out() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {
                "/ok": {"get": {"operationId": "ok", "responses": {"204": {"description": "none"}}}},
                // A JSON success beside a bodiless one: progenitor asserts.
                "/mixed": {"post": {"operationId": "mixed", "responses": {
                    "201": {"description": "made", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "204": {"description": "none"}
                }}}
            }
        });
        assert_eq!(operations(&doc).len(), 2);
        let found = generable(&doc);
        assert_eq!(found, vec![("/ok".to_owned(), "get".to_owned())]);
        let cut = keep(&doc, &found);
        assert!(cut["paths"].get("/mixed").is_none(), "{cut}");
        let spec: openapiv3::OpenAPI = serde_json::from_value(cut).unwrap();
        let code = generate(&spec).unwrap();
        assert!(code.contains("pub fn ok("), "{code}");
    }
}
