//! What GitHub sends decodes, whatever it leaves out of what it may leave out, and whatever
//! it adds: a property test over every response type of the subset and every committed
//! fixture body.
//!
//! For each fixture whose answer the client decodes, the fields the description marks
//! nullable are found by walking the body with its schema. Each case removes a random
//! combination of them and adds unknown fields at random objects; the body must still
//! decode, to the value the original body with those same fields set to `null` decodes to
//! (absent and `null` say the same thing: no value). Unknown fields change nothing.

use std::fmt::Debug;

use conformance::fixture::{self, Fixture};
use github_release_assets::types::{GithubError, Release, ReleaseAsset};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Cases per fixture: bounded, so CI time stays flat as fixtures are added.
const CASES: u32 = 48;

fn doc() -> &'static Value {
    conformance::description::document().expect("the vendored description is JSON")
}

/// The schema at a `$ref`, or the schema itself.
fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| doc().pointer(p))
            .map_or(schema, resolve),
        None => schema,
    }
}

/// Whether the description lets this property be `null`.
fn is_nullable(schema: &Value) -> bool {
    if schema.get("nullable") == Some(&json!(true)) {
        return true;
    }
    let resolved = resolve(schema);
    if !std::ptr::eq(resolved, schema) {
        return is_nullable(resolved);
    }
    ["anyOf", "oneOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|all| all.iter().any(|s| s.get("type") == Some(&json!("null"))))
    })
}

/// The schemas that describe `schema`'s value together: itself, its `$ref` and `allOf`s, and
/// the non-null branch of a nullable `anyOf`/`oneOf`.
fn parts(schema: &Value) -> Vec<&Value> {
    let schema = resolve(schema);
    let mut out = vec![schema];
    for key in ["allOf", "anyOf", "oneOf"] {
        for sub in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if sub.get("type") != Some(&json!("null")) {
                out.extend(parts(sub));
            }
        }
    }
    out
}

/// Walks `value` with `schema`: pushes the pointer of every present property that may be
/// null, and of every object (where an unknown field can go).
fn walk(
    schema: &Value,
    value: &Value,
    at: &str,
    nullable: &mut Vec<String>,
    objects: &mut Vec<String>,
) {
    let parts = parts(schema);
    match value {
        Value::Object(map) => {
            // Only typed objects ignore what they do not know; a free-form one (an item of
            // an error's `errors`) keeps every field, as it should.
            if parts.iter().any(|p| p.get("properties").is_some()) {
                objects.push(at.to_owned());
            }
            for (key, v) in map {
                let Some(prop) = parts
                    .iter()
                    .find_map(|p| p.get("properties").and_then(|props| props.get(key)))
                else {
                    continue;
                };
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if is_nullable(prop) {
                    nullable.push(here.clone());
                }
                walk(prop, v, &here, nullable, objects);
            }
        }
        Value::Array(items) => {
            if let Some(item) = parts.iter().find_map(|p| p.get("items")) {
                for (i, v) in items.iter().enumerate() {
                    walk(item, v, &format!("{at}/{i}"), nullable, objects);
                }
            }
        }
        _ => {}
    }
}

fn parent_and_key(pointer: &str) -> (&str, String) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    (parent, key.replace("~1", "/").replace("~0", "~"))
}

/// Any JSON, small: what GitHub might add one day.
fn unknown_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z0-9 _-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Runs the property for one fixture body, decoded as `T`.
fn check<T: DeserializeOwned + PartialEq + Debug>(fixture: &Fixture, schema: &Value, body: &Value) {
    let original: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{}: the recorded body does not decode: {e}", fixture.name));
    let (mut nullable, mut objects) = (Vec::new(), Vec::new());
    walk(schema, body, "", &mut nullable, &mut objects);
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(any::<bool>(), nullable.len()),
        prop::collection::vec((0..objects.len().max(1), unknown_value()), 0..4),
    );
    let result = runner.run(&strategy, |(removed, added)| {
        let mut sent = body.clone();
        let mut expected = body.clone();
        for (pointer, _) in nullable.iter().zip(&removed).filter(|(_, r)| **r) {
            let (parent, key) = parent_and_key(pointer);
            if let Some(Value::Object(map)) = sent.pointer_mut(parent) {
                map.remove(&key);
            }
            if let Some(Value::Object(map)) = expected.pointer_mut(parent) {
                map.insert(key, Value::Null);
            }
        }
        for (i, (object, value)) in added.into_iter().enumerate() {
            let Some(at) = objects.get(object) else {
                continue;
            };
            if let Some(Value::Object(map)) = sent.pointer_mut(at) {
                map.insert(format!("zz_added_by_github_{i}"), value);
            }
        }
        let decoded: T = serde_json::from_value(sent.clone())
            .map_err(|e| TestCaseError::fail(format!("does not decode: {e}\n{sent:#}")))?;
        let wanted: T = serde_json::from_value(expected)
            .map_err(|e| TestCaseError::fail(format!("the nulled body does not decode: {e}")))?;
        prop_assert_eq!(&decoded, &wanted);
        if !removed.iter().any(|r| *r) {
            prop_assert_eq!(&decoded, &original);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{}: {e}", fixture.name);
    }
}

#[test]
fn every_fixture_body_decodes_with_nullable_fields_absent_and_unknown_fields_added() {
    let mut checked = 0;
    let mut nullable_seen = 0;
    for fixture in fixture::load_all(&fixture::dir()).unwrap() {
        let Some(body) = &fixture.response.body else {
            continue;
        };
        let status = fixture.response.status;
        // The description's schema for a success. Every error answer the client reads as
        // GitHub's one error object (the codegen's shared error body), whose `errors` items
        // are free-form, whatever the description says of them.
        let schema = conformance::schema::find_operation(doc(), &fixture.operation)
            .filter(|_| status < 400)
            .and_then(|op| op.pointer(&format!("/responses/{status}")))
            .map(resolve)
            .and_then(|r| r.pointer("/content/application~1json/schema"))
            .cloned()
            .unwrap_or_else(|| {
                json!({"type": "object", "properties": {
                    "message": {}, "documentation_url": {}, "errors": {}, "status": {}}})
            });
        let (mut nullable, mut objects) = (Vec::new(), Vec::new());
        walk(&schema, body, "", &mut nullable, &mut objects);
        nullable_seen += nullable.len();
        let schema = &schema;
        match (fixture.operation.as_str(), status) {
            (_, 400..) => check::<GithubError>(&fixture, schema, body),
            (
                "repos/get-release-asset"
                | "repos/update-release-asset"
                | "repos/upload-release-asset",
                _,
            ) => check::<ReleaseAsset>(&fixture, schema, body),
            ("repos/list-release-assets", _) => check::<Vec<ReleaseAsset>>(&fixture, schema, body),
            (
                "repos/get-release"
                | "repos/get-latest-release"
                | "repos/get-release-by-tag"
                | "repos/create-release"
                | "repos/update-release",
                _,
            ) => check::<Release>(&fixture, schema, body),
            ("repos/list-releases", _) => check::<Vec<Release>>(&fixture, schema, body),
            (other, _) => panic!("{}: no Rust type known for {other}", fixture.name),
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} fixture bodies checked");
    // The walk found what there is to remove: label, digest, uploader, name, … .
    assert!(
        nullable_seen >= 100,
        "only {nullable_seen} nullable fields found"
    );
}

/// The walk itself: it finds the nullable fields of an asset where the description puts them.
#[test]
fn the_walk_finds_an_assets_nullable_fields() {
    let schema = json!({"$ref": "#/components/schemas/release-asset"});
    let body = conformance::description::example("release-asset").unwrap();
    let (mut nullable, mut objects) = (Vec::new(), Vec::new());
    walk(&schema, &body, "", &mut nullable, &mut objects);
    for field in ["/label", "/digest", "/uploader", "/uploader/gravatar_id"] {
        assert!(
            nullable.iter().any(|n| n == field),
            "{field} not in {nullable:?}"
        );
    }
    assert!(
        !nullable.iter().any(|n| n == "/name" || n == "/size"),
        "{nullable:?}"
    );
    assert_eq!(objects, ["", "/uploader"]);
}
