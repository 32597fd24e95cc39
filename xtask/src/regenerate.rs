//! `cargo xtask regenerate`: the vendored subset -> `generated-client/src/generated.rs`.

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::committed_file;
use crate::subset::sha256_hex;

/// The vendored description, relative to the workspace root.
pub const SPEC: &str = "openapi/github-release-assets.json";
/// The generated file, relative to the workspace root.
pub const GENERATED: &str = "generated-client/src/generated.rs";

/// Runs `cargo xtask regenerate [--check]` from the workspace root `root`.
pub fn run(root: &Path, check: bool) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let spec_path = root.join(SPEC);
    let bytes = fs::read(&spec_path).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let spec: openapiv3::OpenAPI = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{SPEC} is not an OpenAPI 3.0 document: {e}"))?;
    let sha256 = sha256_hex(&bytes);
    let generated = codegen::generate(
        &spec,
        &codegen::Source {
            path: SPEC,
            sha256: &sha256,
        },
    )?;
    let target = root.join(GENERATED);
    if check {
        committed_file::check_unchanged(&target, &generated.code, "cargo xtask regenerate")?;
    } else {
        committed_file::write_atomically(&target, &generated.code)?;
        if std::env::var_os("XTASK_VERBOSE").is_some() {
            for note in &generated.notes {
                println!("  {note}");
            }
        }
    }
    println!(
        "regenerate: {GENERATED} {} ({} operations, {} types of which {} are aliases, {} pass notes, {} ms)",
        if check { "is up to date" } else { "written" },
        generated.operations,
        generated.types,
        generated.aliases,
        generated.notes.len(),
        started.elapsed().as_millis()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace root with `spec` as the vendored description and a committed file.
    fn root_with(spec: &str) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("openapi")).unwrap();
        fs::create_dir_all(root.path().join("generated-client/src")).unwrap();
        fs::write(root.path().join(SPEC), spec).unwrap();
        fs::write(root.path().join(GENERATED), "// committed\n").unwrap();
        root
    }

    fn committed(root: &tempfile::TempDir) -> String {
        fs::read_to_string(root.path().join(GENERATED)).unwrap()
    }

    #[test]
    fn malformed_json_leaves_the_committed_file_untouched() {
        let root = root_with("{\"openapi\": \"3.0.3\", ");
        let err = run(root.path(), false).unwrap_err();
        assert!(
            err.to_string().contains("is not an OpenAPI 3.0 document"),
            "{err}"
        );
        assert_eq!(committed(&root), "// committed\n");
    }

    #[test]
    fn an_invalid_description_leaves_the_committed_file_untouched() {
        let root = root_with(
            r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
                "operationId": "a", "responses": {"200": {"$ref": "#/components/responses/gone"}}}}}}"##,
        );
        let err = run(root.path(), false).unwrap_err();
        assert!(
            err.to_string()
                .contains("/paths/~1a/get/responses/200/$ref"),
            "{err}"
        );
        assert_eq!(committed(&root), "// committed\n");
    }

    #[test]
    fn check_fails_on_a_stale_file_and_passes_after_regenerating() {
        let root = root_with(
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
                "operationId": "a", "responses": {"204": {"description": "none"}}}}}}"#,
        );
        assert!(run(root.path(), true).is_err());
        assert_eq!(committed(&root), "// committed\n", "--check wrote");
        run(root.path(), false).unwrap();
        assert!(committed(&root).starts_with("// @generated"));
        run(root.path(), true).unwrap();
    }
}
