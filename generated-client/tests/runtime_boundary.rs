//! The runtime's invariant, checked on its source: `src/runtime/` names nothing of the
//! crate outside itself (not the generated code, the handles or the transfers), and its
//! modules import one another without a circle. Comments are left out: a doc link may
//! point anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each runtime module's source, comments removed, by module name.
fn runtime_sources() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/runtime");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("src/runtime is there") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        let code: String = text
            .lines()
            .map(|line| line.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        sources.insert(name, code);
    }
    sources
}

/// The identifiers that follow `prefix` in `code` (`crate::` then `client`, say).
fn after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .filter(|(at, _)| {
            // `prefix` starting an identifier, not the tail of a longer one.
            code[..*at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
        .map(|(at, _)| {
            let rest = &code[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn the_runtime_names_nothing_outside_itself() {
    let sources = runtime_sources();
    assert!(
        sources.len() >= 8,
        "runtime modules found: {:?}",
        sources.keys()
    );
    let mut crossings = Vec::new();
    for (module, code) in &sources {
        for name in after(code, "crate::") {
            if name != "runtime" {
                crossings.push(format!("runtime/{module}.rs names crate::{name}"));
            }
        }
        // `super::super::` from a test module is the runtime itself; from a module of the
        // runtime, `super::` is the runtime and `super::super::` would leave it.
        if module != "mod" && code.contains("super::super::super::") {
            crossings.push(format!("runtime/{module}.rs leaves the runtime by super::"));
        }
    }
    assert!(crossings.is_empty(), "{crossings:#?}");
}

#[test]
fn the_runtime_modules_import_one_another_without_a_circle() {
    let sources = runtime_sources();
    let modules: BTreeSet<&str> = sources.keys().map(String::as_str).collect();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, code) in &sources {
        if module == "mod" {
            continue;
        }
        let named = after(code, "super::")
            .into_iter()
            .chain(after(code, "crate::runtime::"));
        for target in named {
            if target != module && modules.contains(target) {
                edges.entry(module).or_default().insert(target);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit<'a>(
        node: &'a str,
        edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node);
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    for module in &modules {
        let circle = visit(module, &edges, &mut Vec::new(), &mut done);
        assert!(circle.is_none(), "an import circle: {circle:?}");
    }
    // The check sees edges at all (error is imported by the others).
    assert!(edges.values().any(|targets| targets.contains("error")));
}
