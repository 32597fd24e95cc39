//! A table that calls any operation of a generated crate from data: for each operation,
//! its builder from the public `operations()`, each parameter set from a JSON value
//! decoded into the setter's own type, the body likewise, then `send()`. Written beside
//! the generated code of a crate that `cargo xtask replay-sample` writes, never into the
//! published crate: it exists so that operations added to a subset are replayed against a
//! loopback server with no hand code.
//!
//! Arguments are looked up by a key that ignores case and punctuation (`per_page`,
//! `perPage` and `PER-PAGE` are one key), since progenitor renames parameters (`ref`
//! becomes `ref_`, `type` becomes `type_`).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use syn::ImplItem;

use crate::alternative_media_types::Alternative;
use crate::example_decoders::{is_raw_body, setter_type};
use crate::facade;

/// The module's source: `call(client, operation, args, body)`.
pub fn module(
    file: &syn::File,
    alternatives: &BTreeMap<String, Vec<Alternative>>,
    streaming: &BTreeSet<String>,
) -> Result<TokenStream, String> {
    let builders = facade::builders(file)?;
    let mut arms = Vec::new();
    for operation in facade::client_operations(file)? {
        let method = &operation.method;
        let name = method.to_string();
        let mut steps = Vec::new();
        for member in facade::builder_members(builders, &operation.builder)? {
            let ImplItem::Fn(f) = member else { continue };
            let setter = &f.sig.ident;
            let Some(ty) = setter_type(f) else { continue };
            let shown = setter.to_string();
            let step = if setter == "body" && is_raw_body(&ty) {
                quote! {
                    let request = match body {
                        Some(v) => request.body(raw_body(v)),
                        None => request,
                    };
                }
            } else if setter == "body" {
                quote! {
                    let request = match body {
                        Some(v) => request.body(value::<#ty>(v, "body")?),
                        None => request,
                    };
                }
            } else {
                let key = key(&shown);
                quote! {
                    let request = match arg(args, #key) {
                        Some(v) => request.#setter(value::<#ty>(v, #shown)?),
                        None => request,
                    };
                }
            };
            steps.push(step);
        }
        // `media`: another media type of the answer, asked for with its `send_<name>()`.
        let media_types = alternatives.get(&name).into_iter().flatten().map(|a| {
            let media = &a.media_type;
            let send = quote::format_ident!("send_{}", a.name);
            quote! { Some(#media) => Ok(outcome(request.#send().await)), }
        });
        // `stream`: every item of every page, with the operation's `stream()`.
        let streamed = if streaming.contains(&name) {
            quote! { if stream { return Ok(streamed(request.stream()).await); } }
        } else {
            quote! { if stream { return Ok(NO_STREAM.to_owned()); } }
        };
        arms.push(quote! {
            #name => {
                let request = client.operations().#method();
                #(#steps)*
                #streamed
                match media {
                    None => Ok(outcome(request.send().await)),
                    #(#media_types)*
                    Some(other) => Err(format!("{} has no send_ method for {other}", #name)),
                }
            }
        });
    }
    Ok(quote! {
        //! Any operation called from data, written by `cargo xtask replay-sample`. Not part
        //! of any published API.

        use crate::types;

        /// The argument of `args` whose key is `key` once case and punctuation are
        /// dropped.
        fn arg<'v>(
            args: &'v serde_json::Map<String, serde_json::Value>,
            key: &str,
        ) -> Option<&'v serde_json::Value> {
            args.iter()
                .find(|(k, _)| {
                    k.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_lowercase())
                        .eq(key.chars())
                })
                .map(|(_, v)| v)
        }

        fn value<T: serde::de::DeserializeOwned>(v: &serde_json::Value, what: &str) -> Result<T, String> {
            serde_json::from_value(v.clone()).map_err(|e| format!("{what}: {e}"))
        }

        /// A body of bytes: a JSON string's text, or any other value's JSON.
        fn raw_body(v: &serde_json::Value) -> reqwest::Body {
            match v {
                serde_json::Value::String(s) => reqwest::Body::from(s.clone()),
                other => reqwest::Body::from(other.to_string()),
            }
        }

        /// What `send()` gave: the answer's type (and the variant of an enum of
        /// answers, the `Location` of a redirect, the length of bytes), or the error.
        fn outcome<T: std::fmt::Debug + 'static>(answer: Result<T, crate::runtime::Error>) -> String {
            let v = match answer {
                Err(e) => return format!("error: {e}"),
                Ok(v) => v,
            };
            let ty = short_type_name(std::any::type_name::<T>());
            let any: &dyn std::any::Any = &v;
            if let Some(bytes) = any.downcast_ref::<Vec<u8>>() {
                format!("decoded as {ty} ({} bytes)", bytes.len())
            } else if any.is::<crate::runtime::Redirect>() {
                format!("decoded as {ty}: {v:?}")
            } else {
                // An enum's variant says which status or alternative it decoded (a
                // struct's debug print starts with its own name, a list's with `[`).
                let debug = format!("{v:?}");
                let head: String = debug
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if head.is_empty() || ty.ends_with(&head) {
                    format!("decoded as {ty}")
                } else {
                    format!("decoded as {ty}::{head}")
                }
            }
        }

        /// `alloc::vec::Vec<my_crate::generated::types::Issue>` as `Vec<Issue>`.
        fn short_type_name(full: &str) -> String {
            let mut out = String::new();
            let mut word = String::new();
            for c in full.chars().chain(std::iter::once(' ')) {
                if c.is_alphanumeric() || c == '_' || c == ':' {
                    word.push(c);
                } else {
                    out.push_str(word.rsplit("::").next().unwrap_or_default());
                    word.clear();
                    if c != ' ' {
                        out.push(c);
                    }
                }
            }
            out
        }

        /// What [`call`] answers for an operation without `stream()`, asked to stream.
        pub const NO_STREAM: &str = "no stream()";

        /// Every item `pages` gives, counted, or the error that ended it.
        async fn streamed<T, S>(mut pages: S) -> String
        where
            S: futures_util::Stream<Item = Result<T, crate::runtime::Error>> + Unpin,
        {
            let ty = short_type_name(std::any::type_name::<T>());
            let mut count = 0usize;
            while let Some(item) = futures_util::StreamExt::next(&mut pages).await {
                match item {
                    Ok(_) => count += 1,
                    Err(e) => return format!("error after {count} items of {ty}: {e}"),
                }
            }
            format!("streamed {count} items of {ty}")
        }

        /// Calls `operation` (its Rust name) with `args` (by parameter name) and `body`,
        /// with `stream()` when `stream` (every item of every page), else asking for `media`
        /// (another media type of its answer) or `send()`'s, and says what it answered; an
        /// error when an argument does not decode into its setter's type, or the operation
        /// or media type is unknown.
        pub async fn call(
            client: &crate::Client,
            operation: &str,
            stream: bool,
            media: Option<&str>,
            args: &serde_json::Map<String, serde_json::Value>,
            body: Option<&serde_json::Value>,
        ) -> Result<String, String> {
            match operation {
                #(#arms)*
                _ => {
                    let _ = (client, stream, media, args, body);
                    Err(format!("no operation {operation}"))
                }
            }
        }
    })
}

/// A setter's lookup key: its name without `r#`, underscores or case.
fn key(setter: &str) -> String {
    setter
        .trim_start_matches("r#")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> syn::File {
        syn::parse_quote! {
            pub struct Client { baseurl: String }
            impl Client {
                pub fn get_thing(&self) -> builder::GetThing<'_> { builder::GetThing::new(self) }
                pub fn put_file(&self) -> builder::PutFile<'_> { builder::PutFile::new(self) }
            }
            pub mod builder {
                pub struct GetThing<'a> { client: &'a super::Client }
                impl<'a> GetThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self { todo!() }
                    pub fn thing_id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { todo!() }
                    pub fn ref_<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::string::String> { todo!() }
                    pub fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::NewThing> { todo!() }
                    pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(types::builder::NewThing) -> types::builder::NewThing { todo!() }
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> { todo!() }
                }
                pub struct PutFile<'a> { client: &'a super::Client }
                impl<'a> PutFile<'a> {
                    pub fn body<B>(mut self, value: B) -> Self where B: std::convert::TryInto<reqwest::Body> { todo!() }
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> { todo!() }
                }
            }
        }
    }

    #[test]
    fn every_setter_takes_its_argument_by_key_in_its_own_type() {
        let alternatives = BTreeMap::from([(
            "get_thing".to_owned(),
            vec![Alternative {
                name: "diff".to_owned(),
                media_type: "application/vnd.github.diff".to_owned(),
                schema: None,
            }],
        )]);
        let tokens = module(
            &sample(),
            &alternatives,
            &BTreeSet::from(["get_thing".to_owned()]),
        )
        .unwrap();
        let code = prettyplease::unparse(&syn::parse2(tokens).unwrap());
        for expected in [
            "if stream {\n                return Ok(streamed(request.stream()).await);",
            "if stream {\n                return Ok(NO_STREAM.to_owned());",
            "None => Ok(outcome(request.send().await)),",
            "Some(\"application/vnd.github.diff\") => {\n                    Ok(outcome(request.send_diff().await))",
            "\"get_thing\" => {\n            let request = client.operations().get_thing();",
            "match arg(args, \"thingid\") {\n                Some(v) => request.thing_id(value::<i64>(v, \"thing_id\")?),",
            "match arg(args, \"ref\") {\n                Some(v) => request.ref_(value::<::std::string::String>(v, \"ref_\")?),",
            "Some(v) => request.body(value::<types::NewThing>(v, \"body\")?),",
            "Some(v) => request.body(raw_body(v)),",
        ] {
            assert!(code.contains(expected), "{expected}\nnot in\n{code}");
        }
        // `body_map` takes a closure: no data can set it.
        assert!(!code.contains("body_map"), "{code}");
        // `new` and `send` are not setters.
        assert!(!code.contains("request.new("), "{code}");
    }

    #[test]
    fn keys_drop_case_and_punctuation() {
        assert_eq!(key("r#type"), "type");
        assert_eq!(key("per_page"), "perpage");
        assert_eq!(key("ref_"), "ref");
    }
}
