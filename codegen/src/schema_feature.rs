//! The generated types derive `schemars::JsonSchema` only with the crate's `schemars`
//! feature.
//!
//! progenitor derives it on every type when asked (the conformance tests snapshot each
//! type's schema with it), but a user who decodes answers never calls it, and the derive
//! costs: a twelfth of `cargo check` of the whole API's crate, and schemars itself among
//! the published crate's dependencies. So the derive moves to
//! `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`, and a crate that
//! wants the schemas turns the feature on.
//!
//! ```
//! let mut file: syn::File = syn::parse_quote! {
//!     pub mod types {
//!         #[derive(Clone, Debug, schemars::JsonSchema)]
//!         pub struct Release { pub id: i64 }
//!     }
//! };
//! assert_eq!(codegen::schema_feature::gate(&mut file), 1);
//! let code = prettyplease::unparse(&file);
//! assert!(code.contains("#[derive(Clone, Debug)]"), "{code}");
//! assert!(
//!     code.contains(r#"#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]"#),
//!     "{code}"
//! );
//! ```

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Attribute, Item, Path, Token};

use crate::type_items::module;

/// Moves `schemars::JsonSchema` out of each derive of `file`'s `types` module into a
/// `cfg_attr` on the `schemars` feature. Returns how many types it gated.
pub fn gate(file: &mut syn::File) -> usize {
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    let mut gated = 0;
    for item in types {
        let attrs = match item {
            Item::Struct(s) => &mut s.attrs,
            Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        if gate_attrs(attrs) {
            attrs.push(syn::parse_quote! {
                #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            });
            gated += 1;
        }
    }
    gated
}

/// Drops `schemars::JsonSchema` from the derives in `attrs`; whether there was one.
fn gate_attrs(attrs: &mut [Attribute]) -> bool {
    drop_derives(attrs, |path| {
        path.to_token_stream().to_string() == "schemars :: JsonSchema"
    })
}

/// Drops the derives in `attrs` that `drop` picks; whether there was one. Shared with
/// [`crate::serialize_feature`].
pub(crate) fn drop_derives(attrs: &mut [Attribute], drop: impl Fn(&Path) -> bool) -> bool {
    let mut found = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
        else {
            continue;
        };
        let before = paths.len();
        let kept: Punctuated<Path, Token![,]> =
            paths.into_iter().filter(|path| !drop(path)).collect();
        if kept.len() != before {
            found = true;
            *attr = syn::parse_quote! { #[derive(#kept)] };
        }
    }
    found
}
