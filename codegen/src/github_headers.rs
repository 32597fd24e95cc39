//! progenitor's request headers, made the ones GitHub reads, in its output.
//!
//! progenitor gives every request an `api-version` header carrying the description's
//! `info.version`; GitHub's versioning header is `X-GitHub-Api-Version`, which the client
//! sends by default, so this one is dropped (and with it the header map, where it was the
//! only header). progenitor asks for `application/json` where GitHub recommends
//! `application/vnd.github+json`, so the `Accept` is GitHub's. Done here, once, rather
//! than in the request hook, so no request builds, merges and edits a header map for it:
//! the gets that `cargo xtask bench` measures against raw reqwest pay for nothing GitHub
//! reads.
//!
//! ```
//! let spec: openapiv3::OpenAPI = serde_json::from_str(r#"{
//!   "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
//!   "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {
//!     "description": "pong",
//!     "content": {"application/json": {"schema": {"type": "object"}}}}}}}}
//! }"#).unwrap();
//! let out = codegen::generate(&spec, &codegen::Source { path: "ping.json", sha256: "00" }).unwrap();
//! assert!(!out.code.contains("\"api-version\""));
//! assert!(out.code.contains("\"application/vnd.github+json\""));
//! assert!(!out.code.contains("\"application/json\""));
//! ```

use quote::ToTokens;
use syn::{Expr, ImplItem, Item, Lit, LitStr, Stmt};

/// The media type GitHub recommends for its JSON answers.
const GITHUB_JSON: &str = "application/vnd.github+json";

/// Rewrites every builder's `send` in progenitor's output `file`. Fails when no `send`
/// carries progenitor's `api-version` header: the generator has changed, and this rewrite
/// with it (the request snapshots say what goes out).
pub fn rewrite(file: &mut syn::File) -> Result<(), String> {
    let mut dropped = 0;
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "builder" {
            continue;
        }
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            let Item::Impl(block) = item else { continue };
            for item in &mut block.items {
                if let ImplItem::Fn(function) = item
                    && function.sig.ident == "send"
                {
                    dropped += usize::from(drop_api_version(&mut function.block.stmts));
                    for stmt in &mut function.block.stmts {
                        if let Stmt::Local(local) = stmt
                            && let Some(init) = &mut local.init
                        {
                            github_accept(&mut init.expr);
                        }
                    }
                }
            }
        }
    }
    if dropped == 0 {
        return Err(
            "no request carries progenitor's `api-version` header any more: see codegen/src/github_headers.rs"
                .to_owned(),
        );
    }
    Ok(())
}

/// Drops the `api-version` append from `stmts`; then, when the header map holds nothing
/// else, the map and the `.headers(header_map)` that merges it. Whether it was there.
fn drop_api_version(stmts: &mut Vec<Stmt>) -> bool {
    let Some(at) = stmts
        .iter()
        .position(|s| is_append(s) && text(s).contains("\"api-version\""))
    else {
        return false;
    };
    stmts.remove(at);
    if stmts.iter().any(is_append) {
        return true;
    }
    stmts.retain(|s| !text(s).starts_with("let mut header_map ="));
    for stmt in stmts.iter_mut() {
        if let Stmt::Local(local) = stmt
            && let Some(init) = &mut local.init
        {
            unchain(&mut init.expr, "headers");
        }
    }
    true
}

fn text(stmt: &Stmt) -> String {
    stmt.to_token_stream().to_string()
}

fn is_append(stmt: &Stmt) -> bool {
    text(stmt).starts_with("header_map . append")
}

/// Removes every `.method(..)` call from the chain of calls `expr` ends in.
fn unchain(expr: &mut Expr, method: &str) {
    match expr {
        Expr::Try(tried) => unchain(&mut tried.expr, method),
        Expr::MethodCall(call) if call.method == method => {
            let receiver = std::mem::replace(&mut *call.receiver, Expr::PLACEHOLDER);
            *expr = receiver;
            unchain(expr, method);
        }
        Expr::MethodCall(call) => unchain(&mut call.receiver, method),
        _ => {}
    }
}

/// Makes `.header(ACCEPT, HeaderValue::from_static("application/json"))`, anywhere in the
/// chain of calls `expr` ends in, ask for GitHub's media type.
fn github_accept(expr: &mut Expr) {
    rewrite_accept(expr, &mut |media_type| {
        (media_type == "application/json").then(|| GITHUB_JSON.to_owned())
    });
}

/// Gives `f` the media type of every `.header(ACCEPT, HeaderValue::from_static(..))` in
/// the chain of calls `expr` ends in, and puts what it answers in its place (`None` keeps
/// it). Whether there was one.
pub(crate) fn rewrite_accept(expr: &mut Expr, f: &mut dyn FnMut(&str) -> Option<String>) -> bool {
    match expr {
        Expr::Try(tried) => rewrite_accept(&mut tried.expr, f),
        Expr::MethodCall(call) => {
            let mut found = false;
            if call.method == "header"
                && call.args.len() == 2
                && call.args[0]
                    .to_token_stream()
                    .to_string()
                    .ends_with("ACCEPT")
                && let Expr::Call(value) = &mut call.args[1]
                && let Some(Expr::Lit(literal)) = value.args.first_mut()
                && let Lit::Str(media_type) = &literal.lit
            {
                found = true;
                if let Some(new) = f(&media_type.value()) {
                    literal.lit = Lit::Str(LitStr::new(&new, media_type.span()));
                }
            }
            rewrite_accept(&mut call.receiver, f) || found
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "pub mod builder {{ impl<'a> Thing<'a> {{ pub async fn send(self) -> u8 {{ {body} }} }} }}"
        ))
        .unwrap()
    }

    fn rewritten(body: &str) -> String {
        let mut file = send(body);
        rewrite(&mut file).unwrap();
        prettyplease::unparse(&file)
    }

    const API_VERSION: &str = r#"header_map.append(
        ::reqwest::header::HeaderName::from_static("api-version"),
        ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
    );"#;

    #[test]
    fn a_map_of_api_version_alone_goes_with_it() {
        let code = rewritten(&format!(
            r#"let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            {API_VERSION}
            let mut request = client.client.get(url)
                .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                .headers(header_map)
                .build()?;
            0"#
        ));
        assert!(!code.contains("header_map"), "{code}");
        assert!(!code.contains("api-version"), "{code}");
        assert!(code.contains(r#""application/vnd.github+json""#), "{code}");
        assert!(!code.contains(r#""application/json""#), "{code}");
        assert!(code.contains(".build()?"), "{code}");
    }

    #[test]
    fn other_headers_keep_the_map() {
        let code = rewritten(&format!(
            r#"let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            {API_VERSION}
            header_map.append("content-type", content_type.to_string().try_into()?);
            let mut request = client.client.post(url)
                .header(::reqwest::header::CONTENT_TYPE, ::reqwest::header::HeaderValue::from_static("application/json"))
                .headers(header_map)
                .build()?;
            0"#
        ));
        assert!(!code.contains("api-version"), "{code}");
        assert!(
            code.contains(r#"header_map.append("content-type""#),
            "{code}"
        );
        assert!(code.contains(".headers(header_map)"), "{code}");
        // Only the Accept is GitHub's: a JSON body stays `application/json`.
        assert!(!code.contains("vnd.github"), "{code}");
    }

    #[test]
    fn output_without_api_version_is_an_error() {
        let mut file = send("let mut request = client.client.get(url).build()?; 0");
        let error = rewrite(&mut file).unwrap_err();
        assert!(error.contains("api-version"), "{error}");
    }
}
