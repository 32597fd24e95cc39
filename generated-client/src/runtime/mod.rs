//! The runtime: what every request needs, whichever code sends it. Settings (token,
//! hosts, timeouts, certificates), the hooks the generated client calls before and instead
//! of sending, the token policy and redirect checks, retries, the one error type and how
//! answers and errors are read.
//!
//! The published crate's generated code, its handles and transfers, and a crate generated
//! from a whole description (`cargo xtask generate`) all send through it.
//!
//! Invariant: nothing here names the generated code, the handles or the transfers (no
//! `crate::` path outside `runtime` in these files); they depend on the runtime, never the
//! other way round. The generated code reaches it through the items re-exported here.

mod destination;
mod error;
mod fetch;
mod hooks;
mod pagination;
mod pipeline;
mod response;
mod retry;
mod settings;
mod tls;

pub use error::{Error, TransportError, Untrusted, Unverifiable};
pub use fetch::{Download, Redirect};
pub use hooks::{exec, exec_unfollowed, pre};
pub use pagination::{MAX_ITEMS, MAX_PAGES, PER_PAGE, Pages};
pub use pipeline::JSON_BODY_LIMIT;
pub use response::{Response, decode_json, undocumented_success};
pub use retry::RetryPolicy;
pub use settings::{
    API_VERSION, ClientBuilder, DEFAULT_READ_TIMEOUT, GITHUB_API_URL, Parts, Settings, Token,
    TokenSource,
};

// For the crate's handles and transfers.
pub(crate) use error::{says_already_exists, source_failed, without_query};
pub(crate) use fetch::{Download as AssetDownload, follow};
pub(crate) use pagination::collect;
pub(crate) use pipeline::{Credentials, get_json, send};
pub(crate) use retry::{Tries, random_u64};
