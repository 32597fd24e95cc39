//! progenitor's `send()` bodies, made cheaper for the compiler: it checks each operation's
//! future on its own, so what every operation repeats is paid 1,223 times in a crate of
//! GitHub's whole API.
//!
//! - **The hooks and the answer, once.** Each `send()` awaits progenitor's three hooks in
//!   turn (`pre`, `exec`, `post`: async trait methods, each an opaque future to resolve at
//!   every call), then matches the status, awaiting a decoding in each arm. The hooks
//!   become one call of a generic `run_hooks()` on the client (a third of the `send()`
//!   bodies' checking time); and when the arms are the shapes progenitor writes
//!   (successes of one kind, JSON, none or a stream; errors decoded as JSON; anything else
//!   unexpected), the whole becomes one call of a generic `answer_json()` or
//!   `answer_unread()` (given progenitor's `ResponseValue::empty` or `::stream`), given
//!   which statuses are successes and which errors. Any other shape stays as progenitor wrote it.
//! - **One arm per answer.** `send()` matches the answer's status with an arm per
//!   documented status, and most of those are the same error decoding (`403`, `404`,
//!   `422`: GitHub's `basic-error`), each an `.await` of its own. Arms whose bodies are the
//!   same Rust become one arm with an or-pattern, in the place of the first. Only arms
//!   matching integer literals are merged, and none moves past another kind of arm (`_`,
//!   a guard), so which arm a status takes is unchanged.
//!
//! ```
//! let mut file: syn::File = syn::parse_quote! {
//!     pub struct Client {}
//!     pub mod builder {
//!         impl<'a> GetThing<'a> {
//!             pub async fn send(self) -> Result<(), ()> {
//!                 client.pre(&mut request, &info).await?;
//!                 let result = client.exec(request, &info).await;
//!                 client.post(&result, &info).await?;
//!                 let response = result?;
//!                 match response.status().as_u16() {
//!                     200u16 => Ok(()),
//!                     403u16 => Err(decode(response).await?),
//!                     404u16 => Err(decode(response).await?),
//!                     _ => Err(()),
//!                 }
//!             }
//!         }
//!     }
//! };
//! // `Ok(())` is not a shape progenitor writes: the match stays, its arms merged.
//! assert_eq!(codegen::send_bodies::rewrite(&mut file), (1, 0, 1));
//! let code = prettyplease::unparse(&file);
//! assert!(code.contains("let response = client.run_hooks(request, &info).await?;"), "{code}");
//! assert!(code.contains("async fn run_hooks<E>("), "{code}");
//! assert!(code.contains("403u16 | 404u16 => Err(decode(response).await?)"), "{code}");
//! ```

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Arm, Block, Expr, ExprMatch, Item, Lit, Pat, Stmt};

use crate::type_items::{after_client, module};

/// Rewrites the `send()` bodies of `file`'s `builder` module. Returns how many call the
/// hooks through one generic call, how many of those decode the answer in it too, and
/// how many status arms went into another.
pub fn rewrite(file: &mut syn::File) -> (usize, usize, usize) {
    let mut merger = Merger { merged: 0 };
    let mut hooked = Hooks {
        replaced: 0,
        answered: 0,
    };
    if let Some(items) = module(&mut file.items, "builder") {
        for item in items {
            merger.visit_item_mut(item);
            hooked.visit_item_mut(item);
        }
    }
    if hooked.replaced > 0 {
        let at = after_client(&file.items);
        file.items.insert(at, generic_calls());
    }
    (hooked.replaced, hooked.answered, merger.merged)
}

/// The statements of progenitor's hook calls, as tokens, and what replaces them.
const HOOK_CALLS: [&str; 4] = [
    "client . pre (& mut request , & info) . await ? ;",
    "let result = client . exec (request , & info) . await ;",
    "client . post (& result , & info) . await ? ;",
    "let response = result ? ;",
];

/// The generic calls written once beside `Client`: `run_hooks()`, progenitor's three hook
/// calls in its order, for any error type; and the `answer_*()` that run them and decode
/// the answer as progenitor's `match` did.
fn generic_calls() -> Item {
    syn::parse_quote! {
        impl Client {
            /// progenitor's hooks around one request, as every operation's `send()` called
            /// them: generic, so the compiler checks these awaits once.
            async fn run_hooks<E>(
                &self,
                mut request: reqwest::Request,
                info: &OperationInfo,
            ) -> Result<reqwest::Response, progenitor_client::Error<E>> {
                self.pre(&mut request, info).await?;
                let result = self.exec(request, info).await;
                self.post(&result, info).await?;
                Ok(result?)
            }

            /// The request sent through the hooks; a `success` status decoded as `T`,
            /// an `error` one as `E`, any other unexpected.
            async fn answer_json<T: ::serde::de::DeserializeOwned, E: ::serde::de::DeserializeOwned>(
                &self,
                request: Result<reqwest::Request, progenitor_client::Error<E>>,
                info: OperationInfo,
                success: fn(u16) -> bool,
                error: fn(u16) -> bool,
            ) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
                let response = self.run_hooks(request?, &info).await?;
                let status = response.status().as_u16();
                if success(status) {
                    progenitor_client::ResponseValue::from_response(response).await
                } else if error(status) {
                    Err(progenitor_client::Error::ErrorResponse(progenitor_client::ResponseValue::from_response(response).await?))
                } else {
                    Err(progenitor_client::Error::UnexpectedResponse(response))
                }
            }

            /// [`Client::answer_json`] for a success whose body is not read here:
            /// `success_value` makes it (progenitor's `ResponseValue::empty` or
            /// `ResponseValue::stream`).
            async fn answer_unread<T, E: ::serde::de::DeserializeOwned>(
                &self,
                request: Result<reqwest::Request, progenitor_client::Error<E>>,
                info: OperationInfo,
                success: fn(u16) -> bool,
                error: fn(u16) -> bool,
                success_value: fn(reqwest::Response) -> progenitor_client::ResponseValue<T>,
            ) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
                let response = self.run_hooks(request?, &info).await?;
                let status = response.status().as_u16();
                if success(status) {
                    Ok(success_value(response))
                } else if error(status) {
                    Err(progenitor_client::Error::ErrorResponse(progenitor_client::ResponseValue::from_response(response).await?))
                } else {
                    Err(progenitor_client::Error::UnexpectedResponse(response))
                }
            }
        }
    }
}

struct Hooks {
    replaced: usize,
    answered: usize,
}

impl VisitMut for Hooks {
    fn visit_block_mut(&mut self, block: &mut Block) {
        syn::visit_mut::visit_block_mut(self, block);
        let text: Vec<String> = block
            .stmts
            .iter()
            .map(|s| s.to_token_stream().to_string())
            .collect();
        let Some(at) = text
            .windows(HOOK_CALLS.len())
            .position(|w| w.iter().zip(HOOK_CALLS).all(|(a, b)| a == b))
        else {
            return;
        };
        let tail = block.stmts.get(at + HOOK_CALLS.len());
        let answer = match tail {
            Some(Stmt::Expr(Expr::Match(m), None))
                if at + HOOK_CALLS.len() + 1 == block.stmts.len() =>
            {
                answer(m)
            }
            _ => None,
        };
        match answer {
            Some(call) => {
                block.stmts.truncate(at);
                block.stmts.push(Stmt::Expr(call, None));
                self.answered += 1;
            }
            None => {
                let call: Stmt = syn::parse_quote! {
                    let response = client.run_hooks(request, &info).await?;
                };
                block.stmts.splice(at..at + HOOK_CALLS.len(), [call]);
            }
        }
        self.replaced += 1;
    }
}

/// Rewrites each `send()` of `file`'s `builder` module whose answer is one generic call
/// (see [`rewrite`]) as a plain function returning that call's future. Run last: the
/// facade reads what `send()` answers from its `Result<ResponseValue<T>, Error<E>>`.
/// Returns how many were rewritten.
pub fn unasync_sends(file: &mut syn::File) -> usize {
    let mut rewritten = 0;
    for item in module(&mut file.items, "builder").into_iter().flatten() {
        if let Item::Impl(block) = item {
            for member in &mut block.items {
                if let syn::ImplItem::Fn(send) = member
                    && unasync(send)
                {
                    rewritten += 1;
                }
            }
        }
    }
    rewritten
}

/// A `send()` whose answer is one generic call, as a plain function that builds the
/// request and returns that call's future: no future of its own for the compiler to lay
/// out and check. What built the request (its `?`s included) runs in a closure whose
/// error goes to the call, which returns it before sending anything, as the `?`s did.
/// Whether `send` was rewritten.
fn unasync(send: &mut syn::ImplItemFn) -> bool {
    let stmts = &send.block.stmts;
    if send.sig.asyncness.is_none() || stmts.len() < 3 {
        return false;
    }
    let syn::ReturnType::Type(_, output) = &send.sig.output else {
        return false;
    };
    // `Result<ResponseValue<T>, Error<E>>`: the request's error is `Error<E>`.
    let output = (**output).clone();
    let Some(error) = last_type_argument(&output).cloned() else {
        return false;
    };
    let destructure = stmts[0].to_token_stream().to_string();
    let Some((last, building)) = stmts[1..].split_last() else {
        return false;
    };
    let (info, building) = match building.split_last() {
        Some((info @ Stmt::Local(local), building))
            if local.pat.to_token_stream().to_string() == "info" =>
        {
            (info, building)
        }
        _ => return false,
    };
    let Stmt::Expr(Expr::Await(answer), None) = last else {
        return false;
    };
    let Expr::MethodCall(call) = &*answer.base else {
        return false;
    };
    let first = call.args.first().map(|a| a.to_token_stream().to_string());
    if !destructure.starts_with("let Self {")
        || !call.method.to_string().starts_with("answer_")
        || first.as_deref() != Some("Ok (request)")
        || building.iter().any(awaits)
    {
        return false;
    }
    let mut call = call.clone();
    call.args[0] = syn::parse_quote!(request);
    let (destructure, info) = (stmts[0].clone(), info.clone());
    let building = building.to_vec();
    send.sig.asyncness = None;
    send.sig.output = syn::parse_quote!(-> impl ::std::future::Future<Output = #output>);
    send.block.stmts = vec![
        destructure,
        syn::parse_quote! {
            let request = (move || -> Result<reqwest::Request, #error> {
                #(#building)*
                Ok(request)
            })();
        },
        info,
        Stmt::Expr(Expr::MethodCall(call), None),
    ];
    true
}

/// `E` of `X<.., E>`.
fn last_type_argument(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    match &path.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.last()? {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `stmt` awaits anything.
fn awaits(stmt: &Stmt) -> bool {
    struct Awaits(bool);
    impl syn::visit::Visit<'_> for Awaits {
        fn visit_expr_await(&mut self, _: &syn::ExprAwait) {
            self.0 = true;
        }
    }
    let mut found = Awaits(false);
    syn::visit::Visit::visit_stmt(&mut found, stmt);
    found.0
}

/// What a success status of progenitor's `match` answers.
#[derive(Clone, Copy, PartialEq)]
enum Success {
    Json,
    Empty,
    Stream,
}

/// The call of the generic `answer_*()` that does what progenitor's status `match` does,
/// when its arms are the shapes progenitor writes: successes of one kind, errors decoded
/// as JSON, anything else unexpected. `None` for any other shape, which stays as it is.
fn answer(m: &ExprMatch) -> Option<Expr> {
    if canon(&m.expr) != "response . status () . as_u16 ()" {
        return None;
    }
    let (json, empty, stream) = (
        "ResponseValue :: from_response (response) . await",
        "Ok (ResponseValue :: empty (response))",
        "Ok (ResponseValue :: stream (response))",
    );
    let error =
        "Err (Error :: ErrorResponse (ResponseValue :: from_response (response) . await ?))";
    let unexpected = "Err (Error :: UnexpectedResponse (response))";
    let mut kind = None;
    let mut successes: Vec<&Pat> = Vec::new();
    let mut errors: Vec<&Pat> = Vec::new();
    let (last, arms) = m.arms.split_last()?;
    if !matches!(last.pat, Pat::Wild(_)) || canon(&last.body) != unexpected {
        return None;
    }
    for arm in arms {
        if !matches!(arm.pat, Pat::Lit(_) | Pat::Or(_) | Pat::Range(_)) {
            return None;
        }
        let body = canon(&arm.body);
        let this = if body == json {
            Success::Json
        } else if body == empty {
            Success::Empty
        } else if body == stream {
            Success::Stream
        } else if body == error {
            errors.push(&arm.pat);
            continue;
        } else {
            return None;
        };
        if kind.is_some_and(|k| k != this) {
            return None;
        }
        kind = Some(this);
        successes.push(&arm.pat);
    }
    let (method, value) = match kind? {
        Success::Json => (quote::format_ident!("answer_json"), None),
        Success::Empty => (
            quote::format_ident!("answer_unread"),
            Some(quote::quote!(ResponseValue::empty)),
        ),
        Success::Stream => (
            quote::format_ident!("answer_unread"),
            Some(quote::quote!(ResponseValue::stream)),
        ),
    };
    let value = value.into_iter();
    let test = |pats: &[&Pat]| -> Expr {
        if pats.is_empty() {
            syn::parse_quote!(|_| false)
        } else {
            syn::parse_quote!(|status| matches!(status, #(#pats)|*))
        }
    };
    let (successes, errors) = (test(&successes), test(&errors));
    Some(syn::parse_quote! {
        client.#method(Ok(request), info, #successes, #errors #(, #value)*).await
    })
}

/// The tokens of `node` as text, a block of one expression as that expression and no
/// trailing comma before a `)`.
fn canon(node: &Expr) -> String {
    if let Expr::Block(block) = node
        && let [Stmt::Expr(inner, None)] = &block.block.stmts[..]
    {
        return canon(inner);
    }
    node.to_token_stream().to_string().replace(" ,)", ")")
}

struct Merger {
    merged: usize,
}

impl VisitMut for Merger {
    fn visit_expr_match_mut(&mut self, node: &mut ExprMatch) {
        syn::visit_mut::visit_expr_match_mut(self, node);
        let mut kept: Vec<Arm> = Vec::with_capacity(node.arms.len());
        // Arms before another kind of arm (`_`, a binding, a guard) stay where they are:
        // a status moved before it could take that arm's place.
        let mut since = 0;
        for arm in std::mem::take(&mut node.arms) {
            if !is_status(&arm) {
                kept.push(arm);
                since = kept.len();
                continue;
            }
            let body = arm.body.to_token_stream().to_string();
            if let Some(same) = kept[since..]
                .iter_mut()
                .find(|k| k.body.to_token_stream().to_string() == body)
            {
                let first = std::mem::replace(&mut same.pat, Pat::Verbatim(Default::default()));
                same.pat = or(first, arm.pat);
                self.merged += 1;
                continue;
            }
            kept.push(arm);
        }
        node.arms = kept;
    }
}

/// An arm whose pattern is integer literals (`404u16`, `403u16 | 404u16`), without a
/// guard (a guard is a pattern of its own in syn).
fn is_status(arm: &Arm) -> bool {
    fn literal(pat: &Pat) -> bool {
        matches!(pat, Pat::Lit(lit) if matches!(lit.lit, Lit::Int(_)))
    }
    match &arm.pat {
        Pat::Or(or) => or.leading_vert.is_none() && or.cases.iter().all(literal),
        other => literal(other),
    }
}

/// `a | b`, flattened.
fn or(a: Pat, b: Pat) -> Pat {
    let mut cases = syn::punctuated::Punctuated::new();
    for pat in [a, b] {
        match pat {
            Pat::Or(or) => cases.extend(or.cases),
            other => cases.push(other),
        }
    }
    Pat::Or(syn::PatOr {
        attrs: Vec::new(),
        leading_vert: None,
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progenitors_shapes_of_answer_become_one_generic_call() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Client {}
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::BasicError>> {
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            403u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?,),) }
                            404u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?,),) }
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                    pub async fn send_raw(self) -> Result<ResponseValue<ByteStream>, Error<()>> {
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200..=299 => Ok(ResponseValue::stream(response)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                    pub async fn delete(self) -> Result<ResponseValue<()>, Error<()>> {
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            204u16 => Ok(ResponseValue::empty(response)),
                            304u16 => Ok(ResponseValue::from_response(response).await?),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        };
        assert_eq!(rewrite(&mut file), (3, 2, 1));
        // Compared with the whitespace of each run collapsed to one space.
        let code = prettyplease::unparse(&file);
        let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "operation_id: \"get_thing\", }; client .answer_json( Ok(request), info, |status| matches!(status, 200u16), |status| matches!(status, 403u16 | 404u16), ) .await }",
            "client .answer_unread( Ok(request), info, |status| matches!(status, 200..= 299), |_| false, ResponseValue::stream, ) .await",
            // A shape of its own keeps its match, after the hooks' one call.
            "let response = client.run_hooks(request, &info).await?; match response.status().as_u16() { 204u16 => Ok(ResponseValue::empty(response)),",
            "async fn answer_unread<T, E: ::serde::de::DeserializeOwned>(",
        ] {
            assert!(flat.contains(expected), "{expected:?} not in\n{code}");
        }
    }

    #[test]
    fn a_send_answered_by_one_call_returns_its_future_and_others_stay_async() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    async fn send_generated(self) -> Result<ResponseValue<types::Thing>, Error<types::BasicError>> {
                        let Self { client, id } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let request = client.client.get(url(id)).build()?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.answer_json(Ok(request), info, |status| matches!(status, 200u16), |_| false).await
                    }
                    async fn send_other(self) -> Result<ResponseValue<types::Thing>, Error<()>> {
                        let Self { client } = self;
                        let request = client.client.get(url().await).build()?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.answer_json(Ok(request), info, |status| matches!(status, 200u16), |_| false).await
                    }
                }
            }
        };
        assert_eq!(unasync_sends(&mut file), 1);
        let code = prettyplease::unparse(&file);
        let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "fn send_generated( self, ) -> impl ::std::future::Future< Output = Result<ResponseValue<types::Thing>, Error<types::BasicError>>, > {",
            "let Self { client, id } = self; let request = (move || -> Result<reqwest::Request, Error<types::BasicError>> { let id = id.map_err(Error::InvalidRequest)?; let request = client.client.get(url(id)).build()?; Ok(request) })();",
            "client .answer_json(request, info, |status| matches!(status, 200u16), |_| false) }",
            // Something awaited before the call: it stays an `async fn`.
            "async fn send_other(",
        ] {
            assert!(flat.contains(expected), "{expected:?} not in\n{code}");
        }
    }

    #[test]
    fn only_same_bodies_of_status_arms_merge_and_no_status_passes_another_arm() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<(), ()> {
                        match status {
                            200u16 => Ok(()),
                            400u16 => Err(one().await?),
                            404u16 => Err(two().await?),
                            422u16 => Err(one().await?),
                            x if x > 500 => Err(one().await?),
                            503u16 => Err(one().await?),
                            _ => Err(one().await?),
                        }
                    }
                }
            }
            pub mod types {
                fn untouched() { match s { 1u16 => a(), 2u16 => a(), _ => b() } }
            }
        };
        assert_eq!(rewrite(&mut file), (0, 0, 1));
        let code = prettyplease::unparse(&file);
        let expected = "match status {\n\
                        \x20               200u16 => Ok(()),\n\
                        \x20               400u16 | 422u16 => Err(one().await?),\n\
                        \x20               404u16 => Err(two().await?),\n\
                        \x20               x if x > 500 => Err(one().await?),\n\
                        \x20               503u16 => Err(one().await?),\n\
                        \x20               _ => Err(one().await?),\n";
        assert!(code.contains(expected), "{code}");
        // Outside progenitor's builders nothing changes.
        assert!(code.contains("1u16 => a(),"), "{code}");
    }
}
