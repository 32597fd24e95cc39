//! What the conformance tests (and the client's own tests) check the client against,
//! held as data: the vendored description and the examples GitHub ships in it.
//!
//! This crate imports nothing of the client, so the client's tests can use it as a
//! dev-dependency without a cycle.
//!
//! ```
//! let asset = conformance::description::example("release-asset").unwrap();
//! assert_eq!(asset["name"], "example.zip");
//! ```

#![forbid(unsafe_code)]

pub mod description;
pub mod fixture;
pub mod schema;
