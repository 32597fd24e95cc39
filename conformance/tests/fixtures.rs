//! The fixtures cannot drift from the description: each is well-formed, sits on an
//! operation of the vendored description with its method and path, and its response
//! body validates against the schema of its status (or is marked as deliberately not).

use std::collections::BTreeSet;

use conformance::description;
use conformance::fixture::{self, Fixture, SchemaExpectation};
use conformance::schema;
use serde_json::Value;

fn fixtures() -> Vec<Fixture> {
    fixture::load_all(&fixture::dir()).unwrap_or_else(|e| panic!("{e}"))
}

fn doc() -> &'static Value {
    description::document().expect("vendored description parses")
}

/// `(path template, method)` of an operationId in the vendored description.
fn route(operation: &str) -> (String, String) {
    for (path, item) in doc()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("operationId").and_then(Value::as_str) == Some(operation) {
                return (path.clone(), method.to_uppercase());
            }
        }
    }
    panic!("operation {operation} is not in the vendored description")
}

/// Percent-encodes one path segment as RFC 3986 allows it unencoded.
fn encode_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn there_are_enough_fixtures_and_they_cover_the_subset() {
    let all = fixtures();
    assert!(all.len() >= 30, "only {} fixtures", all.len());
    let covered: BTreeSet<&str> = all.iter().map(|f| f.operation.as_str()).collect();
    let operations: BTreeSet<&str> = doc()["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .collect();
    assert_eq!(
        covered, operations,
        "operations without a fixture, or fixtures of unknown operations"
    );
    // Every status the documentation of the endpoints lists.
    for (operation, status) in [
        ("repos/get-release-asset", 200),
        ("repos/get-release-asset", 302),
        ("repos/get-release-asset", 404),
        ("repos/update-release-asset", 200),
        ("repos/delete-release-asset", 204),
        ("repos/delete-release-asset", 404),
        ("repos/list-release-assets", 200),
        ("repos/upload-release-asset", 201),
        ("repos/upload-release-asset", 422),
        ("repos/upload-release-asset", 502),
        ("repos/update-release", 200),
        ("repos/update-release", 404),
        ("repos/delete-release", 204),
        ("repos/delete-release", 404),
    ] {
        assert!(
            all.iter()
                .any(|f| f.operation == operation && f.response.status == status),
            "no fixture of {operation} answering {status}"
        );
    }
}

#[test]
fn each_request_has_its_operations_method_path_and_query() {
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let (template, method) = route(&fixture.operation);
        let mut path = template.clone();
        let mut query = std::collections::BTreeMap::new();
        for (name, value) in &fixture.params {
            let placeholder = format!("{{{name}}}");
            if path.contains(&placeholder) {
                path = path.replace(&placeholder, &encode_segment(&param_text(value)));
            } else {
                query.insert(name.clone(), param_text(value));
            }
        }
        if fixture.request.method != method {
            failures.push(format!(
                "{}: method {} but the operation is {method}",
                fixture.name, fixture.request.method
            ));
        }
        if fixture.request.path != path {
            failures.push(format!(
                "{}: path {} but the parameters give {path}",
                fixture.name, fixture.request.path
            ));
        }
        if fixture.request.query != query {
            failures.push(format!(
                "{}: query {:?} but the parameters give {query:?}",
                fixture.name, fixture.request.query
            ));
        }
        if fixture.request.body != fixture.body {
            failures.push(format!(
                "{}: the wire body differs from the caller's",
                fixture.name
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn each_response_body_validates_against_the_schema_of_its_status() {
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let status = fixture.response.status;
        let schema = schema::for_response(doc(), &fixture.operation, status);
        let body = fixture.response.body.as_ref();
        match (fixture.schema, schema, body) {
            (SchemaExpectation::Valid, Some(schema), Some(body)) => {
                if let Err(errors) = schema::validate(&schema, body) {
                    failures.push(format!("{} ({status}): {}", fixture.name, errors.join("; ")));
                }
            }
            (SchemaExpectation::Valid, None, None) => {} // a status without a body, such as 204
            (SchemaExpectation::Valid, None, Some(_)) => failures.push(format!(
                "{} ({status}): the description documents no JSON body for this status; mark the fixture `undocumented`",
                fixture.name
            )),
            (SchemaExpectation::Valid, Some(_), None) => {
                failures.push(format!("{} ({status}): the description documents a body, the fixture has none", fixture.name))
            }
            (SchemaExpectation::Invalid, Some(schema), Some(body)) => {
                if schema::validate(&schema, body).is_ok() {
                    failures.push(format!("{} ({status}): marked `invalid` but validates", fixture.name));
                }
            }
            (SchemaExpectation::Invalid, _, _) => {
                failures.push(format!("{} ({status}): marked `invalid` without a body and a schema to break", fixture.name))
            }
            (SchemaExpectation::Undocumented, Some(_), Some(_)) => failures.push(format!(
                "{} ({status}): marked `undocumented` but the description has a schema for its JSON body",
                fixture.name
            )),
            // No JSON body (a download's bytes), or none documented: nothing to check.
            (SchemaExpectation::Undocumented, _, _) => {}
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_invalid_fixtures_fail_where_expected() {
    // The point of marking: the strict enum refuses `starter`, at the field's pointer.
    let fixture = fixtures()
        .into_iter()
        .find(|f| f.name == "repos/list-release-assets/one-starter")
        .expect("fixture");
    let schema = schema::for_response(doc(), &fixture.operation, 200).unwrap();
    let errors = schema::validate(&schema, fixture.response.body.as_ref().unwrap()).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/1/state: "), "{errors:?}");
}

/// A recorded body that breaks the strict schema says why, and the reason is what the
/// validator finds today: it cannot drift from the body or the description.
#[test]
fn recorded_bodies_that_break_the_schema_say_why() {
    let mut failures = Vec::new();
    let mut recorded = 0;
    for fixture in fixtures() {
        let Some(recording) = &fixture.recorded else {
            continue;
        };
        recorded += 1;
        if recording
            .headers
            .get("authorization")
            .is_some_and(|a| a != "[token]")
        {
            failures.push(format!("{}: a recorded credential", fixture.name));
        }
        let body = fixture.response.body.as_ref();
        let errors = schema::for_response(doc(), &fixture.operation, fixture.response.status)
            .zip(body)
            .and_then(|(strict, body)| schema::validate(&strict, body).err());
        match (fixture.schema, &fixture.schema_reason, errors) {
            (SchemaExpectation::Invalid, Some(reason), Some(errors)) => {
                for error in errors {
                    // The pointer and the message, as the importer writes them (the root
                    // pointer as `/`).
                    let (at, message) = error.split_once(": ").unwrap_or(("", &error));
                    let at = if at.is_empty() { "/" } else { at };
                    if !reason.contains(&format!("{at}: {message}")) {
                        failures.push(format!(
                            "{}: reason {reason:?} misses {error}",
                            fixture.name
                        ));
                    }
                }
            }
            (SchemaExpectation::Invalid, None, _) => {
                failures.push(format!("{}: invalid without a schema_reason", fixture.name));
            }
            (_, Some(_), None) => {
                failures.push(format!(
                    "{}: a schema_reason, but the body is valid",
                    fixture.name
                ));
            }
            _ => {}
        }
    }
    assert!(recorded >= 11, "only {recorded} recorded fixtures");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn no_fixture_holds_a_token() {
    let mut failures = Vec::new();
    let mut stack = vec![fixture::dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // Bodies kept in files may be binary.
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            for marker in ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"] {
                if text.contains(marker) {
                    failures.push(format!("{}: contains {marker}", path.display()));
                }
            }
            for (i, _) in text.match_indices("Bearer ") {
                if !text[i..].starts_with("Bearer [token]") {
                    failures.push(format!("{}: an unredacted Bearer value", path.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
