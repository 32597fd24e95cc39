//! `cargo xtask census --spec FILE`: what the generator makes of a description, operation by
//! operation (generated alone or why not, the hard kinds it is, GitHub's examples for it),
//! then totals. `--json` prints the same as one JSON object; `--verbose` adds every note the
//! passes made, by JSON pointer. Fails when an operation, or the whole document, does not
//! generate.

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
    let seconds = started.elapsed().as_secs_f64();
    if options.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&as_json(&census, options.verbose))?
        );
    } else {
        print_table(&census, options.verbose, seconds);
    }
    let failed = census.operations.len() - census.generated();
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

fn print_table(census: &codegen::census::Census, verbose: bool, seconds: f64) {
    for op in &census.operations {
        let kinds: Vec<&str> = op.kinds.iter().map(|k| k.name()).collect();
        let state = match &op.generated {
            Ok(()) => "generated".to_owned(),
            Err(why) => format!("NOT GENERATED: {}", first_line(why)),
        };
        println!(
            "{} {} {} ({}): {state}; kinds [{}]; {} examples; {} notes",
            op.upstream_id,
            op.method.to_uppercase(),
            op.path,
            op.name,
            kinds.join(", "),
            op.examples,
            op.notes.len()
        );
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
    let notes: Vec<String> = census
        .notes_by_pass()
        .iter()
        .map(|(pass, n)| format!("{pass} {n}"))
        .collect();
    println!("notes by pass: {}", notes.join(", "));
    println!("census took {seconds:.1} s");
}

fn as_json(census: &codegen::census::Census, verbose: bool) -> Value {
    let operations: Vec<Value> = census
        .operations
        .iter()
        .map(|op| {
            let mut entry = json!({
                "operation_id": op.upstream_id,
                "name": op.name,
                "method": op.method,
                "path": op.path,
                "generated": op.generated.is_ok(),
                "kinds": op.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
                "examples": op.examples,
                "notes": op.notes.len(),
            });
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
