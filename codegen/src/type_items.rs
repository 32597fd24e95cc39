//! typify's items in progenitor's output: the `types` module, its `builder` module, and
//! which type each item belongs to. Shared by the rewrites that work on whole types
//! ([`crate::same_types`], [`crate::request_builders`]).

use std::collections::HashMap;

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Item, Type};

/// Path segments that lead to a type of the `types` module from inside it.
pub(crate) const PREFIXES: [&str; 5] = ["super", "self", "crate", "types", "builder"];

/// Each type the `types` module declares (a struct or an enum), by name, numbered in the
/// order of the module.
pub(crate) fn names(types: &[Item]) -> HashMap<String, usize> {
    types
        .iter()
        .filter_map(declared)
        .enumerate()
        .map(|(index, ident)| (ident.to_string(), index))
        .collect()
}

/// The names of `names`, each at its number.
pub(crate) fn by_index(names: &HashMap<String, usize>) -> Vec<String> {
    let mut by_index = vec![String::new(); names.len()];
    for (name, &index) in names {
        by_index[index].clone_from(name);
    }
    by_index
}

/// The items of the module `name` among `items`.
pub(crate) fn module<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

pub(crate) fn module_ref<'a>(items: &'a [Item], name: &str) -> Option<&'a Vec<Item>> {
    items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

/// The type a struct or enum item declares.
pub(crate) fn declared(item: &Item) -> Option<&syn::Ident> {
    match item {
        Item::Struct(s) => Some(&s.ident),
        Item::Enum(e) => Some(&e.ident),
        _ => None,
    }
}

/// The type of the `types` module that `path` names (`X`, `super::X`, `builder::X`), or
/// that it starts from (`X::Variant`).
pub(crate) fn named(path: &syn::Path, names: &HashMap<String, usize>) -> Option<usize> {
    names.get(&leading_name(path)?.to_string()).copied()
}

/// The first segment of `path` past the [`PREFIXES`]: the name of a type of the `types`
/// module when `path` leads to one.
pub(crate) fn leading_name(path: &syn::Path) -> Option<&syn::Ident> {
    path.segments
        .iter()
        .map(|s| &s.ident)
        .find(|ident| !PREFIXES.iter().any(|p| *ident == p))
}

/// Where an item written once beside progenitor's `struct Client` goes among `items`:
/// right after it, or last.
pub(crate) fn after_client(items: &[Item]) -> usize {
    items
        .iter()
        .position(|item| matches!(item, Item::Struct(s) if s.ident == "Client"))
        .map_or(items.len(), |i| i + 1)
}

/// The type an item belongs to: the one it declares, the one an impl is for, or, for an
/// impl of a foreign type (`impl From<X> for String`), the first type its trait names.
pub(crate) fn owner(item: &Item, names: &HashMap<String, usize>) -> Option<usize> {
    match item {
        Item::Struct(_) | Item::Enum(_) => declared(item)
            .and_then(|i| names.get(&i.to_string()))
            .copied(),
        Item::Impl(block) => {
            if let Type::Path(p) = &*block.self_ty
                && p.qself.is_none()
                && let Some(index) = named(&p.path, names)
            {
                return Some(index);
            }
            let trait_tokens = block
                .trait_
                .as_ref()
                .map(|(path, _)| path.to_token_stream())
                .unwrap_or_default();
            first_name(trait_tokens, names)
                .or_else(|| first_name(block.self_ty.to_token_stream(), names))
        }
        _ => None,
    }
}

fn first_name(tokens: TokenStream, names: &HashMap<String, usize>) -> Option<usize> {
    tokens.into_iter().find_map(|token| match token {
        TokenTree::Ident(ident) => names.get(&ident.to_string()).copied(),
        TokenTree::Group(group) => first_name(group.stream(), names),
        _ => None,
    })
}
