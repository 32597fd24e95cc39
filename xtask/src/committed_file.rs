//! Files the commands write into the repository: written atomically, and compared
//! with what would be written for `--check`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A committed file that differs from what its command would write.
#[derive(Debug, thiserror::Error)]
#[error("{} is stale ({changed} lines differ): run `{fix}` and commit the result", path.display())]
pub struct Stale {
    pub path: PathBuf,
    pub changed: usize,
    pub fix: String,
}

/// How many lines of a diff `--check` prints.
const DIFF_LINES: usize = 400;

/// Writes `text` to `path` through a temporary file in the same directory, synced and
/// then renamed over the target: a failure at any point leaves the old file as it was.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    // A temporary file is private (0600); a committed file keeps the mode it had, or gets
    // the usual one for a new file.
    match fs::metadata(path) {
        Ok(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        Err(_) => set_new_file_permissions(tmp.as_file())?,
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_new_file_permissions(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_permissions(_: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Compares the file at `path` (missing counts as empty) with `expected`. When they
/// differ, prints a unified diff (committed -> expected) to stderr and returns [`Stale`].
pub fn check_unchanged(path: &Path, expected: &str, fix: &str) -> Result<(), Stale> {
    let current = fs::read_to_string(path).unwrap_or_default();
    if current == expected {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(current.as_str(), expected);
    let changed = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    let name = path.display().to_string();
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (expected)"),
        )
        .to_string();
    // A regenerated file can differ everywhere; the head of the diff says enough.
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(DIFF_LINES) {
        eprintln!("{line}");
    }
    if lines.len() > DIFF_LINES {
        eprintln!("... {} more diff lines", lines.len() - DIFF_LINES);
    }
    Err(Stale {
        path: path.to_owned(),
        changed,
        fix: fix.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        write_atomically(&path, "one\n").unwrap();
        write_atomically(&path, "two\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two\n");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary file left behind");
    }

    #[test]
    fn check_reports_stale_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        let missing = check_unchanged(&path, "a\n", "fix it").unwrap_err();
        assert_eq!(missing.changed, 1);
        fs::write(&path, "a\nb\n").unwrap();
        assert!(check_unchanged(&path, "a\nb\n", "fix it").is_ok());
        let stale = check_unchanged(&path, "a\nc\n", "fix it").unwrap_err();
        assert_eq!(stale.changed, 2);
        assert!(stale.to_string().contains("run `fix it`"), "{stale}");
    }
}
