//! The examples GitHub's descriptions document against their own schemas
//! (`examples-contradicted/<description>.json`, written by `cargo xtask census --decode
//! --record-contradicted`) are data that stays true: each names where it is documented
//! and why no type decodes it, holds the example, and says where the description refuses
//! it. One on an operation of the vendored subset is refused by the vendored schema too.

use std::path::PathBuf;

use conformance::{description, schema};
use serde_json::Value;

fn lists() -> Vec<(PathBuf, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples-contradicted");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let list: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        found.push((path, list));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn each_contradicted_example_says_where_and_why() {
    let lists = lists();
    assert!(
        lists
            .iter()
            .any(|(p, _)| p.ends_with("api.github.com.json")),
        "the list for api.github.com is kept"
    );
    for (path, list) in &lists {
        let examples = list["examples"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no `examples` array", path.display()));
        assert!(
            !examples.is_empty(),
            "{}: an empty list is no file",
            path.display()
        );
        let mut previous = "";
        for entry in examples {
            let at = entry["at"].as_str().unwrap_or_default();
            let shown = format!("{} {at}", path.display());
            assert!(
                at.starts_with("/paths/"),
                "{shown}: not a JSON pointer into paths"
            );
            assert!(
                at.contains("/requestBody/content/") || at.contains("/responses/"),
                "{shown}: not a request body's or a response's example"
            );
            assert!(at > previous, "{shown}: not sorted, or twice");
            previous = at;
            assert!(
                entry["operation"].as_str().is_some_and(|o| !o.is_empty()),
                "{shown}: no operation"
            );
            assert_eq!(
                entry["status"].is_null(),
                at.contains("/requestBody/"),
                "{shown}: a status for a response only"
            );
            assert!(
                entry["why"].as_str().is_some_and(|w| !w.is_empty()),
                "{shown}: no reason"
            );
            let refused = entry["contradicted_at"].as_array().map_or(0, Vec::len);
            assert!(refused > 0, "{shown}: no place the description refuses it");
            assert!(
                entry.get("example").is_some(),
                "{shown}: the example is missing"
            );
        }
    }
}

#[test]
fn one_on_a_vendored_operation_is_refused_by_the_vendored_schema() {
    let doc = description::document().expect("vendored description parses");
    let vendored = description::operation_ids();
    for (path, list) in lists() {
        for entry in list["examples"].as_array().into_iter().flatten() {
            let operation = entry["operation"].as_str().unwrap_or_default();
            if !vendored.iter().any(|v| v == operation) {
                continue;
            }
            let status: u16 = entry["status"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| {
                    panic!(
                        "{}: {operation}: a request body example; check its schema here",
                        path.display()
                    )
                });
            let json_schema = schema::for_response(doc, operation, status)
                .unwrap_or_else(|| panic!("{operation} {status} has no JSON schema in the subset"));
            assert!(
                schema::validate(&json_schema, &entry["example"]).is_err(),
                "{}: {operation}'s example decodes against the vendored schema: remove it from the list",
                path.display()
            );
        }
    }
}
