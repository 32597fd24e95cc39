//! progenitor's and typify's setters, each one call: the builders' setters convert the
//! value they are given (`TryInto`) and keep either it or a message, each with a closure
//! of its own that builds the message. A crate of GitHub's whole API has about 5,200 of
//! them, 12 lines each; here each becomes one call of a generic `set()` (the conversion's
//! error dropped, as progenitor drops it) or `try_set()` (its error written after the
//! message, as typify writes it), and a lone `where` bound moves into the generic
//! parameter. Same signatures, same messages; a third of the lines and no closures to
//! check.
//!
//! A setter of any other shape stays as it was written.
//!
//! ```
//! let mut file: syn::File = syn::parse_quote! {
//!     pub struct Client {}
//!     pub mod builder {
//!         impl<'a> GetThing<'a> {
//!             pub fn per_page<V>(mut self, value: V) -> Self
//!             where
//!                 V: std::convert::TryInto<u64>,
//!             {
//!                 self.per_page = value
//!                     .try_into()
//!                     .map(Some)
//!                     .map_err(|_| "conversion to `u64` for per_page failed".to_string());
//!                 self
//!             }
//!         }
//!     }
//! };
//! assert_eq!(codegen::setters::compact(&mut file), 1);
//! let code: String = prettyplease::unparse(&file).split_whitespace().collect();
//! assert!(code.contains("pubfnper_page<V:std::convert::TryInto<u64>>(mutself,value:V)->Self{"), "{code}");
//! assert!(code.contains("self.per_page=super::set(value,\"conversionto`u64`forper_pagefailed\").map(Some);"), "{code}");
//! assert!(code.contains("fnset<T,V:std::convert::TryInto<T>>"), "{code}");
//! ```

use proc_macro2::TokenTree;
use syn::{Expr, ExprClosure, ImplItem, ImplItemFn, Item, Lit, LitStr, Stmt};

use crate::type_items::{after_client, module};

/// Rewrites the setters of `file`'s operation builders (`builder`) and request-body
/// builders (`types::builder`), and adds the two functions they call after `struct
/// Client`. Returns how many setters became one call.
pub fn compact(file: &mut syn::File) -> usize {
    let mut compacted = 0;
    if let Some(items) = module(&mut file.items, "builder") {
        compacted += compact_impls(items, &syn::parse_quote!(super));
    }
    if let Some(types) = module(&mut file.items, "types")
        && let Some(items) = module(types, "builder")
    {
        compacted += compact_impls(items, &syn::parse_quote!(super::super));
    }
    if compacted > 0 {
        let at = after_client(&file.items);
        file.items.splice(at..at, helpers());
    }
    compacted
}

/// `root`: the path from `items`' module to the generated file's root.
fn compact_impls(items: &mut [Item], root: &syn::Path) -> usize {
    let mut compacted = 0;
    for item in items {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            if let ImplItem::Fn(setter) = member
                && let Some(call) = one_call(setter, root)
            {
                replace_body(setter, call);
                inline_bound(setter);
                compacted += 1;
            }
        }
    }
    compacted
}

/// The call a setter's assignment becomes, when its body is `self.f = value.try_into()
/// [.map(..)].map_err(closure); self` and the closure is one this pass knows.
fn one_call(setter: &ImplItemFn, root: &syn::Path) -> Option<Expr> {
    let [
        Stmt::Expr(Expr::Assign(assign), Some(_)),
        Stmt::Expr(Expr::Path(tail), None),
    ] = setter.block.stmts.as_slice()
    else {
        return None;
    };
    if !tail.path.is_ident("self") {
        return None;
    }
    let Expr::MethodCall(map_err) = &*assign.right else {
        return None;
    };
    let [Expr::Closure(closure)] = map_err.args.iter().collect::<Vec<_>>().as_slice() else {
        return None;
    };
    if map_err.method != "map_err" {
        return None;
    }
    let (map, converted) = match &*map_err.receiver {
        Expr::MethodCall(map) if map.method == "map" && map.args.len() == 1 => {
            (Some(&map.args[0]), &*map.receiver)
        }
        other => (None, other),
    };
    let Expr::MethodCall(try_into) = converted else {
        return None;
    };
    let Expr::Path(value) = &*try_into.receiver else {
        return None;
    };
    if try_into.method != "try_into" || !try_into.args.is_empty() || !value.path.is_ident("value") {
        return None;
    }
    let call: Expr = match message(closure)? {
        Message::Fixed(text) => syn::parse_quote!(#root::set(value, #text)),
        // Behind a `map(From::from)` the conversion's target is named: the body's type,
        // from the setter's own bound. Else the field's type decides it.
        Message::Prefix(prefix) if map.is_some() => {
            let target = bound_target(setter)?;
            syn::parse_quote!(#root::try_set::<#target, _>(value, #prefix))
        }
        Message::Prefix(prefix) => syn::parse_quote!(#root::try_set(value, #prefix)),
    };
    let call = match map {
        Some(function) => syn::parse_quote!(#call.map(#function)),
        None => call,
    };
    let place = &assign.left;
    Some(syn::parse_quote!(#place = #call))
}

enum Message {
    /// `|_| "text".to_string()`: the conversion's error dropped.
    Fixed(LitStr),
    /// `|e| format!("text: {e}")` or `|s| format!("text: {}", s)`: the error after `text: `.
    Prefix(LitStr),
}

fn message(closure: &ExprClosure) -> Option<Message> {
    let body = match &*closure.body {
        Expr::Block(block) if block.block.stmts.len() == 1 => match &block.block.stmts[0] {
            Stmt::Expr(expr, None) => expr,
            _ => return None,
        },
        expr => expr,
    };
    match body {
        Expr::MethodCall(call) if call.method == "to_string" && call.args.is_empty() => {
            match &*call.receiver {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(text) => Some(Message::Fixed(text.clone())),
                    _ => None,
                },
                _ => None,
            }
        }
        Expr::Macro(mac) if mac.mac.path.is_ident("format") => {
            let tokens: Vec<TokenTree> = mac.mac.tokens.clone().into_iter().collect();
            let text = match tokens.first()? {
                TokenTree::Literal(lit) => match Lit::new(lit.clone()) {
                    Lit::Str(text) => text,
                    _ => return None,
                },
                _ => return None,
            };
            let value = text.value();
            let (prefix, placeholder) = value.rsplit_once('{')?;
            // The error exactly once, last, and nothing else formatted.
            if prefix.contains(['{', '}']) {
                return None;
            }
            let param = closure_param(closure);
            let ok = match (placeholder, tokens.as_slice()) {
                ("}", [_, TokenTree::Punct(comma), TokenTree::Ident(arg)]) => {
                    comma.as_char() == ',' && param.is_some_and(|p| arg == &p)
                }
                (name, [_]) => param.is_some_and(|p| format!("{p}}}") == name),
                _ => false,
            };
            ok.then(|| Message::Prefix(LitStr::new(prefix, text.span())))
        }
        _ => None,
    }
}

fn closure_param(closure: &ExprClosure) -> Option<String> {
    match closure.inputs.first()? {
        syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
        _ => None,
    }
}

/// `T` of the setter's bound `V: TryInto<T>`, where it is written.
fn bound_target(setter: &ImplItemFn) -> Option<syn::Type> {
    let bounds = setter
        .sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            syn::GenericParam::Type(param) => Some(param.bounds.iter()),
            _ => None,
        })
        .flatten()
        .chain(
            setter
                .sig
                .generics
                .where_clause
                .iter()
                .flat_map(|clause| &clause.predicates)
                .filter_map(|predicate| match predicate {
                    syn::WherePredicate::Type(t) => Some(t.bounds.iter()),
                    _ => None,
                })
                .flatten(),
        );
    bounds.into_iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let last = bound.path.segments.last()?;
        if last.ident != "TryInto" {
            return None;
        }
        match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
                syn::GenericArgument::Type(target) => Some(target.clone()),
                _ => None,
            },
            _ => None,
        }
    })
}

fn replace_body(setter: &mut ImplItemFn, assignment: Expr) {
    setter.block.stmts[0] = Stmt::Expr(assignment, Some(Default::default()));
}

/// `fn f<V>(..) where V: Bound` as `fn f<V: Bound>(..)`, when that is the whole clause.
fn inline_bound(setter: &mut ImplItemFn) {
    let generics = &mut setter.sig.generics;
    let Some(clause) = &generics.where_clause else {
        return;
    };
    let [syn::WherePredicate::Type(predicate)] =
        clause.predicates.iter().collect::<Vec<_>>().as_slice()
    else {
        return;
    };
    if predicate.lifetimes.is_some() {
        return;
    }
    let syn::Type::Path(bounded) = &predicate.bounded_ty else {
        return;
    };
    let Some(param) = generics.params.iter_mut().find_map(|param| match param {
        syn::GenericParam::Type(param)
            if bounded.qself.is_none() && bounded.path.is_ident(&param.ident) =>
        {
            Some(param)
        }
        _ => None,
    }) else {
        return;
    };
    if !param.bounds.is_empty() {
        return;
    }
    param.bounds = predicate.bounds.clone();
    generics.where_clause = None;
}

fn helpers() -> Vec<Item> {
    vec![
        syn::parse_quote! {
            /// A setter's value converted, or the setter's message: progenitor's setters, as
            /// one function the compiler checks once.
            fn set<T, V: std::convert::TryInto<T>>(value: V, failure: &str) -> Result<T, String> {
                value.try_into().map_err(|_| failure.to_owned())
            }
        },
        syn::parse_quote! {
            /// A setter's value converted, or the setter's message followed by why not:
            /// typify's setters and progenitor's body setters, as one function.
            fn try_set<T, V>(value: V, failure: &str) -> Result<T, String>
            where
                V: std::convert::TryInto<T>,
                V::Error: std::fmt::Display,
            {
                value.try_into().map_err(|e| format!("{failure}{e}"))
            }
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compacted(setter: syn::ImplItemFn) -> (usize, String) {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Client {}
            pub mod types {
                pub mod builder {
                    impl Body { #setter }
                }
            }
        };
        let count = compact(&mut file);
        (count, prettyplease::unparse(&file))
    }

    #[test]
    fn a_body_setter_names_its_target_before_from() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Client {}
            pub mod builder {
                impl<'a> Create<'a> {
                    pub fn body<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::Body>,
                        <V as std::convert::TryInto<types::Body>>::Error: std::fmt::Display,
                    {
                        self.body = value
                            .try_into()
                            .map(From::from)
                            .map_err(|s| format!("conversion to `Body` for body failed: {}", s));
                        self
                    }
                }
            }
        };
        assert_eq!(compact(&mut file), 1);
        let code = prettyplease::unparse(&file)
            .split_whitespace()
            .collect::<String>();
        assert!(
            code.contains(
                "self.body=super::try_set::<types::Body,_,>(value,\"conversionto`Body`forbodyfailed:\").map(From::from);"
            ),
            "{code}"
        );
        // Two bounds: the where clause stays.
        assert!(code.contains("where"), "{code}");
    }

    #[test]
    fn a_typify_setter_keeps_its_message_before_the_error() {
        let (count, code) = compacted(syn::parse_quote! {
            pub fn days<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.days = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for days: {e}"));
                self
            }
        });
        assert_eq!(count, 1);
        let code = code.split_whitespace().collect::<String>();
        assert!(
            code.contains(
                "super::super::try_set(value,\"errorconvertingsuppliedvaluefordays:\",);"
            ),
            "{code}"
        );
    }

    #[test]
    fn other_shapes_stay_as_written() {
        for setter in [
            // The error formatted somewhere other than last.
            syn::parse_quote! {
                pub fn days<T>(mut self, value: T) -> Self where T: TryInto<i64> {
                    self.days = value.try_into().map_err(|e| format!("{e} for days"));
                    self
                }
            },
            // A closure that names another value than its own.
            syn::parse_quote! {
                pub fn days<T>(mut self, value: T) -> Self where T: TryInto<i64> {
                    self.days = value.try_into().map_err(|e| format!("days: {}", other));
                    self
                }
            },
            // More than the assignment.
            syn::parse_quote! {
                pub fn days<T>(mut self, value: T) -> Self where T: TryInto<i64> {
                    log();
                    self.days = value.try_into().map_err(|_| "days".to_string());
                    self
                }
            },
            // Another value converted.
            syn::parse_quote! {
                pub fn days<T>(mut self, value: T) -> Self where T: TryInto<i64> {
                    self.days = other.try_into().map_err(|_| "days".to_string());
                    self
                }
            },
        ] {
            let (count, code) = compacted(setter);
            assert_eq!(count, 0, "{code}");
            assert!(
                !code.contains("fn set<"),
                "no helpers without a caller: {code}"
            );
        }
    }
}
