//! `cargo xtask subset`: cut the operations the crate covers, and everything they
//! reference, out of GitHub's full REST API description.
//!
//! The extraction itself ([`extract`]) is a pure function over JSON values, so it is tested
//! on small documents; the command around it reads `openapi/subset.toml`, checks the
//! upstream file's sha256 and writes (or `--check`s) the vendored subset.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::committed_file;

/// The HTTP methods a path item may hold, in the order OpenAPI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The name under which the subset records where it came from.
pub const PROVENANCE_KEY: &str = "x-subset-of";

/// Why a subset could not be made. Each renders as one line naming the cause.
#[derive(Debug, thiserror::Error)]
pub enum SubsetError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error(
        "sha256 mismatch for {path}: subset.toml pins {pinned}, the file has {actual} \
         (pass --repin to accept this file)"
    )]
    Sha256Mismatch {
        path: PathBuf,
        pinned: String,
        actual: String,
    },
    #[error("operationId not found upstream: {}", .0.join(", "))]
    MissingOperations(Vec<String>),
    #[error("dangling $ref {reference} at {at}")]
    DanglingRef { reference: String, at: String },
    #[error(
        "unsupported $ref {reference} at {at}: only local #/components/... references are kept"
    )]
    UnsupportedRef { reference: String, at: String },
    #[error("upstream description has no `paths` object")]
    NoPaths,
}

/// What `openapi/subset.toml` says.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsetConfig {
    pub package: String,
    pub version: String,
    pub sha256: String,
    pub output: String,
    pub operations: Vec<String>,
}

impl SubsetConfig {
    /// Parses the text of `subset.toml`; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SubsetError> {
        let bad = |message: String| SubsetError::Config {
            path: path.to_owned(),
            message,
        };
        let doc: toml_edit::DocumentMut = text.parse().map_err(|e| bad(format!("{e}")))?;
        let string = |table: &str, key: &str| -> Result<String, SubsetError> {
            doc.get(table)
                .and_then(|t| t.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| bad(format!("missing string `{table}.{key}`")))
        };
        let operations = doc
            .get("subset")
            .and_then(|t| t.get("operations"))
            .and_then(|v| v.as_array())
            .ok_or_else(|| bad("missing array `subset.operations`".into()))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad("`subset.operations` holds a non-string".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if operations.is_empty() {
            return Err(bad("`subset.operations` is empty".into()));
        }
        Ok(Self {
            package: string("upstream", "package")?,
            version: string("upstream", "version")?,
            sha256: string("upstream", "sha256")?.to_ascii_lowercase(),
            output: string("subset", "output")?,
            operations,
        })
    }
}

/// Rewrites the pinned version and sha256 in the text of `subset.toml`, keeping its
/// comments and layout.
pub fn repin(text: &str, version: &str, sha256: &str) -> Result<String, toml_edit::TomlError> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    doc["upstream"]["version"] = toml_edit::value(version);
    doc["upstream"]["sha256"] = toml_edit::value(sha256);
    Ok(doc.to_string())
}

/// Reads an upstream description, plain or gzip-compressed (by content, not name), and
/// returns its uncompressed bytes.
pub fn read_upstream(path: &Path) -> Result<Vec<u8>, SubsetError> {
    let read_err = |source| SubsetError::Read {
        path: path.to_owned(),
        source,
    };
    let raw = fs::read(path).map_err(read_err)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(read_err)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps the operations named in `keep` (with their path items' shared parameters and
/// servers, and their own `servers`), the transitive closure of every local `$ref` they
/// use, and the document's `openapi`, `info`, `servers` and the tags the kept operations
/// name. The result's objects have sorted keys, so it serialises the same way every time.
pub fn extract(upstream: &Value, keep: &[String]) -> Result<Value, SubsetError> {
    let paths = upstream
        .get("paths")
        .and_then(Value::as_object)
        .ok_or(SubsetError::NoPaths)?;
    let wanted: BTreeSet<&str> = keep.iter().map(String::as_str).collect();
    let mut found = BTreeSet::new();
    let mut kept_paths = Map::new();
    let mut tags = BTreeSet::new();

    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let mut kept_item = Map::new();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if wanted.contains(id) {
                found.insert(id.to_owned());
                kept_item.insert(method.to_owned(), op.clone());
                for tag in op
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(tag) = tag.as_str() {
                        tags.insert(tag.to_owned());
                    }
                }
            }
        }
        if !kept_item.is_empty() {
            // What a path item holds besides its operations applies to them all.
            for (key, value) in item {
                if !METHODS.contains(&key.as_str()) {
                    kept_item.insert(key.clone(), value.clone());
                }
            }
            kept_paths.insert(path.clone(), Value::Object(kept_item));
        }
    }

    let missing: Vec<String> = wanted
        .iter()
        .filter(|id| !found.contains(**id))
        .map(|id| (*id).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(SubsetError::MissingOperations(missing));
    }

    let mut out = Map::new();
    for key in ["openapi", "info", "servers", "externalDocs"] {
        if let Some(v) = upstream.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(all_tags) = upstream.get("tags").and_then(Value::as_array) {
        let used: Vec<Value> = all_tags
            .iter()
            .filter(|t| {
                t.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| tags.contains(n))
            })
            .cloned()
            .collect();
        if !used.is_empty() {
            out.insert("tags".into(), Value::Array(used));
        }
    }
    let kept_paths = Value::Object(kept_paths);
    out.insert(
        "components".into(),
        ref_closure(upstream, &kept_paths, "/paths")?,
    );
    out.insert("paths".into(), kept_paths);
    Ok(canonical(Value::Object(out)))
}

/// Collects every component reachable from `root` through `$ref`s, as a `components`
/// object with the same layout as upstream's.
fn ref_closure(upstream: &Value, root: &Value, root_at: &str) -> Result<Value, SubsetError> {
    // component kind -> name -> value
    let mut kept: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    let mut queue: Vec<(String, String)> = Vec::new();
    collect_refs(root, root_at, &mut queue);

    while let Some((reference, at)) = queue.pop() {
        let unsupported = || SubsetError::UnsupportedRef {
            reference: reference.clone(),
            at: at.clone(),
        };
        let pointer = reference.strip_prefix('#').ok_or_else(unsupported)?;
        let segments: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
        if segments.len() < 3 || segments[0] != "components" {
            return Err(unsupported());
        }
        if upstream.pointer(pointer).is_none() {
            return Err(SubsetError::DanglingRef { reference, at });
        }
        let (kind, name) = (&segments[1], &segments[2]);
        if kept.get(kind).is_some_and(|m| m.contains_key(name)) {
            continue;
        }
        let component = &upstream["components"][kind.as_str()][name.as_str()];
        let component_at = format!("/components/{}/{}", escape(kind), escape(name));
        collect_refs(component, &component_at, &mut queue);
        kept.entry(kind.clone())
            .or_default()
            .insert(name.clone(), component.clone());
    }

    Ok(Value::Object(
        kept.into_iter()
            .map(|(kind, items)| (kind, Value::Object(items.into_iter().collect())))
            .collect(),
    ))
}

/// Pushes `(reference, pointer where it stands)` for every `$ref` under `value`; those
/// inside examples, defaults and enums are data and are left.
fn collect_refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    codegen::for_each_ref(value, at, &mut |here, r| {
        out.push((r.to_owned(), here.to_owned()))
    });
}

pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Rebuilds every object with its keys sorted, whatever map type serde_json was built with.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// Options of `cargo xtask subset`.
pub struct Options {
    pub from: PathBuf,
    pub check: bool,
    pub repin: bool,
}

/// Runs `cargo xtask subset` from the workspace root `root`.
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let config_path = root.join("openapi/subset.toml");
    let config_text = fs::read_to_string(&config_path).map_err(|source| SubsetError::Read {
        path: config_path.clone(),
        source,
    })?;
    let config = SubsetConfig::parse(&config_text, &config_path)?;

    let bytes = read_upstream(&options.from)?;
    let actual = sha256_hex(&bytes);
    let upstream: Value = serde_json::from_slice(&bytes).map_err(|source| SubsetError::Json {
        path: options.from.clone(),
        source,
    })?;
    let mut sha256 = config.sha256.clone();
    if actual != config.sha256 {
        if !options.repin {
            return Err(SubsetError::Sha256Mismatch {
                path: options.from.clone(),
                pinned: config.sha256,
                actual,
            }
            .into());
        }
        sha256 = actual.clone();
    }

    let mut subset = extract(&upstream, &config.operations)?;
    let version = upstream
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or(&config.version)
        .to_owned();
    subset[PROVENANCE_KEY] = serde_json::json!({
        "package": config.package,
        "version": version,
        "sha256": sha256,
    });
    let mut text = serde_json::to_string_pretty(&subset)?;
    text.push('\n');

    let output = config_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(&config.output);
    if options.check {
        committed_file::check_unchanged(&output, &text, "cargo xtask subset --from <file>")?;
        println!("subset: {} is up to date", output.display());
        return Ok(());
    }
    if options.repin && (sha256 != config.sha256 || version != config.version) {
        committed_file::write_atomically(&config_path, &repin(&config_text, &version, &sha256)?)?;
        println!(
            "subset: re-pinned {} {version} sha256 {sha256}",
            config.package
        );
    }
    committed_file::write_atomically(&output, &text)?;
    let ops = config.operations.len();
    let schemas = subset
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    println!(
        "subset: wrote {} ({ops} operations, {schemas} schemas, {} bytes)",
        output.display(),
        text.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;
    use serde_json::json;

    fn upstream() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "tags": [{"name": "repos"}, {"name": "other"}],
            "paths": {
                "/a/{id}": {
                    "parameters": [{"$ref": "#/components/parameters/id"}],
                    "get": {
                        "operationId": "a/get",
                        "tags": ["repos"],
                        "servers": [{"url": "https://uploads.example"}],
                        "responses": {"200": {"$ref": "#/components/responses/ok"}}
                    },
                    "delete": {"operationId": "a/delete", "responses": {}}
                },
                "/b": {"get": {"operationId": "b/get", "tags": ["other"], "responses": {}}}
            },
            "components": {
                "parameters": {"id": {"name": "id", "in": "path", "schema": {"type": "integer"}}},
                "responses": {"ok": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/thing"},
                    "examples": {"default": {"$ref": "#/components/examples/thing"}}}}}},
                "schemas": {
                    "thing": {"type": "object", "properties": {
                        "owner": {"$ref": "#/components/schemas/user"},
                        "self": {"$ref": "#/components/schemas/thing"}}},
                    "user": {"type": "object"},
                    "unused": {"type": "string"}
                },
                "examples": {"thing": {"value": {}}}
            }
        })
    }

    /// The vendored subset (every kept operation is in it, so it serves as an upstream),
    /// its operations, and the JSON pointer of every value in it.
    fn vendored() -> &'static (Value, Vec<String>, Vec<String>) {
        static VENDORED: std::sync::OnceLock<(Value, Vec<String>, Vec<String>)> =
            std::sync::OnceLock::new();
        VENDORED.get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi");
            let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
            let doc: Value = serde_json::from_str(&read("github-release-assets.json")).unwrap();
            let config =
                SubsetConfig::parse(&read("subset.toml"), Path::new("subset.toml")).unwrap();
            let mut pointers = Vec::new();
            fn walk(value: &Value, at: String, out: &mut Vec<String>) {
                match value {
                    Value::Object(map) => {
                        for (key, child) in map {
                            walk(child, format!("{at}/{}", escape(key)), out);
                        }
                    }
                    Value::Array(items) => {
                        for (i, child) in items.iter().enumerate() {
                            walk(child, format!("{at}/{i}"), out);
                        }
                    }
                    _ => {}
                }
                out.push(at);
            }
            walk(&doc, String::new(), &mut pointers);
            (doc, config.operations, pointers)
        })
    }

    #[test]
    fn the_vendored_subset_extracts_from_itself() {
        let (doc, keep, _) = vendored();
        assert!(extract(doc, keep).is_ok());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// A document changed at one place (a value replaced, removed, or made a `$ref` to
        /// nothing, to itself, or outside the file) is extracted or refused with an error,
        /// never a panic.
        #[test]
        fn a_mutated_document_is_extracted_or_refused(
            which in proptest::prelude::any::<proptest::sample::Index>(),
            how in 0_u8..5,
            replacement in proptest::prop_oneof![
                proptest::strategy::Just(Value::Null),
                proptest::prelude::any::<i64>().prop_map(Value::from),
                "\\PC{0,12}".prop_map(Value::from),
                proptest::strategy::Just(json!([])),
                proptest::strategy::Just(json!({})),
                proptest::strategy::Just(json!({"$ref": 7})),
            ],
        ) {
            let (doc, keep, pointers) = vendored();
            let mut doc = doc.clone();
            let at = &pointers[which.index(pointers.len())];
            let reference = |to: &str| json!({ "$ref": to });
            let (parent, last) = at.rsplit_once('/').unwrap_or(("", ""));
            match how {
                0 => {
                    if let Some(value) = doc.pointer_mut(at) {
                        *value = replacement;
                    }
                }
                1 => match doc.pointer_mut(parent) {
                    Some(Value::Object(map)) => {
                        map.remove(&unescape(last));
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = last.parse::<usize>() && i < items.len() {
                            items.remove(i);
                        }
                    }
                    _ => {}
                },
                2 => {
                    if let Some(value) = doc.pointer_mut(at) {
                        *value = reference("#/components/schemas/nowhere");
                    }
                }
                3 => {
                    if let Some(value) = doc.pointer_mut(at) {
                        *value = reference(&format!("#{at}"));
                    }
                }
                _ => {
                    if let Some(value) = doc.pointer_mut(at) {
                        *value = reference("https://example.com/other.json#/x");
                    }
                }
            }
            let _ = extract(&doc, keep);
        }
    }

    #[test]
    fn keeps_named_operations_and_their_ref_closure() {
        let out = extract(&upstream(), &["a/get".into()]).unwrap();
        let paths = out["paths"].as_object().unwrap();
        assert_eq!(paths.keys().collect::<Vec<_>>(), ["/a/{id}"]);
        let item = &paths["/a/{id}"];
        assert!(item.get("get").is_some());
        assert!(item.get("delete").is_none(), "unnamed operation kept");
        assert!(
            item.get("parameters").is_some(),
            "path-level parameters dropped"
        );
        assert_eq!(item["get"]["servers"][0]["url"], "https://uploads.example");
        let schemas = out["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["thing", "user"]);
        assert!(out.pointer("/components/parameters/id").is_some());
        assert!(out.pointer("/components/examples/thing").is_some());
        assert!(out.pointer("/components/responses/ok").is_some());
        assert_eq!(out["tags"], json!([{"name": "repos"}]));
    }

    #[test]
    fn output_is_deterministic_and_sorted() {
        let a = serde_json::to_string(
            &extract(&upstream(), &["a/get".into(), "b/get".into()]).unwrap(),
        )
        .unwrap();
        let b = serde_json::to_string(
            &extract(&upstream(), &["b/get".into(), "a/get".into()]).unwrap(),
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.find("\"components\"").unwrap() < a.find("\"paths\"").unwrap());
    }

    #[test]
    fn missing_operation_is_named() {
        let err = extract(&upstream(), &["a/get".into(), "nope/x".into()]).unwrap_err();
        assert_eq!(err.to_string(), "operationId not found upstream: nope/x");
    }

    #[test]
    fn dangling_ref_is_named_with_where_it_stands() {
        let mut up = upstream();
        up["components"]["schemas"]["user"] = json!({"$ref": "#/components/schemas/gone"});
        let err = extract(&up, &["a/get".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dangling $ref #/components/schemas/gone at /components/schemas/user/$ref"
        );
    }

    #[test]
    fn external_ref_is_refused() {
        let mut up = upstream();
        up["components"]["schemas"]["user"] = json!({"$ref": "other.json#/x"});
        let err = extract(&up, &["a/get".into()]).unwrap_err();
        assert!(matches!(err, SubsetError::UnsupportedRef { .. }), "{err}");
    }

    #[test]
    fn config_round_trips_and_repin_keeps_comments() {
        let text = "# pinned\n[upstream]\npackage = \"p\"\nversion = \"1\"\nsha256 = \"AB\"\n\n[subset]\noutput = \"o.json\"\noperations = [\"a/get\"]\n";
        let config = SubsetConfig::parse(text, Path::new("subset.toml")).unwrap();
        assert_eq!(config.sha256, "ab");
        assert_eq!(config.operations, ["a/get"]);
        let repinned = repin(text, "2", "cd").unwrap();
        assert!(repinned.starts_with("# pinned\n"));
        let again = SubsetConfig::parse(&repinned, Path::new("subset.toml")).unwrap();
        assert_eq!((again.version.as_str(), again.sha256.as_str()), ("2", "cd"));
    }

    #[test]
    fn config_without_operations_is_refused() {
        let text = "[upstream]\npackage = \"p\"\nversion = \"1\"\nsha256 = \"ab\"\n[subset]\noutput = \"o\"\noperations = []\n";
        let err = SubsetConfig::parse(text, Path::new("s.toml")).unwrap_err();
        assert_eq!(err.to_string(), "s.toml: `subset.operations` is empty");
    }

    #[test]
    fn reads_gzip_and_plain_alike() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.json");
        fs::write(&plain, b"{\"x\":1}").unwrap();
        let gz = dir.path().join("a.json.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"{\"x\":1}").unwrap();
        fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(read_upstream(&plain).unwrap(), read_upstream(&gz).unwrap());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
