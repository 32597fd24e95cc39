//! `cargo xtask generate --spec FILE --out DIR`: the client source for any description
//! (GitHub's whole API, GHEC, a GHES release), written under `target/`, never committed.
//!
//! It writes `DIR/src/generated.rs`, generated as the published crate's is. The crate
//! around it (a manifest, and a `lib.rs` over the runtime the published crate shares) is
//! not written yet: until the runtime is its own layer, the source compiles in place of
//! the published crate's `generated.rs`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
}

/// Runs `cargo xtask generate`.
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let target = root.join("target");
    let out = if options.out.is_relative() {
        root.join(&options.out)
    } else {
        options.out.clone()
    };
    if !out.starts_with(&target) {
        return Err(format!(
            "{} is outside {}: generated code for a whole description is never committed",
            out.display(),
            target.display()
        )
        .into());
    }
    let bytes = read_upstream(&options.spec)?;
    let shown = options.spec.display().to_string();
    let spec: openapiv3::OpenAPI = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{shown} is not an OpenAPI 3.0 document: {e}"))?;
    let read = started.elapsed();
    let generated = codegen::generate(
        &spec,
        &codegen::Source {
            path: &shown,
            sha256: &sha256_hex(&bytes),
        },
    )?;
    let generating = started.elapsed() - read;
    let file = out.join("src/generated.rs");
    fs::create_dir_all(out.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write_atomically(&file, &generated.code)
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    if options.verbose {
        for note in &generated.notes {
            println!("  {note}");
        }
    }
    println!(
        "generate: {} written ({} operations, {} types, {} lines, {} pass notes; read in {} ms, generated in {} ms)",
        file.display(),
        generated.operations,
        generated.types,
        generated.code.lines().count(),
        generated.notes.len(),
        read.as_millis(),
        generating.as_millis()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PING: &str = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/ping": {"get": {
        "operationId": "meta/ping", "responses": {"204": {"description": "pong"}}}}}}"#;

    #[test]
    fn writes_under_target_only() {
        let root = tempfile::tempdir().unwrap();
        let spec = root.path().join("ping.json");
        fs::write(&spec, PING).unwrap();
        let outside = Options {
            spec: spec.clone(),
            out: PathBuf::from("generated"),
            verbose: false,
        };
        let error = run(root.path(), &outside).unwrap_err();
        assert!(error.to_string().contains("never committed"), "{error}");
        assert!(!root.path().join("generated").exists());
        let inside = Options {
            spec,
            out: PathBuf::from("target/generated/ping"),
            verbose: false,
        };
        run(root.path(), &inside).unwrap();
        let code =
            fs::read_to_string(root.path().join("target/generated/ping/src/generated.rs")).unwrap();
        assert!(code.starts_with("// @generated"), "{code}");
        assert!(code.contains("pub fn ping("), "{code}");
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
