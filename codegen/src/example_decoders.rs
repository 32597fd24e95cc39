//! A table that decodes GitHub's documented examples with the generated types: for each
//! operation and status, the type its answer decodes into; for each JSON request body,
//! the type its `body()` setter takes. Written beside the generated code of a crate that
//! `cargo xtask generate --examples` writes, never into the published crate: it exists
//! to prove the types against GitHub's own examples.
//!
//! The types are read back from progenitor's output, as the facade reads them, so the
//! table decodes with exactly what `send()` would: progenitor's success type, the
//! `several_successes` pass's type of each status, the error type `E` of `Error<E>` for
//! any other status.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type, WherePredicate};

use crate::alternative_media_types::Alternative;
use crate::facade::{self, Success, SuccessBody};

/// What one operation's answers and request body decode into.
struct Decoders {
    name: String,
    success: Target,
    error: Target,
    several: Option<Vec<(u16, Target)>>,
    request: Option<Type>,
}

/// What a body decodes into.
enum Target {
    Json(Box<Type>),
    Bytes,
    Empty,
}

/// The module's source: `response(operation, status, example)` and
/// `request(operation, example)`.
pub fn module(
    file: &syn::File,
    successes: &BTreeMap<String, Vec<Success>>,
    redirects: &BTreeSet<String>,
    alternatives: &BTreeMap<String, Vec<Alternative>>,
) -> Result<TokenStream, String> {
    let builders = facade::builders(file)?;
    let mut arms = Vec::new();
    let mut requests = Vec::new();
    for operation in facade::client_operations(file)? {
        let decoders = decoders(builders, &operation.method, &operation.builder, successes)?;
        let name = &decoders.name;
        let error = decode(&decoders.error, "an error status");
        // A success's other media types, each its `send_<name>()`'s type.
        for alternative in alternatives.get(name).into_iter().flatten() {
            let media = &alternative.media_type;
            let target = match &alternative.schema {
                Some(key) => {
                    let ty = quote::format_ident!("{}", facade::type_name(key));
                    Target::Json(Box::new(syn::parse_quote!(types::#ty)))
                }
                None => Target::Bytes,
            };
            let decode = decode(&target, "this media type");
            arms.push(quote! { (#name, s, #media) if s.starts_with('2') => #decode });
        }
        match &decoders.several {
            Some(statuses) => {
                for (status, target) in statuses {
                    let status = status.to_string();
                    let decode = decode(target, "this status");
                    arms.push(quote! { (#name, #status, _) => #decode });
                }
                arms.push(quote! {
                    (#name, s, _) if s.starts_with('2') =>
                        Err(format!("{s} is not one of the success statuses the answer's enum has"))
                });
            }
            None if redirects.contains(name) => arms.push(quote! {
                (#name, s, _) if s.starts_with('2') || s.starts_with('3') =>
                    Err("the operation answers a redirect, which has no body".to_owned())
            }),
            None => {
                let success = decode(&decoders.success, "a success");
                arms.push(quote! { (#name, s, _) if s.starts_with('2') => #success });
            }
        }
        arms.push(quote! { (#name, _, _) => #error });
        if let Some(ty) = &decoders.request {
            requests.push(quote! { #name => round_trip::<#ty>(example) });
        }
    }
    Ok(quote! {
        //! GitHub's documented examples decoded with the generated types, written by
        //! `cargo xtask generate --examples`. Not part of any published API.

        use crate::types;

        fn decode<T: serde::de::DeserializeOwned>(example: &serde_json::Value) -> Result<(), String> {
            serde_json::from_value::<T>(example.clone())
                .map(drop)
                .map_err(|e| e.to_string())
        }

        fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
            example: &serde_json::Value,
        ) -> Result<serde_json::Value, String> {
            let decoded = serde_json::from_value::<T>(example.clone()).map_err(|e| e.to_string())?;
            serde_json::to_value(decoded).map_err(|e| format!("does not encode back: {e}"))
        }

        /// Decodes `example`, documented for `status` (`"200"`, `"404"`, `"default"`) and
        /// `media` (`"application/json"`) of the operation of Rust name `operation`, into
        /// the type its answer has.
        pub fn response(operation: &str, status: &str, media: &str, example: &serde_json::Value) -> Result<(), String> {
            match (operation, status, media) {
                #(#arms,)*
                _ => Err(format!("no operation {operation}")),
            }
        }

        /// Decodes `example`, a JSON request body of `operation`, into the type its
        /// `body()` takes, and encodes it back.
        pub fn request(operation: &str, example: &serde_json::Value) -> Result<serde_json::Value, String> {
            match operation {
                #(#requests,)*
                _ => {
                    let _ = example;
                    Err(format!("{operation} takes no JSON body"))
                }
            }
        }
    })
}

/// The decoding of `target`, as an expression over `example`.
fn decode(target: &Target, what: &str) -> TokenStream {
    match target {
        Target::Json(ty) => quote! { decode::<#ty>(example) },
        Target::Bytes => {
            let why = format!("{what} is answered as bytes, not as a JSON type");
            quote! { Err(#why.to_owned()) }
        }
        Target::Empty => {
            let why = format!("{what} is answered with no body");
            quote! { Err(#why.to_owned()) }
        }
    }
}

fn decoders(
    builders: &[Item],
    method: &syn::Ident,
    builder: &syn::Ident,
    successes: &BTreeMap<String, Vec<Success>>,
) -> Result<Decoders, String> {
    let members = facade::builder_members(builders, builder)?;
    let mut answer = None;
    let mut request = None;
    for member in members {
        let ImplItem::Fn(f) = member else { continue };
        if f.sig.ident == "send" {
            answer = Some(send_types(&f.sig.output).ok_or_else(|| {
                format!("{builder}::send does not return Result<ResponseValue<T>, Error<E>>")
            })?);
        } else if f.sig.ident == "body" {
            request = setter_type(f).filter(|ty| !is_raw_body(ty));
        }
    }
    let (success, error) = answer.ok_or_else(|| format!("builder {builder} has no send()"))?;
    let name = method.to_string();
    let several = successes.get(&name).map(|list| {
        list.iter()
            .map(|s| {
                let target = match &s.body {
                    SuccessBody::Json(key) => {
                        let ty = quote::format_ident!("{}", facade::type_name(key));
                        Target::Json(Box::new(syn::parse_quote!(types::#ty)))
                    }
                    SuccessBody::Bytes => Target::Bytes,
                    SuccessBody::None => Target::Empty,
                };
                (s.status, target)
            })
            .collect()
    });
    Ok(Decoders {
        name,
        success: target(success),
        error: target(error),
        several,
        request,
    })
}

fn target(ty: Type) -> Target {
    match &ty {
        Type::Tuple(t) if t.elems.is_empty() => Target::Empty,
        Type::Path(p)
            if p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ByteStream") =>
        {
            Target::Bytes
        }
        _ => Target::Json(Box::new(ty)),
    }
}

/// `T` and `E` of `Result<ResponseValue<T>, Error<E>>`.
fn send_types(output: &ReturnType) -> Option<(Type, Type)> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let [ok, err] = <[Type; 2]>::try_from(arguments(ty, "Result")?).ok()?;
    let [success] = <[Type; 1]>::try_from(arguments(&ok, "ResponseValue")?).ok()?;
    let [error] = <[Type; 1]>::try_from(arguments(&err, "Error")?).ok()?;
    Some((success, error))
}

/// The type arguments of `ty` when its last segment is `name`.
fn arguments(ty: &Type, name: &str) -> Option<Vec<Type>> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    Some(
        args.args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

/// `reqwest::Body`: the bytes of an upload, no JSON type.
pub(crate) fn is_raw_body(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.first().is_some_and(|s| s.ident == "reqwest"))
}

/// `X` of a builder's setter `fn body<V>(self, value: V) where V: TryInto<X>` (any
/// setter: a parameter's too); none for a setter without that bound (`body_map`).
pub(crate) fn setter_type(f: &syn::ImplItemFn) -> Option<Type> {
    let clause = f.sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|p| {
        let WherePredicate::Type(p) = p else {
            return None;
        };
        p.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> syn::File {
        syn::parse_quote! {
            pub struct Client { baseurl: String }
            pub mod types {
                pub struct Thing { pub id: i64 }
                pub struct NewThing { pub name: String }
                pub struct GithubError { pub message: String }
            }
            impl Client {
                pub fn get_thing(&self) -> builder::GetThing<'_> { builder::GetThing::new(self) }
                pub fn add_thing(&self) -> builder::AddThing<'_> { builder::AddThing::new(self) }
                pub fn put_file(&self) -> builder::PutFile<'_> { builder::PutFile::new(self) }
            }
            pub mod builder {
                pub struct GetThing<'a> { client: &'a super::Client }
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::GithubError>> { todo!() }
                }
                pub struct AddThing<'a> { client: &'a super::Client }
                impl<'a> AddThing<'a> {
                    pub fn body<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::NewThing>,
                        <V as std::convert::TryInto<types::NewThing>>::Error: std::fmt::Display,
                    { todo!() }
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<types::GithubError>> { todo!() }
                }
                pub struct PutFile<'a> { client: &'a super::Client }
                impl<'a> PutFile<'a> {
                    pub fn body<B>(mut self, value: B) -> Self where B: std::convert::TryInto<reqwest::Body> { todo!() }
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> { todo!() }
                }
            }
        }
    }

    fn code(successes: &BTreeMap<String, Vec<Success>>) -> String {
        code_with(successes, &BTreeMap::new())
    }

    fn code_with(
        successes: &BTreeMap<String, Vec<Success>>,
        alternatives: &BTreeMap<String, Vec<Alternative>>,
    ) -> String {
        let tokens = module(&sample(), successes, &BTreeSet::new(), alternatives).unwrap();
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    #[test]
    fn each_status_decodes_into_what_send_answers() {
        let code = code(&BTreeMap::new());
        for expected in [
            "(\"get_thing\", s, _) if s.starts_with('2') => decode::<types::Thing>(example)",
            "(\"get_thing\", _, _) => decode::<types::GithubError>(example)",
            "(\"add_thing\", s, _) if s.starts_with('2') => {\n            Err(\"a success is answered as bytes, not as a JSON type\".to_owned())",
            "(\"put_file\", _, _) => Err(\"an error status is answered with no body\".to_owned())",
            "\"add_thing\" => round_trip::<types::NewThing>(example)",
        ] {
            assert!(code.contains(expected), "{expected}\nnot in\n{code}");
        }
        // A body of bytes has no JSON type to round-trip.
        assert!(!code.contains("\"put_file\" => round_trip"), "{code}");
    }

    #[test]
    fn several_successes_decode_each_status_into_its_variant() {
        let successes = BTreeMap::from([(
            "add_thing".to_owned(),
            vec![
                Success {
                    status: 201,
                    description: None,
                    body: SuccessBody::Json("new-thing".to_owned()),
                },
                Success {
                    status: 204,
                    description: None,
                    body: SuccessBody::None,
                },
            ],
        )]);
        let code = code(&successes);
        for expected in [
            "(\"add_thing\", \"201\", _) => decode::<types::NewThing>(example)",
            "(\"add_thing\", \"204\", _) => Err(\"this status is answered with no body\".to_owned())",
            "(\"add_thing\", s, _) if s.starts_with('2') => {",
        ] {
            assert!(code.contains(expected), "{expected}\nnot in\n{code}");
        }
    }

    #[test]
    fn another_media_type_decodes_into_its_own_type_before_send_s() {
        let alternatives = BTreeMap::from([(
            "get_thing".to_owned(),
            vec![
                Alternative {
                    name: "star".to_owned(),
                    media_type: "application/vnd.github.star+json".to_owned(),
                    schema: Some("get-thing-star".to_owned()),
                },
                Alternative {
                    name: "diff".to_owned(),
                    media_type: "application/vnd.github.diff".to_owned(),
                    schema: None,
                },
            ],
        )]);
        let code = code_with(&BTreeMap::new(), &alternatives);
        let star = "(\"get_thing\", s, \"application/vnd.github.star+json\") if s.starts_with('2') => {\n            decode::<types::GetThingStar>(example)";
        let diff = "(\"get_thing\", s, \"application/vnd.github.diff\") if s.starts_with('2') => {\n            Err(\"this media type is answered as bytes, not as a JSON type\".to_owned())";
        let json = "(\"get_thing\", s, _) if s.starts_with('2') => decode::<types::Thing>(example)";
        for expected in [star, diff, json] {
            assert!(code.contains(expected), "{expected}\nnot in\n{code}");
        }
        // Matched in order: the media type's arm comes before the operation's own.
        assert!(code.find(star) < code.find(json), "{code}");
    }
}
