//! typify's struct builders, kept only where a request is built: for each request body
//! and every type it reaches.
//!
//! typify writes a builder for every struct (`Type::builder().field(..)`, with a struct of
//! `Result`s, a `Default`, a setter per field and two conversions). A caller needs one to
//! build a request body (progenitor's `.body_map(|b| b.field(..))` takes the body's), and
//! the types inside it, never for an answer it decodes: in api.github.com's crate the
//! builders were 208k of its 596k lines, and most of them belonged to answers.
//!
//! ```
//! let mut file: syn::File = syn::parse_quote! {
//!     pub mod types {
//!         pub struct Body { pub label: Label }
//!         impl Body { pub fn builder() -> builder::Body { Default::default() } }
//!         pub struct Label { pub name: String }
//!         impl Label { pub fn builder() -> builder::Label { Default::default() } }
//!         pub struct Answer { pub id: i64 }
//!         impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
//!         pub mod builder {
//!             pub struct Body { label: Result<super::Label, String> }
//!             pub struct Label { name: Result<String, String> }
//!             pub struct Answer { id: Result<i64, String> }
//!             impl ::std::convert::From<super::Answer> for Answer {
//!                 fn from(value: super::Answer) -> Self { Self { id: Ok(value.id) } }
//!             }
//!         }
//!     }
//!     pub mod builder {
//!         pub struct Create<'a> { body: Result<types::builder::Body, String> }
//!     }
//! };
//! assert_eq!(codegen::request_builders::prune(&mut file), 1);
//! let code = prettyplease::unparse(&file);
//! assert!(code.contains("impl Label"), "{code}");
//! assert!(!code.contains("impl Answer"), "{code}");
//! assert!(!code.contains("struct Answer { id: Result"), "{code}");
//! ```

use std::collections::HashSet;

use syn::visit::Visit;
use syn::{ImplItem, Item};

use crate::type_items::{self, declared, module, module_ref, named, owner};

/// Drops the builders of the types no request body reaches from `file`'s `types` module,
/// with their `builder()` functions. Returns how many types lost theirs.
pub fn prune(file: &mut syn::File) -> usize {
    let bodies: Vec<String> = module_ref(&file.items, "builder")
        .map(|items| request_bodies(items))
        .unwrap_or_default();
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    let names = type_items::names(types);
    // What each type names in its declaration: the types a builder of it takes.
    let mut fields: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for item in types.iter() {
        if let Some(index) = declared(item).and_then(|i| names.get(&i.to_string())) {
            let mut found = Named {
                names: &names,
                found: Vec::new(),
            };
            found.visit_item(item);
            fields[*index] = found.found;
        }
    }
    let mut kept = HashSet::new();
    let mut next: Vec<usize> = bodies
        .iter()
        .filter_map(|b| names.get(b))
        .copied()
        .collect();
    while let Some(index) = next.pop() {
        if kept.insert(index) {
            next.extend(&fields[index]);
        }
    }
    let Some(builders) = module(types, "builder") else {
        return 0;
    };
    let before = builders
        .iter()
        .filter(|item| declared(item).is_some())
        .count();
    builders.retain(|item| owner(item, &names).is_none_or(|o| kept.contains(&o)));
    let pruned = before
        - builders
            .iter()
            .filter(|item| declared(item).is_some())
            .count();
    types.retain_mut(|item| {
        let keep = owner(item, &names).is_none_or(|o| kept.contains(&o));
        let Item::Impl(block) = item else { return true };
        if keep || block.trait_.is_some() {
            return true;
        }
        block
            .items
            .retain(|member| !matches!(member, ImplItem::Fn(f) if f.sig.ident == "builder"));
        !block.items.is_empty()
    });
    pruned
}

/// The types progenitor's operation builders build a body with (`types::builder::X`).
fn request_bodies(operations: &[Item]) -> Vec<String> {
    let mut bodies = Vec::new();
    for item in operations {
        let mut found = BuilderPaths(&mut bodies);
        found.visit_item(item);
    }
    bodies
}

/// Collects `X` of each path `types::builder::X`.
struct BuilderPaths<'a>(&'a mut Vec<String>);

impl Visit<'_> for BuilderPaths<'_> {
    fn visit_path(&mut self, path: &syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let [.., types, builder, name] = &segments[..]
            && types == "types"
            && builder == "builder"
        {
            self.0.push(name.clone());
        }
        syn::visit::visit_path(self, path);
    }
}

/// Collects the types of the `types` module that paths name.
struct Named<'a> {
    names: &'a std::collections::HashMap<String, usize>,
    found: Vec<usize>,
}

impl Visit<'_> for Named<'_> {
    fn visit_path(&mut self, path: &syn::Path) {
        if let Some(index) = named(path, self.names) {
            self.found.push(index);
        }
        syn::visit::visit_path(self, path);
    }
}
