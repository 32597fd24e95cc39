//! `cargo xtask descriptions`: GitHub's descriptions of every product (api.github.com,
//! GHEC, each GHES release) from the npm package `@octokit/openapi`, unpacked under
//! `target/descriptions/` for `census` and `generate`. Nothing of it is committed: the
//! project builds and tests from its vendored subset alone.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::subset::sha256_hex;

/// The package version taken when none is named: the one `openapi/subset.toml` pins.
pub const DEFAULT_VERSION: &str = "23.0.2";

/// Runs `cargo xtask descriptions [--version V]`: `npm pack`, then the package's
/// `generated/*.json` (the dereferenced copies left out) written to
/// `target/descriptions/openapi-V/`. Prints each file with its sha256.
pub fn run(root: &Path, version: &str) -> Result<(), Box<dyn std::error::Error>> {
    let out = root
        .join("target/descriptions")
        .join(format!("openapi-{version}"));
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let packed = Command::new("npm")
        .args(["pack", "--silent", &format!("@octokit/openapi@{version}")])
        .arg("--pack-destination")
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run npm (is Node.js installed?): {e}"))?;
    if !packed.status.success() {
        return Err(format!(
            "npm pack @octokit/openapi@{version} failed: {}",
            String::from_utf8_lossy(&packed.stderr).trim()
        )
        .into());
    }
    let tarball = out.join(String::from_utf8_lossy(&packed.stdout).trim());
    for (name, bytes) in descriptions_in(&tarball)? {
        let path = out.join(&name);
        // Written whole, then renamed: a killed run leaves no half file under the name.
        let partial = out.join(format!(".{name}.partial"));
        fs::write(&partial, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        fs::rename(&partial, &path)?;
        println!(
            "{}  sha256 {}",
            shown(root, &path).display(),
            sha256_hex(&bytes)
        );
    }
    fs::remove_file(&tarball).ok();
    Ok(())
}

/// The descriptions in an `@octokit/openapi` tarball: `package/generated/NAME.json`, not
/// the `.deref.json` copies, by file name.
fn descriptions_in(tarball: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let file =
        fs::File::open(tarball).map_err(|e| format!("cannot open {}: {e}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut found = Vec::new();
    let unreadable = |e: std::io::Error| format!("cannot read {}: {e}", tarball.display());
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        let path = entry
            .path()
            .map_err(unreadable)?
            .to_string_lossy()
            .into_owned();
        let Some(name) = path.strip_prefix("package/generated/") else {
            continue;
        };
        if name.contains('/') || !name.ends_with(".json") || name.ends_with(".deref.json") {
            continue;
        }
        let name = name.to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(unreadable)?;
        found.push((name, bytes));
    }
    if found.is_empty() {
        return Err(format!(
            "{} holds no package/generated/*.json",
            tarball.display()
        ));
    }
    found.sort();
    Ok(found)
}

fn shown(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map_or_else(|_| path.to_owned(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_plain_generated_descriptions_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let tarball = dir.path().join("p.tgz");
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            fs::File::create(&tarball).unwrap(),
            flate2::Compression::fast(),
        ));
        for (path, body) in [
            ("package/generated/ghec.json", "{}"),
            ("package/generated/ghec.deref.json", "{\"deref\": 1}"),
            ("package/generated/api.github.com.json", "{\"a\": 1}"),
            ("package/package.json", "{}"),
            ("package/generated/nested/x.json", "{}"),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, body.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap();
        let names: Vec<String> = descriptions_in(&tarball)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["api.github.com.json", "ghec.json"]);
    }
}
