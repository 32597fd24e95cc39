//! A cargo feature per tag, for a crate of a whole description: each operation compiles
//! only with its tag's feature (`repos`, `issues`, `actions`), and each type only with
//! the feature of a tag whose operations reach it.
//!
//! A crate of GitHub's whole API has 1,223 operations and thousands of types; a user who
//! needs the repositories' operations should not type-check the other thousand. The cfg
//! goes on progenitor's builder (with the facade's `send()` in it) and `Client` method,
//! the facade's `Operations` method, and on every item of a type (its declaration, impls
//! and builder)
//! as `cfg(any(feature = ..))` of the tags that reach it. What every tag reaches stays as
//! it is; what no operation reaches (a copy nothing names since it became an alias)
//! compiles when all it names does.
//!
//! Reach is over-approximated: an item reaches every item of the generated code whose name
//! it mentions (an identifier, or a serde `default = "defaults::name"`), in any module. A
//! type compiled without need costs time; a type missing would not compile.
//!
//! ```
//! use std::collections::BTreeMap;
//! let mut file: syn::File = syn::parse_quote! {
//!     pub mod types {
//!         pub struct Release { pub author: User }
//!         pub struct User { pub login: String }
//!         pub struct Issue { pub author: User }
//!     }
//!     impl Client {
//!         pub fn get_release(&self) -> builder::GetRelease<'_> { todo!() }
//!         pub fn get_issue(&self) -> builder::GetIssue<'_> { todo!() }
//!     }
//!     pub mod builder {
//!         pub struct GetRelease<'a> { release: Option<types::Release> }
//!         pub struct GetIssue<'a> { issue: Option<types::Issue> }
//!     }
//! };
//! let tags = BTreeMap::from([
//!     ("get_release".to_owned(), "repos".to_owned()),
//!     ("get_issue".to_owned(), "issues".to_owned()),
//! ]);
//! let features = codegen::tag_features::gate(&mut file, &tags).unwrap();
//! assert_eq!(features.into_iter().collect::<Vec<_>>(), ["issues", "repos"]);
//! let code = prettyplease::unparse(&file);
//! assert!(code.contains("#[cfg(feature = \"repos\")]\n    pub struct Release"), "{code}");
//! assert!(code.contains("#[cfg(feature = \"issues\")]\n    pub fn get_issue"), "{code}");
//! // Both tags reach `User`: it is always there.
//! assert!(code.contains("}\n    pub struct User"), "{code}");
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Attribute, ImplItem, Item, Type};

use crate::type_items::{by_index, declared, module, module_ref};

/// One gated thing: a type of `types` (with its builder), a `types::defaults` function, an
/// operation builder of `builder`, or a struct or enum of the facade's `operations`.
type Unit = (&'static str, String);

/// Gates `file`'s operations by `tags` (each operation's Rust name to its tag) and its
/// types by the tags that reach them. Returns the features named (every tag).
pub fn gate(
    file: &mut syn::File,
    tags: &BTreeMap<String, String>,
) -> Result<BTreeSet<String>, String> {
    let features: BTreeSet<String> = tags.values().cloned().collect();
    let operations = operation_builders(file, tags)?;
    let units = units(file);
    let by_name: HashMap<&str, Vec<usize>> = {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, ((_, name), _)) in units.iter().enumerate() {
            by_name.entry(name.as_str()).or_default().push(index);
        }
        by_name
    };
    let edges: Vec<Vec<usize>> = units
        .iter()
        .map(|(_, tokens)| {
            let mut found = Vec::new();
            mentions(tokens.clone(), &mut |name| {
                if let Some(indices) = by_name.get(name) {
                    found.extend(indices);
                }
            });
            found
        })
        .collect();
    let index_of: HashMap<&Unit, usize> = units
        .iter()
        .enumerate()
        .map(|(i, (unit, _))| (unit, i))
        .collect();
    let mut reached: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); units.len()];
    for (builder, tag) in &operations {
        let roots = ["builder", "operations"]
            .into_iter()
            .filter_map(|module| index_of.get(&(module, builder.clone())).copied());
        let mut next: Vec<usize> = roots.collect();
        while let Some(index) = next.pop() {
            if reached[index].insert(tag.as_str()) {
                next.extend(&edges[index]);
            }
        }
    }
    // A unit no operation reaches (a copy nothing names since it became an alias) is
    // compiled when everything it names is: the conjunction of their conditions.
    let gated = |tags: &BTreeSet<&str>| !tags.is_empty() && tags.len() < features.len();
    let mut needs: Vec<BTreeSet<BTreeSet<&str>>> = vec![BTreeSet::new(); units.len()];
    loop {
        let mut changed = false;
        for index in (0..units.len()).filter(|&i| reached[i].is_empty()) {
            let mut need = BTreeSet::new();
            for &other in &edges[index] {
                if gated(&reached[other]) {
                    need.insert(reached[other].clone());
                } else if reached[other].is_empty() {
                    need.extend(needs[other].iter().cloned());
                }
            }
            if need != needs[index] {
                needs[index] = need;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let cfgs: HashMap<&Unit, Attribute> = units
        .iter()
        .zip(reached.iter().zip(&needs))
        .filter_map(|((unit, _), (tags, need))| {
            if gated(tags) {
                Some((unit, cfg(tags.iter().copied())))
            } else if tags.is_empty() && !need.is_empty() {
                Some((unit, cfg_all(need)))
            } else {
                None
            }
        })
        .collect();
    let by_method: HashMap<String, Attribute> = tags
        .iter()
        .map(|(method, tag)| (method.clone(), cfg([tag.as_str()])))
        .collect();
    apply(file, &cfgs, &by_method);
    Ok(features)
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", ..))]`.
fn cfg<'a>(tags: impl IntoIterator<Item = &'a str>) -> Attribute {
    let tags: Vec<&str> = tags.into_iter().collect();
    match &tags[..] {
        [tag] => syn::parse_quote! { #[cfg(feature = #tag)] },
        _ => syn::parse_quote! { #[cfg(any(#(feature = #tags),*))] },
    }
}

/// `#[cfg(all(any(feature = "a", ..), ..))]`: each set of tags has one of its own on.
fn cfg_all(needs: &BTreeSet<BTreeSet<&str>>) -> Attribute {
    let conditions = needs.iter().map(|tags| {
        let tags = tags.iter();
        quote::quote! { any(#(feature = #tags),*) }
    });
    syn::parse_quote! { #[cfg(all(#(#conditions),*))] }
}

/// Each operation builder's name (`GetRelease`) with its operation's tag, from
/// progenitor's `impl Client` methods.
fn operation_builders(
    file: &syn::File,
    tags: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, String> {
    let operations = crate::facade::client_operations(file)?;
    operations
        .iter()
        .map(|operation| {
            let method = operation.method.to_string();
            let tag = tags
                .get(&method)
                .ok_or_else(|| format!("operation {method} has no tag"))?;
            Ok((operation.builder.to_string(), tag.clone()))
        })
        .collect()
}

/// The units of `file` with the tokens of their items.
fn units(file: &syn::File) -> Vec<(Unit, TokenStream)> {
    let mut units: BTreeMap<Unit, TokenStream> = BTreeMap::new();
    let mut add = |unit: Unit, item: &dyn ToTokens| {
        units
            .entry(unit)
            .or_default()
            .extend(item.to_token_stream());
    };
    if let Some(types) = module_ref(&file.items, "types") {
        let names = type_names(types);
        let numbered = by_index(&names);
        for item in types {
            if let Some(name) = owner(item, &names, &numbered) {
                add(("types", name), item);
            }
        }
        for item in module_ref(types, "builder").into_iter().flatten() {
            if let Some(name) = owner(item, &names, &numbered) {
                add(("types", name), item);
            }
        }
        for item in module_ref(types, "defaults").into_iter().flatten() {
            if let Item::Fn(f) = item {
                add(("defaults", f.sig.ident.to_string()), item);
            }
        }
    }
    for module in ["builder", "operations"] {
        let Some(items) = module_ref(&file.items, module) else {
            continue;
        };
        let names = type_names(items);
        let numbered = by_index(&names);
        for item in items {
            // `Operations` names every builder; its methods are gated one by one.
            if let Some(name) = owner(item, &names, &numbered).filter(|name| name != "Operations") {
                add((module, name), item);
            }
        }
    }
    units.into_iter().collect()
}

/// The structs, enums and aliases `items` declare, numbered.
fn type_names(items: &[Item]) -> HashMap<String, usize> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Type(alias) => Some(&alias.ident),
            _ => declared(item),
        })
        .enumerate()
        .map(|(index, ident)| (ident.to_string(), index))
        .collect()
}

/// The name of the type among `names` (numbered as `by_index`) an item declares or
/// implements, or an alias's own.
fn owner(item: &Item, names: &HashMap<String, usize>, by_index: &[String]) -> Option<String> {
    match item {
        Item::Type(alias) => Some(alias.ident.to_string()),
        _ => crate::type_items::owner(item, names).map(|index| by_index[index].clone()),
    }
}

/// Calls `found` with every identifier of `tokens`, and the function a serde
/// `default = "defaults::name"` names.
fn mentions(tokens: TokenStream, found: &mut dyn FnMut(&str)) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => found(&ident.to_string()),
            TokenTree::Group(group) => mentions(group.stream(), found),
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                if let Some(path) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
                    && path.contains("defaults::")
                    && let Some(name) = path.rsplit("::").next()
                {
                    found(name);
                }
            }
            TokenTree::Punct(_) => {}
        }
    }
}

/// Puts each unit's cfg on its items, and each operation's on its `Client` and
/// `Operations` methods.
fn apply(
    file: &mut syn::File,
    cfgs: &HashMap<&Unit, Attribute>,
    by_method: &HashMap<String, Attribute>,
) {
    let gate_items = |items: &mut Vec<Item>,
                      module: &'static str,
                      names: &HashMap<String, usize>,
                      numbered: &[String]| {
        for item in items.iter_mut() {
            let unit = match item {
                Item::Fn(f) if module == "defaults" => Some(f.sig.ident.to_string()),
                _ => owner(item, names, numbered),
            };
            if let Some(attr) = unit.and_then(|name| cfgs.get(&(module, name)))
                && let Some(attrs) = attrs(item)
            {
                attrs.push(attr.clone());
            }
        }
    };
    if let Some(types) = module(&mut file.items, "types") {
        let names = type_names(types);
        let numbered = by_index(&names);
        if let Some(builders) = module(types, "builder") {
            gate_items(builders, "types", &names, &numbered);
        }
        if let Some(defaults) = module(types, "defaults") {
            gate_items(defaults, "defaults", &HashMap::new(), &[]);
        }
        gate_items(types, "types", &names, &numbered);
    }
    for name in ["builder", "operations"] {
        if let Some(items) = module(&mut file.items, name) {
            let names = type_names(items);
            let numbered = by_index(&names);
            gate_items(items, name, &names, &numbered);
            gate_methods(items, by_method);
        }
    }
    gate_methods(&mut file.items, by_method);
}

/// Gates the methods named after operations in the inherent impls among `items`
/// (progenitor's `impl Client`, the facade's `impl Operations`).
fn gate_methods(items: &mut [Item], by_method: &HashMap<String, Attribute>) {
    for item in items {
        let Item::Impl(block) = item else { continue };
        let operations = matches!(&*block.self_ty, Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Client" || s.ident == "Operations"));
        if block.trait_.is_some() || !operations {
            continue;
        }
        for member in &mut block.items {
            if let ImplItem::Fn(f) = member
                && let Some(attr) = by_method.get(&f.sig.ident.to_string())
            {
                f.attrs.push(attr.clone());
            }
        }
    }
}

/// The attributes of an item that can carry a cfg.
fn attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    match item {
        Item::Struct(i) => Some(&mut i.attrs),
        Item::Enum(i) => Some(&mut i.attrs),
        Item::Impl(i) => Some(&mut i.attrs),
        Item::Type(i) => Some(&mut i.attrs),
        Item::Fn(i) => Some(&mut i.attrs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::gate;

    fn gated(mut file: syn::File) -> String {
        let tags = BTreeMap::from([
            ("get_release".to_owned(), "repos".to_owned()),
            ("get_issue".to_owned(), "issues".to_owned()),
            ("get_user".to_owned(), "users".to_owned()),
        ]);
        gate(&mut file, &tags).expect("gated");
        prettyplease::unparse(&file)
    }

    fn sample(types: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            pub mod types {
                #types
            }
            impl Client {
                pub fn get_release(&self) -> builder::GetRelease<'_> { todo!() }
                pub fn get_issue(&self) -> builder::GetIssue<'_> { todo!() }
                pub fn get_user(&self) -> builder::GetUser<'_> { todo!() }
            }
            pub mod builder {
                pub struct GetRelease<'a> { release: Option<types::Release> }
                impl<'a> GetRelease<'a> {
                    // A setter named like another tag's operation is not that operation.
                    pub fn get_issue(self) -> Self { self }
                }
                pub struct GetIssue<'a> { issue: Option<types::Issue> }
                pub struct GetUser<'a> { user: Option<String> }
            }
            pub mod operations {
                pub struct Operations<'a>(&'a super::Client);
                impl<'a> Operations<'a> {
                    pub fn get_release(&self) -> GetRelease<'a> { todo!() }
                }
                pub struct GetRelease<'a>(super::builder::GetRelease<'a>);
            }
        }
    }

    #[test]
    fn operations_and_what_they_reach_take_their_tags() {
        let code = gated(sample(quote::quote! {
            pub struct Release {
                #[serde(default = "defaults::release_state")]
                pub state: State,
            }
            pub struct Issue { pub state: State }
            pub struct State(pub String);
            impl ::std::convert::From<State> for String {
                fn from(value: State) -> Self { value.0 }
            }
            pub mod defaults {
                pub(super) fn release_state() -> super::State { todo!() }
            }
        }));
        let any = "#[cfg(any(feature = \"issues\", feature = \"repos\"))]";
        assert!(
            code.contains(&format!("{any}\n    pub struct State")),
            "{code}"
        );
        assert!(
            code.contains(&format!("{any}\n    impl ::std::convert::From<State>")),
            "{code}"
        );
        assert!(
            code.contains("#[cfg(feature = \"repos\")]\n        pub(super) fn release_state"),
            "{code}"
        );
        assert!(
            code.contains(
                "#[cfg(feature = \"repos\")]\n        pub fn get_release(&self) -> GetRelease<'a>"
            ),
            "{code}"
        );
        assert!(
            code.contains(
                "#[cfg(feature = \"repos\")]\n    pub struct GetRelease<'a>(super::builder"
            ),
            "{code}"
        );
        assert!(
            code.contains("#[cfg(feature = \"users\")]\n    pub fn get_user"),
            "{code}"
        );
        assert!(
            code.contains("impl<'a> GetRelease<'a> {\n        pub fn get_issue(self) -> Self"),
            "{code}"
        );
        assert!(
            code.contains("pub mod operations {\n    pub struct Operations<'a>"),
            "{code}"
        );
    }

    #[test]
    fn what_no_operation_reaches_compiles_when_what_it_names_does() {
        let code = gated(sample(quote::quote! {
            pub struct Release { pub state: State }
            pub struct Issue { pub label: Label }
            pub struct State(pub String);
            pub struct Label(pub String);
            pub type Orphan = State;
            pub struct Both { pub state: State, pub label: Label, pub orphan: Orphan }
        }));
        assert!(
            code.contains("#[cfg(all(any(feature = \"repos\")))]\n    pub type Orphan = State;"),
            "{code}"
        );
        assert!(
            code.contains(
                "#[cfg(all(any(feature = \"issues\"), any(feature = \"repos\")))]\n    pub struct Both"
            ),
            "{code}"
        );
    }
}
