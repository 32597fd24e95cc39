//! `cargo xtask replay-sample`: operations added to the subset need no hand code. The
//! operations of `conformance/replay-sample/operations.toml` (many tags, every hard kind
//! of operation) join the subset's in a temporary description; the crate generated from
//! it is built, and each operation is called once, from data, against a loopback server
//! that answers with what GitHub documents for it. Each request the client sent, and what
//! `send()` made of the answer, is compared with the snapshot committed under
//! `conformance/replay-sample/requests/`.
//!
//! The temporary description is vendored beside the list (`description.json`), cut from
//! the pinned upstream description by `--from`, so the replay needs nothing outside the
//! repository.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use crate::committed_file::{check_unchanged, write_atomically};
use crate::subset::{PROVENANCE_KEY, SubsetConfig, extract, read_upstream, sha256_hex};

/// Where the sample lives, from the workspace root.
const DIR: &str = "conformance/replay-sample";

/// The token the replayed client is given; a request shows it as `[token]`.
const TOKEN: &str = "ghp_replaysample0000000000000000000000";

/// What `cargo xtask replay-sample` is given.
pub struct Options {
    /// GitHub's full description, pinned as `openapi/subset.toml` pins it: cut the
    /// temporary description from it first.
    pub from: Option<PathBuf>,
    /// With `from`: write nothing, fail when the vendored description is stale.
    pub check: bool,
    /// Take what the replay found as the new snapshots.
    pub accept: bool,
}

/// One operation's call, and what the server answers it.
#[derive(Debug, Clone)]
struct Case {
    upstream_id: String,
    operation: String,
    kinds: Vec<String>,
    /// Another media type of the answer, asked for in place of `send()`'s.
    media: Option<String>,
    /// Called with `stream()`: every item of every page.
    stream: bool,
    args: Map<String, Value>,
    body: Option<Value>,
    served: Served,
}

/// What the replay program answers for an operation without `stream()` asked to stream
/// (codegen's `replay_calls`).
const NO_STREAM: &str = "no stream()";

/// An answer the loopback server gives.
#[derive(Debug, Clone)]
struct Served {
    status: u16,
    content_type: Option<String>,
    body: String,
    /// Where the answer comes from in the description.
    source: String,
    /// A redirect's `Location`, a path under the server's root.
    location: Option<String>,
    /// A first page: answered with a `Link` to the second (the same answer, without one).
    paged: bool,
}

/// A request the loopback server received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Runs `cargo xtask replay-sample`.
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let dir = root.join(DIR);
    let list_path = dir.join("operations.toml");
    let sample = sample_operations(&list_path)?;
    let config_path = root.join("openapi/subset.toml");
    let config = SubsetConfig::parse(&fs::read_to_string(&config_path)?, &config_path)?;
    let mut keep = config.operations.clone();
    keep.extend(
        sample
            .iter()
            .filter(|op| !config.operations.contains(op))
            .cloned(),
    );
    let description_path = dir.join("description.json");
    if let Some(from) = &options.from {
        let text = cut(from, &config, &keep)?;
        if options.check {
            check_unchanged(
                &description_path,
                &text,
                "cargo xtask replay-sample --from <file>",
            )?;
            println!(
                "replay-sample: {} is up to date",
                description_path.display()
            );
            return Ok(());
        }
        write_atomically(&description_path, &text)?;
    }
    let description: Value = serde_json::from_slice(
        &fs::read(&description_path)
            .map_err(|e| format!("cannot read {}: {e}", description_path.display()))?,
    )?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(description.clone())
        .map_err(|e| format!("{} is not OpenAPI 3.0: {e}", description_path.display()))?;
    let census = codegen::census::take(&spec)?;
    let found: BTreeSet<&str> = census
        .operations
        .iter()
        .map(|op| op.upstream_id.as_str())
        .collect();
    let wanted: BTreeSet<&str> = keep.iter().map(String::as_str).collect();
    if found != wanted {
        return Err(format!(
            "{} holds other operations than openapi/subset.toml and {} name: run `cargo xtask replay-sample --from <api.github.com.json>`",
            description_path.display(),
            list_path.display()
        )
        .into());
    }
    let tags: BTreeSet<&str> = sample
        .iter()
        .filter_map(|id| id.split('/').next())
        .collect();
    // The sample is cut from api.github.com: the examples its schemas refuse are listed.
    let contradicted = crate::contradicted_examples::load(&crate::contradicted_examples::path(
        root,
        "api.github.com",
    ))?;
    let usable = |example: &&codegen::census::Example| !contradicted.contains_key(&example.at);
    let mut cases = Vec::new();
    for op in &census.operations {
        let case = case(&description, op, &usable)?;
        let others = other_media_types(&description, op, &case, &usable)?;
        cases.push(case.clone());
        if op.kinds.contains(&codegen::census::Kind::Paginated) {
            cases.push(Case {
                stream: true,
                served: Served {
                    paged: true,
                    ..case.served.clone()
                },
                ..case.clone()
            });
        }
        for (media, served) in others {
            cases.push(Case {
                media: Some(media),
                served,
                ..case.clone()
            });
        }
    }
    let written = crate::generate::write_crate(
        root,
        &description_path,
        &root.join("target/generated/replay-sample"),
        crate::generate::Extras {
            examples: false,
            replay: true,
            features: false,
        },
    )?;
    let Replayed { outcomes, received } = replay(root, &written.dir, &cases)?;
    // An operation the census calls paginated whose answer is not one JSON list or page
    // (several successes, a redirect) has no `stream()`: that call is left out.
    let replayed: Vec<(&Case, &String, &Vec<Received>)> = cases
        .iter()
        .zip(&outcomes)
        .zip(&received)
        .filter(|((case, outcome), _)| !(case.stream && outcome.as_str() == NO_STREAM))
        .map(|((case, outcome), received)| (case, outcome, received))
        .collect();
    let snapshots: BTreeMap<String, String> = replayed
        .iter()
        .map(|(case, outcome, received)| {
            (
                file_name(&case.upstream_id, case.media.as_deref(), case.stream),
                snapshot(case, outcome, received),
            )
        })
        .collect();
    // A stream must follow the `Link` to the second page, and no further.
    let failed: Vec<String> = replayed
        .iter()
        .filter(|(case, outcome, received)| {
            if case.stream {
                !outcome.starts_with("streamed ") || received.len() != 2
            } else {
                !outcome.starts_with("decoded as ")
            }
        })
        .map(|(case, outcome, received)| {
            format!(
                "{}{}: {outcome} ({} requests)",
                case.upstream_id,
                if case.stream { " stream()" } else { "" },
                received.len()
            )
        })
        .collect();
    let stale = compare(&dir.join("requests"), &snapshots, options.accept)?;
    println!(
        "replay-sample: {} operations ({} added to the subset's {}, from {} tags) replayed, {} of them in another media type too, {} with stream() over two pages; {} of {} calls decoded GitHub's documented answer",
        census.operations.len(),
        sample.len(),
        config.operations.len(),
        tags.len(),
        cases
            .iter()
            .filter(|c| c.media.is_some())
            .map(|c| &c.upstream_id)
            .collect::<BTreeSet<_>>()
            .len(),
        replayed.iter().filter(|(c, _, _)| c.stream).count(),
        replayed.len() - failed.len(),
        replayed.len()
    );
    if !failed.is_empty() {
        return Err(format!(
            "{} calls did not decode their documented answer:\n  {}",
            failed.len(),
            failed.join("\n  ")
        )
        .into());
    }
    if stale > 0 {
        return Err(format!(
            "{stale} snapshots under {DIR}/requests differ (diffs above; the new ones are written beside as .new): review them, then run `cargo xtask replay-sample --accept`"
        )
        .into());
    }
    Ok(())
}

/// The upstream ids `operations.toml` lists.
fn sample_operations(path: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let list = doc
        .get("operations")
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("{} has no array `operations`", path.display()))?;
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                format!("{}: `operations` holds a non-string", path.display()).into()
            })
        })
        .collect()
}

/// The temporary description: `keep` cut from the upstream file, as the subset is.
fn cut(
    from: &Path,
    config: &SubsetConfig,
    keep: &[String],
) -> Result<String, Box<dyn std::error::Error>> {
    let bytes = read_upstream(from)?;
    let actual = sha256_hex(&bytes);
    if actual != config.sha256 {
        return Err(format!(
            "{} has sha256 {actual}, not the {} openapi/subset.toml pins",
            from.display(),
            config.sha256
        )
        .into());
    }
    let upstream: Value = serde_json::from_slice(&bytes)?;
    let mut cut = extract(&upstream, keep)?;
    cut[PROVENANCE_KEY] = json!({
        "package": config.package,
        "version": config.version,
        "sha256": actual,
    });
    let mut text = serde_json::to_string_pretty(&cut)?;
    text.push('\n');
    Ok(text)
}

/// `#/components/...` references followed, a bounded number of times.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// Whether a media type is JSON.
fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or(media).trim();
    media == "application/json" || media.ends_with("+json")
}

/// The call of `op` and the answer served to it, from the examples `usable` lets through
/// (those the description does not contradict).
fn case(
    doc: &Value,
    op: &codegen::census::Operation,
    usable: &dyn Fn(&&codegen::census::Example) -> bool,
) -> Result<Case, String> {
    let item = doc
        .get("paths")
        .and_then(|p| p.get(&op.path))
        .ok_or_else(|| format!("{}: no path {}", op.upstream_id, op.path))?;
    let operation = item
        .get(&op.method)
        .ok_or_else(|| format!("{}: no {} {}", op.upstream_id, op.method, op.path))?;
    // Every path and query parameter, the operation's own over its path item's.
    let mut parameters: BTreeMap<String, &Value> = BTreeMap::new();
    for list in [item.get("parameters"), operation.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
    {
        for parameter in list {
            let parameter = resolve(doc, parameter);
            let place = parameter.get("in").and_then(Value::as_str).unwrap_or("");
            if !matches!(place, "path" | "query") {
                continue;
            }
            if let Some(name) = parameter.get("name").and_then(Value::as_str) {
                parameters.insert(name.to_owned(), parameter);
            }
        }
    }
    let mut args: Map<String, Value> = parameters
        .iter()
        .map(|(name, parameter)| {
            let value = match parameter.get("example") {
                Some(example) => example.clone(),
                None => sample(
                    doc,
                    parameter.get("schema").unwrap_or(&Value::Null),
                    name,
                    0,
                ),
            };
            (name.clone(), value)
        })
        .collect();
    let request_content = operation
        .get("requestBody")
        .map(|b| resolve(doc, b))
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object);
    let body = request_content.and_then(|content| {
        let json = content.iter().find(|(media, _)| is_json(media));
        Some(match json {
            Some((media, body)) => op
                .examples
                .iter()
                .filter(usable)
                .find(|e| e.status.is_none() && e.media == *media)
                .map(|e| e.value.clone())
                .unwrap_or_else(|| {
                    sample(doc, body.get("schema").unwrap_or(&Value::Null), "body", 0)
                }),
            None => Value::String(format!("Hello **world**, as {}", content.keys().next()?)),
        })
    });
    // A body of bytes says its length and media type in headers the builder asks for.
    if let Some(Value::String(bytes)) = &body
        && let Some(media) = request_content.and_then(|c| c.keys().next())
    {
        args.insert("Content-Length".to_owned(), json!(bytes.len()));
        args.insert("Content-Type".to_owned(), json!(media));
    }
    let served = served(doc, operation, op, usable)?;
    Ok(Case {
        upstream_id: op.upstream_id.clone(),
        operation: op.name.clone(),
        kinds: op.kinds.iter().map(|k| k.name().to_owned()).collect(),
        media: None,
        stream: false,
        args,
        body,
        served,
    })
}

/// What the server answers `operation`: a documented redirect's 302, or its first
/// success with GitHub's example of it (a value made from its schema when there is none).
fn served(
    doc: &Value,
    operation: &Value,
    op: &codegen::census::Operation,
    usable: &dyn Fn(&&codegen::census::Example) -> bool,
) -> Result<Served, String> {
    let responses = operation
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{}: no responses", op.upstream_id))?;
    let success = responses
        .keys()
        .filter(|s| s.starts_with('2'))
        .min()
        .cloned();
    let Some(status) = success else {
        let redirect = ["302", "303"]
            .into_iter()
            .find(|s| responses.contains_key(*s))
            .ok_or_else(|| format!("{}: neither a 2xx nor a 302/303", op.upstream_id))?;
        return Ok(Served {
            status: redirect.parse().unwrap_or(302),
            content_type: None,
            body: String::new(),
            source: format!("the documented {redirect}, to the loopback storage"),
            location: Some("/storage/archive?X-Amz-Signature=secret".to_owned()),
            paged: false,
        });
    };
    let code: u16 = status
        .parse()
        .map_err(|_| format!("{}: status {status}", op.upstream_id))?;
    let response = resolve(doc, &responses[&status]);
    let content = response.get("content").and_then(Value::as_object);
    let Some(content) = content.filter(|c| !c.is_empty()) else {
        return Ok(Served {
            status: code,
            content_type: None,
            body: String::new(),
            source: format!("the documented {status}, which has no body"),
            location: None,
            paged: false,
        });
    };
    let served = match content.iter().find(|(media, _)| is_json(media)) {
        Some((media, body)) => served_json(doc, op, &status, code, media, body, usable)?,
        None => {
            let media = content.keys().next().cloned().unwrap_or_default();
            Served {
                status: code,
                content_type: Some(media.clone()),
                body: "replayed answer\n".to_owned(),
                source: format!("text for the documented {status} {media}"),
                location: None,
                paged: false,
            }
        }
    };
    Ok(served)
}

/// The answer of `status` (`code`) in the JSON media type `media` (its `body` in the
/// description): GitHub's example of it that the description does not contradict, else a
/// value made from its schema.
fn served_json(
    doc: &Value,
    op: &codegen::census::Operation,
    status: &str,
    code: u16,
    media: &str,
    body: &Value,
    usable: &dyn Fn(&&codegen::census::Example) -> bool,
) -> Result<Served, String> {
    let documented: Vec<&codegen::census::Example> = op
        .examples
        .iter()
        .filter(|e| e.status.as_deref() == Some(status) && e.media == media)
        .collect();
    let (value, source) = match documented.iter().copied().find(usable) {
        Some(example) => (
            example.value.clone(),
            format!("GitHub's example {}", example.at),
        ),
        None => (
            sample(doc, body.get("schema").unwrap_or(&Value::Null), "body", 0),
            if documented.is_empty() {
                format!("a value made from the schema of {status} {media}: no example documented")
            } else {
                format!(
                    "a value made from the schema of {status} {media}: the description contradicts each example documented (conformance/examples-contradicted)"
                )
            },
        ),
    };
    Ok(Served {
        status: code,
        content_type: Some(media.to_owned()),
        body: serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?,
        source,
        location: None,
        paged: false,
    })
}

/// The other media types of `op`'s one success (besides the one `case` is answered in),
/// each with the answer served when it is asked for: GitHub's example of it (JSON, or
/// text such as a diff), else a line of text.
fn other_media_types(
    doc: &Value,
    op: &codegen::census::Operation,
    case: &Case,
    usable: &dyn Fn(&&codegen::census::Example) -> bool,
) -> Result<Vec<(String, Served)>, String> {
    let Some(operation) = doc.pointer(&format!(
        "/paths/{}/{}",
        crate::subset::escape(&op.path),
        op.method
    )) else {
        return Ok(Vec::new());
    };
    let successes: Vec<(&String, &Value)> = operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .collect();
    let [(status, response)] = successes[..] else {
        return Ok(Vec::new());
    };
    let code = case.served.status;
    let Some(content) = resolve(doc, response)
        .get("content")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    if content.len() < 2 {
        return Ok(Vec::new());
    }
    let mut others = Vec::new();
    for (media, body) in content {
        if case.served.content_type.as_deref() == Some(media.as_str()) {
            continue;
        }
        let served = if is_json(media) {
            served_json(doc, op, status, code, media, body, usable)?
        } else {
            let at = format!(
                "/paths/{}/{}/responses/{status}/content/{}",
                crate::subset::escape(&op.path),
                op.method,
                crate::subset::escape(media)
            );
            let example = body
                .get("example")
                .map(|v| (v, format!("{at}/example")))
                .or_else(|| {
                    body.get("examples")
                        .and_then(Value::as_object)
                        .and_then(|e| e.iter().next())
                        .and_then(|(name, e)| {
                            resolve(doc, e).get("value").map(|v| {
                                (v, format!("{at}/examples/{}", crate::subset::escape(name)))
                            })
                        })
                });
            let (text, source) = match example {
                Some((Value::String(text), at)) => (text.clone(), format!("GitHub's example {at}")),
                Some((value, at)) => (
                    serde_json::to_string_pretty(value).map_err(|e| e.to_string())?,
                    format!("GitHub's example {at}"),
                ),
                None => (
                    "replayed answer\n".to_owned(),
                    format!("text for the documented {status} {media}"),
                ),
            };
            Served {
                status: code,
                content_type: Some(media.clone()),
                body: text,
                source,
                location: None,
                paged: false,
            }
        };
        others.push((media.clone(), served));
    }
    Ok(others)
}

/// A value of `schema` for a parameter or property named `name`: its example, its first
/// enum value, its default, else one made from its type.
fn sample(doc: &Value, schema: &Value, name: &str, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > 8 {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    for alternatives in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(alternatives)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return sample(doc, first, name, depth + 1);
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            match sample(doc, part, name, depth + 1) {
                Value::Object(fields) => merged.extend(fields),
                other => return other,
            }
        }
        return Value::Object(merged);
    }
    match schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("object")
    {
        "integer" => json!(1),
        "number" => json!(1.5),
        "boolean" => json!(true),
        "array" => json!([sample(
            doc,
            schema.get("items").unwrap_or(&Value::Null),
            name,
            depth + 1
        )]),
        "string" => Value::String(
            match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => "2026-03-10T12:00:00Z",
                Some("date") => "2026-03-10",
                Some("uri") => "https://github.com/octocat",
                Some("email") => "octocat@github.com",
                _ => match name {
                    "owner" | "org" | "username" | "enterprise" => "octocat",
                    "repo" => "hello-world",
                    _ => "example",
                },
            }
            .to_owned(),
        ),
        _ => {
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let properties = schema.get("properties").and_then(Value::as_object);
            Value::Object(
                properties
                    .into_iter()
                    .flatten()
                    .filter(|(key, _)| required.contains(key.as_str()))
                    .map(|(key, property)| (key.clone(), sample(doc, property, key, depth + 1)))
                    .collect(),
            )
        }
    }
}

/// Serves each case's answer on loopback, runs the crate's `replay` program over the
/// cases, and gives what each call's `send()` made of it with the requests it sent.
fn replay(root: &Path, dir: &Path, cases: &[Case]) -> Result<Replayed, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let root_url = format!("http://{}", listener.local_addr()?);
    let state = Arc::new(Loopback {
        served: cases.iter().map(|c| c.served.clone()).collect(),
        received: Mutex::new(vec![Vec::new(); cases.len()]),
        root: root_url.clone(),
    });
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(Arc::clone(&state));
    runtime.spawn(async move { axum::serve(listener, app).await });
    let input = dir.join("cases.json");
    let list: Vec<Value> = cases
        .iter()
        .map(
            |c| json!({"operation": c.operation, "stream": c.stream, "media": c.media, "args": c.args, "body": c.body}),
        )
        .collect();
    write_atomically(&input, &serde_json::to_string(&list)?)?;
    let output = crate::generate::build_and_run(
        root,
        dir,
        "replay",
        &[
            input.as_os_str(),
            std::ffi::OsStr::new(&root_url),
            std::ffi::OsStr::new(TOKEN),
        ],
    )?;
    let results: Vec<Value> = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("replay printed no JSON array: {e}"))?;
    if results.len() != cases.len() {
        return Err(format!("replay answered {} of {} cases", results.len(), cases.len()).into());
    }
    // The server's port changes from run to run.
    let outcomes = results
        .iter()
        .map(|r| match (r["outcome"].as_str(), r["error"].as_str()) {
            (Some(outcome), _) => outcome.replace(&root_url, "http://[loopback]"),
            (None, Some(why)) => format!("not called: {why}"),
            (None, None) => format!("not called: {r}"),
        })
        .collect();
    drop(runtime);
    let received = state
        .received
        .lock()
        .map_err(|_| "the loopback server panicked")?
        .clone();
    Ok(Replayed { outcomes, received })
}

/// What [`replay`] found, case by case.
struct Replayed {
    /// What each call's `send()` made of its answer, or why it was not called.
    outcomes: Vec<String>,
    /// The requests each call sent.
    received: Vec<Vec<Received>>,
}

/// The loopback server's state.
struct Loopback {
    served: Vec<Served>,
    received: Mutex<Vec<Vec<Received>>>,
    root: String,
}

/// Records a request to `/case/INDEX/...` and answers case INDEX's answer.
async fn answer(
    axum::extract::State(state): axum::extract::State<Arc<Loopback>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let Some((index, rest)) = target
        .strip_prefix("/case/")
        .and_then(|t| t.split_once('/'))
        .and_then(|(i, rest)| Some((i.parse::<usize>().ok()?, format!("/{rest}"))))
        .filter(|(i, _)| *i < state.served.len())
    else {
        return (axum::http::StatusCode::NOT_FOUND, "not a case").into_response();
    };
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    if let Ok(mut received) = state.received.lock() {
        received[index].push(Received {
            method: parts.method.to_string(),
            target: rest,
            headers,
            body,
        });
    }
    let served = &state.served[index];
    let mut response = axum::response::Response::new(axum::body::Body::from(served.body.clone()));
    *response.status_mut() =
        axum::http::StatusCode::from_u16(served.status).unwrap_or(axum::http::StatusCode::OK);
    let headers = response.headers_mut();
    if let Some(media) = &served.content_type
        && let Ok(value) = media.parse()
    {
        headers.insert(axum::http::header::CONTENT_TYPE, value);
    }
    if let Some(location) = &served.location
        && let Ok(value) = format!("{}{location}", state.root).parse()
    {
        headers.insert(axum::http::header::LOCATION, value);
    }
    if served.paged
        && let Some(next) = second_page(&target)
        && let Ok(value) = format!("<{}{next}>; rel=\"next\"", state.root).parse()
    {
        headers.insert(axum::http::header::LINK, value);
    }
    response
}

/// The second page of the listing at `target` (path and query), unless it is that page.
fn second_page(target: &str) -> Option<String> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if pairs.iter().any(|p| p == "page=2") {
        return None;
    }
    pairs.retain(|p| !p.starts_with("page="));
    pairs.push("page=2".to_owned());
    Some(format!("{path}?{}", pairs.join("&")))
}

/// `repos/get-content` as `repos.get-content.txt`; asking for another media type,
/// `repos/get-commit` as `repos.get-commit.as-vnd.github.diff.txt`; with `stream()`,
/// `repos/list-releases` as `repos.list-releases.stream.txt`.
fn file_name(upstream_id: &str, media: Option<&str>, stream: bool) -> String {
    let id = upstream_id.replace('/', ".");
    match media {
        None if stream => format!("{id}.stream.txt"),
        None => format!("{id}.txt"),
        Some(media) => {
            let subtype = media.rsplit('/').next().unwrap_or(media);
            let subtype: String = subtype
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            format!("{id}.as-{subtype}.txt")
        }
    }
}

/// The snapshot of one case: the operation, each request it sent, the answer served and
/// what `send()` made of it.
fn snapshot(case: &Case, outcome: &str, received: &[Received]) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "operation: {} ({})", case.upstream_id, case.operation);
    if !case.kinds.is_empty() {
        let _ = writeln!(text, "kinds: {}", case.kinds.join(", "));
    }
    if let Some(media) = &case.media {
        let _ = writeln!(text, "asks for: {media} (its send_ method, not send())");
    }
    if case.stream {
        let _ = writeln!(
            text,
            "calls: stream() (the first page answered with a Link to the second)"
        );
    }
    if received.is_empty() {
        text.push_str("\nno request was sent\n");
    }
    for request in received {
        let _ = writeln!(text, "\n{} {}", request.method, request.target);
        for (name, value) in &request.headers {
            // Which host and port, and the crate's version, change from run to run.
            if matches!(name.as_str(), "host" | "user-agent") {
                continue;
            }
            let shown = if name == "authorization" {
                if value.ends_with(TOKEN) {
                    value.replace(TOKEN, "[token]")
                } else {
                    "[NOT the token given]".to_owned()
                }
            } else {
                value.clone()
            };
            let _ = writeln!(text, "{name}: {shown}");
        }
        if !request.body.is_empty() {
            text.push('\n');
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(json) => {
                    let _ = writeln!(
                        text,
                        "{}",
                        serde_json::to_string_pretty(&json).unwrap_or_default()
                    );
                }
                Err(_) => match std::str::from_utf8(&request.body) {
                    Ok(body) => {
                        let _ = writeln!(text, "{body}");
                    }
                    Err(_) => {
                        let _ = writeln!(text, "<{} bytes>", request.body.len());
                    }
                },
            }
        }
    }
    let served = &case.served;
    let _ = writeln!(
        text,
        "\nanswered: {}{} ({})",
        served.status,
        served
            .content_type
            .as_deref()
            .map(|m| format!(" {m}"))
            .unwrap_or_default(),
        served.source
    );
    match &case.media {
        None if case.stream => {
            let _ = writeln!(text, "stream(): {outcome}");
        }
        None => {
            let _ = writeln!(text, "send(): {outcome}");
        }
        Some(media) => {
            let _ = writeln!(text, "asking for {media}: {outcome}");
        }
    }
    text
}

/// Compares the snapshots with the files in `dir`; with `accept`, writes them (and
/// removes the files of operations no longer replayed). Gives how many differ.
fn compare(
    dir: &Path,
    snapshots: &BTreeMap<String, String>,
    accept: bool,
) -> Result<usize, Box<dyn std::error::Error>> {
    fs::create_dir_all(dir)?;
    let mut differ = 0;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pending = name.ends_with(".new");
        if pending || (accept && !snapshots.contains_key(&name)) {
            fs::remove_file(&path)?;
        } else if !snapshots.contains_key(&name) {
            eprintln!(
                "{}: no operation of the sample has this snapshot",
                path.display()
            );
            differ += 1;
        }
    }
    for (name, text) in snapshots {
        let path = dir.join(name);
        if accept {
            write_atomically(&path, text)?;
        } else if check_unchanged(&path, text, "cargo xtask replay-sample --accept").is_err() {
            differ += 1;
            // Beside the snapshot, for review; a CI run only reports.
            if std::env::var_os("CI").is_none() {
                write_atomically(&dir.join(format!("{name}.new")), text)?;
            }
        }
    }
    Ok(differ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_made_from_a_schema_by_example_enum_default_then_type() {
        let doc = json!({"components": {"schemas": {"state": {"type": "string", "enum": ["open", "closed"]}}}});
        let schema = json!({
            "type": "object",
            "required": ["title", "state", "labels", "count", "at"],
            "properties": {
                "title": {"type": "string", "example": "Found a bug"},
                "state": {"$ref": "#/components/schemas/state"},
                "labels": {"type": "array", "items": {"type": "string"}},
                "count": {"type": "integer", "default": 30},
                "at": {"type": "string", "format": "date-time"},
                "optional": {"type": "string"}
            }
        });
        assert_eq!(
            sample(&doc, &schema, "body", 0),
            json!({
                "title": "Found a bug",
                "state": "open",
                "labels": ["example"],
                "count": 30,
                "at": "2026-03-10T12:00:00Z"
            })
        );
    }

    #[test]
    fn a_schema_that_refers_to_itself_ends() {
        let doc = json!({"components": {"schemas": {"node": {
            "type": "object", "required": ["child"],
            "properties": {"child": {"$ref": "#/components/schemas/node"}}
        }}}});
        let value = sample(&doc, &json!({"$ref": "#/components/schemas/node"}), "x", 0);
        assert!(value.pointer("/child/child/child").is_some(), "{value}");
    }

    #[test]
    fn the_token_never_shows_in_a_snapshot() {
        let case = Case {
            upstream_id: "meta/root".to_owned(),
            operation: "root".to_owned(),
            kinds: Vec::new(),
            media: None,
            stream: false,
            args: Map::new(),
            body: None,
            served: Served {
                status: 200,
                content_type: Some("application/json".to_owned()),
                body: "{}".to_owned(),
                source: "test".to_owned(),
                location: None,
                paged: false,
            },
        };
        let received = [Received {
            method: "GET".to_owned(),
            target: "/".to_owned(),
            headers: vec![("authorization".to_owned(), format!("Bearer {TOKEN}"))],
            body: Vec::new(),
        }];
        let text = snapshot(&case, "decoded as Root", &received);
        assert!(text.contains("authorization: Bearer [token]"), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }

    #[test]
    fn another_media_type_has_a_snapshot_of_its_own() {
        assert_eq!(
            file_name("repos/get-commit", None, false),
            "repos.get-commit.txt"
        );
        assert_eq!(
            file_name("repos/list-releases", None, true),
            "repos.list-releases.stream.txt"
        );
        assert_eq!(
            file_name(
                "repos/get-commit",
                Some("application/vnd.github.diff"),
                false
            ),
            "repos.get-commit.as-vnd.github.diff.txt"
        );
        assert_eq!(
            file_name("a/b", Some("application/vnd.github.v3.star+json"), false),
            "a.b.as-vnd.github.v3.star-json.txt"
        );
    }
}
