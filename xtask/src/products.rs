//! `cargo xtask products`: the published crate regenerated from each GitHub product's
//! description (GHEC, each GHES release), built and tested, in a copy of the workspace under
//! `target/products/`. The subset is cut from that product's description, the client
//! regenerated from it, and the crate's own tests run, hand-written layer included: its
//! code must not depend on a generated struct having exactly api.github.com's fields.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The products tried when none is named: those `cargo xtask descriptions` fetches.
pub const DEFAULT: [&str; 4] = ["ghec", "ghes-3.17", "ghes-3.18", "ghes-3.19"];

/// Runs `cargo xtask products [--spec FILE]...`. Every product is tried; the error lists
/// those that failed, with the step.
pub fn run(root: &Path, specs: &[PathBuf]) -> Result<(), Box<dyn std::error::Error>> {
    let specs: Vec<PathBuf> = if specs.is_empty() {
        let fetched = root
            .join("target/descriptions")
            .join(format!("openapi-{}", crate::descriptions::DEFAULT_VERSION));
        DEFAULT
            .iter()
            .map(|name| fetched.join(format!("{name}.json")))
            .collect()
    } else {
        specs.to_vec()
    };
    let shared_target = root.join("target/products/target");
    let mut failed = Vec::new();
    for spec in &specs {
        let spec = fs::canonicalize(spec).map_err(|e| {
            format!(
                "{}: {e} (`cargo xtask descriptions` fetches GitHub's descriptions)",
                spec.display()
            )
        })?;
        let name = spec
            .file_stem()
            .map_or_else(|| "product".into(), |s| s.to_string_lossy().into_owned());
        let copy = root.join("target/products").join(&name);
        println!(
            "products: {name}: copying the workspace to {}",
            copy.display()
        );
        copy_tracked_files(root, &copy)?;
        let from = spec.to_string_lossy();
        let steps: [(&str, Vec<&str>); 3] = [
            (
                "subset",
                vec![
                    "run", "-q", "-p", "xtask", "--", "subset", "--repin", "--from", &from,
                ],
            ),
            (
                "regenerate",
                vec!["run", "-q", "-p", "xtask", "--", "regenerate"],
            ),
            (
                "test",
                vec![
                    "test",
                    "-q",
                    "-p",
                    "github-release-assets",
                    "--all-features",
                ],
            ),
        ];
        let mut outcome = Ok(());
        for (step, args) in steps {
            println!("products: {name}: {step}");
            // The cargo running this command (through rustup's proxy, so the toolchain is
            // the workspace's, not one a dependency's `rust-toolchain.toml` names).
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let status = Command::new(cargo)
                .args(&args)
                .current_dir(&copy)
                .env("CARGO_TARGET_DIR", &shared_target)
                .status()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !status.success() {
                outcome = Err(format!("{name}: {step} failed ({status})"));
                break;
            }
        }
        match outcome {
            Ok(()) => println!("products: {name}: regenerated, built and tested"),
            Err(why) => {
                println!("products: {why}");
                failed.push(why);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; ").into())
    }
}

/// A fresh copy of the workspace's files at `to`: those git tracks, and new ones it does
/// not ignore (so uncommitted work is what gets tried).
fn copy_tracked_files(root: &Path, to: &Path) -> Result<(), Box<dyn std::error::Error>> {
    if to.exists() {
        fs::remove_dir_all(to).map_err(|e| format!("cannot remove {}: {e}", to.display()))?;
    }
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git ls-files: {e}"))?;
    if !listed.status.success() {
        return Err("git ls-files failed: the workspace must be a git clone".into());
    }
    for file in listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let relative = Path::new(std::str::from_utf8(file)?);
        let source = root.join(relative);
        // A tracked file deleted in the work tree is not copied.
        if !source.is_file() {
            continue;
        }
        let target = to.join(relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(&source, &target).map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
    }
    Ok(())
}
