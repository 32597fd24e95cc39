//! The other media types of an answer, as methods of progenitor's builder: for each one the
//! `response_media_types` pass kept, a `send_<name>()` that is the builder's `send()`
//! asking for that media type, and answering its type (a JSON alternative) or its bytes,
//! unread (a diff, a patch).
//!
//! progenitor writes one `send()` per operation, for one media type. A copy of it, with
//! the `Accept` and the success type changed, keeps every parameter, header and hook
//! progenitor's `send()` has, so the alternative is the same request in all but what it
//! asks for.

use std::collections::BTreeMap;

use quote::{ToTokens, format_ident};
use syn::{Arm, Expr, GenericArgument, ImplItem, Item, PathArguments, ReturnType, Stmt, Type};

use crate::facade;
use crate::github_headers::rewrite_accept;

/// One other media type of an operation's answer.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// The method's name after `send_`.
    pub name: String,
    pub media_type: String,
    /// The component schema's key a JSON answer decodes into; `None` for bytes.
    pub schema: Option<String>,
}

/// The media types of an operation's answer that differ from what progenitor writes.
#[derive(Debug, Clone, Default)]
pub struct MediaTypes {
    /// What `send()` asks for, when it is not GitHub's JSON (`application/scim+json`).
    pub accept: Option<String>,
    /// The others, each a `send_<name>()`.
    pub alternatives: Vec<Alternative>,
}

/// Makes `send()` of each operation (by Rust name) in `media_types` ask for its `accept`,
/// and adds its `send_<name>()` for each of its `alternatives`, in its builder in
/// progenitor's output `file`.
pub fn rewrite(
    file: &mut syn::File,
    media_types: &BTreeMap<String, MediaTypes>,
) -> Result<(), String> {
    if media_types.is_empty() {
        return Ok(());
    }
    let operations = facade::client_operations(file)?;
    let mut builders = BTreeMap::new();
    for (name, wanted) in media_types {
        let operation = operations
            .iter()
            .find(|o| o.method == name)
            .ok_or_else(|| format!("operation {name} has no method in progenitor's output"))?;
        builders.insert(operation.builder.to_string(), wanted);
    }
    let items = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| "progenitor's output has no `builder` module".to_owned())?;
    for item in items {
        let Item::Impl(block) = item else { continue };
        let Type::Path(path) = &*block.self_ty else {
            continue;
        };
        let Some(builder) = path.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let Some(wanted) = builders.remove(&builder) else {
            continue;
        };
        let send = block
            .items
            .iter_mut()
            .find_map(|item| match item {
                ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                _ => None,
            })
            .ok_or_else(|| format!("builder {builder} has no send()"))?;
        if let Some(accept) = &wanted.accept
            && !ask_for(send, accept)
        {
            return Err(format!("{builder}::send sets no Accept header"));
        }
        let send = send.clone();
        for alternative in &wanted.alternatives {
            block
                .items
                .push(ImplItem::Fn(alternative_send(&send, alternative).map_err(
                    |e| format!("{builder}::send_{}: {e}", alternative.name),
                )?));
        }
    }
    match builders.keys().next() {
        Some(left) => Err(format!("builder {left} is not in progenitor's output")),
        None => Ok(()),
    }
}

/// progenitor's `send` made to ask for `alternative` and answer its type.
fn alternative_send(
    send: &syn::ImplItemFn,
    alternative: &Alternative,
) -> Result<syn::ImplItemFn, String> {
    let mut function = send.clone();
    function.sig.ident = format_ident!("send_{}", alternative.name);
    let answer: Type = match &alternative.schema {
        Some(key) => {
            let ty = format_ident!("{}", facade::type_name(key));
            syn::parse_quote!(types::#ty)
        }
        None => syn::parse_quote!(ByteStream),
    };
    set_success_type(&mut function.sig.output, answer)?;
    if !ask_for(&mut function, &alternative.media_type) {
        return Err("progenitor's send() sets no Accept header".to_owned());
    }
    if alternative.schema.is_none() {
        let Some(Stmt::Expr(Expr::Match(answer), None)) = function.block.stmts.last_mut() else {
            return Err("progenitor's send() does not end in a match of the status".to_owned());
        };
        let mut streamed = false;
        for arm in &mut answer.arms {
            if is_success(arm) {
                *arm.body = syn::parse_quote!(Ok(ResponseValue::stream(response)));
                streamed = true;
            }
        }
        if !streamed {
            return Err("progenitor's send() matches no 2xx status".to_owned());
        }
    }
    // Said of the request only: what becomes of the answer is the facade's to say.
    let doc = format!(
        " Sends the request asking for `{}` (not `send()`'s media type).",
        alternative.media_type
    );
    function.attrs.retain(|a| !a.path().is_ident("doc"));
    function.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
    Ok(function)
}

/// Makes the request `function` builds ask for `media_type`; whether it set an `Accept`.
fn ask_for(function: &mut syn::ImplItemFn, media_type: &str) -> bool {
    let mut asked = false;
    for stmt in &mut function.block.stmts {
        if let Stmt::Local(local) = stmt
            && let Some(init) = &mut local.init
        {
            asked |= rewrite_accept(&mut init.expr, &mut |_| Some(media_type.to_owned()));
        }
    }
    asked
}

/// Makes `Result<ResponseValue<T>, Error<E>>` answer `answer` in place of `T`.
fn set_success_type(output: &mut ReturnType, answer: Type) -> Result<(), String> {
    let ReturnType::Type(_, result) = output else {
        return Err("progenitor's send() returns nothing".to_owned());
    };
    let found = (|| {
        let Type::Path(result) = &mut **result else {
            return None;
        };
        let PathArguments::AngleBracketed(args) = &mut result.path.segments.last_mut()?.arguments
        else {
            return None;
        };
        let GenericArgument::Type(Type::Path(value)) = args.args.first_mut()? else {
            return None;
        };
        let PathArguments::AngleBracketed(inner) = &mut value.path.segments.last_mut()?.arguments
        else {
            return None;
        };
        let slot = inner.args.first_mut()?;
        *slot = GenericArgument::Type(answer);
        Some(())
    })();
    found.ok_or_else(|| {
        format!(
            "progenitor's send() returns {}, not Result<ResponseValue<T>, Error<E>>",
            result.to_token_stream()
        )
    })
}

/// Whether `arm` matches a 2xx status (`200u16`, `200..=299`).
fn is_success(arm: &Arm) -> bool {
    arm.pat.to_token_stream().to_string().starts_with('2')
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILDER: &str = r#"
        impl Client {
            pub fn get_commit(&self) -> builder::GetCommit<'_> { builder::GetCommit::new(self) }
        }
        pub mod builder {
            impl<'a> GetCommit<'a> {
                pub fn sha<V>(mut self, value: V) -> Self { self }
                ///Sends a `GET` request
                pub async fn send(self) -> Result<ResponseValue<types::Commit>, Error<types::BasicError>> {
                    let Self { client, sha } = self;
                    let url = format!("{}/commits/{}", client.baseurl, sha);
                    let mut request = client.client.get(url)
                        .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/vnd.github+json"))
                        .build()?;
                    let response = client.exec(request).await?;
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        }
    "#;

    fn rewritten(alternatives: Vec<Alternative>) -> Result<String, String> {
        rewritten_with(MediaTypes {
            accept: None,
            alternatives,
        })
    }

    fn rewritten_with(media_types: MediaTypes) -> Result<String, String> {
        let mut file: syn::File = syn::parse_str(BUILDER).unwrap();
        rewrite(
            &mut file,
            &BTreeMap::from([("get_commit".to_owned(), media_types)]),
        )?;
        // Whitespace dropped: what is asserted is the code, not how it is laid out.
        Ok(prettyplease::unparse(&file).split_whitespace().collect())
    }

    #[test]
    fn a_bytes_alternative_asks_for_its_media_type_and_streams_the_success() {
        let code = rewritten(vec![Alternative {
            name: "diff".into(),
            media_type: "application/vnd.github.diff".into(),
            schema: None,
        }])
        .unwrap();
        let (send, diff) = code.split_once("pubasyncfnsend_diff").unwrap();
        // progenitor's send() is untouched.
        assert!(send.contains(r#""application/vnd.github+json""#), "{code}");
        assert!(send.contains("ResponseValue<types::Commit>"), "{code}");
        assert!(
            diff.contains(r#"from_static("application/vnd.github.diff",)"#),
            "{code}"
        );
        assert!(!diff.contains("vnd.github+json"), "{code}");
        assert!(
            diff.contains("Result<ResponseValue<ByteStream>,Error<types::BasicError>>"),
            "{code}"
        );
        assert!(
            diff.contains("200u16=>Ok(ResponseValue::stream(response))"),
            "{code}"
        );
        // An error status still decodes GitHub's error body.
        assert!(diff.contains("404u16=>{Err(Error::ErrorResponse"), "{code}");
        assert!(
            code.contains("askingfor`application/vnd.github.diff`"),
            "{code}"
        );
    }

    #[test]
    fn a_json_alternative_answers_its_type() {
        let code = rewritten(vec![Alternative {
            name: "star".into(),
            media_type: "application/vnd.github.v3.star+json".into(),
            schema: Some("get-commit-star".into()),
        }])
        .unwrap();
        let (_, star) = code.split_once("pubasyncfnsend_star").unwrap();
        assert!(
            star.contains("ResponseValue<types::GetCommitStar>"),
            "{code}"
        );
        assert!(
            star.contains(r#""application/vnd.github.v3.star+json""#),
            "{code}"
        );
        assert!(
            star.contains("200u16=>ResponseValue::from_response(response).await"),
            "{code}"
        );
    }

    #[test]
    fn an_operation_progenitor_did_not_write_is_an_error() {
        let mut file: syn::File = syn::parse_str(BUILDER).unwrap();
        let error = rewrite(
            &mut file,
            &BTreeMap::from([("get_tree".to_owned(), MediaTypes::default())]),
        )
        .unwrap_err();
        assert!(error.contains("get_tree"), "{error}");
    }

    #[test]
    fn send_asks_for_a_json_media_type_of_another_name() {
        let code = rewritten_with(MediaTypes {
            accept: Some("application/scim+json".into()),
            alternatives: Vec::new(),
        })
        .unwrap();
        assert!(
            code.contains(r#"from_static("application/scim+json")"#),
            "{code}"
        );
        assert!(!code.contains("vnd.github+json"), "{code}");
        assert!(code.contains("ResponseValue<types::Commit>"), "{code}");
    }
}
