//! Running progenitor: the settings the crate is generated with, and the guard that
//! turns its panics into errors naming the operation that caused them.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

use openapiv3::{OpenAPI, ReferenceOr};
use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

/// What progenitor produced.
pub struct Output {
    pub tokens: TokenStream,
    pub types: usize,
}

/// progenitor failed; `operation` names the operation that fails on its own, when one does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("progenitor failed{}: {reason}", operation.as_ref().map(|o| format!(" on operation {o}")).unwrap_or_default())]
pub struct GeneratorError {
    pub operation: Option<String>,
    pub reason: String,
}

/// The settings the published crate is generated with.
///
/// - Builder interface with merged tags: `client.get_release_asset().owner(..)...send()`
///   (the `operation_names` pass dropped the `repos/` of the operationId).
/// - `HooksMode::Expected`: the hand-written layer must implement `ClientHooks` (default
///   headers, token, one tracing span per request), or the crate does not compile.
/// - The inner type carries those settings to the hooks.
/// - Types derive `PartialEq` and `schemars::JsonSchema` besides typify's defaults.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(
            "crate::runtime::Settings"
                .parse::<TokenStream>()
                .expect("a path is a valid token stream"),
        )
        .with_derive("PartialEq")
        // Every type can say its JSON Schema (schemars 0.8, as typify generates for), so
        // the conformance tests snapshot the schema of each.
        .with_derive("schemars::JsonSchema");
    settings
}

/// Generates the client for `spec`. A failure of the whole document is narrowed down by
/// generating each operation alone, so the error can name the one that fails.
pub fn generate(spec: &OpenAPI) -> Result<Output, GeneratorError> {
    let reason = match generate_guarded(spec) {
        Ok(output) => return Ok(output),
        Err(reason) => reason,
    };
    for (path, method, operation) in operations(spec) {
        if let Err(alone) = generate_guarded(&only(spec, path, method)) {
            // Named as GitHub names it, not as the passes renamed it.
            let id = operation
                .extensions
                .get(crate::passes::UPSTREAM_ID)
                .and_then(|id| id.as_str())
                .map(str::to_owned)
                .or_else(|| operation.operation_id.clone())
                .unwrap_or_else(|| format!("{method} {path}"));
            return Err(GeneratorError {
                operation: Some(id),
                reason: alone,
            });
        }
    }
    Err(GeneratorError {
        operation: None,
        reason,
    })
}

/// Generates `spec` once, without narrowing a failure down: progenitor's error or panic
/// message is the error. For the census, which generates each operation alone.
pub(crate) fn generate_alone(spec: &OpenAPI) -> Result<Output, String> {
    generate_guarded(spec)
}

/// Serialises swaps of the process-wide panic hook.
static HOOK: Mutex<()> = Mutex::new(());

/// Runs progenitor once, with its panics caught and their message returned as the error.
fn generate_guarded(spec: &OpenAPI) -> Result<Output, String> {
    let _serial = HOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let message = std::sync::Arc::new(Mutex::new(None::<String>));
    let previous = panic::take_hook();
    {
        let message = message.clone();
        // Keep the panic quiet: it is reported as an error instead.
        panic::set_hook(Box::new(move |info| {
            let text = match (
                info.payload().downcast_ref::<&str>(),
                info.payload().downcast_ref::<String>(),
            ) {
                (Some(s), _) => (*s).to_owned(),
                (_, Some(s)) => s.clone(),
                _ => "panic without a message".to_owned(),
            };
            let location = info
                .location()
                .map(|l| format!(" ({}:{})", l.file(), l.line()))
                .unwrap_or_default();
            if let Ok(mut slot) = message.lock() {
                *slot = Some(format!("panicked: {text}{location}"));
            }
        }));
    }
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut generator = Generator::new(&settings());
        let tokens = generator.generate_tokens(spec)?;
        let types = generator.get_type_space().iter_types().count();
        Ok::<_, progenitor_impl::Error>(Output { tokens, types })
    }));
    panic::set_hook(previous);
    match result {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(message
            .lock()
            .ok()
            .and_then(|mut m| m.take())
            .unwrap_or_else(|| "panicked".to_owned())),
    }
}

/// Every operation of `spec` with its path and method.
fn operations(spec: &OpenAPI) -> Vec<(&str, &'static str, &openapiv3::Operation)> {
    spec.paths
        .paths
        .iter()
        .filter_map(|(path, item)| item.as_item().map(|item| (path.as_str(), item)))
        .flat_map(|(path, item)| {
            item.iter()
                .map(move |(method, op)| (path, method_name(method), op))
        })
        .collect()
}

fn method_name(method: &str) -> &'static str {
    crate::schema_walk::METHODS
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("get")
}

/// `spec` with a single operation left.
fn only(spec: &OpenAPI, path: &str, method: &str) -> OpenAPI {
    let mut single = spec.clone();
    single.paths.paths.retain(|p, _| p == path);
    if let Some(ReferenceOr::Item(item)) = single.paths.paths.get_mut(path) {
        for (name, slot) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
        ] {
            if name != method {
                *slot = None;
            }
        }
    }
    single
}
