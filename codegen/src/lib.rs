//! OpenAPI document -> formatted Rust source for the `github-release-assets` crate.
//!
//! [`generate`] validates the document, runs the normalization [`passes`] over it, hands
//! the result to progenitor (builder interface, under `catch_unwind`), makes its request
//! headers GitHub's and formats the tokens with prettyplease. It reads and writes no
//! files: the caller gives it the document and the name and sha256 of where it came from,
//! for the header.
//!
//! ```
//! let spec: openapiv3::OpenAPI = serde_json::from_str(r#"{
//!   "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
//!   "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"204": {"description": "pong"}}}}}
//! }"#).unwrap();
//! let out = codegen::generate(&spec, &codegen::Source { path: "ping.json", sha256: "00" }).unwrap();
//! assert!(out.code.starts_with("// @generated"));
//! assert_eq!(out.operations, 1);
//! ```

#![forbid(unsafe_code)]

mod alternative_media_types;
pub mod census;
mod engine;
mod example_decoders;
mod facade;
mod github_headers;
pub mod passes;
pub mod progenitor_alone;

mod replay_calls;
pub mod request_builders;
pub mod same_types;
pub mod schema_feature;
mod schema_walk;
pub mod send_bodies;
pub mod serialize_feature;
pub mod setters;
pub mod tag_features;
mod type_items;
mod validate;

pub use engine::GeneratorError;
pub use passes::{Note, PassError};
pub use schema_walk::for_each_ref;
pub use validate::Invalid;

/// Where the document came from, for the header of the generated file.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Path of the document, relative to the workspace root.
    pub path: &'a str,
    /// sha256 (hex) of the document's bytes.
    pub sha256: &'a str,
}

/// The generated file and what went into it.
#[derive(Clone)]
pub struct Generated {
    /// The formatted source, header included.
    pub code: String,
    /// Number of operations generated.
    pub operations: usize,
    /// Number of types generated.
    pub types: usize,
    /// How many of those are aliases of a type that is the same Rust ([`same_types`]).
    pub aliases: usize,
    /// What the normalization passes changed.
    pub notes: Vec<Note>,
    /// A module that decodes GitHub's documented examples with the generated types
    /// (`response(operation, status, media, example)`, `request(operation, example)`), for
    /// a crate that proves its types, when [`Extras::examples`] asked for it; the
    /// published crate does not carry it.
    pub example_decoders: Option<String>,
    /// A module that calls any operation from data (`call(client, operation, media, args,
    /// body)`), for a crate whose operations are replayed against a loopback server, when
    /// [`Extras::replay`] asked for it; the published crate does not carry it.
    pub replay_calls: Option<String>,
    /// The cargo features the code is gated by, one per tag, when [`Extras::features`]
    /// asked for them: the crate's manifest declares them (all on by default).
    pub features: Vec<String>,
}

/// Modules written beside the generated code, for crates that test it, on request: they
/// take a fifth of the time of a whole description's generation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// [`Generated::example_decoders`].
    pub examples: bool,
    /// [`Generated::replay_calls`].
    pub replay: bool,
    /// A cargo feature per tag ([`tag_features`]); [`Generated::features`] names them.
    pub features: bool,
}

impl std::fmt::Debug for Generated {
    // The code is long; its size says enough in a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("code", &format_args!("<{} bytes>", self.code.len()))
            .field("operations", &self.operations)
            .field("types", &self.types)
            .field("aliases", &self.aliases)
            .field("notes", &self.notes.len())
            .field(
                "example_decoders",
                &self.example_decoders.as_ref().map(String::len),
            )
            .field("replay_calls", &self.replay_calls.as_ref().map(String::len))
            .finish()
    }
}

/// Why generation failed. Each names where: a JSON pointer, a pass, or an operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Pass(#[from] PassError),
    #[error("the normalized description no longer parses as OpenAPI 3.0: {0}")]
    Normalized(String),
    #[error(transparent)]
    Generator(#[from] GeneratorError),
    #[error("progenitor's output does not parse as Rust: {0}")]
    Format(String),
    #[error("the public operations cannot be written over progenitor's output: {0}")]
    Facade(String),
    #[error("progenitor's request headers cannot be made GitHub's: {0}")]
    Headers(String),
    #[error("an answer's other media types cannot be added to progenitor's builders: {0}")]
    MediaTypes(String),
}

/// Each operation's Rust name (progenitor's snake case of its operationId) with GitHub's
/// own operationId, which [`passes`] kept in `x-upstream-operation-id`.
fn upstream_operation_ids(spec: &openapiv3::OpenAPI) -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> = spec
        .paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .flat_map(|item| item.iter().map(|(_, op)| op))
        .filter_map(|op| {
            let upstream = op.extensions.get(passes::UPSTREAM_ID)?.as_str()?;
            let name = passes::rust_name(op.operation_id.as_deref()?);
            Some((name, upstream.to_owned()))
        })
        .collect();
    ids.sort();
    ids
}

/// The key of the component schema `reference` (`#/components/schemas/KEY`) names, for
/// the operation `id`'s error.
fn component_key(id: &str, reference: &str) -> Result<String, Error> {
    schema_walk::schema_ref_name(reference)
        .map(|key| key.replace("~1", "/").replace("~0", "~"))
        .ok_or_else(|| Error::Facade(format!("{id}: {reference} is not a component schema")))
}

/// Every operation of `spec`.
fn all_operations(spec: &openapiv3::OpenAPI) -> impl Iterator<Item = &openapiv3::Operation> {
    spec.paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .flat_map(|item| item.iter().map(|(_, op)| op))
}

/// The statuses of each operation with several successes (by Rust name), as the
/// `several_successes` pass kept them in `x-success-statuses`.
fn several_successes(
    spec: &openapiv3::OpenAPI,
) -> Result<std::collections::BTreeMap<String, Vec<facade::Success>>, Error> {
    let mut found = std::collections::BTreeMap::new();
    for op in all_operations(spec) {
        let (Some(id), Some(statuses)) = (
            op.operation_id.as_deref(),
            op.extensions
                .get(passes::SUCCESSES)
                .and_then(|v| v.as_array()),
        ) else {
            continue;
        };
        let mut successes = Vec::new();
        for entry in statuses {
            let status = entry
                .get("status")
                .and_then(serde_json::Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| {
                    Error::Facade(format!("{id}: a success without a status: {entry}"))
                })?;
            let body = match entry
                .get("schema")
                .and_then(|s| s.get("$ref"))
                .and_then(|r| r.as_str())
            {
                Some(reference) => facade::SuccessBody::Json(component_key(id, reference)?),
                None if entry.get("bytes").is_some() => facade::SuccessBody::Bytes,
                None => facade::SuccessBody::None,
            };
            successes.push(facade::Success {
                status,
                description: entry
                    .get("description")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned),
                body,
            });
        }
        found.insert(passes::rust_name(id), successes);
    }
    Ok(found)
}

/// The operations (by Rust name) that answer a redirect to fetch, as the
/// `documented_redirects` pass marked them.
fn documented_redirects(spec: &openapiv3::OpenAPI) -> std::collections::BTreeSet<String> {
    spec.paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .flat_map(|item| item.iter().map(|(_, op)| op))
        .filter(|op| op.extensions.contains_key(passes::REDIRECTS))
        .filter_map(|op| op.operation_id.as_deref().map(passes::rust_name))
        .collect()
}

/// What each operation's `send()` asks for, when the `response_media_types` pass set it
/// (`x-response-accept`), and the other media types of its answer it kept
/// (`x-response-media-types`), by Rust name.
fn alternative_media_types(
    spec: &openapiv3::OpenAPI,
) -> Result<std::collections::BTreeMap<String, alternative_media_types::MediaTypes>, Error> {
    let mut found = std::collections::BTreeMap::new();
    for op in all_operations(spec) {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let accept = op
            .extensions
            .get(passes::ACCEPT)
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let kept = op
            .extensions
            .get(passes::ALTERNATIVES)
            .and_then(|v| v.as_array());
        if accept.is_none() && kept.is_none() {
            continue;
        }
        let mut alternatives = Vec::new();
        for entry in kept.into_iter().flatten() {
            let text = |key: &str| {
                entry
                    .get(key)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        Error::Facade(format!("{id}: a media type without {key}: {entry}"))
                    })
            };
            let schema = match entry.get("schema").and_then(|s| s.get("$ref")) {
                Some(reference) => Some(component_key(id, reference.as_str().unwrap_or_default())?),
                None => None,
            };
            alternatives.push(alternative_media_types::Alternative {
                name: text("name")?,
                media_type: text("media_type")?,
                schema,
            });
        }
        found.insert(
            passes::rust_name(id),
            alternative_media_types::MediaTypes {
                accept,
                alternatives,
            },
        );
    }
    Ok(found)
}

/// Generates the client source for `spec`. The same input gives the same bytes.
pub fn generate(spec: &openapiv3::OpenAPI, source: &Source<'_>) -> Result<Generated, Error> {
    generate_with(spec, source, Extras::default())
}

/// [`generate`], with the modules `extras` asks for.
pub fn generate_with(
    spec: &openapiv3::OpenAPI,
    source: &Source<'_>,
    extras: Extras,
) -> Result<Generated, Error> {
    let mut doc = serde_json::to_value(spec).map_err(|e| Error::Normalized(e.to_string()))?;
    validate::validate(&doc)?;
    let notes = passes::normalize(&mut doc)?;
    let normalized: openapiv3::OpenAPI =
        serde_json::from_value(doc).map_err(|e| Error::Normalized(e.to_string()))?;
    let operations = normalized
        .paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .map(|item| item.iter().count())
        .sum();
    let upstream = upstream_operation_ids(&normalized);
    let output = engine::generate(&normalized)?;
    let mut file: syn::File =
        syn::parse2(output.tokens).map_err(|e| Error::Format(e.to_string()))?;
    github_headers::rewrite(&mut file).map_err(Error::Headers)?;
    let media_types = alternative_media_types(&normalized)?;
    alternative_media_types::rewrite(&mut file, &media_types).map_err(Error::MediaTypes)?;
    let alternatives: std::collections::BTreeMap<_, _> = media_types
        .into_iter()
        .map(|(name, types)| (name, types.alternatives))
        .collect();
    let successes = several_successes(&normalized)?;
    let redirects = documented_redirects(&normalized);
    let module = |tokens: Result<proc_macro2::TokenStream, String>, header: &str| {
        tokens
            .and_then(|tokens| syn::parse2::<syn::File>(tokens).map_err(|e| e.to_string()))
            .map(|module| {
                format!(
                    "// @generated by `{header}` from {path}\n\n{body}",
                    path = source.path,
                    body = prettyplease::unparse(&module),
                )
            })
            .map_err(Error::Facade)
    };
    let example_decoders = extras
        .examples
        .then(|| {
            module(
                example_decoders::module(&file, &successes, &redirects, &alternatives),
                "cargo xtask generate --examples",
            )
        })
        .transpose()?;
    let replay_calls = extras
        .replay
        .then(|| {
            module(
                facade::streaming_operations(&file, &successes, &redirects)
                    .and_then(|streaming| replay_calls::module(&file, &alternatives, &streaming)),
                "cargo xtask replay-sample",
            )
        })
        .transpose()?;
    // Last: what reads the types above reads them as typify wrote them.
    request_builders::prune(&mut file);
    schema_feature::gate(&mut file);
    let aliases = same_types::merge(&mut file);
    if extras.features {
        serialize_feature::gate(&mut file);
    }
    send_bodies::rewrite(&mut file);
    setters::compact(&mut file);
    facade::apply(&mut file, &upstream, &successes, &redirects).map_err(Error::Facade)?;
    send_bodies::unasync_sends(&mut file);
    let features = if extras.features {
        tag_features::gate(&mut file, &operation_tags(&normalized))
            .map_err(Error::Facade)?
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let code = format!(
        "// @generated by `cargo xtask regenerate` from {path}\n\
         // sha256 of that file: {sha}\n\
         // Do not edit: change the subset, the codegen passes or the generator's settings, then regenerate.\n\n{body}",
        path = source.path,
        sha = source.sha256,
        body = prettyplease::unparse(&file),
    );
    Ok(Generated {
        code,
        operations,
        types: output.types,
        aliases,
        notes,
        example_decoders,
        replay_calls,
        features,
    })
}

/// Each operation's Rust name with its tag, as a cargo feature name: the tag of GitHub's
/// operationId (`repos` of `repos/get-release`), else the operation's first tag.
fn operation_tags(spec: &openapiv3::OpenAPI) -> std::collections::BTreeMap<String, String> {
    all_operations(spec)
        .filter_map(|op| {
            let id = op.operation_id.as_deref()?;
            let upstream = op
                .extensions
                .get(passes::UPSTREAM_ID)
                .and_then(|v| v.as_str());
            let tag = upstream
                .and_then(|u| u.split_once('/'))
                .map(|(tag, _)| tag.to_owned())
                .or_else(|| op.tags.first().cloned())
                .unwrap_or_else(|| "untagged".to_owned());
            let feature: String = tag
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            Some((passes::rust_name(id), feature))
        })
        .collect()
}
