//! The examples a description contradicts, kept as data: `conformance/examples-contradicted/
//! <description>.json` lists each example GitHub documents that its own schema refuses (a
//! required field left out, a number written as a string), with its JSON pointer, the
//! example itself, what decoding it said and where JSON Schema validation finds it wrong.
//!
//! `cargo xtask census --decode` requires every example to decode, or to be listed here;
//! one listed that decodes now, or one not listed that does not, fails it, so a change of
//! the description or of the generator shows in review. `--record-contradicted` rewrites
//! the list from what the census found (only examples the description contradicts: one the
//! generated type gets wrong is never listed).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::committed_file::write_atomically;

/// One example the description contradicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contradicted {
    /// Where the operation documents it.
    pub at: String,
    /// GitHub's operationId.
    pub operation: String,
    /// The response status, or null for the request body.
    pub status: Option<String>,
    /// What decoding it with the generated type said.
    pub why: String,
    /// Where its schema refuses it (`pointer: message`).
    pub contradicted_at: Vec<String>,
    /// The example.
    pub example: Value,
}

/// The committed file.
#[derive(Debug, Serialize, Deserialize)]
struct File {
    description: String,
    examples: Vec<Contradicted>,
}

/// Where the list for the description `stem` (`api.github.com`) is kept.
pub fn path(root: &Path, stem: &str) -> PathBuf {
    root.join("conformance/examples-contradicted")
        .join(format!("{stem}.json"))
}

/// The list at `path`, by JSON pointer; empty when there is none.
pub fn load(path: &Path) -> Result<BTreeMap<String, Contradicted>, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let file: File = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file
        .examples
        .into_iter()
        .map(|c| (c.at.clone(), c))
        .collect())
}

/// Writes the list for `spec` to `path`.
pub fn record(path: &Path, spec: &str, mut examples: Vec<Contradicted>) -> Result<(), String> {
    examples.sort_by(|a, b| a.at.cmp(&b.at));
    let file = File {
        description: format!(
            "Examples {spec} documents that its own schemas refuse: each decodes with no generated type, \
             and JSON Schema validation of the example against the description finds where \
             (contradicted_at). Written by `cargo xtask census --decode --record-contradicted`; \
             reviewed like a snapshot."
        ),
        examples,
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())? + "\n";
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomically(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What the census found, against the list.
#[derive(Debug, Default, PartialEq)]
pub struct Reconciled {
    /// Failures the list holds.
    pub known: usize,
    /// Failures it does not hold (pointer, why).
    pub unexpected: Vec<(String, String)>,
    /// Listed examples that decode now, or are documented no more.
    pub stale: Vec<String>,
}

/// Compares the failures found (pointer, why, whether the description contradicts it)
/// with the list.
pub fn reconcile(
    known: &BTreeMap<String, Contradicted>,
    failures: &[(String, String, bool)],
) -> Reconciled {
    let mut out = Reconciled::default();
    for (at, why, contradicted) in failures {
        if *contradicted && known.contains_key(at) {
            out.known += 1;
        } else {
            out.unexpected.push((at.clone(), why.clone()));
        }
    }
    out.stale = known
        .keys()
        .filter(|at| !failures.iter().any(|(f, _, c)| f == *at && *c))
        .cloned()
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(at: &str) -> Contradicted {
        Contradicted {
            at: at.to_owned(),
            operation: "teams/get".to_owned(),
            status: Some("200".to_owned()),
            why: "missing field `type`".to_owned(),
            contradicted_at: vec!["/: \"type\" is a required property".to_owned()],
            example: json!({"id": 1}),
        }
    }

    #[test]
    fn the_list_round_trips_and_reconciles() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path(), "api.github.com");
        assert!(load(&file).unwrap().is_empty());
        record(&file, "api.github.com.json", vec![entry("/b"), entry("/a")]).unwrap();
        let known = load(&file).unwrap();
        assert_eq!(known.keys().collect::<Vec<_>>(), ["/a", "/b"]);
        assert_eq!(known["/a"], entry("/a"));
        let found = reconcile(
            &known,
            &[
                ("/a".to_owned(), "missing".to_owned(), true),
                // Not listed; and listed but the type is what is wrong now.
                ("/c".to_owned(), "missing".to_owned(), true),
                ("/b".to_owned(), "dropped".to_owned(), false),
            ],
        );
        assert_eq!(found.known, 1);
        assert_eq!(
            found.unexpected,
            [
                ("/c".to_owned(), "missing".to_owned()),
                ("/b".to_owned(), "dropped".to_owned())
            ]
        );
        assert_eq!(found.stale, ["/b"]);
        fs::write(&file, "not json").unwrap();
        assert!(load(&file).unwrap_err().contains("api.github.com.json"));
    }
}
