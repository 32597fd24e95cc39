//! The public face of the generated operations: progenitor's builders with a typed
//! `send()`, re-exported from a module `operations`, so the crate's API never shows a
//! progenitor type.
//!
//! progenitor's builders return `Result<ResponseValue<T>, progenitor_client::Error<E>>`,
//! and its `Client` carries `new` (a 15-second total timeout, an `unwrap`) and
//! `ClientInfo`. The crate keeps all of that private. Each builder keeps its setters; its
//! `send()` becomes the private `send_generated()`, and the facade's `send()` beside it
//! returns `Result<T, crate::runtime::Error>` (`send_full()` keeps the status and
//! headers). It is rewritten in place rather than wrapped: a wrapper repeats every setter,
//! a quarter of a whole description's code for the compiler to check again. The additions
//! are derived from progenitor's own output, read back as Rust, so a new operation or
//! parameter needs no hand-written line.
//!
//! The generated code calls the hand-written runtime (`crate::runtime`) and nothing else.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use syn::{
    Attribute, Expr, GenericArgument, ImplItem, Item, Lit, Meta, PathArguments, ReturnType, Type,
};

/// One 2xx status of an operation with several successes, as the `several_successes`
/// pass kept it.
#[derive(Debug, Clone)]
pub struct Success {
    pub status: u16,
    pub description: Option<String>,
    pub body: SuccessBody,
}

/// What a success carries.
#[derive(Debug, Clone)]
pub enum SuccessBody {
    /// JSON of the component schema with this key.
    Json(String),
    /// Bytes that are not JSON.
    Bytes,
    /// Nothing.
    None,
}

/// The Rust name typify gives the component schema `key` (its `sanitize`, Pascal case).
pub fn type_name(key: &str) -> String {
    use heck::ToPascalCase;
    let name = key
        .replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_pascal_case();
    match name.chars().next() {
        None => "X".to_owned(),
        Some(c) if c.is_alphabetic() || c == '_' => name,
        Some(_) => format!("_{name}"),
    }
}

/// A variant's name for an HTTP status: its reason phrase, or `StatusNNN`.
fn variant_name(status: u16) -> String {
    match status {
        200 => "Ok".to_owned(),
        201 => "Created".to_owned(),
        202 => "Accepted".to_owned(),
        203 => "NonAuthoritative".to_owned(),
        204 => "NoContent".to_owned(),
        205 => "ResetContent".to_owned(),
        206 => "PartialContent".to_owned(),
        207 => "MultiStatus".to_owned(),
        other => format!("Status{other}"),
    }
}

/// What an operation's `send()` answers.
#[derive(Clone, Copy)]
enum Answer<'a> {
    /// progenitor's success type (JSON, or bytes).
    Progenitors,
    /// One variant per success status.
    Several(&'a [Success]),
    /// The redirect it answers with and nothing else.
    Redirect,
}

/// One operation: progenitor's `Client` method and the builder it returns.
pub(crate) struct Operation {
    pub(crate) method: syn::Ident,
    docs: Vec<Attribute>,
    pub(crate) builder: syn::Ident,
}

/// The items of progenitor's `builder` module.
pub(crate) fn builders(file: &syn::File) -> Result<&[Item], String> {
    crate::type_items::module_ref(&file.items, "builder")
        .map(Vec::as_slice)
        .ok_or_else(|| "progenitor's output has no `builder` module".to_owned())
}

/// Whether `f` is one of progenitor's `send` methods: `send()`, or a `send_<media>()` the
/// `alternative_media_types` rewrite added (a setter may start with `send_` too, never
/// async).
fn is_send(f: &syn::ImplItemFn) -> bool {
    f.sig.ident == "send"
        || (f.sig.ident.to_string().starts_with("send_") && f.sig.asyncness.is_some())
}

/// The methods of progenitor's `builder::NAME`.
pub(crate) fn builder_members<'a>(
    builders: &'a [Item],
    name: &syn::Ident,
) -> Result<&'a [ImplItem], String> {
    builders
        .iter()
        .find_map(|item| match item {
            Item::Impl(block)
                if matches!(&*block.self_ty, Type::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == *name)) =>
            {
                Some(&block.items[..])
            }
            _ => None,
        })
        .ok_or_else(|| format!("builder {name} has no methods in progenitor's output"))
}

/// Makes progenitor's output `file` the crate's public face: each of progenitor's operation
/// builders gets the facade's `send()` (its own renamed `send_generated()`, private), and
/// a module `operations` re-exports the builders beside `Operations`, which gives them.
/// `upstream` maps each operation's Rust name (`get_release_asset`) to GitHub's operationId
/// (`repos/get-release-asset`), for the tracing span.
pub fn apply(
    file: &mut syn::File,
    upstream: &[(String, String)],
    successes: &BTreeMap<String, Vec<Success>>,
    redirects: &BTreeSet<String>,
) -> Result<(), String> {
    let operations = client_operations(file)?;
    for (name, _) in upstream {
        if !operations.iter().any(|o| o.method == name) {
            return Err(format!(
                "operation {name} has no method in progenitor's output"
            ));
        }
    }
    let mut methods = Vec::new();
    let mut extensions = BTreeMap::new();
    {
        let builders = builders(file)?;
        for Operation {
            method,
            docs,
            builder,
        } in &operations
        {
            let docs = docs.iter().map(through_operations);
            methods.push(quote! {
                #(#docs)*
                pub fn #method(&self) -> #builder<'a> {
                    self.0.#method()
                }
            });
            let name = method.to_string();
            let id = upstream
                .iter()
                .find(|(rust, _)| *rust == name)
                .map_or(name.as_str(), |(_, id)| id.as_str());
            let answer = answer_of(&name, successes, redirects);
            extensions.insert(
                builder.to_string(),
                extension(builders, method, builder, answer, id)?,
            );
        }
    }
    extend_builders(file, extensions)?;
    // The docs are the `Operations` method's: the `Client` method is private.
    let is_operation = |name: &syn::Ident| operations.iter().any(|o| o.method == *name);
    for item in &mut file.items {
        let Item::Impl(block) = item else { continue };
        let is_client = matches!(&*block.self_ty, Type::Path(p) if p.path.is_ident("Client"));
        if !is_client || block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            if let ImplItem::Fn(f) = member
                && is_operation(&f.sig.ident)
            {
                f.attrs.retain(|a| !a.path().is_ident("doc"));
            }
        }
    }
    let redirecting = if redirects.is_empty() {
        quote! { let _ = name; false }
    } else {
        let names = redirects.iter();
        quote! { matches!(name, #(#names)|*) }
    };
    let names = upstream.iter().map(|(name, _)| name);
    let ids = upstream.iter().map(|(_, id)| id);
    let module = quote! {
        /// Every operation of the description, as a builder: set its parameters, then
        /// `send()`. For what [`crate::Client`]'s handles do not cover; reached with
        /// [`crate::Client::operations`].
        ///
        /// ```no_run
        /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
        /// let release = client
        ///     .operations()
        ///     .get_latest_release()
        ///     .owner("octocat")
        ///     .repo("hello-world")
        ///     .send()
        ///     .await?;
        /// println!("{} has {} assets", release.tag_name, release.assets.len());
        /// # Ok(()) }
        /// ```
        pub mod operations {
            // A glob, so a builder a cargo feature leaves out is not named.
            pub use super::builder::*;

            /// The operations, each a method giving its request builder.
            #[derive(Clone, Copy, Debug)]
            pub struct Operations<'a>(&'a super::Client);

            impl<'a> Operations<'a> {
                pub(crate) fn new(client: &'a super::Client) -> Self {
                    Self(client)
                }
                #(#methods)*
            }

            // The hooks progenitor's client calls: the runtime's, the span named with
            // GitHub's operationId (`repos/get-release-asset`), not the Rust name.
            impl progenitor_client::ClientHooks<crate::runtime::Settings> for super::Client {
                async fn pre<E>(
                    &self,
                    request: &mut reqwest::Request,
                    _info: &progenitor_client::OperationInfo,
                ) -> Result<(), progenitor_client::Error<E>> {
                    crate::runtime::pre(&self.inner, request).await
                }

                async fn exec(
                    &self,
                    request: reqwest::Request,
                    info: &progenitor_client::OperationInfo,
                ) -> reqwest::Result<reqwest::Response> {
                    let operation_id =
                        upstream_operation_id(info.operation_id).unwrap_or(info.operation_id);
                    if answers_a_redirect(info.operation_id) {
                        return crate::runtime::exec_unfollowed(&self.client, &self.inner, request, operation_id).await;
                    }
                    crate::runtime::exec(&self.client, &self.inner, request, operation_id).await
                }
            }

            /// Whether the operation of this Rust name answers a redirect to fetch, which its
            /// request must not follow.
            fn answers_a_redirect(name: &str) -> bool {
                #redirecting
            }

            /// GitHub's operationId for an operation's Rust name, as the tracing span gives it.
            pub(crate) fn upstream_operation_id(name: &str) -> Option<&'static str> {
                match name {
                    #(#names => Some(#ids),)*
                    _ => None,
                }
            }
        }
    };
    file.items
        .push(syn::parse2(module).map_err(|e| format!("the operations module: {e}"))?);
    Ok(())
}

/// What the facade adds to one of progenitor's builders.
struct Extension {
    /// The builder's doc.
    doc: Attribute,
    /// Methods for its impl: `send()`, `send_full()`, a `send_<media>()` per other media
    /// type, `stream()`.
    methods: Vec<ImplItem>,
    /// Items beside it (the enum of several successes).
    beside: Vec<Item>,
}

/// Puts each `Extension` on its builder in progenitor's `builder` module: its doc on the
/// struct, its methods in the impl, where progenitor's `send*` become private
/// `send*_generated` and `new` crate-private.
fn extend_builders(
    file: &mut syn::File,
    mut extensions: BTreeMap<String, Extension>,
) -> Result<(), String> {
    let items = crate::type_items::module(&mut file.items, "builder")
        .ok_or_else(|| "progenitor's output has no `builder` module".to_owned())?;
    let mut beside = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Struct(s) => {
                if let Some(extension) = extensions.get(&s.ident.to_string()) {
                    s.attrs.retain(|a| !a.path().is_ident("doc"));
                    s.attrs.insert(0, extension.doc.clone());
                }
            }
            Item::Impl(block) if block.trait_.is_none() => {
                let Type::Path(path) = &*block.self_ty else {
                    continue;
                };
                let Some(name) = path.path.segments.last().map(|s| s.ident.to_string()) else {
                    continue;
                };
                let Some(extension) = extensions.remove(&name) else {
                    continue;
                };
                for member in &mut block.items {
                    let ImplItem::Fn(f) = member else { continue };
                    if f.sig.ident == "new" {
                        f.vis = syn::parse_quote!(pub(crate));
                    } else if is_send(f) {
                        f.sig.ident = generated_send(&f.sig.ident);
                        f.vis = syn::Visibility::Inherited;
                        f.attrs.retain(|a| !a.path().is_ident("doc"));
                    }
                }
                block.items.extend(extension.methods);
                beside.extend(extension.beside);
            }
            _ => {}
        }
    }
    if let Some(name) = extensions.keys().next() {
        return Err(format!(
            "builder {name} has no methods in progenitor's output"
        ));
    }
    items.extend(beside);
    Ok(())
}

/// The private name progenitor's `send*` method `ident` takes: `send_generated`.
fn generated_send(ident: &syn::Ident) -> syn::Ident {
    quote::format_ident!("{ident}_generated")
}

/// What the facade adds to progenitor's `builder::NAME`: a typed `send()`, and `stream()`
/// when it pages.
fn extension(
    builders: &[Item],
    method: &syn::Ident,
    name: &syn::Ident,
    answer: Answer<'_>,
    operation_id: &str,
) -> Result<Extension, String> {
    let members = builder_members(builders, name)?;
    let mut names = Vec::new();
    let mut output = None;
    let mut alternatives = Vec::new();
    for member in members {
        let ImplItem::Fn(f) = member else { continue };
        let ident = &f.sig.ident;
        if ident == "new" {
            continue;
        }
        // Another media type of the answer (the `alternative_media_types` rewrite's).
        if is_send(f) && ident != "send" {
            let answer = answer_type(&f.sig.output).ok_or_else(|| {
                format!("{name}::{ident} does not return Result<ResponseValue<T>, Error<E>>")
            })?;
            alternatives.push(alternative(f, &answer));
            continue;
        }
        if ident == "send" {
            output = Some(answer_type(&f.sig.output).ok_or_else(|| {
                format!("{name}::send does not return Result<ResponseValue<T>, Error<E>>")
            })?);
            continue;
        }
        names.push(ident.to_string());
    }
    let output = output.ok_or_else(|| format!("builder {name} has no send()"))?;
    let doc = format!(
        "The request [`Operations::{method}`](super::operations::Operations::{method}) builds: set its parameters, then [`send`](Self::send)."
    );
    let is_bytes = matches!(&output, Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "ByteStream"));
    let (sending, beside) = match answer {
        Answer::Several(successes) => several_successes(name, successes),
        Answer::Redirect => (
            quote! {
                /// Sends the request; the redirect GitHub answers with (its `Location`, to
                /// [`fetch`](crate::runtime::Redirect::fetch) without the token), or what
                /// went wrong as [`crate::runtime::Error`].
                pub async fn send(self) -> Result<crate::runtime::Redirect, crate::runtime::Error> {
                    let client = self.client;
                    crate::runtime::Redirect::from_generated(self.send_generated(), &client.inner, #operation_id).await
                }
            },
            TokenStream::new(),
        ),
        // A body that is not JSON (text, HTML, a diff): its bytes, read whole and bounded,
        // since progenitor's stream type stays private.
        Answer::Progenitors if is_bytes => (
            quote! {
                /// Sends the request; the answer's bytes, or what went wrong as
                /// [`crate::runtime::Error`].
                pub async fn send(self) -> Result<Vec<u8>, crate::runtime::Error> {
                    crate::runtime::Response::bytes_from_generated(self.send_generated())
                        .await
                        .map(crate::runtime::Response::into_body)
                }

                /// Sends the request; the answer's status and headers with its bytes.
                pub async fn send_full(self) -> Result<crate::runtime::Response<Vec<u8>>, crate::runtime::Error> {
                    crate::runtime::Response::bytes_from_generated(self.send_generated()).await
                }
            },
            TokenStream::new(),
        ),
        Answer::Progenitors => (
            quote! {
                /// Sends the request; the answer's body, or what went wrong as [`crate::runtime::Error`].
                pub async fn send(self) -> Result<#output, crate::runtime::Error> {
                    crate::runtime::Response::body_from_generated(self.send_generated()).await
                }

                /// Sends the request; the answer's status and headers with its body.
                pub async fn send_full(self) -> Result<crate::runtime::Response<#output>, crate::runtime::Error> {
                    crate::runtime::Response::from_generated(self.send_generated()).await
                }
            },
            TokenStream::new(),
        ),
    };
    let streaming = if streams(&names, answer, is_bytes) {
        stream(&output, operation_id)
    } else {
        TokenStream::new()
    };
    let methods: syn::ItemImpl = syn::parse2(quote! {
        impl X {
            #sending

            #(#alternatives)*

            #streaming
        }
    })
    .map_err(|e| format!("the facade of {name}: {e}"))?;
    let beside: syn::File =
        syn::parse2(beside).map_err(|e| format!("the answers of {name}: {e}"))?;
    Ok(Extension {
        doc: syn::parse_quote!(#[doc = #doc]),
        methods: methods.items,
        beside: beside.items,
    })
}

/// The operations, from progenitor's `impl Client` methods returning `builder::X<'_>`.
pub(crate) fn client_operations(file: &syn::File) -> Result<Vec<Operation>, String> {
    let mut found = Vec::new();
    for item in &file.items {
        let Item::Impl(block) = item else { continue };
        let is_client = matches!(&*block.self_ty, Type::Path(p) if p.path.is_ident("Client"));
        if !is_client || block.trait_.is_some() {
            continue;
        }
        for member in &block.items {
            let ImplItem::Fn(f) = member else { continue };
            let ReturnType::Type(_, output) = &f.sig.output else {
                continue;
            };
            let Type::Path(path) = &**output else {
                continue;
            };
            let segments: Vec<_> = path.path.segments.iter().collect();
            if let [module, builder] = segments[..]
                && module.ident == "builder"
            {
                found.push(Operation {
                    method: f.sig.ident.clone(),
                    docs: f
                        .attrs
                        .iter()
                        .filter(|a| a.path().is_ident("doc"))
                        .cloned()
                        .collect(),
                    builder: builder.ident.clone(),
                });
            }
        }
    }
    if found.is_empty() {
        return Err("progenitor's output has no operation methods on `Client`".into());
    }
    Ok(found)
}

/// The facade's `send_<name>()` for progenitor's of the same name, which asks for another
/// media type: its answer decoded (`answer`, a generated type), or its bytes read whole and
/// bounded, as a non-JSON `send()`'s are.
fn alternative(send: &syn::ImplItemFn, answer: &Type) -> TokenStream {
    let ident = &send.sig.ident;
    let full = quote::format_ident!("{ident}_full");
    let generated = generated_send(ident);
    let docs = send.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let is_bytes = matches!(answer, Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "ByteStream"));
    if is_bytes {
        quote! {
            #(#docs)*
            ///
            /// The answer's bytes, read whole up to
            /// [`JSON_BODY_LIMIT`](crate::runtime::JSON_BODY_LIMIT), or what went wrong as
            /// [`crate::runtime::Error`].
            pub async fn #ident(self) -> Result<Vec<u8>, crate::runtime::Error> {
                crate::runtime::Response::bytes_from_generated(self.#generated())
                    .await
                    .map(crate::runtime::Response::into_body)
            }

            /// The same request as the method without `_full`; the answer's status and
            /// headers with its bytes.
            pub async fn #full(self) -> Result<crate::runtime::Response<Vec<u8>>, crate::runtime::Error> {
                crate::runtime::Response::bytes_from_generated(self.#generated()).await
            }
        }
    } else {
        quote! {
            #(#docs)*
            ///
            /// The answer decoded, or what went wrong as [`crate::runtime::Error`].
            pub async fn #ident(self) -> Result<#answer, crate::runtime::Error> {
                crate::runtime::Response::body_from_generated(self.#generated()).await
            }

            /// The same request as the method without `_full`; the answer's status and
            /// headers with its body.
            pub async fn #full(self) -> Result<crate::runtime::Response<#answer>, crate::runtime::Error> {
                crate::runtime::Response::from_generated(self.#generated()).await
            }
        }
    }
}

/// What the operation of Rust name `name` answers.
fn answer_of<'a>(
    name: &str,
    successes: &'a BTreeMap<String, Vec<Success>>,
    redirects: &BTreeSet<String>,
) -> Answer<'a> {
    match successes.get(name) {
        Some(several) => Answer::Several(several),
        None if redirects.contains(name) => Answer::Redirect,
        None => Answer::Progenitors,
    }
}

/// Whether an operation has `stream()`: GitHub's `Link` pagination (a `per_page`/`page`
/// pair among its setters `names`), and one JSON answer.
fn streams(names: &[String], answer: Answer<'_>, is_bytes: bool) -> bool {
    let pages = names.iter().any(|n| n == "page") && names.iter().any(|n| n == "per_page");
    pages && matches!(answer, Answer::Progenitors) && !is_bytes
}

/// The operations (by Rust name) whose wrapper has `stream()`.
pub(crate) fn streaming_operations(
    file: &syn::File,
    successes: &BTreeMap<String, Vec<Success>>,
    redirects: &BTreeSet<String>,
) -> Result<BTreeSet<String>, String> {
    let builders = builders(file)?;
    let mut found = BTreeSet::new();
    for operation in client_operations(file)? {
        let name = operation.method.to_string();
        let answer = answer_of(&name, successes, redirects);
        let mut names = Vec::new();
        let mut is_bytes = false;
        for member in builder_members(builders, &operation.builder)? {
            let ImplItem::Fn(f) = member else { continue };
            if f.sig.ident == "send" {
                is_bytes = matches!(answer_type(&f.sig.output), Some(Type::Path(p))
                    if p.path.segments.last().is_some_and(|s| s.ident == "ByteStream"));
            } else {
                names.push(f.sig.ident.to_string());
            }
        }
        if streams(&names, answer, is_bytes) {
            found.insert(name);
        }
    }
    Ok(found)
}

/// For an operation with several successes: the enum of its answers (a variant per
/// status), its decoding from the status and the bytes, and the `send` methods that
/// return it.
fn several_successes(builder: &syn::Ident, successes: &[Success]) -> (TokenStream, TokenStream) {
    let answer = quote::format_ident!("{builder}Response");
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for success in successes {
        let variant = quote::format_ident!("{}", variant_name(success.status));
        let status = success.status;
        let doc = match &success.description {
            Some(d) if !d.is_empty() => format!(" {status}: {d}"),
            _ => format!(" {status}"),
        };
        match &success.body {
            SuccessBody::Json(key) => {
                let ty = quote::format_ident!("{}", type_name(key));
                variants.push(quote! { #[doc = #doc] #variant(types::#ty) });
                arms.push(
                    quote! { #status => crate::runtime::decode_json(body).map(Self::#variant) },
                );
            }
            SuccessBody::Bytes => {
                variants.push(quote! { #[doc = #doc] #variant(Vec<u8>) });
                arms.push(quote! { #status => Ok(Self::#variant(body.to_vec())) });
            }
            SuccessBody::None => {
                variants.push(quote! { #[doc = #doc] #variant });
                arms.push(quote! { #status => Ok(Self::#variant) });
            }
        }
    }
    let doc = format!(
        " What [`{builder}::send`] answers: a variant for each success status GitHub documents."
    );
    let extra = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #answer {
            #(#variants,)*
        }

        impl #answer {
            /// The answer of `status` with the body `body`.
            fn decode(status: u16, body: &[u8]) -> Result<Self, crate::runtime::Error> {
                match status {
                    #(#arms,)*
                    other => Err(crate::runtime::undocumented_success(other, body)),
                }
            }
        }
    };
    let sending = quote! {
        /// Sends the request; the answer for its status, or what went wrong as
        /// [`crate::runtime::Error`].
        pub async fn send(self) -> Result<#answer, crate::runtime::Error> {
            let answer = crate::runtime::Response::bytes_from_generated(self.send_generated()).await?;
            #answer::decode(answer.status().as_u16(), answer.body())
        }

        /// Sends the request; the answer's status and headers with the answer for its
        /// status.
        pub async fn send_full(self) -> Result<crate::runtime::Response<#answer>, crate::runtime::Error> {
            crate::runtime::Response::bytes_from_generated(self.send_generated())
                .await?
                .try_map(|status, body| #answer::decode(status.as_u16(), &body))
        }
    };
    (sending, extra)
}

/// `stream()` of an operation that pages: its items when a page is a JSON array, else
/// the pages themselves (an object with a count beside its list).
fn stream(output: &Type, operation_id: &str) -> TokenStream {
    let (item, start, what) = match first_argument(output, "Vec") {
        Some(item) => (item, quote! { items_after }, "Every item of every page"),
        None => (output.clone(), quote! { pages_after }, "Every page"),
    };
    let doc = format!(
        " {what} from the one this request asks for on, following GitHub's `Link: \
         rel=\"next\"` (set `per_page(100)` for the fewest requests): a \
         [`Pages`](crate::runtime::Pages) stream, bounded as the crate's listings are."
    );
    quote! {
        #[doc = #doc]
        pub fn stream(self) -> crate::runtime::Pages<'a, #item> {
            let client = self.client;
            crate::runtime::Pages::#start(
                &client.client,
                &client.inner,
                #operation_id,
                crate::runtime::Response::from_generated(self.send_generated()),
            )
        }
    }
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn answer_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let ok = first_argument(ty, "Result")?;
    first_argument(&ok, "ResponseValue")
}

/// The first type argument of `ty` when its last segment is `name`.
fn first_argument(ty: &Type, name: &str) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// A doc attribute whose example calls `client.NAME()` made to call
/// `client.operations().NAME()`, as the public API is reached.
fn through_operations(attr: &Attribute) -> Attribute {
    let Meta::NameValue(meta) = &attr.meta else {
        return attr.clone();
    };
    let Expr::Lit(lit) = &meta.value else {
        return attr.clone();
    };
    let Lit::Str(text) = &lit.lit else {
        return attr.clone();
    };
    let rewritten = text.value().replace(
        "let response = client.",
        "let response = client.operations().",
    );
    syn::parse_quote!(#[doc = #rewritten])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> syn::File {
        syn::parse_quote! {
            pub struct Client { baseurl: String }
            impl Client {
                /// Get a thing
                ///
                /// ```ignore
                /// let response = client.get_thing()
                /// ```
                pub fn get_thing(&self) -> builder::GetThing<'_> {
                    builder::GetThing::new(self)
                }
            }
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct GetThing<'a> { client: &'a super::Client, id: Result<i64, String> }
                impl<'a> GetThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self { todo!() }
                    pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { todo!() }
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::GithubError>> { todo!() }
                }
            }
        }
    }

    /// `file` with the facade applied, as Rust text.
    fn applied(
        mut file: syn::File,
        upstream: &[(String, String)],
        successes: &BTreeMap<String, Vec<Success>>,
        redirects: &BTreeSet<String>,
    ) -> Result<String, String> {
        apply(&mut file, upstream, successes, redirects)?;
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn every_operation_gets_a_typed_send_and_its_upstream_id() {
        let upstream = [("get_thing".to_owned(), "things/get-thing".to_owned())];
        let code = applied(sample(), &upstream, &BTreeMap::new(), &BTreeSet::new()).unwrap();
        for expected in [
            "pub fn get_thing(&self) -> GetThing<'a> {\n            self.0.get_thing()",
            "pub use super::builder::*;",
            "///The request [`Operations::get_thing`](super::operations::Operations::get_thing) builds",
            "#[derive(Debug, Clone)]\n    pub struct GetThing<'a> {",
            "pub(crate) fn new(client: &'a super::Client) -> Self",
            "pub fn id<V>(mut self, value: V) -> Self",
            "async fn send_generated(\n            self,\n        ) -> Result<ResponseValue<types::Thing>",
            "crate::runtime::Response::body_from_generated(self.send_generated()).await",
            "impl progenitor_client::ClientHooks<crate::runtime::Settings> for super::Client",
            "crate::runtime::exec(&self.client, &self.inner, request, operation_id).await",
            "pub async fn send(self) -> Result<types::Thing, crate::runtime::Error>",
            "Result<crate::runtime::Response<types::Thing>, crate::runtime::Error>",
            "\"get_thing\" => Some(\"things/get-thing\")",
            "let response = client.operations().get_thing()",
        ] {
            assert!(code.contains(expected), "{expected:?} not in\n{code}");
        }
        // progenitor's `send` is private, and the docs are `Operations`' alone.
        assert!(!code.contains("pub async fn send_generated"), "{code}");
        assert_eq!(code.matches("Get a thing").count(), 1, "{code}");
        // No `page`/`per_page` pair: no stream.
        assert!(!code.contains("fn stream"), "{code}");
    }

    /// `sample()` with `get_thing` a listing: `page` and `per_page` setters, and `answer`
    /// as its JSON body.
    fn listing(answer: syn::Type) -> syn::File {
        let mut file = sample();
        if let Item::Mod(m) = &mut file.items[2]
            && let Some((_, items)) = &mut m.content
        {
            items[1] = syn::parse_quote! {
                impl<'a> GetThing<'a> {
                    pub fn page<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { todo!() }
                    pub fn per_page<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { todo!() }
                    pub async fn send(self) -> Result<ResponseValue<#answer>, Error<types::GithubError>> { todo!() }
                }
            };
        }
        file
    }

    #[test]
    fn an_operation_that_answers_a_redirect_sends_for_it_unfollowed() {
        let upstream = [("get_thing".to_owned(), "things/download".to_owned())];
        let mut file = sample();
        if let Item::Mod(m) = &mut file.items[2]
            && let Some((_, items)) = &mut m.content
        {
            items[1] = syn::parse_quote! {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<()>> { todo!() }
                }
            };
        }
        let redirects = BTreeSet::from(["get_thing".to_owned()]);
        let code = applied(file, &upstream, &BTreeMap::new(), &redirects).unwrap();
        for expected in [
            ") -> Result<crate::runtime::Redirect, crate::runtime::Error> {",
            "crate::runtime::Redirect::from_generated(",
            "\"things/download\",",
            "matches!(name, \"get_thing\")",
            "crate::runtime::exec_unfollowed(",
        ] {
            assert!(code.contains(expected), "{expected:?} not in\n{code}");
        }
        assert!(!code.contains("Vec<u8>"), "{code}");
    }

    #[test]
    fn a_listing_streams_its_items_or_its_pages() {
        let upstream = [("get_thing".to_owned(), "things/list".to_owned())];
        let items = listing(syn::parse_quote!(::std::vec::Vec<types::Thing>));
        let code = applied(items, &upstream, &BTreeMap::new(), &BTreeSet::new()).unwrap();
        for expected in [
            "pub fn stream(self) -> crate::runtime::Pages<'a, types::Thing>",
            "crate::runtime::Pages::items_after(",
            "\"things/list\",",
            "crate::runtime::Response::from_generated(self.send_generated())",
        ] {
            assert!(code.contains(expected), "{expected:?} not in\n{code}");
        }
        let pages = listing(syn::parse_quote!(types::ThingPage));
        let code = applied(pages, &upstream, &BTreeMap::new(), &BTreeSet::new()).unwrap();
        for expected in [
            "pub fn stream(self) -> crate::runtime::Pages<'a, types::ThingPage>",
            "crate::runtime::Pages::pages_after(",
        ] {
            assert!(code.contains(expected), "{expected:?} not in\n{code}");
        }
    }

    #[test]
    fn several_successes_make_an_enum_that_send_decodes_into() {
        let mut file = sample();
        if let Item::Mod(m) = &mut file.items[2]
            && let Some((_, items)) = &mut m.content
        {
            items[1] = syn::parse_quote! {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<types::GithubError>> { todo!() }
                }
            };
        }
        let successes = BTreeMap::from([(
            "get_thing".to_owned(),
            vec![
                Success {
                    status: 201,
                    description: Some("Made".into()),
                    body: SuccessBody::Json("git-commit".into()),
                },
                Success {
                    status: 204,
                    description: None,
                    body: SuccessBody::None,
                },
                Success {
                    status: 299,
                    description: None,
                    body: SuccessBody::Bytes,
                },
            ],
        )]);
        let code = applied(file.clone(), &[], &successes, &BTreeSet::new()).unwrap();
        for expected in [
            "pub enum GetThingResponse {",
            "/// 201: Made\n        Created(types::GitCommit),",
            "NoContent,",
            "Status299(Vec<u8>),",
            "201u16 => crate::runtime::decode_json(body).map(Self::Created)",
            "204u16 => Ok(Self::NoContent)",
            "other => Err(crate::runtime::undocumented_success(other, body))",
            "pub async fn send(self) -> Result<GetThingResponse, crate::runtime::Error>",
            "Result<crate::runtime::Response<GetThingResponse>, crate::runtime::Error>",
        ] {
            assert!(code.contains(expected), "{expected:?} not in\n{code}");
        }
        // progenitor's stream type is in its private `send_generated` alone.
        assert_eq!(code.matches("ByteStream").count(), 1, "{code}");
        // Without several successes, a body of bytes is read whole: no progenitor type.
        let code = applied(file, &[], &BTreeMap::new(), &BTreeSet::new()).unwrap();
        assert!(
            code.contains("pub async fn send(self) -> Result<Vec<u8>, crate::runtime::Error>"),
            "{code}"
        );
        assert_eq!(code.matches("ByteStream").count(), 1, "{code}");
    }

    #[test]
    fn type_names_are_typifys() {
        assert_eq!(
            type_name("copilot-usage-metrics-1-day-report"),
            "CopilotUsageMetrics1DayReport"
        );
        assert_eq!(type_name("merge-202"), "Merge202");
        assert_eq!(type_name("2fa"), "_2fa");
    }

    #[test]
    fn an_unknown_upstream_name_or_an_odd_send_is_an_error() {
        let upstream = [("gone".to_owned(), "x/gone".to_owned())];
        let error = applied(sample(), &upstream, &BTreeMap::new(), &BTreeSet::new()).unwrap_err();
        assert!(error.contains("gone"), "{error}");
        let mut odd = sample();
        if let Item::Mod(m) = &mut odd.items[2]
            && let Some((_, items)) = &mut m.content
        {
            items[1] = syn::parse_quote! {
                impl<'a> GetThing<'a> { pub async fn send(self) -> u8 { 0 } }
            };
        }
        let error = applied(odd, &[], &BTreeMap::new(), &BTreeSet::new()).unwrap_err();
        assert!(error.contains("GetThing::send"), "{error}");
    }
}
