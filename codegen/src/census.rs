//! The census of a description: for each operation, whether it generates and why not,
//! which of the hard kinds GitHub's description holds it is (a name shared across tags,
//! several successes, several media types, a documented redirect, pages), how many
//! examples GitHub documents for it, and what the passes noted under it.
//!
//! Each operation is generated alone, with only the components it reaches, so one that
//! fails names itself, and the others are counted as what they are. The whole document is
//! generated once too: operations that pass alone can still fail together (two of them
//! making one type name).
//!
//! ```
//! let spec: openapiv3::OpenAPI = serde_json::from_str(r#"{
//!   "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
//!   "paths": {"/ping": {"get": {"operationId": "meta/ping", "responses": {"204": {"description": "pong"}}}}}
//! }"#).unwrap();
//! let census = codegen::census::take(&spec).unwrap();
//! assert_eq!(census.generated(), 1);
//! assert_eq!(census.operations[0].name, "ping");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use crate::passes::{self, Note, UPSTREAM_ID};
use crate::schema_walk::{METHODS, escape, obj, refs_in, resolve};
use crate::{Error, engine, validate};

/// A kind of operation that is hard for a generator, as GitHub's description holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Its short name is another operation's too, so it keeps its tag.
    TagKept,
    /// More than one 2xx status, with different bodies (no body counts as one).
    SeveralSuccesses,
    /// A request body or a response offered in more than one media type.
    SeveralMediaTypes,
    /// A request body or a response in a media type that is not JSON.
    NotJson,
    /// A 3xx status is documented (a download's redirect to storage).
    DocumentedRedirect,
    /// Pages with `Link`: `per_page` and `page` query parameters.
    Paginated,
}

impl Kind {
    /// Every kind, in the order the census prints them.
    pub const ALL: [Kind; 6] = [
        Kind::TagKept,
        Kind::SeveralSuccesses,
        Kind::SeveralMediaTypes,
        Kind::NotJson,
        Kind::DocumentedRedirect,
        Kind::Paginated,
    ];

    /// The kind's name in the census.
    pub fn name(self) -> &'static str {
        match self {
            Kind::TagKept => "tag-kept",
            Kind::SeveralSuccesses => "several-2xx",
            Kind::SeveralMediaTypes => "several-media-types",
            Kind::NotJson => "not-json",
            Kind::DocumentedRedirect => "documented-3xx",
            Kind::Paginated => "paginated",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One operation in the census.
#[derive(Debug, Clone)]
pub struct Operation {
    /// GitHub's operationId (`repos/get-release-asset`).
    pub upstream_id: String,
    /// Its Rust name (`get_release_asset`).
    pub name: String,
    /// Its HTTP method, lower case, as the description keys it.
    pub method: String,
    /// Its path template.
    pub path: String,
    /// Generated alone, or why not.
    pub generated: Result<(), String>,
    /// The hard kinds it is.
    pub kinds: BTreeSet<Kind>,
    /// JSON examples GitHub documents for its request body and responses.
    pub examples: Vec<Example>,
    /// What the passes noted under its JSON pointer.
    pub notes: Vec<Note>,
}

/// One JSON example GitHub documents for an operation's request body or response.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Where the operation documents it (a JSON pointer into the description; the value
    /// may live in `components/examples`, which it references).
    pub at: String,
    /// The response status it is documented for (`"200"`, `"default"`); `None` for the
    /// request body.
    pub status: Option<String>,
    /// Its media type.
    pub media: String,
    /// The example itself.
    pub value: Value,
    /// The schema the description gives it (its `$ref`s point into the description).
    pub schema: Option<Value>,
}

/// What [`take`] found.
#[derive(Debug, Clone)]
pub struct Census {
    /// Every operation, in path order, then method order.
    pub operations: Vec<Operation>,
    /// The whole document generated at once, or why not.
    pub whole: Result<(), String>,
    /// Every note the passes made, the components' included.
    pub notes: Vec<Note>,
}

impl Census {
    /// Operations that generate alone.
    pub fn generated(&self) -> usize {
        self.operations
            .iter()
            .filter(|o| o.generated.is_ok())
            .count()
    }

    /// Examples documented, over every operation.
    pub fn examples(&self) -> usize {
        self.operations.iter().map(|o| o.examples.len()).sum()
    }

    /// How many operations are of each kind.
    pub fn kinds(&self) -> BTreeMap<Kind, usize> {
        let mut counts = BTreeMap::new();
        for kind in self.operations.iter().flat_map(|o| &o.kinds) {
            *counts.entry(*kind).or_default() += 1;
        }
        counts
    }

    /// How many notes each pass made.
    pub fn notes_by_pass(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for note in &self.notes {
            *counts.entry(note.pass).or_default() += 1;
        }
        counts
    }
}

/// Takes the census of `spec`. Fails only where generation as a whole cannot start: an
/// invalid description, or a pass that cannot apply (each names its JSON pointer).
pub fn take(spec: &openapiv3::OpenAPI) -> Result<Census, Error> {
    let mut doc = serde_json::to_value(spec).map_err(|e| Error::Normalized(e.to_string()))?;
    validate::validate(&doc)?;
    // The kinds are GitHub's description's, before the passes rewrote it.
    let original = doc.clone();
    let notes = passes::normalize(&mut doc)?;
    let mut operations = Vec::new();
    for (path, item) in obj(doc.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = format!("/paths/{}/{method}", escape(path));
            let name = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let upstream_id = op
                .get(UPSTREAM_ID)
                .and_then(Value::as_str)
                .unwrap_or(&name)
                .to_owned();
            let generated = serde_json::from_value::<openapiv3::OpenAPI>(alone(&doc, path, method))
                .map_err(|e| format!("does not parse as OpenAPI 3.0 once normalized: {e}"))
                .and_then(|single| engine::generate_alone(&single).map(|_| ()));
            let (mut kinds, examples) = match original.pointer(&at) {
                Some(first) => (
                    kinds(&original, &original["paths"][path], first),
                    examples(&original, first, &at),
                ),
                None => (BTreeSet::new(), Vec::new()),
            };
            let own_notes: Vec<Note> = notes
                .iter()
                .filter(|n| n.at == at || n.at.starts_with(&format!("{at}/")))
                .cloned()
                .collect();
            if own_notes
                .iter()
                .any(|n| n.pass == "operation_names" && n.change.contains("another operation"))
            {
                kinds.insert(Kind::TagKept);
            }
            operations.push(Operation {
                upstream_id,
                name: passes::rust_name(&name),
                method: method.to_owned(),
                path: path.clone(),
                generated,
                kinds,
                examples,
                notes: own_notes,
            });
        }
    }
    let whole = serde_json::from_value::<openapiv3::OpenAPI>(doc)
        .map_err(|e| format!("does not parse as OpenAPI 3.0 once normalized: {e}"))
        .and_then(|normalized| engine::generate_alone(&normalized).map(|_| ()));
    Ok(Census {
        operations,
        whole,
        notes,
    })
}

/// The document with one operation left, and only the components it reaches.
pub(crate) fn alone(doc: &Value, path: &str, method: &str) -> Value {
    let item = &doc["paths"][path];
    let mut single_item = Map::new();
    single_item.insert(method.to_owned(), item[method].clone());
    if let Some(parameters) = item.get("parameters") {
        single_item.insert("parameters".to_owned(), parameters.clone());
    }
    let single_item = Value::Object(single_item);
    let mut queue = Vec::new();
    refs_in(&single_item, "/paths/item", &mut queue);
    let mut components: Map<String, Value> = Map::new();
    let mut reached = BTreeSet::new();
    while let Some(reference) = queue.pop() {
        let Some(pointer) = reference.strip_prefix("#/components/") else {
            continue;
        };
        let mut parts = pointer.splitn(3, '/');
        let (Some(section), Some(name)) = (parts.next(), parts.next()) else {
            continue;
        };
        let at = format!("/components/{section}/{name}");
        if !reached.insert(at.clone()) {
            continue;
        }
        let Some(value) = doc.pointer(&at) else {
            continue;
        };
        refs_in(value, &at, &mut queue);
        let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
        components
            .entry(unescape(section))
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .map(|m| m.insert(unescape(name), value.clone()));
    }
    let mut single = Map::new();
    for key in ["openapi", "info", "servers"] {
        if let Some(value) = doc.get(key) {
            single.insert(key.to_owned(), value.clone());
        }
    }
    let mut paths = Map::new();
    paths.insert(path.to_owned(), single_item);
    single.insert("paths".to_owned(), Value::Object(paths));
    single.insert("components".to_owned(), Value::Object(components));
    Value::Object(single)
}

/// The request body and every response of `op`, resolved, with the status (`None` for
/// the request body).
fn bodies<'a>(doc: &'a Value, op: &'a Value) -> Vec<(Option<&'a str>, &'a Value)> {
    let mut found = Vec::new();
    if let Some(body) = op.get("requestBody") {
        found.push((None, resolve(doc, body)));
    }
    for (status, response) in obj(op.get("responses")) {
        found.push((Some(status.as_str()), resolve(doc, response)));
    }
    found
}

/// The hard kinds `op` is, from its own description (the tag kept is seen from the notes).
fn kinds(doc: &Value, item: &Value, op: &Value) -> BTreeSet<Kind> {
    let mut kinds = BTreeSet::new();
    let mut successes = BTreeSet::new();
    for (status, body) in bodies(doc, op) {
        let content: Vec<(&String, &Value)> = obj(body.get("content")).collect();
        if content.len() > 1 {
            kinds.insert(Kind::SeveralMediaTypes);
        }
        if content.iter().any(|(media, _)| !passes::is_json(media)) {
            kinds.insert(Kind::NotJson);
        }
        match status {
            Some(s) if s.starts_with('3') => {
                kinds.insert(Kind::DocumentedRedirect);
            }
            Some(s) if s.starts_with('2') => {
                // Bodies told apart by what they hold; no body is one kind of its own.
                successes.insert(
                    content
                        .iter()
                        .map(|(media, m)| {
                            format!("{media}={}", m.get("schema").unwrap_or(&Value::Null))
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            _ => {}
        }
    }
    if successes.len() > 1 {
        kinds.insert(Kind::SeveralSuccesses);
    }
    let parameters: Vec<&Value> = [item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|p| resolve(doc, p))
        .collect();
    let has_query = |name: &str| {
        parameters.iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("in").and_then(Value::as_str) == Some("query")
        })
    };
    if has_query("per_page") && has_query("page") {
        kinds.insert(Kind::Paginated);
    }
    kinds
}

/// JSON examples documented for `op` (at `at`), for its request body and responses: each
/// `example`, and each entry of `examples` (resolved), of each JSON media type.
fn examples(doc: &Value, op: &Value, at: &str) -> Vec<Example> {
    let mut found = Vec::new();
    for (status, body) in bodies(doc, op) {
        let body_at = match status {
            None => format!("{at}/requestBody"),
            Some(status) => format!("{at}/responses/{}", escape(status)),
        };
        for (media, content) in obj(body.get("content")) {
            if !passes::is_json(media) {
                continue;
            }
            let media_at = format!("{body_at}/content/{}", escape(media));
            let mut documented = Vec::new();
            if let Some(value) = content.get("example") {
                documented.push((format!("{media_at}/example"), value));
            }
            for (name, entry) in obj(content.get("examples")) {
                // An entry with only an `externalValue` has nothing here to decode.
                if let Some(value) = resolve(doc, entry).get("value") {
                    documented.push((
                        format!("{media_at}/examples/{}", escape(name)),
                        referenced_value(doc, value),
                    ));
                }
            }
            found.extend(documented.into_iter().map(|(at, value)| Example {
                at,
                status: status.map(str::to_owned),
                media: media.clone(),
                value: value.clone(),
                schema: content.get("schema").cloned(),
            }));
        }
    }
    found
}

/// An example's `value` that is only `{"$ref": "#/components/examples/NAME"}`: GitHub
/// writes this (19 times in api.github.com) meaning that component's value, though
/// OpenAPI reads a `value` literally. Taken as GitHub means it; any other value as it is.
fn referenced_value<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let reference = value
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("$ref"))
        .and_then(Value::as_str)
        .filter(|r| r.starts_with("#/components/examples/"));
    reference
        .and_then(|r| doc.pointer(&r[1..]))
        .and_then(|example| example.get("value"))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(paths: Value) -> openapiv3::OpenAPI {
        serde_json::from_value(json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {
                "schemas": {
                    "thing": {"type": "object", "properties": {"id": {"type": "integer"}}},
                    "unused": {"type": "string"}
                },
                "examples": {"thing": {"value": {"id": 1}}}
            }
        }))
        .unwrap()
    }

    fn thing() -> Value {
        json!({"$ref": "#/components/schemas/thing"})
    }

    #[test]
    fn an_example_value_that_is_a_reference_is_the_value_it_names() {
        let doc = json!({"components": {"examples": {"thing": {"value": {"id": 1}}}}});
        let op = json!({"responses": {"200": {"description": "ok", "content": {"application/json": {
            "examples": {
                "referenced": {"value": {"$ref": "#/components/examples/thing"}},
                "dangling": {"value": {"$ref": "#/components/examples/none"}},
                "literal": {"value": {"$ref": "#/components/examples/thing", "id": 2}}
            }
        }}}}});
        let values: Vec<Value> = examples(&doc, &op, "/paths/~1t/get")
            .into_iter()
            .map(|e| e.value)
            .collect();
        assert_eq!(
            values,
            [
                json!({"$ref": "#/components/examples/none"}),
                json!({"$ref": "#/components/examples/thing", "id": 2}),
                json!({"id": 1}),
            ]
        );
    }

    #[test]
    fn each_operation_is_counted_with_its_kinds_and_examples() {
        let census = take(&spec(json!({
            "/things": {"get": {
                "operationId": "things/list",
                "parameters": [
                    {"name": "per_page", "in": "query", "schema": {"type": "integer"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": thing()},
                    "examples": {"default": {"$ref": "#/components/examples/thing"}}
                }}}}
            }},
            "/things/{id}": {"put": {
                "operationId": "things/merge",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {
                    "201": {"description": "made", "content": {"application/json": {"schema": thing(), "example": {"id": 2}}}},
                    "204": {"description": "nothing to do"}
                }
            }},
            "/zip": {"get": {
                "operationId": "other/list",
                "responses": {"302": {"description": "to storage", "headers": {"Location": {"schema": {"type": "string"}}}}}
            }},
            "/render": {"post": {
                "operationId": "render",
                "requestBody": {"content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "text/x-markdown": {"schema": {"type": "string"}}
                }},
                "responses": {"200": {"description": "html", "content": {"text/html": {"schema": {"type": "string"}}}}}
            }}
        })))
        .unwrap();
        let by_name: BTreeMap<&str, &Operation> = census
            .operations
            .iter()
            .map(|o| (o.name.as_str(), o))
            .collect();
        assert_eq!(
            by_name.keys().copied().collect::<Vec<_>>(),
            ["merge", "other_list", "render", "things_list"]
        );
        let list = by_name["things_list"];
        assert_eq!(list.upstream_id, "things/list");
        assert_eq!(list.kinds, BTreeSet::from([Kind::TagKept, Kind::Paginated]));
        assert_eq!(
            list.examples,
            [Example {
                at: "/paths/~1things/get/responses/200/content/application~1json/examples/default"
                    .to_owned(),
                status: Some("200".to_owned()),
                media: "application/json".to_owned(),
                value: json!({"id": 1}),
                schema: Some(json!({"type": "array", "items": thing()})),
            }]
        );
        assert_eq!(list.generated, Ok(()));
        let merge = by_name["merge"];
        assert_eq!(merge.kinds, BTreeSet::from([Kind::SeveralSuccesses]));
        assert_eq!(merge.examples.len(), 1);
        assert_eq!(
            merge.examples[0].at,
            "/paths/~1things~1{id}/put/responses/201/content/application~1json/example"
        );
        assert_eq!(merge.examples[0].value, json!({"id": 2}));
        assert_eq!(
            by_name["other_list"].kinds,
            BTreeSet::from([Kind::TagKept, Kind::DocumentedRedirect])
        );
        assert_eq!(
            by_name["render"].kinds,
            BTreeSet::from([Kind::SeveralMediaTypes, Kind::NotJson])
        );
        // Each of the hard kinds generates once the passes rewrote it.
        assert_eq!(merge.generated, Ok(()));
        assert_eq!(by_name["render"].generated, Ok(()));
        assert_eq!(census.generated(), 4);
        assert_eq!(census.examples(), 2);
        assert_eq!(census.whole, Ok(()));
        assert_eq!(census.kinds()[&Kind::TagKept], 2);
        assert!(census.notes_by_pass()["prune_components"] >= 1);
    }

    #[test]
    fn an_operation_alone_keeps_only_the_components_it_reaches() {
        let doc = serde_json::to_value(spec(json!({
            "/things/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {"operationId": "get", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": thing()}}}}},
                "delete": {"operationId": "delete", "responses": {"204": {"description": "gone"}}}
            }
        })))
        .unwrap();
        let single = alone(&doc, "/things/{id}", "get");
        assert_eq!(
            single["components"],
            json!({"schemas": {"thing": doc["components"]["schemas"]["thing"]}})
        );
        assert!(single["paths"]["/things/{id}"].get("delete").is_none());
        assert_eq!(
            single["paths"]["/things/{id}"]["parameters"][0]["name"],
            "id"
        );
    }

    #[test]
    fn an_invalid_description_is_an_error_naming_where() {
        let mut broken = spec(json!({"/a": {"get": {"operationId": "a", "responses": {}}}}));
        broken.openapi = "3.1.0".into();
        let error = take(&broken).unwrap_err();
        assert!(error.to_string().contains("/openapi"), "{error}");
    }
}
