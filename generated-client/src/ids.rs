//! Release and asset ids as distinct types: GitHub numbers both from one range of
//! integers, and an asset id passed where a release id belongs finds nothing, or the
//! wrong thing. With these, it does not compile.

use std::fmt;

use crate::types::{Release, ReleaseAsset};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            #[doc = concat!("The ", $what, " id `id`, as GitHub gives it.")]
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The number, as GitHub's URLs and JSON carry it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A release's id.
    ///
    /// ```
    /// use github_release_assets::ReleaseId;
    /// let id = ReleaseId::new(7);
    /// assert_eq!(id.get(), 7);
    /// assert_eq!(id.to_string(), "7");
    /// ```
    ReleaseId,
    "release"
);

id_type!(
    /// An asset's id.
    ///
    /// ```compile_fail
    /// use github_release_assets::{AssetId, ReleaseId};
    /// fn wants_an_asset(_: AssetId) {}
    /// wants_an_asset(ReleaseId::new(7)); // a release id is not an asset id
    /// ```
    AssetId,
    "asset"
);

impl Release {
    /// This release's id, typed.
    pub fn release_id(&self) -> ReleaseId {
        ReleaseId(self.id)
    }
}

impl ReleaseAsset {
    /// This asset's id, typed.
    pub fn asset_id(&self) -> AssetId {
        AssetId(self.id)
    }
}
