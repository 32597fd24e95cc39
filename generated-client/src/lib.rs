#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod declared_length;
mod destination;
mod download;
mod download_to_file;
mod error;
mod file_chunks;
mod handles;
mod ids;
mod pagination;
mod pipeline;
mod progress;
mod releases;
mod response;
mod retry;
mod sent_digest;
mod tls;
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

pub use client::{
    API_VERSION, Client, ClientBuilder, DEFAULT_READ_TIMEOUT, GITHUB_API_URL, Token, TokenSource,
};
pub use download::AssetDownload;
pub use download_to_file::{
    DownloadTo, MAX_ASSET_SIZE, SavedAsset, is_invisible_format, local_file_name, partial_path,
};
pub use error::{Error, TransportError, Untrusted};
pub use generated::{operations, types};
pub use handles::{AssetHandle, CreateRelease, EditAsset, ReleaseHandle, ReleaseRef, RepoHandle};
pub use ids::{AssetId, ReleaseId};
pub use pagination::{MAX_ITEMS, MAX_PAGES, PER_PAGE};
pub use pipeline::JSON_BODY_LIMIT;
pub use progress::Progress;
pub use response::Response;
pub use retry::RetryPolicy;
pub use upload::{
    CLOCK_SKEW, IfExists, Upload, UploadOutcome, Uploaded, github_file_name, is_asset_named,
    is_temporary_of,
};
pub use verify::{FileCheck, Unverifiable, Verification, compare_file, expected_sha256};
