#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod declared_length;
mod download;
mod download_to_file;
mod file_chunks;
mod handles;
mod ids;
mod listings;
mod progress;
mod releases;
// The runtime every request goes through; public for crates generated from a whole
// description (`cargo xtask generate`), which depend on it and nothing else here.
#[doc(hidden)]
pub mod runtime;
mod sent_digest;
mod upload;
mod upload_stall;
mod verify;
// Written by `cargo xtask regenerate`; never edited by hand, nor by rustfmt (the
// generator formats it with prettyplease, and `regenerate --check` compares bytes).
#[rustfmt::skip]
#[allow(
    clippy::all,
    clippy::pedantic,
    unused_imports,
// progenitor's own constructors: the crate builds its client itself.
    dead_code,
    missing_docs,
// typify names GitHub's reactions `+1` and `-1` `plus1` and `minus1`.
    non_camel_case_types,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
mod generated;

pub use client::Client;
pub use download_to_file::{
    DownloadTo, MAX_ASSET_SIZE, SavedAsset, is_invisible_format, local_file_name, partial_path,
};
pub use generated::{operations, types};
pub use handles::{AssetHandle, CreateRelease, EditAsset, ReleaseHandle, ReleaseRef, RepoHandle};
pub use ids::{AssetId, ReleaseId};
pub use progress::Progress;
pub use runtime::{
    API_VERSION, ClientBuilder, DEFAULT_READ_TIMEOUT, Error, GITHUB_API_URL, JSON_BODY_LIMIT,
    MAX_ITEMS, MAX_PAGES, PER_PAGE, Pages, Response, RetryPolicy, Token, TokenSource,
    TransportError, Untrusted, Unverifiable,
};
pub use runtime::{Download as AssetDownload, Redirect};
pub use upload::{
    CLOCK_SKEW, IfExists, Upload, UploadOutcome, Uploaded, github_file_name, is_asset_named,
    is_temporary_of,
};
pub use verify::{FileCheck, Verification, compare_file, expected_sha256};
