//! The description's schemas as JSON Schema, to validate fixture bodies with the
//! `jsonschema` crate.
//!
//! OpenAPI 3.0 schemas are nearly JSON Schema; the differences that matter here are
//! `nullable` (JSON Schema says `type: [T, "null"]`) and where `$ref`s point
//! (`#/components/schemas/X` becomes `#/$defs/X`).

use serde_json::{Map, Value, json};

/// The JSON Schema of the JSON body that `operation` answers with `status`, or `None`
/// when the description documents no JSON body for it.
pub fn for_response(doc: &Value, operation: &str, status: u16) -> Option<Value> {
    let op = find_operation(doc, operation)?;
    let mut response = op.get("responses")?.get(status.to_string())?;
    if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
        response = doc.pointer(reference.strip_prefix('#')?)?;
    }
    let schema = response
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    for_schema(doc, schema)
}

/// `schema`, an OpenAPI schema of `doc`, as a JSON Schema with `doc`'s component schemas
/// beside it; `None` when it is not an object.
///
/// ```
/// let doc = serde_json::json!({"components": {"schemas": {"id": {"type": "integer"}}}});
/// let schema = serde_json::json!({"$ref": "#/components/schemas/id", "nullable": true});
/// let json_schema = conformance::schema::for_schema(&doc, &schema).unwrap();
/// assert!(conformance::schema::validate(&json_schema, &serde_json::json!(null)).is_ok());
/// assert!(conformance::schema::validate(&json_schema, &serde_json::json!("1")).is_err());
/// ```
pub fn for_schema(doc: &Value, schema: &Value) -> Option<Value> {
    let defs: Map<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(k, v)| (k.clone(), convert(v)))
                .collect()
        })
        .unwrap_or_default();
    let mut root = convert(schema);
    if let Value::Object(map) = &mut root {
        map.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        map.insert("$defs".into(), Value::Object(defs));
    } else {
        return None;
    }
    Some(root)
}

/// The operation object with this operationId.
pub fn find_operation<'a>(doc: &'a Value, operation: &str) -> Option<&'a Value> {
    doc.get("paths")?
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation))
}

/// OpenAPI 3.0 schema -> JSON Schema 2020-12.
fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "nullable")
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            Value::String(r.replace("#/components/schemas/", "#/$defs/"))
                        }
                        // Examples and extensions hold data, not schemas.
                        ("example" | "examples", v) => v.clone(),
                        (k, v) if k.starts_with("x-") => v.clone(),
                        (_, v) => convert(v),
                    };
                    (k.clone(), v)
                })
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(values)) = out.get_mut("enum") {
                            values.push(Value::Null);
                        }
                    }
                    _ => return json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

/// Validates `instance` against `schema`; on failure, every error as `pointer: message`.
/// Formats are not checked (see [`validate_formats`]).
pub fn validate(schema: &Value, instance: &Value) -> Result<(), Vec<String>> {
    let validator =
        jsonschema::draft202012::new(schema).map_err(|e| vec![format!("schema: {e}")])?;
    errors(&validator, instance)
}

/// [`validate`], with every `format` the validator knows checked too (`date`,
/// `date-time`, `email`...): where a value is not what its format promises.
pub fn validate_formats(schema: &Value, instance: &Value) -> Result<(), Vec<String>> {
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| vec![format!("schema: {e}")])?;
    errors(&validator, instance)
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Result<(), Vec<String>> {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_type_union_or_an_any_of() {
        assert_eq!(
            convert(&json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            convert(&json!({"allOf": [{"$ref": "#/components/schemas/u"}], "nullable": true})),
            json!({"anyOf": [{"allOf": [{"$ref": "#/$defs/u"}]}, {"type": "null"}]})
        );
    }

    #[test]
    fn validation_names_the_pointer() {
        let schema =
            json!({"type": "object", "properties": {"state": {"enum": ["uploaded", "open"]}}});
        let errors = validate(&schema, &json!({"state": "starter"})).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("/state: "), "{errors:?}");
        assert!(validate(&schema, &json!({"state": "open"})).is_ok());
    }
}
