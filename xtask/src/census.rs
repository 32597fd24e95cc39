//! `cargo xtask census --spec FILE`: what the generator makes of a description, operation by
//! operation (generated alone or why not, the hard kinds it is, GitHub's examples for it),
//! then totals. `--json` prints the same as one JSON object; `--verbose` adds every note the
//! passes made, by JSON pointer. Fails when an operation, or the whole document, does not
//! generate.
//!
//! `--decode` decodes every JSON example with the generated types: the crate
//! `cargo xtask generate --examples` writes is built and run over them. A response example
//! decodes into the type its status answers; a request body example decodes into the type
//! `body()` takes and must encode back to the same JSON (key order, a null against an
//! absent key, and `1` against `1.0` aside). Each that does not is listed with its JSON
//! pointer, why, and whether the description's own schema refuses it; the census fails on
//! any not in the committed list of examples the description contradicts
//! (`contradicted_examples`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value, json};

use crate::subset::read_upstream;

/// What `cargo xtask census` is given.
pub struct Options {
    /// The description: plain or gzip-compressed JSON.
    pub spec: PathBuf,
    /// One JSON object on standard output in place of the table.
    pub json: bool,
    /// Every note of the passes too.
    pub verbose: bool,
    /// Decode every example with the generated types (builds the crate).
    pub decode: bool,
    /// Rewrite the list of examples the description contradicts.
    pub record_contradicted: bool,
}

/// What decoding each operation's examples found: for each of its examples, in order,
/// `None` when it decoded, or why not.
type Decoded = Vec<Vec<Option<Failure>>>;

/// An example that does not decode.
struct Failure {
    /// What decoding it said.
    why: String,
    /// Where the example breaks the schema the description gives it, as JSON Schema
    /// validation finds (`pointer: message`): the description contradicts its own example.
    /// Empty when the example is valid, and the generated type is what is wrong.
    contradicted_at: Vec<String>,
}

impl Failure {
    fn verdict(&self) -> String {
        match self.contradicted_at.first() {
            Some(first) => format!(
                "the description contradicts it ({first}{})",
                match self.contradicted_at.len() {
                    1 => String::new(),
                    n => format!(", and {} more", n - 1),
                }
            ),
            None => "the example is valid: the generated type is wrong".to_owned(),
        }
    }
}

/// Runs `cargo xtask census`.
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let spec_path = if options.spec.is_relative() && !options.spec.exists() {
        root.join(&options.spec)
    } else {
        options.spec.clone()
    };
    let shown = options.spec.display();
    let bytes = read_upstream(&spec_path)?;
    let spec: openapiv3::OpenAPI = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{shown} is not an OpenAPI 3.0 document: {e}"))?;
    let census = codegen::census::take(&spec)?;
    let decoded = if options.decode {
        let doc = serde_json::to_value(&spec)?;
        Some(decode(root, &spec_path, &doc, &census)?)
    } else {
        None
    };
    let seconds = started.elapsed().as_secs_f64();
    if options.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&as_json(&census, decoded.as_ref(), options.verbose))?
        );
    } else {
        print_table(&census, decoded.as_ref(), options.verbose, seconds);
    }
    let failed = census.operations.len() - census.generated();
    if let Some(decoded) = &decoded {
        let list = crate::contradicted_examples::path(root, &stem(&spec_path));
        let failures = failures(&census, decoded);
        if options.record_contradicted {
            crate::contradicted_examples::record(
                &list,
                &shown.to_string(),
                failures
                    .iter()
                    .filter(|(_, _, f)| !f.contradicted_at.is_empty())
                    .map(
                        |(op, example, f)| crate::contradicted_examples::Contradicted {
                            at: example.at.clone(),
                            operation: op.upstream_id.clone(),
                            status: example.status.clone(),
                            why: f.why.clone(),
                            contradicted_at: f.contradicted_at.clone(),
                            example: example.value.clone(),
                        },
                    )
                    .collect(),
            )?;
        }
        let known = crate::contradicted_examples::load(&list)?;
        let found = crate::contradicted_examples::reconcile(
            &known,
            &failures
                .iter()
                .map(|(_, example, f)| {
                    (
                        example.at.clone(),
                        f.why.clone(),
                        !f.contradicted_at.is_empty(),
                    )
                })
                .collect::<Vec<_>>(),
        );
        eprintln!(
            "census: {} examples the description contradicts, as {} lists them",
            found.known,
            list.display()
        );
        if !found.unexpected.is_empty() || !found.stale.is_empty() {
            for (at, why) in &found.unexpected {
                eprintln!("  not decoded, and not listed: {at}: {}", first_line(why));
            }
            for at in &found.stale {
                eprintln!("  listed, but decodes (or is gone): {at}");
            }
            return Err(format!(
                "{shown}: {} examples do not decode and are not listed as contradicted by the \
                 description, {} listed ones decode: fix the generator, or review and \
                 rewrite the list with --record-contradicted",
                found.unexpected.len(),
                found.stale.len()
            )
            .into());
        }
    }
    match (&census.whole, failed) {
        (Ok(()), 0) => Ok(()),
        (_, 0) => Err(format!(
            "{shown}: every operation generates alone, but not the whole document"
        )
        .into()),
        _ => Err(format!(
            "{shown}: {failed} of {} operations do not generate",
            census.operations.len()
        )
        .into()),
    }
}

/// Every example that does not decode, with its operation.
fn failures<'a>(
    census: &'a codegen::census::Census,
    decoded: &'a Decoded,
) -> Vec<(
    &'a codegen::census::Operation,
    &'a codegen::census::Example,
    &'a Failure,
)> {
    census
        .operations
        .iter()
        .zip(decoded)
        .flat_map(|(op, results)| {
            op.examples
                .iter()
                .zip(results)
                .filter_map(move |(example, failure)| failure.as_ref().map(|f| (op, example, f)))
        })
        .collect()
}

/// Decodes every example of `census` with the crate generated from `spec`.
fn decode(
    root: &Path,
    spec: &Path,
    doc: &Value,
    census: &codegen::census::Census,
) -> Result<Decoded, Box<dyn std::error::Error>> {
    let out = root
        .join("target/generated")
        .join(format!("{}-examples", stem(spec)));
    let written = crate::generate::write_crate(
        root,
        spec,
        &out,
        crate::generate::Extras {
            examples: true,
            replay: false,
            features: false,
        },
    )?;
    let examples: Vec<Value> = census
        .operations
        .iter()
        .flat_map(|op| {
            op.examples.iter().map(|example| {
                json!({"operation": op.name, "status": example.status, "media": example.media, "value": example.value})
            })
        })
        .collect();
    let mut results = crate::generate::decode_examples(root, &written.dir, &examples)?.into_iter();
    let mut decoded = Vec::new();
    for op in &census.operations {
        let mut own = Vec::new();
        for example in &op.examples {
            let result = results
                .next()
                .ok_or("the decoder answered fewer results than examples")?;
            let (why, differs_at) = match (result, &example.status) {
                (Err(why), _) => (Some(why), None),
                (Ok(_), Some(_)) => (None, None),
                (Ok(encoded), None) => match same_json(&example.value, &encoded) {
                    Ok(()) => (None, None),
                    Err(at) => (
                        Some(format!("encodes back differently at {at}: {encoded}")),
                        Some(at),
                    ),
                },
            };
            own.push(why.map(|why| Failure {
                why,
                contradicted_at: contradictions(doc, example, differs_at.as_deref()),
            }));
        }
        decoded.push(own);
    }
    Ok(decoded)
}

/// Where `example` breaks the schema the description gives it (none when it is valid, or
/// has no schema). When the example encodes back without the key at `dropped` (a JSON
/// pointer), that key counts too if no schema of its object describes it: the description
/// does not forbid it, but does not document it either, and the type has no field for it.
fn contradictions(
    doc: &Value,
    example: &codegen::census::Example,
    dropped: Option<&str>,
) -> Vec<String> {
    let Some(mut schema) = example
        .schema
        .as_ref()
        .and_then(|s| conformance::schema::for_schema(doc, s))
    else {
        return Vec::new();
    };
    if let Err(errors) = conformance::schema::validate(&schema, &example.value) {
        return errors;
    }
    // A value that breaks a format the generated type holds it to (GHES's maintenance
    // `scheduled_time`, a `date` shown as a date-time, refused by `NaiveDate`).
    let typed_formats: Vec<String> = conformance::schema::validate_formats(&schema, &example.value)
        .err()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            codegen::passes::TYPED_FORMATS
                .iter()
                .any(|format| e.ends_with(&format!("is not a \"{format}\"")))
        })
        .collect();
    if !typed_formats.is_empty() {
        return typed_formats;
    }
    let Some((parent, key)) = dropped.and_then(|at| at.rsplit_once('/')) else {
        return Vec::new();
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    no_undocumented_keys(&mut schema);
    // Only where the key was dropped: an object put together by `allOf` refuses its
    // parts' keys to each other under this check. The example was valid without it, so
    // an error at that object is its undocumented keys, named (`'displayName'`) or, in a
    // union, as none of the alternatives taking the object.
    conformance::schema::validate(&schema, &example.value)
        .err()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            e.strip_prefix(parent).is_some_and(|rest| {
                rest.starts_with(": ")
                    && (rest.contains(&format!("'{key}'"))
                        || is_union_refusal(rest) && !describes(&schema, &key))
            })
        })
        .collect()
}

/// Whether any object schema that `schema` reaches (through its `$ref`s into its own
/// `$defs`, not the other definitions there) has a property `key`.
fn describes(schema: &Value, key: &str) -> bool {
    fn walk<'a>(root: &'a Value, node: &'a Value, key: &str, seen: &mut BTreeSet<&'a str>) -> bool {
        match node {
            Value::Object(map) => {
                if map
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| p.contains_key(key))
                {
                    return true;
                }
                if let Some(reference) = map.get("$ref").and_then(Value::as_str)
                    && let Some(name) = reference.strip_prefix("#/$defs/")
                    && seen.insert(name)
                    && let Some(target) = root.get("$defs").and_then(|d| d.get(name))
                    && walk(root, target, key, seen)
                {
                    return true;
                }
                map.iter().any(|(k, v)| {
                    !matches!(
                        k.as_str(),
                        "$defs" | "example" | "examples" | "default" | "enum" | "const"
                    ) && walk(root, v, key, seen)
                })
            }
            Value::Array(items) => items.iter().any(|v| walk(root, v, key, seen)),
            _ => false,
        }
    }
    walk(schema, schema, key, &mut BTreeSet::new())
}

/// Whether a validation error says no alternative of a `oneOf` or `anyOf` took the value.
fn is_union_refusal(error: &str) -> bool {
    error.contains("is not valid under any of the schemas")
        || error.contains("is valid under more than one of the schemas")
}

/// Every object schema with properties and no word on other keys refuses them
/// (`unevaluatedProperties: false`, which sees through `allOf`, `anyOf` and `$ref`s).
fn no_undocumented_keys(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && !map.contains_key("unevaluatedProperties")
            {
                map.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
            }
            for (key, value) in map.iter_mut() {
                // Examples, defaults and enums hold data, not schemas.
                if !matches!(
                    key.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                ) {
                    no_undocumented_keys(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(no_undocumented_keys),
        _ => {}
    }
}

/// The file name of `spec` without `.json` or `.json.gz` (`api.github.com`).
fn stem(spec: &Path) -> String {
    let name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.trim_end_matches(".gz")
        .trim_end_matches(".json")
        .to_owned()
}

/// Whether `encoded` is `example` again: key order, a null against an absent key, `1`
/// against `1.0` and a date-time's offset (`16:13:30+12:00` against `04:13:30Z`) aside. Else the JSON pointer where they differ.
fn same_json(example: &Value, encoded: &Value) -> Result<(), String> {
    fn walk(a: &Value, b: &Value, at: &mut String) -> Result<(), String> {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                let null = Value::Null;
                for key in a.keys().chain(b.keys()) {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    walk(a.get(key).unwrap_or(&null), b.get(key).unwrap_or(&null), at)?;
                    at.truncate(len);
                }
                Ok(())
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                for (i, (a, b)) in a.iter().zip(b).enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    walk(a, b, at)?;
                    at.truncate(len);
                }
                Ok(())
            }
            (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
            // One instant, spelled in another offset (a date-time is encoded in UTC).
            (Value::String(a), Value::String(b))
                if chrono::DateTime::parse_from_rfc3339(a)
                    .ok()
                    .is_some_and(|a| chrono::DateTime::parse_from_rfc3339(b).ok() == Some(a)) =>
            {
                Ok(())
            }
            (a, b) if a == b => Ok(()),
            _ => Err(if at.is_empty() {
                "/".to_owned()
            } else {
                at.clone()
            }),
        }
    }
    walk(example, encoded, &mut String::new())
}

fn decoded_count(decoded: Option<&Decoded>, index: usize) -> Option<usize> {
    decoded.map(|d| d[index].iter().filter(|r| r.is_none()).count())
}

fn print_table(
    census: &codegen::census::Census,
    decoded: Option<&Decoded>,
    verbose: bool,
    seconds: f64,
) {
    for (index, op) in census.operations.iter().enumerate() {
        let kinds: Vec<&str> = op.kinds.iter().map(|k| k.name()).collect();
        let state = match &op.generated {
            Ok(()) => "generated".to_owned(),
            Err(why) => format!("NOT GENERATED: {}", first_line(why)),
        };
        let examples = match decoded_count(decoded, index) {
            Some(n) => format!("{} examples, {n} decoded", op.examples.len()),
            None => format!("{} examples", op.examples.len()),
        };
        println!(
            "{} {} {} ({}): {state}; kinds [{}]; {examples}; {} notes",
            op.upstream_id,
            op.method.to_uppercase(),
            op.path,
            op.name,
            kinds.join(", "),
            op.notes.len()
        );
        if let Some(decoded) = decoded {
            for (example, failure) in op.examples.iter().zip(&decoded[index]) {
                if let Some(failure) = failure {
                    println!(
                        "    example {} does not decode: {}; {}",
                        example.at,
                        first_line(&failure.why),
                        failure.verdict()
                    );
                }
            }
        }
        if verbose {
            for note in &op.notes {
                println!("    {note}");
            }
        }
    }
    if verbose {
        println!("\nnotes on components:");
        for note in census
            .notes
            .iter()
            .filter(|n| n.at.starts_with("/components/"))
        {
            println!("    {note}");
        }
    }
    println!();
    println!(
        "operations: {}, generated alone: {}, not: {}",
        census.operations.len(),
        census.generated(),
        census.operations.len() - census.generated()
    );
    println!(
        "whole document: {}",
        match &census.whole {
            Ok(()) => "generated".to_owned(),
            Err(why) => format!("NOT GENERATED: {}", first_line(why)),
        }
    );
    let kinds = census.kinds();
    let kinds: Vec<String> = codegen::census::Kind::ALL
        .iter()
        .map(|k| format!("{k} {}", kinds.get(k).copied().unwrap_or(0)))
        .collect();
    println!("operations by kind: {}", kinds.join(", "));
    println!("examples documented: {}", census.examples());
    match total_decoded(census, decoded) {
        Some(n) => println!("examples decoded: {n}"),
        None => {
            println!("examples decoded: not tried (--decode builds the crate and decodes them)")
        }
    }
    let notes: Vec<String> = census
        .notes_by_pass()
        .iter()
        .map(|(pass, n)| format!("{pass} {n}"))
        .collect();
    println!("notes by pass: {}", notes.join(", "));
    println!("census took {seconds:.1} s");
}

fn total_decoded(census: &codegen::census::Census, decoded: Option<&Decoded>) -> Option<usize> {
    (0..census.operations.len())
        .map(|i| decoded_count(decoded, i))
        .sum()
}

fn as_json(census: &codegen::census::Census, decoded: Option<&Decoded>, verbose: bool) -> Value {
    let operations: Vec<Value> = census
        .operations
        .iter()
        .enumerate()
        .map(|(index, op)| {
            let mut entry = json!({
                "operation_id": op.upstream_id,
                "name": op.name,
                "method": op.method,
                "path": op.path,
                "generated": op.generated.is_ok(),
                "kinds": op.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
                "examples": op.examples.len(),
                "examples_decoded": decoded_count(decoded, index),
                "notes": op.notes.len(),
            });
            if let Some(decoded) = decoded {
                let failed: Vec<Value> = op
                    .examples
                    .iter()
                    .zip(&decoded[index])
                    .filter_map(|(example, failure)| {
                        failure.as_ref().map(|f| {
                            json!({
                                "at": example.at,
                                "why": f.why,
                                "contradicted_at": f.contradicted_at,
                            })
                        })
                    })
                    .collect();
                if !failed.is_empty() {
                    entry["examples_not_decoded"] = json!(failed);
                }
            }
            if let Err(why) = &op.generated {
                entry["why_not"] = json!(why);
            }
            if verbose {
                entry["note_list"] =
                    json!(op.notes.iter().map(ToString::to_string).collect::<Vec<_>>());
            }
            entry
        })
        .collect();
    let kinds: serde_json::Map<String, Value> = codegen::census::Kind::ALL
        .iter()
        .map(|k| {
            (
                k.name().to_owned(),
                json!(census.kinds().get(k).copied().unwrap_or(0)),
            )
        })
        .collect();
    let mut object = json!({
        "operations": census.operations.len(),
        "generated": census.generated(),
        "whole_document": match &census.whole {
            Ok(()) => json!({"generated": true}),
            Err(why) => json!({"generated": false, "why_not": why}),
        },
        "kinds": kinds,
        "examples": census.examples(),
        // null when not tried: decoding builds the crate (`--decode`).
        "examples_decoded": total_decoded(census, decoded),
        "notes_by_pass": census.notes_by_pass(),
        "per_operation": operations,
    });
    if verbose {
        object["notes"] = json!(
            census
                .notes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        );
    }
    object
}

/// progenitor's panics carry a debug print of what it could not take; its first line says
/// what, the rest is for `--json`.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_json_is_the_same_aside_from_order_null_and_number_spelling() {
        let example =
            json!({"name": "v1", "draft": false, "body": null, "n": 1, "list": [{"a": 1}]});
        let encoded = json!({"list": [{"a": 1.0}], "n": 1.0, "draft": false, "name": "v1"});
        assert_eq!(same_json(&example, &encoded), Ok(()));
        assert_eq!(
            same_json(
                &example,
                &json!({"name": "v2", "draft": false, "n": 1, "list": [{"a": 1}]})
            ),
            Err("/name".to_owned())
        );
        assert_eq!(
            same_json(
                &example,
                &json!({"name": "v1", "draft": false, "n": 1, "list": [{"a": 2}]})
            ),
            Err("/list/0/a".to_owned())
        );
        // A key the type adds (a default) is a difference.
        assert_eq!(
            same_json(&json!({}), &json!({"draft": false})),
            Err("/draft".to_owned())
        );
        assert_eq!(same_json(&json!([1]), &json!([1, 2])), Err("/".to_owned()));
        assert_eq!(
            same_json(
                &json!({"date": "2008-07-09T16:13:30+12:00"}),
                &json!({"date": "2008-07-09T04:13:30Z"})
            ),
            Ok(())
        );
        assert_eq!(
            same_json(
                &json!({"date": "2008-07-09T16:13:30+12:00"}),
                &json!({"date": "2008-07-09T16:13:30Z"})
            ),
            Err("/date".to_owned())
        );
        assert_eq!(
            stem(Path::new("x/api.github.com.json.gz")),
            "api.github.com"
        );
        assert_eq!(stem(Path::new("ghes-3.17.json")), "ghes-3.17");
    }

    #[test]
    fn an_example_with_a_key_no_schema_describes_is_contradicted() {
        let doc = json!({"components": {"schemas": {
            "named": {"type": "object", "properties": {"name": {"type": "string"}}}
        }}});
        let example = |value: Value| codegen::census::Example {
            at: "/x".to_owned(),
            status: None,
            media: "application/json".to_owned(),
            value,
            schema: Some(json!({"allOf": [{"$ref": "#/components/schemas/named"}]})),
        };
        assert!(contradictions(&doc, &example(json!({"name": "a"})), None).is_empty());
        let extra = example(json!({"name": "a", "human_name": "b"}));
        let found = contradictions(&doc, &extra, Some("/human_name"));
        assert!(
            found.len() == 1 && found[0].contains("human_name"),
            "{found:?}"
        );
        // Dropped elsewhere than that key: the key is not the reason.
        assert!(contradictions(&doc, &extra, Some("/name")).is_empty());
        let found = contradictions(&doc, &example(json!({"name": 1})), None);
        assert!(
            found.len() == 1 && found[0].starts_with("/name"),
            "{found:?}"
        );
    }

    #[test]
    fn a_key_no_alternative_of_a_union_describes_is_contradicted() {
        // GHEC's SCIM patch: `value` is one of an object, a list or a string, and the
        // example's object has `displayName`, which the object alternative lacks.
        let doc = json!({});
        let example = codegen::census::Example {
            at: "/x".to_owned(),
            status: None,
            media: "application/json".to_owned(),
            value: json!({"value": {"displayName": "Octocat"}}),
            schema: Some(json!({"type": "object", "properties": {"value": {"oneOf": [
                {"type": "object", "properties": {"active": {"type": "boolean"}}},
                {"type": "array", "items": {"type": "string"}},
                {"type": "string"}
            ]}}})),
        };
        let found = contradictions(&doc, &example, Some("/value/displayName"));
        assert!(
            found.len() == 1 && found[0].starts_with("/value: "),
            "{found:?}"
        );
        // A key the alternative describes, dropped for another reason, is not one.
        assert!(contradictions(&doc, &example, Some("/value/active")).is_empty());
        // Another component describing a key of that name does not describe it here.
        let doc = json!({"components": {"schemas": {
            "group": {"type": "object", "properties": {"displayName": {"type": "string"}}}
        }}});
        let found = contradictions(&doc, &example, Some("/value/displayName"));
        assert!(found.len() == 1, "{found:?}");
    }

    #[test]
    fn a_value_that_breaks_a_typed_format_is_contradicted() {
        let doc = json!({});
        let example = |value: Value| codegen::census::Example {
            at: "/x".to_owned(),
            status: Some("200".to_owned()),
            media: "application/json".to_owned(),
            value,
            schema: Some(json!({"type": "object", "properties": {
                "scheduled_time": {"type": "string", "format": "date"},
                "contact": {"type": "string", "format": "email"}
            }})),
        };
        let found = contradictions(
            &doc,
            &example(json!({"scheduled_time": "2006-01-02T15:04:05+00:00"})),
            None,
        );
        assert!(
            found.len() == 1 && found[0].starts_with("/scheduled_time: "),
            "{found:?}"
        );
        assert!(
            contradictions(
                &doc,
                &example(json!({"scheduled_time": "2006-01-02"})),
                None
            )
            .is_empty()
        );
        // A format the type does not check (a string) is not why a decode failed.
        assert!(contradictions(&doc, &example(json!({"contact": "nobody"})), None).is_empty());
    }
}
