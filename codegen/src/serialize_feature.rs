//! `serde::Serialize` only where a request needs it, for a crate of a whole description:
//! a type no operation's parameters or body reach derives it behind the crate's
//! `serialize-answers` feature.
//!
//! A client only decodes its answers; encoding them back is for a user who stores or
//! forwards them. serde's `Serialize` derive on the answers of GitHub's whole API is about
//! a tenth of its crate's `cargo check` (rustc's self-profile), paid by everyone, so it
//! is opt-in there, as the AWS SDK's `serde-serialize` is. The published crate keeps
//! `Serialize` on every type: this pass runs only for `cargo xtask generate`.
//!
//! Reach is by name, over-approximated as in [`crate::tag_features`]: an operation
//! builder's fields name the types a request encodes (its parameters, its body), and a
//! type's declaration names the types inside it, an alias the type it stands for.
//!
//! ```
//! let mut file: syn::File = syn::parse_quote! {
//!     pub mod types {
//!         #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
//!         pub struct Body { pub label: Label }
//!         #[derive(::serde::Deserialize, ::serde::Serialize)]
//!         pub struct Label { pub name: String }
//!         #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
//!         pub struct Answer { pub label: Label }
//!     }
//!     pub mod builder {
//!         pub struct Create<'a> { body: Result<types::builder::Body, String> }
//!     }
//! };
//! assert_eq!(codegen::serialize_feature::gate(&mut file), 1);
//! let code = prettyplease::unparse(&file);
//! assert!(code.contains("#[derive(::serde::Deserialize, Clone)]\n    #[cfg_attr(feature = \"serialize-answers\", derive(::serde::Serialize))]\n    pub struct Answer"), "{code}");
//! assert!(code.contains("#[derive(::serde::Deserialize, ::serde::Serialize)]\n    pub struct Label"), "{code}");
//! ```

use std::collections::{HashMap, HashSet};

use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Attribute, Item, Path, Token};

use crate::schema_feature::drop_derives;
use crate::type_items::{leading_name, module, module_ref};

/// The cargo feature that gives every type `Serialize`.
pub const FEATURE: &str = "serialize-answers";

/// Moves `Serialize` out of the derives of the types of `file`'s `types` module that no
/// operation builder reaches, into a `cfg_attr` on [`FEATURE`]. Returns how many types
/// it gated.
pub fn gate(file: &mut syn::File) -> usize {
    let roots: Vec<String> = module_ref(&file.items, "builder")
        .map(|items| {
            let mut names = Names(Vec::new());
            let mut errors = ErrorBodies(Names(Vec::new()));
            for item in items {
                match item {
                    Item::Struct(builder) => names.visit_fields(&builder.fields),
                    Item::Impl(block) => errors.visit_item_impl(block),
                    _ => {}
                }
            }
            names.0.extend(errors.0.0);
            names.0
        })
        .unwrap_or_default();
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    // What each type (or alias) names in its declaration.
    let mut inside: HashMap<String, Vec<String>> = HashMap::new();
    for item in types.iter() {
        let (name, mut names) = match item {
            Item::Struct(s) => (&s.ident, Names(Vec::new())),
            Item::Enum(e) => (&e.ident, Names(Vec::new())),
            Item::Type(t) => (&t.ident, Names(Vec::new())),
            _ => continue,
        };
        names.visit_item(item);
        inside.insert(name.to_string(), names.0);
    }
    let mut reached: HashSet<String> = HashSet::new();
    let mut next = roots;
    while let Some(name) = next.pop() {
        if let Some(names) = inside.get(&name)
            && reached.insert(name)
        {
            next.extend(names.iter().cloned());
        }
    }
    let mut gated = 0;
    for item in types.iter_mut() {
        let (name, attrs) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            Item::Enum(e) => (e.ident.to_string(), &mut e.attrs),
            _ => continue,
        };
        if reached.contains(&name) || !gate_attrs(attrs) {
            continue;
        }
        // A type that derived `Serialize` alone (typify writes the `Deserialize` of a
        // constrained string itself) takes its `#[serde(..)]` along.
        let serde: Vec<Attribute> = if derives_serde(attrs) {
            Vec::new()
        } else {
            let (serde, rest) = std::mem::take(attrs)
                .into_iter()
                .partition(|attr| attr.path().is_ident("serde"));
            *attrs = rest;
            serde
        };
        let serde = serde.iter().map(|attr| match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => proc_macro2::TokenStream::new(),
        });
        let at = attrs
            .iter()
            .position(|attr| attr.path().is_ident("derive"))
            .map_or(attrs.len(), |i| i + 1);
        attrs.insert(
            at,
            syn::parse_quote! {
                #[cfg_attr(feature = "serialize-answers", derive(::serde::Serialize) #(, serde(#serde))*)]
            },
        );
        gated += 1;
    }
    gated
}

/// Whether `attrs` derive another of serde's traits (`Deserialize`).
fn derives_serde(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .any(|attr| {
            attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|path| path.segments.first().is_some_and(|s| s.ident == "serde"))
                })
        })
}

/// Drops `Serialize` from the derives in `attrs`; whether there was one.
fn gate_attrs(attrs: &mut [Attribute]) -> bool {
    drop_derives(attrs, |path| {
        path.segments
            .last()
            .is_some_and(|last| last.ident == "Serialize")
    })
}

/// Collects the names inside the `Error<E>` of what a builder's methods return: the
/// bodies of GitHub's error answers, which the runtime keeps as JSON (it encodes them).
struct ErrorBodies(Names);

impl Visit<'_> for ErrorBodies {
    fn visit_path(&mut self, path: &Path) {
        if let Some(last) = path.segments.last()
            && last.ident == "Error"
        {
            self.0.visit_path_arguments(&last.arguments);
        }
        syn::visit::visit_path(self, path);
    }
}

/// Collects the names that paths lead to past the prefixes of the `types` module
/// (`X` of `types::X`, `super::X`, `types::builder::X`), and every plain name.
struct Names(Vec<String>);

impl Visit<'_> for Names {
    fn visit_path(&mut self, path: &Path) {
        if let Some(name) = leading_name(path) {
            self.0.push(name.to_string());
        }
        syn::visit::visit_path(self, path);
    }

    // Derives name traits and serde's `default = "defaults::name"` a function: no type.
    fn visit_attribute(&mut self, _: &Attribute) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gated(mut file: syn::File) -> (usize, String) {
        let count = gate(&mut file);
        (count, prettyplease::unparse(&file))
    }

    #[test]
    fn an_error_body_and_what_an_alias_stands_for_keep_serialize() {
        let (count, code) = gated(syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct BasicError { pub message: String }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Label { pub name: String }
                pub type BodyLabel = Label;
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Answer { pub id: i64 }
            }
            pub mod builder {
                pub struct Create<'a> { label: Result<types::BodyLabel, String> }
                impl<'a> Create<'a> {
                    async fn send_generated(self) -> Result<ResponseValue<types::Answer>, Error<types::BasicError>> {
                        todo!()
                    }
                }
            }
        });
        assert_eq!(count, 1, "{code}");
        assert!(
            code.contains("::serde::Serialize)]\n    pub struct BasicError"),
            "{code}"
        );
        assert!(
            code.contains("::serde::Serialize)]\n    pub struct Label"),
            "{code}"
        );
        assert!(
            code.contains("#[cfg_attr(feature = \"serialize-answers\", derive(::serde::Serialize))]\n    pub struct Answer"),
            "{code}"
        );
    }

    #[test]
    fn a_type_deriving_serialize_alone_takes_its_serde_attributes_along() {
        let (count, code) = gated(syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone)]
                #[serde(transparent)]
                pub struct Name(String);
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(rename_all = "snake_case")]
                pub enum Kind { A }
            }
        });
        assert_eq!(count, 2, "{code}");
        let flat: String = code.split_whitespace().collect();
        assert!(
            flat.contains("#[derive(Clone)]#[cfg_attr(feature=\"serialize-answers\",derive(::serde::Serialize),serde(transparent))]pubstructName"),
            "{code}"
        );
        // `Deserialize` still reads `#[serde(..)]`: it stays where it was.
        assert!(
            flat.contains(
                "derive(::serde::Serialize))]#[serde(rename_all=\"snake_case\")]pubenumKind"
            ),
            "{code}"
        );
    }
}
