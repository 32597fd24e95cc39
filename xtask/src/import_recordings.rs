//! `cargo xtask import-recordings`: exchanges recorded from GitHub by others, turned into
//! conformance fixtures.
//!
//! The npm package `@octokit/fixtures` publishes scenarios recorded from api.github.com and
//! uploads.github.com (`scenarios/<host>/<scenario>/normalized-fixture.json`, nock's
//! format). Every exchange of every scenario whose method and path are one of the subset's
//! operations becomes `conformance/fixtures/<operationId>/octokit-<scenario>-<n>.json`:
//! the parameters and body the caller passes, the request this client must send for them,
//! and GitHub's answer as recorded. The fixture's `recorded` field keeps where it came from
//! (package, version, scenario, position) and the request as recorded, host included, with
//! its credential scrubbed. A body that breaks the description's strict schema is marked
//! `invalid` with the validator's reasons: that is GitHub disagreeing with its description,
//! and the client must decode what GitHub sent.
//!
//! The package is read from its npm tarball (`npm pack @octokit/fixtures`) or from an
//! unpacked copy. `--check` writes nothing and fails when the committed fixtures differ.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use conformance::fixture::{
    ExpectedRequest, Fixture, RecordedResponse, Recording, SchemaExpectation, Upload,
};
use serde_json::{Map, Value, json};

use crate::committed_file;

/// Options of `cargo xtask import-recordings`.
pub struct Options {
    /// The npm tarball, or the unpacked package (the folder holding `package.json`).
    pub from: PathBuf,
    /// Where the fixtures go.
    pub out: PathBuf,
    /// Write nothing; fail when the committed fixtures differ.
    pub check: bool,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Package(String),
    #[error("{at}: {reason}")]
    Exchange { at: String, reason: String },
}

/// The vendored copy of the recordings the committed fixtures were imported from (the
/// package's `package.json`, licence and the scenarios that use the subset's operations).
pub const VENDORED: &str = "conformance/recordings/octokit-fixtures";

/// The prefix of every imported fixture's file name.
const PREFIX: &str = "octokit-";

/// Runs `cargo xtask import-recordings`.
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let package = Package::read(&options.from)?;
    let fixtures = import(&package)?;
    let out = root.join(&options.out);
    let wanted: BTreeMap<PathBuf, String> = fixtures
        .iter()
        .map(|f| {
            Ok((
                out.join(format!("{}.json", f.name)),
                crate::record::to_text(f)?,
            ))
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let stale: Vec<PathBuf> = imported_files(&out)?
        .into_iter()
        .filter(|p| !wanted.contains_key(p))
        .collect();
    if options.check {
        let mut failures = 0;
        for (path, text) in &wanted {
            if let Err(e) = committed_file::check_unchanged(
                path,
                text,
                "cargo xtask import-recordings --from <package>",
            ) {
                eprintln!("{e}");
                failures += 1;
            }
        }
        for path in &stale {
            eprintln!("{} is no longer imported: remove it", path.display());
            failures += 1;
        }
        if failures > 0 {
            return Err(format!("{failures} imported fixture(s) differ from the package").into());
        }
        println!(
            "import-recordings: {} fixtures from {} {} are up to date",
            wanted.len(),
            package.name,
            package.version
        );
        return Ok(());
    }
    for (path, text) in &wanted {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        committed_file::write_atomically(path, text)?;
    }
    for path in &stale {
        fs::remove_file(path)?;
    }
    println!(
        "import-recordings: wrote {} fixtures from {} {} under {}{}",
        wanted.len(),
        package.name,
        package.version,
        out.display(),
        if stale.is_empty() {
            String::new()
        } else {
            format!(", removed {} no longer imported", stale.len())
        }
    );
    Ok(())
}

/// The fixture files an earlier import wrote below `out`.
fn imported_files(out: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut found = Vec::new();
    let mut dirs = vec![out.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(ImportError::Read { path: dir, source }),
        };
        for entry in entries {
            let path = entry
                .map_err(|source| ImportError::Read {
                    path: dir.clone(),
                    source,
                })?
                .path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(".json"))
            {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// The package's files that matter: its name and version, and each scenario's recording.
pub struct Package {
    pub name: String,
    pub version: String,
    /// `<host>/<scenario>` -> the text of its `normalized-fixture.json`, sorted.
    pub scenarios: BTreeMap<String, String>,
}

impl Package {
    /// Reads a package from its npm tarball or from the folder it was unpacked into.
    pub fn read(from: &Path) -> Result<Package, ImportError> {
        let files = if from.is_dir() {
            read_dir_files(from)?
        } else {
            read_tarball(from)?
        };
        let manifest = files
            .get("package.json")
            .ok_or_else(|| ImportError::Package(format!("{}: no package.json", from.display())))?;
        let manifest: Value = serde_json::from_str(manifest)
            .map_err(|e| ImportError::Package(format!("{}: package.json: {e}", from.display())))?;
        let field = |name: &str| {
            manifest
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    ImportError::Package(format!("{}: package.json has no {name}", from.display()))
                })
        };
        let (name, version) = (field("name")?, field("version")?);
        let scenarios: BTreeMap<String, String> = files
            .into_iter()
            .filter_map(|(path, text)| {
                let scenario = path
                    .strip_prefix("scenarios/")?
                    .strip_suffix("/normalized-fixture.json")?;
                Some((scenario.to_owned(), text))
            })
            .collect();
        if scenarios.is_empty() {
            return Err(ImportError::Package(format!(
                "{}: no scenarios/<host>/<scenario>/normalized-fixture.json: is this @octokit/fixtures?",
                from.display()
            )));
        }
        Ok(Package {
            name,
            version,
            scenarios,
        })
    }
}

/// The files that matter (package.json and recordings), by path relative to the package.
fn wanted(path: &str) -> bool {
    path == "package.json" || path.ends_with("/normalized-fixture.json")
}

fn read_dir_files(root: &Path) -> Result<BTreeMap<String, String>, ImportError> {
    // An unpacked tarball has the package under `package/`.
    let root = if !root.join("package.json").exists() && root.join("package/package.json").exists()
    {
        root.join("package")
    } else {
        root.to_path_buf()
    };
    let mut files = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        let read = |source| ImportError::Read {
            path: dir.clone(),
            source,
        };
        for entry in fs::read_dir(&dir).map_err(read)? {
            let path = entry.map_err(read)?.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if wanted(&relative) {
                let text = fs::read_to_string(&path).map_err(|source| ImportError::Read {
                    path: path.clone(),
                    source,
                })?;
                files.insert(relative, text);
            }
        }
    }
    Ok(files)
}

fn read_tarball(path: &Path) -> Result<BTreeMap<String, String>, ImportError> {
    let read = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let file = fs::File::open(path).map_err(read)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = BTreeMap::new();
    for entry in archive.entries().map_err(read)? {
        let mut entry = entry.map_err(read)?;
        let name = entry.path().map_err(read)?.to_string_lossy().into_owned();
        // npm tarballs hold the package under `package/`.
        let relative = name.split_once('/').map_or(name.as_str(), |(_, rest)| rest);
        if wanted(relative) {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(read)?;
            files.insert(relative.to_owned(), text);
        }
    }
    Ok(files)
}

/// The fixtures of every exchange of `package` that one of the subset's operations makes.
pub fn import(package: &Package) -> Result<Vec<Fixture>, ImportError> {
    let doc = conformance::description::document()
        .ok_or_else(|| ImportError::Package("the vendored description is not JSON".into()))?;
    let operations = Operation::all(doc);
    let mut fixtures = Vec::new();
    for (scenario, text) in &package.scenarios {
        let at = |position: Option<usize>| match position {
            Some(p) => format!("{scenario} exchange {p}"),
            None => scenario.clone(),
        };
        let recorded: Value = serde_json::from_str(text).map_err(|e| ImportError::Exchange {
            at: at(None),
            reason: e.to_string(),
        })?;
        let exchanges = match recorded {
            Value::Array(items) => items,
            one @ Value::Object(_) => vec![one],
            _ => {
                return Err(ImportError::Exchange {
                    at: at(None),
                    reason: "neither an exchange nor a list of them".into(),
                });
            }
        };
        let of = exchanges.len();
        for (position, exchange) in exchanges.iter().enumerate() {
            let fixture = to_fixture(doc, &operations, package, scenario, position, of, exchange)
                .map_err(|reason| ImportError::Exchange {
                at: at(Some(position)),
                reason,
            })?;
            fixtures.extend(fixture);
        }
    }
    Ok(fixtures)
}

/// One operation of the subset: how to recognise its requests.
struct Operation {
    id: String,
    method: String,
    /// The path template's segments: `Ok(literal)` or `Err(parameter name)`.
    segments: Vec<Result<String, String>>,
    /// Parameter name -> whether it is an integer.
    integers: BTreeMap<String, bool>,
}

impl Operation {
    fn all(doc: &Value) -> Vec<Operation> {
        let mut out = Vec::new();
        let paths = doc.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let segments = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| {
                        s.strip_prefix('{')
                            .and_then(|s| s.strip_suffix('}'))
                            .map_or_else(|| Ok(s.to_owned()), |p| Err(p.to_owned()))
                    })
                    .collect();
                let mut integers = BTreeMap::new();
                for parameter in op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let parameter = match parameter.get("$ref").and_then(Value::as_str) {
                        Some(r) => r
                            .strip_prefix('#')
                            .and_then(|p| doc.pointer(p))
                            .unwrap_or(parameter),
                        None => parameter,
                    };
                    if let Some(name) = parameter.get("name").and_then(Value::as_str) {
                        let integer = parameter.pointer("/schema/type").and_then(Value::as_str)
                            == Some("integer");
                        integers.insert(name.to_owned(), integer);
                    }
                }
                out.push(Operation {
                    id: id.to_owned(),
                    method: method.to_uppercase(),
                    segments,
                    integers,
                });
            }
        }
        out
    }

    /// The path parameters, decoded, when `path` is one of this operation's.
    fn matches(&self, method: &str, path: &str) -> Option<Map<String, Value>> {
        if method != self.method {
            return None;
        }
        let given: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if given.len() != self.segments.len() {
            return None;
        }
        let mut params = Map::new();
        for (segment, expected) in given.iter().zip(&self.segments) {
            match expected {
                Ok(literal) if literal == segment => {}
                Ok(_) => return None,
                Err(name) => {
                    let value = percent_decode(segment)?;
                    params.insert(name.clone(), self.typed(name, &value)?);
                }
            }
        }
        Some(params)
    }

    fn typed(&self, name: &str, value: &str) -> Option<Value> {
        if self.integers.get(name).copied().unwrap_or(false) {
            value.parse::<i64>().ok().map(Value::from)
        } else {
            Some(Value::String(value.to_owned()))
        }
    }
}

/// The fixture for one exchange, or `None` when no operation of the subset makes it.
fn to_fixture(
    doc: &Value,
    operations: &[Operation],
    package: &Package,
    scenario: &str,
    position: usize,
    of: usize,
    exchange: &Value,
) -> Result<Option<Fixture>, String> {
    let text = |name: &str| exchange.get(name).and_then(Value::as_str);
    let method = text("method")
        .ok_or("no method")?
        .to_ascii_uppercase()
        .to_owned();
    let recorded_path = text("path").ok_or("no path")?;
    let origin = text("scope").ok_or("no scope")?.to_owned();
    let (path, raw_query) = recorded_path.split_once('?').unwrap_or((recorded_path, ""));
    let Some((operation, mut params)) = operations
        .iter()
        .find_map(|op| op.matches(&method, path).map(|params| (op, params)))
    else {
        return Ok(None);
    };
    let mut query = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_decode(&s.replace('+', " ")).ok_or(format!("query {pair:?} is not UTF-8"))
        };
        let (name, value) = (decode(name)?, decode(value)?);
        if is_credential_name(&name) {
            return Err(format!(
                "the query carries a credential ({name}); refusing to import it"
            ));
        }
        params.insert(
            name.clone(),
            operation
                .typed(&name, &value)
                .ok_or(format!("query {name}={value:?} is not an integer"))?,
        );
        query.insert(name, value);
    }

    let recorded_headers = scrubbed_headers(exchange.get("reqheaders"), |_| true);

    let mut headers = conformance::fixture::client_request_headers();
    let request_body = exchange.get("body").filter(|b| !is_empty_body(b));
    let (mut body, mut upload) = (None, None);
    if operation.id == "repos/upload-release-asset" {
        let bytes = match request_body {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(format!(
                    "upload body is not text: {}",
                    other.to_string().chars().take(80).collect::<String>()
                ));
            }
            None => String::new(),
        };
        let content_type = recorded_headers
            .get("content-type")
            .cloned()
            .ok_or("upload recorded without content-type")?;
        headers.insert("content-type".into(), content_type.clone());
        headers.insert("content-length".into(), bytes.len().to_string());
        upload = Some(Upload {
            content_type,
            text: bytes,
        });
    } else if let Some(given) = request_body {
        let value = match given {
            Value::String(s) => serde_json::from_str(s)
                .map_err(|e| format!("request body is not JSON ({e}): {s:?}"))?,
            other => other.clone(),
        };
        headers.insert("content-type".into(), "application/json".into());
        body = Some(scrub_value(value));
    }

    let status = exchange
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .ok_or("no status")?;
    let response_headers =
        scrubbed_headers(exchange.get("headers"), |name| !is_framing_header(name));
    if exchange.get("responseIsBinary") == Some(&Value::Bool(true)) {
        return Err("binary response bodies are not imported yet".into());
    }
    let (response_body, response_text) = match exchange.get("response") {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(s)) if s.is_empty() => (None, None),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => (Some(scrub_value(v)), None),
            _ => (None, Some(scrub(s))),
        },
        Some(other) => (Some(scrub_value(other.clone())), None),
    };

    let (schema, schema_reason) = match (
        conformance::schema::for_response(doc, &operation.id, status),
        &response_body,
    ) {
        (_, None) => (SchemaExpectation::Valid, None),
        (None, Some(_)) => (SchemaExpectation::Undocumented, None),
        (Some(strict), Some(body)) => match conformance::schema::validate(&strict, body) {
            Ok(()) => (SchemaExpectation::Valid, None),
            Err(errors) => (
                SchemaExpectation::Invalid,
                Some(format!(
                    "GitHub's answer breaks the description's schema: {}",
                    errors
                        .iter()
                        .map(|e| e
                            .strip_prefix(": ")
                            .map_or_else(|| e.clone(), |e| format!("/: {e}")))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            ),
        },
    };

    let case = format!(
        "{PREFIX}{}-{position}",
        scenario
            .strip_prefix("api.github.com/")
            .unwrap_or(scenario)
            .replace('/', "-")
    );
    let absent_headers = vec!["api-version".to_owned()];
    Ok(Some(Fixture {
        name: format!("{}/{case}", operation.id),
        description: format!("Recorded from GitHub: {method} {path} answered {status}."),
        source: format!(
            "recorded from GitHub: {} {}, scenario {scenario}, exchange {} of {of}",
            package.name,
            package.version,
            position + 1
        ),
        operation: operation.id.clone(),
        params,
        body: body.clone(),
        upload,
        request: ExpectedRequest {
            method: method.clone(),
            path: path.to_owned(),
            query,
            headers,
            absent_headers,
            body,
        },
        response: RecordedResponse {
            status,
            headers: response_headers,
            body: response_body,
            body_text: response_text,
            body_file: None,
            file_bytes: None,
        },
        schema,
        schema_reason,
        recorded: Some(Recording {
            package: package.name.clone(),
            version: package.version.clone(),
            scenario: scenario.to_owned(),
            position,
            of,
            origin,
            method,
            path: scrub(recorded_path),
            headers: recorded_headers,
        }),
    }))
}

/// Recorded headers (nock writes numbers as numbers), names in lower case, credentials
/// written `[token]`, tokens scrubbed from every other value; only those `keep` keeps.
fn scrubbed_headers(
    recorded: Option<&Value>,
    keep: impl Fn(&str) -> bool,
) -> BTreeMap<String, String> {
    recorded
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| keep(name))
        .map(|(name, value)| {
            let name = name.to_ascii_lowercase();
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            let value = if is_credential_name(&name) {
                "[token]".to_owned()
            } else {
                scrub(&value)
            };
            (name, value)
        })
        .collect()
}

fn is_empty_body(body: &Value) -> bool {
    matches!(body, Value::Null) || body.as_str() == Some("")
}

/// Headers that describe the recorded connection and body framing, not GitHub's answer:
/// the replaying server sets its own.
fn is_framing_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "content-length" | "transfer-encoding" | "connection" | "keep-alive"
    )
}

/// Header or query names that carry a credential.
fn is_credential_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "access_token"
    )
}

/// Token prefixes GitHub issues; a word starting with one is a credential.
const TOKEN_PREFIXES: [&str; 6] = ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"];

/// `text` with every GitHub token in it replaced by `[token]`.
fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, _)) = TOKEN_PREFIXES
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, p)))
        .min()
    {
        out.push_str(&rest[..at]);
        out.push_str("[token]");
        let after = &rest[at..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn scrub_value(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(scrub(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(scrub_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_credential_name(&k) {
                        json!("[token]")
                    } else {
                        scrub_value(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Percent-decodes `s`; `None` when the result is not UTF-8 or an escape is malformed.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(exchanges: Value) -> Package {
        Package {
            name: "@octokit/fixtures".into(),
            version: "0.0.0-test".into(),
            scenarios: [(
                "api.github.com/release-assets".to_owned(),
                exchanges.to_string(),
            )]
            .into(),
        }
    }

    fn asset(extra: Value) -> Value {
        let mut asset = json!({
            "url": "https://api.github.com/repos/o/r/releases/assets/1",
            "browser_download_url": "https://github.com/o/r/releases/download/v1/a.txt",
            "id": 1, "node_id": "x", "name": "a.txt", "label": null, "uploader": null,
            "content_type": "text/plain", "state": "uploaded", "size": 3,
            "download_count": 0, "created_at": "2017-10-10T16:00:00Z",
            "updated_at": "2017-10-10T16:00:00Z"
        });
        asset
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        asset
    }

    #[test]
    fn exchanges_of_the_subset_become_fixtures_and_others_are_skipped() {
        let fixtures = import(&package(json!([
            {"scope": "https://api.github.com:443", "method": "post", "path": "/orgs/o/repos",
             "body": {"name": "r"}, "status": 201, "response": {}, "reqheaders": {}},
            {"scope": "https://uploads.github.com:443", "method": "post",
             "path": "/repos/o/r/releases/1000/assets?name=a%20b.txt&label=the+label",
             "body": "abc", "status": 201, "response": asset(json!({"digest": null})),
             "reqheaders": {"authorization": "token ghp_abcdefABCDEF0123456789", "content-type": "text/plain"},
             "headers": {"content-type": "application/json; charset=utf-8", "content-length": "999"}}
        ])))
        .unwrap();
        assert_eq!(fixtures.len(), 1, "the org's repo creation is not ours");
        let f = &fixtures[0];
        assert_eq!(
            f.name,
            "repos/upload-release-asset/octokit-release-assets-1"
        );
        assert_eq!(f.params["release_id"], json!(1000));
        assert_eq!(f.params["name"], json!("a b.txt"));
        assert_eq!(f.params["label"], json!("the label"));
        assert_eq!(f.request.headers["content-length"], "3");
        let recorded = f.recorded.as_ref().unwrap();
        assert_eq!(recorded.origin, "https://uploads.github.com:443");
        assert_eq!((recorded.position, recorded.of), (1, 2));
        assert_eq!(recorded.headers["authorization"], "[token]");
        assert!(!f.response.headers.contains_key("content-length"));
        assert_eq!(f.schema, SchemaExpectation::Valid);
    }

    #[test]
    fn a_body_that_breaks_the_schema_is_marked_with_the_reason() {
        let fixtures = import(&package(json!([
            {"scope": "https://api.github.com:443", "method": "get",
             "path": "/repos/o/r/releases/assets/1", "status": 200,
             "response": asset(json!({})), "reqheaders": {}}
        ])))
        .unwrap();
        assert_eq!(fixtures[0].schema, SchemaExpectation::Invalid);
        let reason = fixtures[0].schema_reason.as_deref().unwrap();
        assert!(reason.contains("digest"), "{reason}");
    }

    #[test]
    fn tokens_are_scrubbed_everywhere_and_query_credentials_refused() {
        assert_eq!(
            scrub("token ghp_abc123, then gho_x."),
            "token [token], then [token]."
        );
        let value = scrub_value(json!({"a": ["github_pat_11AA_bb"], "authorization": "x"}));
        assert_eq!(value, json!({"a": ["[token]"], "authorization": "[token]"}));
        let refused = import(&package(json!([
            {"scope": "https://api.github.com:443", "method": "get",
             "path": "/repos/o/r/releases/assets/1?access_token=abc", "status": 200,
             "response": asset(json!({"digest": null})), "reqheaders": {}}
        ])))
        .unwrap_err();
        assert!(refused.to_string().contains("credential"), "{refused}");
    }

    #[test]
    fn a_package_without_scenarios_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("package.json"),
            r#"{"name": "x", "version": "1"}"#,
        )
        .unwrap();
        let error = Package::read(dir.path()).err().unwrap();
        assert!(error.to_string().contains("no scenarios"), "{error}");
    }

    /// The committed fixtures are what the vendored copy of the package's recordings gives.
    #[test]
    fn the_committed_fixtures_are_the_import_of_the_vendored_recordings() {
        let root = crate::workspace_root();
        let package = Package::read(&root.join(VENDORED)).unwrap();
        let fixtures = import(&package).unwrap();
        assert!(fixtures.len() >= 11, "{} fixtures", fixtures.len());
        let out = root.join("conformance/fixtures");
        let mut committed = imported_files(&out).unwrap();
        committed.sort();
        let mut expected: Vec<PathBuf> = fixtures
            .iter()
            .map(|f| out.join(format!("{}.json", f.name)))
            .collect();
        expected.sort();
        assert_eq!(committed, expected);
        for fixture in &fixtures {
            let path = out.join(format!("{}.json", fixture.name));
            assert_eq!(
                fs::read_to_string(&path).unwrap(),
                crate::record::to_text(fixture).unwrap(),
                "{} is stale: cargo xtask import-recordings --from {VENDORED}",
                path.display()
            );
        }
    }
}
