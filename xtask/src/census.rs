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
//! pointer and why, and the census fails.

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
}

/// What decoding an operation's examples found: for each of its examples, in order, `None`
/// when it decoded, or why not.
type Decoded = Vec<Vec<Option<String>>>;

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
        Some(decode(root, &spec_path, &census)?)
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
    if let Some(decoded) = total_decoded(&census, decoded.as_ref())
        && failed == 0
        && census.whole.is_ok()
        && decoded < census.examples()
    {
        return Err(format!(
            "{shown}: {} of {} examples do not decode (listed above with their JSON pointers)",
            census.examples() - decoded,
            census.examples()
        )
        .into());
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

/// Decodes every example of `census` with the crate generated from `spec`.
fn decode(
    root: &Path,
    spec: &Path,
    census: &codegen::census::Census,
) -> Result<Decoded, Box<dyn std::error::Error>> {
    let out = root
        .join("target/generated")
        .join(format!("{}-examples", stem(spec)));
    let written = crate::generate::write_crate(root, spec, &out, true)?;
    let examples: Vec<Value> = census
        .operations
        .iter()
        .flat_map(|op| {
            op.examples.iter().map(|example| {
                json!({"operation": op.name, "status": example.status, "value": example.value})
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
            own.push(match (result, &example.status) {
                (Err(why), _) => Some(why),
                (Ok(_), Some(_)) => None,
                (Ok(encoded), None) => same_json(&example.value, &encoded)
                    .err()
                    .map(|at| format!("encodes back differently at {at}: {encoded}")),
            });
        }
        decoded.push(own);
    }
    Ok(decoded)
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

/// Whether `encoded` is `example` again: key order, a null against an absent key and
/// `1` against `1.0` aside. Else the JSON pointer where they differ.
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
            for (example, why) in op.examples.iter().zip(&decoded[index]) {
                if let Some(why) = why {
                    println!(
                        "    example {} does not decode: {}",
                        example.at,
                        first_line(why)
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
                    .filter_map(|(example, why)| {
                        why.as_ref()
                            .map(|why| json!({"at": example.at, "why": why}))
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
            stem(Path::new("x/api.github.com.json.gz")),
            "api.github.com"
        );
        assert_eq!(stem(Path::new("ghes-3.17.json")), "ghes-3.17");
    }
}
