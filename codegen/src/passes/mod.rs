//! Normalization passes: small, pure rewrites of the OpenAPI document (held as JSON) that
//! close the gaps between what GitHub's description says and what progenitor can
//! generate. Each returns a [`Note`] for every change it made, so a regeneration can say
//! what was rewritten and where.

mod absent_nullable;
mod binary_body_headers;
mod documented_redirects;
mod enum_variant_names;
mod nullable_twins;
mod nullable_union;
mod open_enums;
mod open_objects;
mod operation_names;
mod prune_components;
mod request_defaults;
mod request_empty_lists;
mod request_media_types;
mod required_alternatives;
mod response_media_types;
mod several_successes;
mod shared_error_body;
mod string_formats;
mod tagged_unions;
mod type_names;
mod unchecked_patterns;
mod untagged_unions;

use std::fmt;

pub use documented_redirects::REDIRECTS;
pub use operation_names::UPSTREAM_ID;
pub(crate) use operation_names::rust_name;
pub use response_media_types::{ACCEPT, ALTERNATIVES};
pub use several_successes::SUCCESSES;
pub use string_formats::TYPED as TYPED_FORMATS;

use serde_json::{Map, Value};

/// One change a pass made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The pass that made it.
    pub pass: &'static str,
    /// JSON pointer of what changed.
    pub at: String,
    /// What it did.
    pub change: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.pass, self.at, self.change)
    }
}

/// A pass that could not apply, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pass {pass} failed at {at}: {reason}")]
pub struct PassError {
    pub pass: &'static str,
    pub at: String,
    pub reason: String,
}

/// Why a pass could not apply: the JSON pointer, and the reason.
type Failure = (String, String);

/// A normalization pass.
pub struct Pass {
    /// Its name, as notes and errors give it.
    pub name: &'static str,
    run: fn(&mut Value, &mut Notes) -> Result<(), Failure>,
}

/// Collects the notes of one pass.
pub struct Notes {
    pass: &'static str,
    notes: Vec<Note>,
}

impl Notes {
    fn add(&mut self, at: impl Into<String>, change: impl Into<String>) {
        self.notes.push(Note {
            pass: self.pass,
            at: at.into(),
            change: change.into(),
        });
    }
}

/// The passes, in the order they run. Operations are named first (their tag prefix
/// dropped), so every later note and type name uses the short name. Order matters: unions with null become nullable
/// (and nullable twins one type) before nullable fields are loosened and enums are opened
/// (those whose values typify cannot name apart are strings by then);
/// error bodies are shared, and several successes' bodies (and a success's other media
/// types) made components (after the
/// response schemas were loosened and opened in place), before unused schemas are pruned;
/// inline types are named apart last, among the components that remain.
pub const ALL: [Pass; 22] = [
    Pass {
        name: "operation_names",
        run: operation_names::run,
    },
    Pass {
        name: "nullable_union",
        run: nullable_union::run,
    },
    Pass {
        name: "nullable_twins",
        run: nullable_twins::run,
    },
    Pass {
        name: "shared_error_body",
        run: shared_error_body::run,
    },
    Pass {
        name: "request_defaults",
        run: request_defaults::run,
    },
    Pass {
        name: "request_empty_lists",
        run: request_empty_lists::run,
    },
    Pass {
        name: "request_media_types",
        run: request_media_types::run,
    },
    Pass {
        name: "binary_body_headers",
        run: binary_body_headers::run,
    },
    Pass {
        name: "absent_nullable",
        run: absent_nullable::run,
    },
    Pass {
        name: "string_formats",
        run: string_formats::run,
    },
    Pass {
        name: "unchecked_patterns",
        run: unchecked_patterns::run,
    },
    Pass {
        name: "open_objects",
        run: open_objects::run,
    },
    Pass {
        name: "required_alternatives",
        run: required_alternatives::run,
    },
    Pass {
        name: "enum_variant_names",
        run: enum_variant_names::run,
    },
    Pass {
        name: "tagged_unions",
        run: tagged_unions::run,
    },
    Pass {
        name: "untagged_unions",
        run: untagged_unions::run,
    },
    Pass {
        name: "open_enums",
        run: open_enums::run,
    },
    Pass {
        name: "several_successes",
        run: several_successes::run,
    },
    Pass {
        name: "response_media_types",
        run: response_media_types::run,
    },
    Pass {
        name: "documented_redirects",
        run: documented_redirects::run,
    },
    Pass {
        name: "prune_components",
        run: prune_components::run,
    },
    Pass {
        name: "type_names",
        run: type_names::run,
    },
];

impl Pass {
    /// Runs this pass on `doc`.
    pub fn apply(&self, doc: &mut Value) -> Result<Vec<Note>, PassError> {
        let mut notes = Notes {
            pass: self.name,
            notes: Vec::new(),
        };
        (self.run)(doc, &mut notes).map_err(|(at, reason)| PassError {
            pass: self.name,
            at,
            reason,
        })?;
        Ok(notes.notes)
    }
}

/// Adds `schemas` (key, schema) to the document's component schemas.
fn add_schemas(doc: &mut Value, schemas: Vec<(String, Value)>) {
    if let Some(components) = doc
        .as_object_mut()
        .map(|d| {
            d.entry("components")
                .or_insert_with(|| Value::Object(Map::new()))
        })
        .and_then(Value::as_object_mut)
        .map(|c| {
            c.entry("schemas")
                .or_insert_with(|| Value::Object(Map::new()))
        })
        .and_then(Value::as_object_mut)
    {
        components.extend(schemas);
    }
}

/// Whether a media type is JSON (`application/json`, or any `+json`), parameters aside.
pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// An operation's request body, its `$ref` to `components.requestBodies` followed.
fn request_body<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    op.get("requestBody")
        .map(|body| crate::schema_walk::resolve(doc, body))
}

/// `wanted`, or `wanted-2`, `wanted-3`... the first that is not `taken`, which it joins.
fn unique(wanted: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let mut name = wanted.to_owned();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// Runs every pass of [`ALL`] in order.
pub fn normalize(doc: &mut Value) -> Result<Vec<Note>, PassError> {
    let mut notes = Vec::new();
    for pass in &ALL {
        notes.extend(pass.apply(doc)?);
    }
    Ok(notes)
}

/// Calls `f` on every schema of the document: each `components.schemas` entry and each
/// schema an operation or a shared parameter, body or response holds inline.
fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&str, &mut Value)) {
    let mut roots: Vec<String> = crate::schema_walk::operation_schema_roots(doc)
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        roots.extend(
            schemas
                .keys()
                .map(|k| format!("/components/schemas/{}", crate::schema_walk::escape(k))),
        );
    }
    for at in roots {
        if let Some(schema) = doc.pointer_mut(&at) {
            crate::schema_walk::walk_schema(schema, &at, f);
        }
    }
}

#[cfg(test)]
fn run_one(name: &str, doc: &mut Value) -> Vec<Note> {
    ALL.iter()
        .find(|p| p.name == name)
        .expect("no such pass")
        .apply(doc)
        .expect("pass failed")
}
