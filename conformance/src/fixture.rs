//! Fixtures: one recorded (or modelled) exchange per file, under
//! `conformance/fixtures/<operationId>/<case>.json`. The format is documented in
//! `conformance/README.md`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The headers this client sends with every request, as a fixture expects them: GitHub's
/// media type and API version, `User-Agent` with `[version]`, the token as `Bearer [token]`.
///
/// ```
/// let headers = conformance::fixture::client_request_headers();
/// assert_eq!(headers["x-github-api-version"], "2026-03-10");
/// ```
pub fn client_request_headers() -> BTreeMap<String, String> {
    [
        ("accept", "application/vnd.github+json"),
        ("x-github-api-version", "2026-03-10"),
        ("user-agent", "github-release-assets/[version]"),
        ("authorization", "Bearer [token]"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The directory the fixtures live in.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// One exchange: what the caller asked, what must go on the wire, what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// `<operationId>/<case>`, from the file's place; not in the file.
    #[serde(skip)]
    pub name: String,
    /// What this exchange shows, in a sentence.
    pub description: String,
    /// Where the response came from: an example of the description, a recording, or a
    /// model of documented behaviour.
    pub source: String,
    /// The upstream operationId, e.g. `repos/get-release-asset`.
    pub operation: String,
    /// The operation's path and query parameters, as the caller passes them.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// The JSON body the caller passes, for operations that take one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The raw bytes the caller uploads, for the upload operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<Upload>,
    /// The request expected on the wire.
    pub request: ExpectedRequest,
    /// The response the server gives.
    pub response: RecordedResponse,
    /// How the response body relates to the description's schema.
    #[serde(default)]
    pub schema: SchemaExpectation,
    /// Why the body breaks the strict schema, for an `invalid` body that GitHub sent
    /// (a recording): what GitHub's answer and the description disagree on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_reason: Option<String>,
    /// Where an exchange recorded from GitHub by others came from, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Recording>,
}

/// Provenance of an exchange imported from a published set of recordings (such as the npm
/// package `@octokit/fixtures`), kept as recorded: the host the request went to and the
/// headers it carried, its credential scrubbed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// The package the recording was published in, e.g. `@octokit/fixtures`.
    pub package: String,
    /// Its version.
    pub version: String,
    /// The scenario, e.g. `api.github.com/release-assets`.
    pub scenario: String,
    /// Where in the scenario: the exchange's index, from 0.
    pub position: usize,
    /// Of how many exchanges.
    pub of: usize,
    /// The origin the request went to, as recorded (`https://uploads.github.com:443`).
    pub origin: String,
    /// The method as recorded.
    pub method: String,
    /// The path and query as recorded.
    pub path: String,
    /// The request headers as recorded; any credential is `[token]`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// A raw upload body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// The `Content-Type` the caller gives.
    pub content_type: String,
    /// The bytes, as UTF-8 text.
    pub text: String,
}

/// The request a client must send for a fixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRequest {
    pub method: String,
    /// The path, percent-encoded as it goes on the wire.
    pub path: String,
    /// Query parameters, decoded.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Headers that matter, by lower-case name. The token appears as `Bearer [token]`
    /// and the crate version in `User-Agent` as `[version]`: requests are normalized so.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Headers that must not be sent.
    #[serde(default)]
    pub absent_headers: Vec<String>,
    /// The JSON body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// What the server answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// A body that is not JSON, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// A body kept in a file of its own (any bytes), relative to the fixtures directory,
    /// such as `bodies/example.zip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<String>,
    /// The bytes of `body_file`, read when the fixture is loaded.
    #[serde(skip)]
    pub file_bytes: Option<Vec<u8>>,
}

impl RecordedResponse {
    /// The body as it goes on the wire, whichever way the fixture gives it.
    pub fn raw_body(&self) -> Option<Vec<u8>> {
        if let Some(body) = &self.body {
            return serde_json::to_vec(body).ok();
        }
        self.body_text
            .as_ref()
            .map(|t| t.clone().into_bytes())
            .or_else(|| self.file_bytes.clone())
    }
}

/// How a fixture's response body stands to the description's schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaExpectation {
    /// Valid against the schema of its operation and status (the default).
    #[default]
    Valid,
    /// Deliberately breaks the strict schema (a value GitHub sends but does not
    /// document, such as state `starter`): must fail validation, and the client must
    /// still parse it.
    Invalid,
    /// The description documents no body for this status; the body is GitHub's and is
    /// not checked.
    Undocumented,
}

/// A fixture that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: operation {found} does not match its directory {expected}")]
    Misplaced {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// Loads every `*.json` fixture below `root`, sorted by name.
pub fn load_all(root: &Path) -> Result<Vec<Fixture>, FixtureError> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    files.sort();
    files.iter().map(|path| load(root, path)).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FixtureError> {
    let read = |source| FixtureError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Loads one fixture; `root` names it.
pub fn load(root: &Path, path: &Path) -> Result<Fixture, FixtureError> {
    let text = fs::read_to_string(path).map_err(|source| FixtureError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut fixture: Fixture =
        serde_json::from_str(&text).map_err(|source| FixtureError::Parse {
            path: path.to_owned(),
            source,
        })?;
    let relative = path.strip_prefix(root).unwrap_or(path).with_extension("");
    fixture.name = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let directory = fixture.name.rsplit_once('/').map_or("", |(d, _)| d);
    if directory != fixture.operation {
        return Err(FixtureError::Misplaced {
            path: path.to_owned(),
            found: fixture.operation,
            expected: directory.to_owned(),
        });
    }
    let response = &fixture.response;
    let given = [
        response.body.is_some(),
        response.body_text.is_some(),
        response.body_file.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(FixtureError::Invalid {
            path: path.to_owned(),
            reason: "response has more than one of `body`, `body_text` and `body_file`".into(),
        });
    }
    if let Some(file) = fixture.response.body_file.clone() {
        let bytes = fs::read(root.join(&file)).map_err(|source| FixtureError::Read {
            path: root.join(&file),
            source,
        })?;
        fixture.response.file_bytes = Some(bytes);
    }
    Ok(fixture)
}
