//! Types that are the same Rust under two names become one: the later is
//! `pub type Later = Earlier;`, keeping its name and its doc comment.
//!
//! GitHub's description repeats a schema inline wherever it is used (an `asc`/`desc`
//! direction, a `visibility`, a URL string, an open enum's known values), and typify gives
//! each copy its own type, derives and impls: 1,408 of the 3,177 types of api.github.com's
//! crate are copies. Each copy costs `cargo check` time and says nothing new; an alias
//! costs nothing, and every name a user writes (`Copy::Variant`, `Copy { .. }`,
//! `Copy::builder()`) still compiles.
//!
//! Two types are the same when their items (the struct or enum, every impl for it, in
//! `types` and in `types::builder`) are equal token for token once doc comments are
//! dropped, the type's own name is a placeholder, and every other type they name is
//! replaced by its class: a fixed point, so two structs whose fields are copies of each
//! other are copies too. Only names in type position are compared by class (`super::X`,
//! `X`, `builder::X`, `X::Variant`); a variant that shares a type's name stays itself. An alias that
//! would make two remaining impls the same (`From<A> for U` and `From<B> for U`) is not
//! taken.
//!
//! ```
//! let mut file: syn::File = syn::parse_quote! {
//!     pub mod types {
//!         #[derive(Clone, Debug)]
//!         pub enum OrgDirection { Asc, Desc }
//!         #[derive(Clone, Debug)]
//!         pub enum RepoDirection { Asc, Desc }
//!         #[derive(Clone, Debug)]
//!         pub struct Query { pub direction: RepoDirection }
//!     }
//! };
//! assert_eq!(codegen::same_types::merge(&mut file), 1);
//! let code = prettyplease::unparse(&file);
//! assert!(code.contains("pub type RepoDirection = OrgDirection;"), "{code}");
//! assert!(code.contains("pub direction: RepoDirection"), "{code}");
//! ```

use std::collections::{HashMap, HashSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::Item;
use syn::visit_mut::VisitMut;

use crate::type_items::{self, PREFIXES, module, module_ref, named, owner};

/// Makes every copy in `file`'s `types` module an alias of the first type it copies.
/// Returns how many types became aliases; a file without a `types` module is left alone.
pub fn merge(file: &mut syn::File) -> usize {
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    let names = type_items::names(types);
    if names.len() < 2 {
        return 0;
    }
    let empty = Vec::new();
    let builders = module_ref(types, "builder").unwrap_or(&empty);
    let mut signatures: Vec<(String, Vec<usize>)> = vec![Default::default(); names.len()];
    for item in types.iter().chain(builders) {
        if let Some(owner) = owner(item, &names) {
            let (text, refs) = signature(item, owner, &names);
            let entry = &mut signatures[owner];
            entry.0.push_str(&text);
            entry.0.push('\n');
            entry.1.extend(refs);
        }
    }
    let classes = classes(&signatures);
    // The first type of each class stays; the others alias it.
    let mut first: HashMap<usize, usize> = HashMap::new();
    let mut alias: HashMap<usize, usize> = HashMap::new();
    for (index, class) in classes.iter().enumerate() {
        match first.get(class) {
            Some(&canonical) => {
                alias.insert(index, canonical);
            }
            None => {
                first.insert(*class, index);
            }
        }
    }
    let by_index = type_items::by_index(&names);
    while let Some(conflicting) = conflicts(types, &names, &alias, &by_index) {
        for index in conflicting {
            alias.remove(&index);
        }
    }
    rewrite(types, &names, &alias, &by_index);
    alias.len()
}

/// Replaces each type name in type position by a placeholder, its own by `__self`,
/// recording the others in order.
struct Placeholders<'a> {
    names: &'a HashMap<String, usize>,
    owner: Option<usize>,
    refs: Vec<usize>,
    /// When set, names are replaced by these instead (the canonical names of aliases).
    rename: Option<&'a dyn Fn(usize) -> String>,
}

impl VisitMut for Placeholders<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(index) = named(path, self.names)
            && let Some(segment) = path
                .segments
                .iter_mut()
                .find(|s| !PREFIXES.iter().any(|p| s.ident == p))
        {
            let text = match (self.rename, self.owner) {
                (Some(rename), _) => rename(index),
                (None, Some(owner)) if owner == index => "__self".to_owned(),
                (None, _) => {
                    self.refs.push(index);
                    "__type".to_owned()
                }
            };
            segment.ident = syn::Ident::new(&text, segment.ident.span());
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// An item's text (no doc comments, type names as placeholders) and the types it names.
fn signature(item: &Item, owner: usize, names: &HashMap<String, usize>) -> (String, Vec<usize>) {
    let mut item = item.clone();
    match &mut item {
        Item::Struct(s) => s.ident = syn::Ident::new("__self", s.ident.span()),
        Item::Enum(e) => e.ident = syn::Ident::new("__self", e.ident.span()),
        _ => {}
    }
    let mut visitor = Placeholders {
        names,
        owner: Some(owner),
        refs: Vec::new(),
        rename: None,
    };
    visitor.visit_item_mut(&mut item);
    let text = without_docs(item.to_token_stream()).to_string();
    (text, visitor.refs)
}

/// `tokens` less every `#[doc = ...]` attribute, at any depth.
fn without_docs(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = tokens.peek()
                    && g.delimiter() == proc_macro2::Delimiter::Bracket
                    && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc")
                {
                    tokens.next();
                    continue;
                }
                out.push(TokenTree::Punct(p));
            }
            TokenTree::Group(g) => {
                let mut inner = proc_macro2::Group::new(g.delimiter(), without_docs(g.stream()));
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// Each type's class: equal text, and the types named in the same order of equal classes.
fn classes(signatures: &[(String, Vec<usize>)]) -> Vec<usize> {
    let mut texts: HashMap<&str, usize> = HashMap::new();
    let mut class: Vec<usize> = signatures
        .iter()
        .map(|(text, _)| {
            let next = texts.len();
            *texts.entry(text.as_str()).or_insert(next)
        })
        .collect();
    let mut count = texts.len();
    loop {
        let mut keys: HashMap<(usize, Vec<usize>), usize> = HashMap::new();
        let next: Vec<usize> = signatures
            .iter()
            .enumerate()
            .map(|(index, (_, refs))| {
                let key = (class[index], refs.iter().map(|&r| class[r]).collect());
                let fresh = keys.len();
                *keys.entry(key).or_insert(fresh)
            })
            .collect();
        // Classes only ever split; when none did, this is the fixed point.
        if keys.len() == count {
            return class;
        }
        count = keys.len();
        class = next;
    }
}

/// The types whose aliases would leave two impls with the same header, if any.
fn conflicts(
    types: &[Item],
    names: &HashMap<String, usize>,
    alias: &HashMap<usize, usize>,
    by_index: &[String],
) -> Option<HashSet<usize>> {
    let resolve = |index: usize| by_index[*alias.get(&index).unwrap_or(&index)].clone();
    let empty = Vec::new();
    let builders = module_ref(types, "builder").unwrap_or(&empty);
    let mut headers: HashMap<String, Vec<usize>> = HashMap::new();
    let mut conflicting = HashSet::new();
    // Inherent impls cannot overlap; trait impls can, within one module.
    let in_types = types.iter().map(|item| ("types", item));
    for (module, item) in in_types.chain(builders.iter().map(|item| ("builder", item))) {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_none() || owner(item, names).is_some_and(|o| alias.contains_key(&o)) {
            continue;
        }
        let mut header = block.clone();
        header.items.clear();
        header.attrs.clear();
        let mut refs = Placeholders {
            names,
            owner: None,
            refs: Vec::new(),
            rename: None,
        };
        // The types the header names, before they are renamed.
        refs.visit_item_impl_mut(&mut block.clone());
        let mut visitor = Placeholders {
            names,
            owner: None,
            refs: Vec::new(),
            rename: Some(&resolve),
        };
        visitor.visit_item_impl_mut(&mut header);
        let key = format!("{module}: {}", header.to_token_stream());
        let named: Vec<usize> = refs.refs;
        if let Some(earlier) = headers.get(&key) {
            conflicting.extend(
                earlier
                    .iter()
                    .chain(&named)
                    .filter(|i| alias.contains_key(i)),
            );
        } else {
            headers.insert(key, named);
        }
    }
    (!conflicting.is_empty()).then_some(conflicting)
}

/// Replaces each aliased type's declaration by `pub type X = Canonical;` (in `types` and
/// in `types::builder`) and drops every other item it owns.
fn rewrite(
    types: &mut Vec<Item>,
    names: &HashMap<String, usize>,
    alias: &HashMap<usize, usize>,
    by_index: &[String],
) {
    let rewrite_items = |items: &mut Vec<Item>| {
        items.retain_mut(|item| {
            let Some(owner) = owner(item, names) else {
                return true;
            };
            let Some(&canonical) = alias.get(&owner) else {
                return true;
            };
            let (attrs, ident) = match item {
                Item::Struct(s) => (&s.attrs, &s.ident),
                Item::Enum(e) => (&e.attrs, &e.ident),
                _ => return false,
            };
            let docs: Vec<&syn::Attribute> =
                attrs.iter().filter(|a| a.path().is_ident("doc")).collect();
            let target = syn::Ident::new(&by_index[canonical], ident.span());
            *item = syn::parse_quote! {
                #(#docs)*
                pub type #ident = #target;
            };
            true
        });
    };
    if let Some(builders) = module(types, "builder") {
        rewrite_items(builders);
    }
    rewrite_items(types);
}

#[cfg(test)]
mod tests {
    use super::merge;

    fn merged(file: syn::File) -> (usize, String) {
        let mut file = file;
        let count = merge(&mut file);
        (count, prettyplease::unparse(&file))
    }

    #[test]
    fn structs_of_copies_are_copies_and_keep_their_docs() {
        let (count, code) = merged(syn::parse_quote! {
            pub mod types {
                pub struct AUrl(pub String);
                impl ::std::convert::From<AUrl> for String {
                    fn from(value: AUrl) -> Self { value.0 }
                }
                pub struct BUrl(pub String);
                impl ::std::convert::From<BUrl> for String {
                    fn from(value: BUrl) -> Self { value.0 }
                }
                /// A's page.
                pub struct APage { pub url: AUrl }
                impl APage { pub fn builder() -> builder::APage { Default::default() } }
                /// B's page.
                pub struct BPage { pub url: BUrl }
                impl BPage { pub fn builder() -> builder::BPage { Default::default() } }
                pub mod builder {
                    pub struct APage { url: Result<super::AUrl, String> }
                    impl ::std::convert::From<super::APage> for APage {
                        fn from(value: super::APage) -> Self { Self { url: Ok(value.url) } }
                    }
                    pub struct BPage { url: Result<super::BUrl, String> }
                    impl ::std::convert::From<super::BPage> for BPage {
                        fn from(value: super::BPage) -> Self { Self { url: Ok(value.url) } }
                    }
                }
            }
        });
        assert_eq!(count, 2, "{code}");
        assert!(code.contains("pub type BUrl = AUrl;"), "{code}");
        assert!(
            code.contains("/// B's page.\n    pub type BPage = APage;"),
            "{code}"
        );
        assert!(code.contains("        pub type BPage = APage;"), "{code}");
        assert!(!code.contains("From<BUrl>"), "{code}");
        assert!(!code.contains("impl BPage"), "{code}");
        assert!(!code.contains("From<super::BPage>"), "{code}");
    }

    #[test]
    fn an_alias_that_would_make_two_impls_one_is_not_taken() {
        let (count, code) = merged(syn::parse_quote! {
            pub mod types {
                pub struct A(pub String);
                pub struct B(pub String);
                pub enum Either { A(A), B(B) }
                impl ::std::convert::From<A> for Either {
                    fn from(value: A) -> Self { Self::A(value) }
                }
                impl ::std::convert::From<B> for Either {
                    fn from(value: B) -> Self { Self::B(value) }
                }
            }
        });
        assert_eq!(count, 0, "{code}");
        assert!(code.contains("pub struct B(pub String);"), "{code}");
    }

    #[test]
    fn variants_named_like_types_stay_themselves() {
        let (count, code) = merged(syn::parse_quote! {
            pub mod types {
                pub struct Issue(pub String);
                pub struct Commit(pub String);
                pub enum Subject { Issue, Open }
                pub enum State { Commit, Open }
                impl Default for Subject {
                    fn default() -> Self { Subject::Issue }
                }
                impl Default for State {
                    fn default() -> Self { State::Commit }
                }
            }
        });
        // `Commit` is `Issue` under another name; `State` is not `Subject`.
        assert_eq!(count, 1, "{code}");
        assert!(code.contains("pub type Commit = Issue;"), "{code}");
        assert!(code.contains("pub enum State"), "{code}");
    }

    #[test]
    fn a_file_without_types_is_left_alone() {
        let (count, _) =
            merged(syn::parse_quote! { pub mod builder { pub struct A; pub struct B; } });
        assert_eq!(count, 0);
    }
}
