//! `cargo xtask generate --spec FILE --out DIR`: the client source for any description
//! (GitHub's whole API, GHEC, a GHES release), written under `target/`, never committed.
//!
//! It writes a crate in `DIR`: `src/generated.rs`, generated as the published crate's is;
//! a `src/lib.rs` that re-exports the published crate's runtime as its own
//! `crate::runtime` (the one module the generated code calls) and gives a `Client` over it;
//! a manifest whose dependencies are the workspace's own pins, and the workspace's
//! `Cargo.lock`, so it builds with the versions the published crate is tested with.
//! `--compile` then runs `cargo check` on it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::committed_file::write_atomically;
use crate::subset::{read_upstream, sha256_hex};

/// What `cargo xtask generate` is given.
pub struct Options {
    /// The description: plain or gzip-compressed JSON.
    pub spec: PathBuf,
    /// Where the source goes; under the workspace's `target/`.
    pub out: PathBuf,
    /// Print every note of the passes.
    pub verbose: bool,
    /// Run `cargo check` on the crate written.
    pub compile: bool,
    /// Add the module that decodes GitHub's examples with the generated types, and the
    /// program that runs it (`decode-examples`).
    pub examples: bool,
}

/// The workspace dependencies the generated code names (besides the published crate).
const DEPENDENCIES: [&str; 5] = [
    "chrono",
    "progenitor-client",
    "reqwest",
    "serde",
    "serde_json",
];

/// Runs `cargo xtask generate`.
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let extras = Extras {
        examples: options.examples,
        replay: false,
        // A crate of a whole description: a feature per tag, all on by default.
        features: true,
    };
    let written = write_crate(root, &options.spec, &options.out, extras)?;
    let generated = &written.generated;
    if options.verbose {
        for note in &generated.notes {
            println!("  {note}");
        }
    }
    println!(
        "generate: {} written ({} operations, {} types of which {} are aliases of the same Rust, {} lines, {} pass notes; read in {} ms, generated in {} ms)",
        written.dir.join("src/generated.rs").display(),
        generated.operations,
        generated.types,
        generated.aliases,
        generated.code.lines().count(),
        generated.notes.len(),
        written.read.as_millis(),
        written.generating.as_millis()
    );
    if options.compile {
        cargo(&written.dir, "check", &root.join("target/generated/target"))?;
    }
    Ok(())
}

/// A crate [`write_crate`] wrote.
pub struct Written {
    /// Its directory.
    pub dir: PathBuf,
    /// What the generator made.
    pub generated: codegen::Generated,
    /// Time to read the description.
    pub read: Duration,
    /// Time to generate.
    pub generating: Duration,
}

/// What a crate [`write_crate`] writes carries besides the generated code: codegen's
/// modules, each with its program (`decode-examples`; `replay`, which needs tokio).
pub use codegen::Extras;

/// Writes the crate for the description `spec` into `out` (under the workspace's
/// `target/`), with the `extras` asked for.
pub fn write_crate(
    root: &Path,
    spec: &Path,
    out: &Path,
    extras: Extras,
) -> Result<Written, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let target = root.join("target");
    let out = if out.is_relative() {
        root.join(out)
    } else {
        out.to_path_buf()
    };
    if !out.starts_with(&target) {
        return Err(format!(
            "{} is outside {}: generated code for a whole description is never committed",
            out.display(),
            target.display()
        )
        .into());
    }
    let bytes = read_upstream(spec)?;
    let shown = spec.display().to_string();
    let spec: openapiv3::OpenAPI = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{shown} is not an OpenAPI 3.0 document: {e}"))?;
    let read = started.elapsed();
    let generated = codegen::generate_with(
        &spec,
        &codegen::Source {
            path: &shown,
            sha256: &sha256_hex(&bytes),
        },
        extras,
    )?;
    let generating = started.elapsed() - read;
    fs::create_dir_all(out.join("src/bin"))
        .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let name = crate_name(&out);
    let mut files = vec![
        (out.join("src/generated.rs"), generated.code.clone()),
        (
            out.join("Cargo.toml"),
            manifest(root, &name, extras.replay, &generated.features)?,
        ),
        (
            out.join("src/lib.rs"),
            lib_rs(&shown, generated.operations, extras),
        ),
    ];
    let optional = [
        (
            extras.examples,
            [
                (
                    out.join("src/examples.rs"),
                    generated.example_decoders.clone().unwrap_or_default(),
                ),
                (
                    out.join("src/bin/decode-examples.rs"),
                    decode_examples_rs(&name),
                ),
            ],
        ),
        (
            extras.replay,
            [
                (
                    out.join("src/replay.rs"),
                    generated.replay_calls.clone().unwrap_or_default(),
                ),
                (out.join("src/bin/replay.rs"), replay_rs(&name)),
            ],
        ),
    ];
    for (wanted, extra) in optional {
        if wanted {
            files.extend(extra);
        } else {
            // A crate written again without them builds without them.
            for (path, _) in extra.iter().filter(|(path, _)| path.exists()) {
                fs::remove_file(path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    for (path, text) in files {
        write_atomically(&path, &text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    // The workspace's lock: the same versions as the published crate is tested with
    // (cargo drops what this crate does not use).
    fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock to {}: {e}", out.display()))?;
    Ok(Written {
        dir: out,
        generated,
        read,
        generating,
    })
}

/// Decodes `examples` (each `{"operation", "status" or null, "media", "value"}`) with the crate in
/// `dir` (written with its decoders): builds it, runs `decode-examples`, and gives for
/// each either the request body encoded back (`Ok`, null for a response) or why not.
pub fn decode_examples(
    root: &Path,
    dir: &Path,
    examples: &[Value],
) -> Result<Vec<Result<Value, String>>, Box<dyn std::error::Error>> {
    let input = dir.join("examples.json");
    write_atomically(&input, &serde_json::to_string(examples)?)
        .map_err(|e| format!("cannot write {}: {e}", input.display()))?;
    let output = build_and_run(root, dir, "decode-examples", &[input.as_os_str()])?;
    let program = "decode-examples";
    let results: Vec<Value> = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{program} printed no JSON array: {e}"))?;
    if results.len() != examples.len() {
        return Err(format!(
            "{program} answered {} results for {} examples",
            results.len(),
            examples.len()
        )
        .into());
    }
    Ok(results
        .into_iter()
        .map(|r| match r.get("error").and_then(Value::as_str) {
            Some(why) => Err(why.to_owned()),
            None => Ok(r.get("encoded").cloned().unwrap_or(Value::Null)),
        })
        .collect())
}

/// Builds the crate in `dir` and runs its program `program` with `args`: its output, or
/// an error with its standard error when it fails.
pub fn build_and_run(
    root: &Path,
    dir: &Path,
    program: &str,
    args: &[&std::ffi::OsStr],
) -> Result<std::process::Output, Box<dyn std::error::Error>> {
    // Built into the workspace's own target directory: the dependencies the tests built
    // are reused (a second build of them costs minutes and gigabytes).
    let target = root.join("target");
    cargo(dir, "build", &target)?;
    let path = target
        .join("debug")
        .join(format!("{program}{}", std::env::consts::EXE_SUFFIX));
    let output = Command::new(&path)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(output)
}

/// `cargo check` or `cargo build` of the crate in `dir`, into `target`. Progress goes to
/// standard error, so `--json` stays one object.
fn cargo(dir: &Path, command: &str, target: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([command, "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo {command} of {} failed ({status})", dir.display()).into());
    }
    eprintln!(
        "generate: cargo {command} of {} passed in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A package name from the directory's (`target/generated/ghes-3.17` gives
/// `generated-ghes-3-17`).
pub fn crate_name(dir: &Path) -> String {
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("generated-{}", cleaned.trim_matches('-'))
}

/// A dependency's pin with `key` set, whether the pin is an inline table or a table.
fn with_key(mut pin: toml_edit::Item, key: &str, value: toml_edit::Value) -> toml_edit::Item {
    if let Some(table) = pin.as_inline_table_mut() {
        table.insert(key, value);
    } else if let Some(table) = pin.as_table_like_mut() {
        table.insert(key, toml_edit::Item::Value(value));
    }
    pin
}

/// The crate's manifest: the workspace's pins of what the generated code names, and the
/// published crate (its runtime) by path. Its own `[workspace]`, so cargo does not take it
/// for a member of this one.
fn manifest(
    root: &Path,
    name: &str,
    replay: bool,
    features: &[String],
) -> Result<String, Box<dyn std::error::Error>> {
    let text = fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("cannot read the workspace's Cargo.toml: {e}"))?;
    let workspace: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("the workspace's Cargo.toml: {e}"))?;
    let pins = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .ok_or("the workspace's Cargo.toml has no [workspace.dependencies]")?;
    let edition = workspace
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("edition"))
        .and_then(|e| e.as_str())
        .unwrap_or("2024");
    let mut doc = toml_edit::DocumentMut::new();
    doc["package"] = toml_edit::table();
    doc["package"]["name"] = toml_edit::value(name);
    doc["package"]["version"] = toml_edit::value("0.0.0");
    doc["package"]["edition"] = toml_edit::value(edition);
    doc["package"]["publish"] = toml_edit::value(false);
    doc["dependencies"] = toml_edit::table();
    for dependency in DEPENDENCIES {
        let pin = pins
            .get(dependency)
            .ok_or_else(|| format!("the workspace does not pin {dependency}"))?;
        doc["dependencies"][dependency] = pin.clone();
    }
    // The types derive `JsonSchema` only with the `schemars` feature, as the published
    // crate's do.
    let schemars = pins
        .get("schemars")
        .ok_or("the workspace does not pin schemars")?;
    doc["dependencies"]["schemars"] = with_key(schemars.clone(), "optional", true.into());
    doc["features"] = toml_edit::table();
    doc["features"]["schemars"] = toml_edit::value(toml_edit::Array::from_iter(["dep:schemars"]));
    // A feature per tag gates its operations and the types they reach; all on by default.
    if !features.is_empty() {
        doc["features"]["default"] = toml_edit::value(toml_edit::Array::from_iter(
            features.iter().map(String::as_str),
        ));
        for feature in features {
            doc["features"][feature.as_str()] = toml_edit::value(toml_edit::Array::new());
        }
        // `Serialize` on the types only answers use, off by default (codegen's
        // `serialize_feature`).
        doc["features"][codegen::serialize_feature::FEATURE] =
            toml_edit::value(toml_edit::Array::new());
    }
    if replay {
        // The program `replay` runs the calls on tokio.
        let tokio = pins
            .get("tokio")
            .ok_or("the workspace does not pin tokio")?;
        let features = toml_edit::Array::from_iter(["macros", "rt"]);
        doc["dependencies"]["tokio"] = with_key(tokio.clone(), "features", features.into());
        // The calls with `stream()` read it with `StreamExt::next`.
        let futures = pins
            .get("futures-util")
            .ok_or("the workspace does not pin futures-util")?
            .clone();
        doc["dependencies"]["futures-util"] = futures;
    }
    let runtime = root.join("generated-client");
    let mut published = toml_edit::InlineTable::new();
    published.insert("path", runtime.display().to_string().into());
    doc["dependencies"]["github-release-assets"] = toml_edit::value(published);
    doc["workspace"] = toml_edit::table();
    Ok(format!(
        "# Written by `cargo xtask generate`; not committed.\n{doc}"
    ))
}

/// The crate's `lib.rs`: the published crate's runtime as `crate::runtime`, the generated
/// modules, and a `Client` made from a `ClientBuilder`.
fn lib_rs(spec: &str, operations: usize, extras: Extras) -> String {
    let mut modules = String::new();
    for (wanted, doc, module) in [
        (
            extras.examples,
            "GitHub's documented examples, decoded with the generated types.",
            "examples",
        ),
        (
            extras.replay,
            "Any operation called from data, for replays against a loopback server.",
            "replay",
        ),
    ] {
        if wanted {
            modules.push_str(&format!(
                "\n/// {doc}\n#[doc(hidden)]\n#[rustfmt::skip]\n\
                 #[allow(clippy::all, clippy::pedantic, unused_imports, dead_code)]\npub mod {module};\n"
            ));
        }
    }
    let examples = modules;
    format!(
        r#"//! Every operation of `{spec}` ({operations}), generated by `cargo xtask generate`
//! over the runtime of `github-release-assets`: the same settings, hooks, token policy,
//! retries and errors as the published crate.
//!
//! Each tag of the description is a cargo feature, all on by default: with
//! `default-features = false` and the tags used, only their operations and the types
//! they reach compile. The types only answers use derive `serde::Serialize` with the
//! `serialize-answers` feature (a client only decodes them).
//!
//! ```no_run
//! # async fn run() -> Result<(), github_release_assets::Error> {{
//! let client = Client::new(github_release_assets::ClientBuilder::new("https://api.github.com"))?;
//! let operations = client.operations();
//! # let _ = operations; Ok(()) }}
//! ```
#![forbid(unsafe_code)]

// The one module the generated code calls, as the published crate names it.
pub use github_release_assets::runtime;
pub use github_release_assets::{{ClientBuilder, Error, Response, Token}};

#[rustfmt::skip]
#[allow(
    clippy::all,
    clippy::pedantic,
    unused_imports,
    dead_code,
    missing_docs,
    non_camel_case_types,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
mod generated;

pub use generated::{{operations, types}};
{examples}
/// A client for every operation of the description. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client(std::sync::Arc<generated::Client>);

impl Client {{
    /// A client with the settings `builder` gives (token, hosts, timeouts, retries).
    pub fn new(builder: ClientBuilder) -> Result<Self, Error> {{
        let parts = builder.into_parts()?;
        Ok(Self(std::sync::Arc::new(generated::Client::new_with_client(
            &parts.base_url,
            parts.http,
            parts.settings,
        ))))
    }}

    /// Every operation, as a builder.
    pub fn operations(&self) -> operations::Operations<'_> {{
        operations::Operations::new(&self.0)
    }}
}}
"#
    )
}

/// The program that decodes the examples of a JSON file (its first argument) with the
/// crate's decoders, and prints one result per example, in order.
fn decode_examples_rs(package: &str) -> String {
    let krate = package.replace('-', "_");
    format!(
        r#"//! Decodes the examples of the JSON array in the file its argument names (each
//! `{{"operation", "status", "media", "value"}}`; `status` null for a request body) with the
//! generated types, and prints a JSON array: for each, `{{"encoded": ...}}` (a request body
//! encoded back, null for a response) or `{{"error": why}}`.

use std::process::ExitCode;

use {krate}::examples;

fn main() -> ExitCode {{
    let Some(path) = std::env::args_os().nth(1) else {{
        eprintln!("usage: decode-examples EXAMPLES.json");
        return ExitCode::FAILURE;
    }};
    let list: Vec<serde_json::Value> = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
    {{
        Ok(list) => list,
        Err(e) => {{
            eprintln!("{{}}: {{e}}", std::path::Path::new(&path).display());
            return ExitCode::FAILURE;
        }}
    }};
    let results: Vec<serde_json::Value> = list
        .iter()
        .map(|example| {{
            let operation = example["operation"].as_str().unwrap_or_default();
            let value = &example["value"];
            let media = example["media"].as_str().unwrap_or("application/json");
            let result = match example["status"].as_str() {{
                Some(status) => examples::response(operation, status, media, value).map(|()| serde_json::Value::Null),
                None => examples::request(operation, value),
            }};
            match result {{
                Ok(encoded) => serde_json::json!({{"encoded": encoded}}),
                Err(why) => serde_json::json!({{"error": why}}),
            }}
        }})
        .collect();
    println!("{{}}", serde_json::Value::Array(results));
    ExitCode::SUCCESS
}}
"#
    )
}

/// The program that calls each case of the JSON array in the file its first argument
/// names (each `{"operation", "stream", "media", "args", "body"}`) against `ROOT/case/INDEX` (`ROOT` its
/// second argument, the API and uploads host alike) with the token its third argument
/// gives, one client per case, and prints a JSON array: for each, `{"outcome": what
/// send() answered}` or `{"error": why the call could not be made}`.
fn replay_rs(package: &str) -> String {
    let krate = package.replace('-', "_");
    format!(
        r#"//! Calls each case of a JSON file against a loopback server (see `cargo xtask
//! replay-sample`).

use std::process::ExitCode;

use {krate}::{{replay, Client, ClientBuilder}};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {{
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, root, token] = &args[..] else {{
        eprintln!("usage: replay CASES.json ROOT_URL TOKEN");
        return ExitCode::FAILURE;
    }};
    let cases: Vec<serde_json::Value> = match std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
    {{
        Ok(cases) => cases,
        Err(e) => {{
            eprintln!("{{path}}: {{e}}");
            return ExitCode::FAILURE;
        }}
    }};
    let empty = serde_json::Map::new();
    let mut results = Vec::new();
    for (index, case) in cases.iter().enumerate() {{
        let base = format!("{{root}}/case/{{index}}");
        let client = match Client::new(
            ClientBuilder::new(base.clone())
                .uploads_url(base)
                .token(token.as_str()),
        ) {{
            Ok(client) => client,
            Err(e) => {{
                eprintln!("case {{index}}: no client: {{e}}");
                return ExitCode::FAILURE;
            }}
        }};
        let operation = case["operation"].as_str().unwrap_or_default();
        let args = case["args"].as_object().unwrap_or(&empty);
        let body = case.get("body").filter(|b| !b.is_null());
        let media = case["media"].as_str();
        let stream = case["stream"].as_bool().unwrap_or(false);
        results.push(match replay::call(&client, operation, stream, media, args, body).await {{
            Ok(outcome) => serde_json::json!({{"outcome": outcome}}),
            Err(why) => serde_json::json!({{"error": why}}),
        }});
    }}
    println!("{{}}", serde_json::Value::Array(results));
    ExitCode::SUCCESS
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PING: &str = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/ping": {"get": {
        "operationId": "meta/ping", "responses": {"204": {"description": "pong"}}}}}}"#;

    #[test]
    fn writes_a_crate_under_target_only() {
        let root = tempfile::tempdir().unwrap();
        // The workspace's manifest and lock, which the crate takes its pins from.
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for file in ["Cargo.toml", "Cargo.lock"] {
            fs::copy(workspace.join(file), root.path().join(file)).unwrap();
        }
        let spec = root.path().join("ping.json");
        fs::write(&spec, PING).unwrap();
        let outside = Options {
            spec: spec.clone(),
            out: PathBuf::from("generated"),
            verbose: false,
            compile: false,
            examples: false,
        };
        let error = run(root.path(), &outside).unwrap_err();
        assert!(error.to_string().contains("never committed"), "{error}");
        assert!(!root.path().join("generated").exists());
        let inside = Options {
            spec,
            out: PathBuf::from("target/generated/ping"),
            verbose: false,
            compile: false,
            examples: false,
        };
        run(root.path(), &inside).unwrap();
        let code =
            fs::read_to_string(root.path().join("target/generated/ping/src/generated.rs")).unwrap();
        assert!(code.starts_with("// @generated"), "{code}");
        assert!(code.contains("pub fn ping("), "{code}");
        let dir = root.path().join("target/generated/ping");
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for expected in [
            "name = \"generated-ping\"",
            "progenitor-client = ",
            "github-release-assets = { path = ",
            "[workspace]",
        ] {
            assert!(manifest.contains(expected), "{expected} not in\n{manifest}");
        }
        let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(
            lib.contains("pub use github_release_assets::runtime;"),
            "{lib}"
        );
        assert!(dir.join("Cargo.lock").exists());
        assert!(!dir.join("src/examples.rs").exists());
        assert!(!lib.contains("pub mod examples;"), "{lib}");
        // With the examples' decoders: the module, and the program that runs it.
        let with_examples = Options {
            examples: true,
            ..inside
        };
        run(root.path(), &with_examples).unwrap();
        let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains("pub mod examples;"), "{lib}");
        let decoders = fs::read_to_string(dir.join("src/examples.rs")).unwrap();
        assert!(
            decoders.contains("pub fn response(") && decoders.contains("(\"ping\", _, _) =>"),
            "{decoders}"
        );
        let program = fs::read_to_string(dir.join("src/bin/decode-examples.rs")).unwrap();
        assert!(
            program.contains("use generated_ping::examples;"),
            "{program}"
        );
        // Written again without them, the program goes: the crate builds without it.
        run(
            root.path(),
            &Options {
                examples: false,
                ..with_examples
            },
        )
        .unwrap();
        assert!(!dir.join("src/bin/decode-examples.rs").exists());
        assert!(!dir.join("src/examples.rs").exists());
    }

    #[test]
    fn a_description_that_cannot_be_generated_writes_nothing() {
        let root = tempfile::tempdir().unwrap();
        let spec = root.path().join("bad.json");
        fs::write(&spec, PING.replace("3.0.3", "3.1.0")).unwrap();
        let options = Options {
            spec,
            out: PathBuf::from("target/generated/bad"),
            verbose: false,
            compile: false,
            examples: false,
        };
        let error = run(root.path(), &options).unwrap_err();
        assert!(error.to_string().contains("/openapi"), "{error}");
        assert!(
            !root
                .path()
                .join("target/generated/bad/src/generated.rs")
                .exists()
        );
    }
}
