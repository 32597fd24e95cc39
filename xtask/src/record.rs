//! `cargo xtask record`: re-record fixtures from a live server, GitHub (with a token) or
//! any compatible base URL, such as the fake GitHub.
//!
//! It runs one scenario against a repository the token can write to: create a draft
//! release, upload an asset (and again, for the 422), list, get, edit and delete it, get it
//! once more (404), then delete the release. Each exchange becomes a fixture
//! `conformance/fixtures/<operationId>/recorded-<case>.json`. The token is never written:
//! requests appear as the client must send them (`Bearer [token]`). Volatile fields are
//! normalized so that two recordings of the same behaviour are the same file: hosts become
//! `https://api.github.com` and `https://uploads.github.com`, ids become 1 (the release)
//! and 2 (the asset), timestamps become `2026-01-01T00:00:00Z`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use conformance::fixture::{ExpectedRequest, Fixture, RecordedResponse, SchemaExpectation, Upload};
use serde_json::{Map, Value, json};

use crate::committed_file;

/// Why a recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("{step}: expected {expected}, the server answered {status}: {body}")]
    Unexpected {
        step: &'static str,
        expected: u16,
        status: u16,
        body: String,
    },
    #[error("{0}")]
    Shape(String),
}

/// Options of `cargo xtask record`.
pub struct Options {
    pub base_url: String,
    /// `OWNER/REPO`, which the token can write to.
    pub repo: Option<String>,
    /// Record from the fake GitHub, started in-process, instead of `base_url`.
    pub fake: bool,
    pub out: PathBuf,
}

/// The repository and token recordings from the fake use.
const FAKE_REPO: (&str, &str) = ("octocat", "Hello-World");
const FAKE_TOKEN: &str = "fake-recording-token";

const TIMESTAMP: &str = "2026-01-01T00:00:00Z";
const API: &str = "https://api.github.com";
const UPLOADS: &str = "https://uploads.github.com";
const ASSET_NAME: &str = "recorded asset.txt";
const ASSET_BYTES: &str = "bytes recorded by cargo xtask record\n";

/// Runs `cargo xtask record`. The token comes from `GITHUB_TOKEN` or `GH_TOKEN`, never
/// from the command line (where shell history would keep it).
pub fn run(root: &Path, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let fixtures = if options.fake {
        runtime.block_on(async {
            let github =
                github_release_assets_fake::FakeGitHub::start_with_token(FAKE_TOKEN).await?;
            let (owner, repo) = FAKE_REPO;
            Ok::<_, Box<dyn std::error::Error>>(
                record(github.api_url(), owner, repo, Some(FAKE_TOKEN)).await?,
            )
        })?
    } else {
        let token = std::env::var("GITHUB_TOKEN")
            .or_else(|_| std::env::var("GH_TOKEN"))
            .ok();
        let repo = options
            .repo
            .as_deref()
            .ok_or("--repo OWNER/REPO is required (or --fake)")?;
        let (owner, repo) = repo
            .split_once('/')
            .ok_or_else(|| format!("--repo {repo:?} is not OWNER/REPO"))?;
        runtime.block_on(record(&options.base_url, owner, repo, token.as_deref()))?
    };
    let out = root.join(&options.out);
    for fixture in &fixtures {
        let path = out.join(format!("{}.json", fixture.name));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        committed_file::write_atomically(&path, &to_text(fixture)?)?;
    }
    println!(
        "record: wrote {} fixtures under {}",
        fixtures.len(),
        out.display()
    );
    Ok(())
}

/// A fixture as its file holds it.
pub fn to_text(fixture: &Fixture) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(fixture)?;
    text.push('\n');
    Ok(text)
}

/// Records the scenario against the API at `base_url`.
pub async fn record(
    base_url: &str,
    owner: &str,
    repo: &str,
    token: Option<&str>,
) -> Result<Vec<Fixture>, RecordError> {
    let mut r = Recorder {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("github-release-assets-recorder")
            .build()?,
        token: token.map(str::to_owned),
        api: base_url.trim_end_matches('/').to_owned(),
        uploads: None,
        owner: owner.to_owned(),
        repo: repo.to_owned(),
        ids: Vec::new(),
        fixtures: Vec::new(),
    };
    let repo_path = format!("/repos/{owner}/{repo}");
    let create = json!({"tag_name": "v0.0.0-recorded", "name": "Recorded", "draft": true});
    let release = r
        .api_call(
            Step::new(
                "repos/create-release",
                "recorded-draft",
                "A draft release, as the recorder creates it.",
                "POST",
                201,
            )
            .path(format!("{repo_path}/releases"))
            .body(create),
        )
        .await?;
    let release_id = id_of(&release)?;
    r.ids.push((release_id, 1));
    let upload_url = release
        .get("upload_url")
        .and_then(Value::as_str)
        .ok_or_else(|| RecordError::Shape("the release has no upload_url".into()))?
        .to_owned();
    let uploads_base = uploads_base(&upload_url)?;
    r.uploads = Some(uploads_base.clone());

    r.api_call(
        Step::new(
            "repos/get-release",
            "recorded-ok",
            "The draft release, by id.",
            "GET",
            200,
        )
        .path(format!("{repo_path}/releases/{release_id}"))
        .params([("release_id", json!(1))]),
    )
    .await?;

    let asset = r
        .upload(
            Step::new(
                "repos/upload-release-asset",
                "recorded-created",
                "An upload with a name that GitHub renames and a label.",
                "POST",
                201,
            ),
            &uploads_base,
            release_id,
        )
        .await?;
    let asset_id = id_of(&asset)?;
    r.ids.push((asset_id, 2));
    r.upload(
        Step::new(
            "repos/upload-release-asset",
            "recorded-duplicate-name",
            "The same name again: 422 already_exists.",
            "POST",
            422,
        ),
        &uploads_base,
        release_id,
    )
    .await?;

    r.api_call(
        Step::new(
            "repos/list-release-assets",
            "recorded-ok",
            "The release's one asset.",
            "GET",
            200,
        )
        .path(format!("{repo_path}/releases/{release_id}/assets"))
        .params([("release_id", json!(1))]),
    )
    .await?;
    let asset_params = [("asset_id", json!(2))];
    r.api_call(
        Step::new(
            "repos/get-release-asset",
            "recorded-ok",
            "The uploaded asset's metadata.",
            "GET",
            200,
        )
        .path(format!("{repo_path}/releases/assets/{asset_id}"))
        .params(asset_params.clone()),
    )
    .await?;
    r.api_call(
        Step::new(
            "repos/update-release-asset",
            "recorded-ok",
            "A new label.",
            "PATCH",
            200,
        )
        .path(format!("{repo_path}/releases/assets/{asset_id}"))
        .params(asset_params.clone())
        .body(json!({"label": "Recorded, relabelled"})),
    )
    .await?;
    r.api_call(
        Step::new(
            "repos/delete-release-asset",
            "recorded-no-content",
            "The asset deleted.",
            "DELETE",
            204,
        )
        .path(format!("{repo_path}/releases/assets/{asset_id}"))
        .params(asset_params.clone()),
    )
    .await?;
    r.api_call(
        Step::new(
            "repos/get-release-asset",
            "recorded-not-found",
            "The deleted asset: 404.",
            "GET",
            404,
        )
        .path(format!("{repo_path}/releases/assets/{asset_id}"))
        .params(asset_params),
    )
    .await?;

    // Clean up; not an operation of the subset, so not a fixture.
    let url = format!("{}{repo_path}/releases/{release_id}", r.api);
    let cleanup = r.authorize(r.http.delete(url)).send().await?;
    if cleanup.status().as_u16() != 204 {
        return Err(RecordError::Unexpected {
            step: "delete the recorded release",
            expected: 204,
            status: cleanup.status().as_u16(),
            body: String::new(),
        });
    }
    // Normalized at the end, when every host and id is known (the uploads host is learnt
    // from the first answer).
    let fixtures = std::mem::take(&mut r.fixtures);
    Ok(fixtures
        .into_iter()
        .map(|f| r.normalize_fixture(f))
        .collect())
}

/// One exchange of the scenario.
struct Step {
    operation: &'static str,
    case: &'static str,
    description: &'static str,
    method: &'static str,
    expected: u16,
    path: String,
    params: Vec<(&'static str, Value)>,
    body: Option<Value>,
}

impl Step {
    fn new(
        operation: &'static str,
        case: &'static str,
        description: &'static str,
        method: &'static str,
        expected: u16,
    ) -> Self {
        Self {
            operation,
            case,
            description,
            method,
            expected,
            path: String::new(),
            params: Vec::new(),
            body: None,
        }
    }
    fn path(mut self, path: String) -> Self {
        self.path = path;
        self
    }
    fn params<const N: usize>(mut self, params: [(&'static str, Value); N]) -> Self {
        self.params.extend(params);
        self
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

struct Recorder {
    http: reqwest::Client,
    token: Option<String>,
    api: String,
    uploads: Option<String>,
    owner: String,
    repo: String,
    /// Ids as the server gave them -> as fixtures write them.
    ids: Vec<(i64, i64)>,
    fixtures: Vec<Fixture>,
}

impl Recorder {
    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let request = request
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2026-03-10");
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn api_call(&mut self, step: Step) -> Result<Value, RecordError> {
        let method = reqwest::Method::from_bytes(step.method.as_bytes())
            .map_err(|e| RecordError::Shape(e.to_string()))?;
        let mut request = self.authorize(
            self.http
                .request(method, format!("{}{}", self.api, step.path)),
        );
        if let Some(body) = &step.body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let mut headers = BTreeMap::new();
        if step.body.is_some() {
            headers.insert("content-type".to_owned(), "application/json".to_owned());
        }
        self.finish(step, response, BTreeMap::new(), headers, None)
            .await
    }

    async fn upload(
        &mut self,
        step: Step,
        uploads_base: &str,
        release_id: i64,
    ) -> Result<Value, RecordError> {
        let url = format!(
            "{uploads_base}/repos/{}/{}/releases/{release_id}/assets",
            self.owner, self.repo
        );
        let query = BTreeMap::from([
            ("label".to_owned(), "Recorded".to_owned()),
            ("name".to_owned(), ASSET_NAME.to_owned()),
        ]);
        let response = self
            .authorize(self.http.post(url))
            .query(&query)
            .header("content-type", "text/plain")
            .body(ASSET_BYTES)
            .send()
            .await?;
        let headers = BTreeMap::from([
            ("content-type".to_owned(), "text/plain".to_owned()),
            ("content-length".to_owned(), ASSET_BYTES.len().to_string()),
        ]);
        let step = step.params([
            ("release_id", json!(1)),
            ("name", json!(ASSET_NAME)),
            ("label", json!("Recorded")),
        ]);
        let upload = Upload {
            content_type: "text/plain".into(),
            text: ASSET_BYTES.into(),
        };
        let path = format!("/repos/{}/{}/releases/1/assets", self.owner, self.repo);
        self.finish(step.path(path), response, query, headers, Some(upload))
            .await
    }

    /// Checks the status, turns the exchange into a fixture, and returns the body as sent.
    async fn finish(
        &mut self,
        step: Step,
        response: reqwest::Response,
        query: BTreeMap<String, String>,
        extra_headers: BTreeMap<String, String>,
        upload: Option<Upload>,
    ) -> Result<Value, RecordError> {
        let status = response.status().as_u16();
        let mut headers = BTreeMap::new();
        for name in ["content-type", "link", "location"] {
            if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
                headers.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = response.bytes().await?;
        let body: Option<Value> = (!bytes.is_empty())
            .then(|| serde_json::from_slice(&bytes).ok())
            .flatten();
        if status != step.expected {
            return Err(RecordError::Unexpected {
                step: step.case,
                expected: step.expected,
                status,
                body: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            });
        }

        let documented = conformance::description::document()
            .and_then(|doc| conformance::schema::for_response(doc, step.operation, status))
            .is_some();
        let mut params = Map::new();
        params.insert("owner".into(), json!(self.owner));
        params.insert("repo".into(), json!(self.repo));
        for (name, value) in &step.params {
            params.insert((*name).to_owned(), value.clone());
        }
        let mut request_headers = conformance::fixture::client_request_headers();
        request_headers.extend(extra_headers);

        self.fixtures.push(Fixture {
            name: format!("{}/{}", step.operation, step.case),
            description: step.description.to_owned(),
            source: "recorded by cargo xtask record".to_owned(),
            operation: step.operation.to_owned(),
            params,
            body: step.body.clone(),
            upload,
            request: ExpectedRequest {
                method: step.method.to_owned(),
                path: step.path.clone(),
                query,
                headers: request_headers,
                absent_headers: vec!["api-version".to_owned()],
                body: step.body.clone(),
            },
            response: RecordedResponse {
                status,
                headers,
                body: body.clone(),
                body_text: None,
                body_file: None,
                file_bytes: None,
            },
            schema: if documented || body.is_none() {
                SchemaExpectation::Valid
            } else {
                SchemaExpectation::Undocumented
            },
            schema_reason: None,
            recorded: None,
        });
        Ok(body.unwrap_or(Value::Null))
    }

    fn normalize_fixture(&self, mut fixture: Fixture) -> Fixture {
        fixture.request.path = self.normalize_text(&fixture.request.path);
        for value in fixture.response.headers.values_mut() {
            *value = self.normalize_text(value);
        }
        fixture.response.body = fixture.response.body.as_ref().map(|b| self.normalize(b));
        fixture
    }

    fn normalize(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                // Only releases and assets get stable ids; a user keeps its own.
                let release_or_asset =
                    map.contains_key("upload_url") || map.contains_key("browser_download_url");
                let stable_id = map
                    .get("id")
                    .and_then(Value::as_i64)
                    .filter(|_| release_or_asset)
                    .and_then(|id| self.stable(id));
                Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            let v = match (k.as_str(), v) {
                                (
                                    "created_at" | "updated_at" | "published_at",
                                    Value::String(_),
                                ) => json!(TIMESTAMP),
                                ("id", _) if stable_id.is_some() => json!(stable_id),
                                ("node_id", Value::String(s)) if stable_id.is_some() => {
                                    let prefix = s.split('_').next().unwrap_or("N");
                                    json!(format!("{prefix}_{}", stable_id.unwrap_or_default()))
                                }
                                _ => self.normalize(v),
                            };
                            (k.clone(), v)
                        })
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.normalize(v)).collect()),
            Value::String(s) => Value::String(self.normalize_text(s)),
            other => other.clone(),
        }
    }

    fn stable(&self, id: i64) -> Option<i64> {
        self.ids
            .iter()
            .find(|(actual, _)| *actual == id)
            .map(|(_, stable)| *stable)
    }

    /// Hosts become GitHub's; ids in URL paths become their stable values.
    fn normalize_text(&self, text: &str) -> String {
        let mut out = text.replace(&self.api, API);
        if let Some(uploads) = &self.uploads {
            out = out.replace(uploads.as_str(), UPLOADS);
        }
        for (actual, stable) in &self.ids {
            if actual != stable {
                out = replace_id_segment(&out, *actual, *stable);
            }
        }
        out
    }
}

/// Replaces `/<actual>` where it is a whole path segment.
fn replace_id_segment(text: &str, actual: i64, stable: i64) -> String {
    let needle = format!("/{actual}");
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let whole = after.is_empty() || after.starts_with(['/', '?', '{', '>', '#']);
        out.push_str(&rest[..i]);
        out.push_str(&if whole {
            format!("/{stable}")
        } else {
            needle.clone()
        });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn id_of(value: &Value) -> Result<i64, RecordError> {
    value
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| RecordError::Shape("an answer without an id".into()))
}

/// The uploads base from an `upload_url` template: everything before `/repos/`.
fn uploads_base(upload_url: &str) -> Result<String, RecordError> {
    let plain = upload_url.split('{').next().unwrap_or(upload_url);
    plain
        .find("/repos/")
        .map(|i| plain[..i].to_owned())
        .ok_or_else(|| RecordError::Shape(format!("upload_url {upload_url:?} has no /repos/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_id_segments_are_replaced() {
        assert_eq!(
            replace_id_segment("/releases/123/assets", 123, 1),
            "/releases/1/assets"
        );
        assert_eq!(
            replace_id_segment("/releases/1234", 123, 1),
            "/releases/1234"
        );
        assert_eq!(
            replace_id_segment("/a/123?x=1 /b/123", 123, 2),
            "/a/2?x=1 /b/2"
        );
    }

    #[tokio::test]
    async fn recording_from_the_fake_github_gives_the_committed_fixtures() {
        let github = github_release_assets_fake::FakeGitHub::start_with_token(FAKE_TOKEN)
            .await
            .unwrap();
        let (owner, repo) = FAKE_REPO;
        let recorded = record(github.api_url(), owner, repo, Some(FAKE_TOKEN))
            .await
            .unwrap();
        assert_eq!(recorded.len(), 9);
        let dir = conformance::fixture::dir();
        for fixture in &recorded {
            let text = to_text(fixture).unwrap();
            assert!(!text.contains(FAKE_TOKEN), "token in {}", fixture.name);
            let committed = std::fs::read_to_string(dir.join(format!("{}.json", fixture.name)))
                .unwrap_or_else(|_| {
                    panic!(
                        "{} is not committed: run cargo xtask record against the fake",
                        fixture.name
                    )
                });
            assert_eq!(
                committed, text,
                "{} differs from a fresh recording",
                fixture.name
            );
        }
        // No committed recording is left that the scenario no longer makes.
        let all = conformance::fixture::load_all(&dir).unwrap();
        let mut committed: Vec<&str> = all
            .iter()
            .filter(|f| f.source == "recorded by cargo xtask record")
            .map(|f| f.name.as_str())
            .collect();
        let mut made: Vec<&str> = recorded.iter().map(|f| f.name.as_str()).collect();
        committed.sort_unstable();
        made.sort_unstable();
        assert_eq!(committed, made);
    }
}
