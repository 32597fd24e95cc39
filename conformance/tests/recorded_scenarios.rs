//! Each scenario recorded from GitHub (the `octokit-*` fixtures), replayed as a sequence
//! through the client's own flow: what one call returns feeds the next (the release's
//! `upload_url`, the new asset's id), and a loopback server answers each request with the
//! next recorded answer, checking that the request is the one GitHub got at that point.
//! The recorded hosts (api.github.com, uploads.github.com) are moved onto the loopback
//! server in the answers, so the client follows them as it would follow GitHub's.
//!
//! One kind of request may come that the recording lacks: reading an asset back
//! (`GET …/releases/assets/{id}`), which the client does once after an upload whose answer
//! has no `digest` (every answer recorded before mid-2025). It changes nothing, so it is
//! answered with the asset as GitHub last described it in the recording, and marked so in
//! the trace. Any other request out of the recorded order fails the test.
//!
//! The trace of each sequence (request line, status) is snapshotted.

use std::sync::Mutex;

use conformance::fixture::{self, Fixture};
use futures_util::{TryStreamExt, stream};
use github_release_assets::{Client, Error, UploadOutcome};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The recorded exchanges of `scenario`, in order; fails unless every one is there.
fn scenario(name: &str) -> Vec<Fixture> {
    let mut exchanges: Vec<Fixture> = fixture::load_all(&fixture::dir())
        .unwrap()
        .into_iter()
        .filter(|f| f.recorded.as_ref().is_some_and(|r| r.scenario == name))
        .collect();
    exchanges.sort_by_key(|f| f.recorded.as_ref().map(|r| r.position));
    let of = exchanges
        .first()
        .and_then(|f| f.recorded.as_ref())
        .map_or(0, |r| r.of);
    let positions: Vec<usize> = exchanges
        .iter()
        .filter_map(|f| f.recorded.as_ref().map(|r| r.position))
        .collect();
    assert_eq!(
        positions,
        (0..of).collect::<Vec<_>>(),
        "{name}: the scenario's exchanges are not all imported"
    );
    exchanges
}

/// Answers each request with the next recorded answer, and notes where the request differs
/// from the one GitHub got.
struct Sequence {
    exchanges: Vec<Fixture>,
    base: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: usize,
    trace: Vec<String>,
    mismatches: Vec<String>,
    /// Each asset as the recording last described it, by id.
    assets: std::collections::BTreeMap<i64, serde_json::Value>,
}

impl State {
    /// Keeps the assets an answer describes (one, or a list), and forgets a deleted one.
    fn learn(&mut self, exchange: &Fixture) {
        let body = exchange.response.body.clone().unwrap_or_default();
        let items = match &body {
            serde_json::Value::Array(items) => items.clone(),
            one @ serde_json::Value::Object(_) => vec![one.clone()],
            _ => Vec::new(),
        };
        for item in items {
            if let (Some(id), true) = (
                item.get("id").and_then(serde_json::Value::as_i64),
                item.get("browser_download_url").is_some(),
            ) {
                self.assets.insert(id, item);
            }
        }
        if exchange.request.method == "DELETE"
            && let Some(id) = exchange
                .params
                .get("asset_id")
                .and_then(serde_json::Value::as_i64)
        {
            self.assets.remove(&id);
        }
    }
}

/// The asset id of a `GET /repos/{owner}/{repo}/releases/assets/{id}` path.
fn asset_read(method: &str, path: &str) -> Option<i64> {
    let rest = path.strip_prefix("/repos/")?;
    let mut parts = rest.split('/').skip(2);
    match (
        method,
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        ("GET", Some("releases"), Some("assets"), Some(id), None) => id.parse().ok(),
        _ => None,
    }
}

impl Respond for Sequence {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        let line = format!(
            "{} {}{}",
            request.method,
            request.url.path(),
            request
                .url
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default()
        );
        let next = self.exchanges.get(state.next);
        let recorded_next = next.is_some_and(|e| {
            e.request.method == request.method.as_str() && e.request.path == request.url.path()
        });
        if !recorded_next
            && let Some(id) = asset_read(request.method.as_str(), request.url.path())
            && let Some(asset) = state.assets.get(&id).cloned()
        {
            state.trace.push(format!(
                "{line} -> 200 (not recorded: the asset as the recording last described it)"
            ));
            let text = serde_json::to_string(&asset).unwrap();
            return ResponseTemplate::new(200).set_body_raw(
                text.replace("https://api.github.com", &self.base)
                    .replace("https://uploads.github.com", &self.base)
                    .into_bytes(),
                "application/json; charset=utf-8",
            );
        }
        let Some(exchange) = next else {
            state
                .mismatches
                .push(format!("{line}: beyond the recording"));
            state.trace.push(format!("{line} -> (nothing recorded)"));
            return ResponseTemplate::new(599);
        };
        state.next += 1;
        state.learn(exchange);
        let expected = &exchange.request;
        let at = &exchange.name;
        if request.method.as_str() != expected.method || request.url.path() != expected.path {
            state.mismatches.push(format!(
                "{at}: sent {line}, GitHub got {} {}",
                expected.method, expected.path
            ));
        }
        let sent: std::collections::BTreeMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        for (name, value) in &expected.query {
            if sent.get(name) != Some(value) {
                state.mismatches.push(format!(
                    "{at}: query {name}={:?}, GitHub got {value:?}",
                    sent.get(name)
                ));
            }
        }
        if let Some(upload) = &exchange.upload
            && request.body != upload.text.as_bytes()
        {
            state
                .mismatches
                .push(format!("{at}: a different upload body"));
        }
        if let Some(body) = &expected.body
            && serde_json::from_slice::<serde_json::Value>(&request.body)
                .ok()
                .as_ref()
                != Some(body)
        {
            state
                .mismatches
                .push(format!("{at}: a different JSON body"));
        }
        if request
            .headers
            .get("authorization")
            .is_none_or(|a| a.to_str().ok() != Some("Bearer replay-token"))
        {
            state.mismatches.push(format!("{at}: not authorized"));
        }
        let response = &exchange.response;
        state.trace.push(format!("{line} -> {}", response.status));
        let on_loopback = |text: &str| {
            text.replace("https://api.github.com", &self.base)
                .replace("https://uploads.github.com", &self.base)
        };
        let mut template = ResponseTemplate::new(response.status);
        for (name, value) in &response.headers {
            template = template.insert_header(name.as_str(), on_loopback(value).as_str());
        }
        if let Some(body) = response.raw_body() {
            let content_type = response
                .headers
                .get("content-type")
                .map_or("application/json", String::as_str);
            template = template.set_body_raw(
                on_loopback(&String::from_utf8_lossy(&body)).into_bytes(),
                content_type,
            );
        }
        template
    }
}

/// Starts a loopback server that plays `name`, and a client for it.
async fn play(name: &str) -> (MockServer, Client, std::sync::Arc<Sequence>) {
    let server = MockServer::start().await;
    let sequence = std::sync::Arc::new(Sequence {
        exchanges: scenario(name),
        base: server.uri(),
        state: Mutex::default(),
    });
    Mock::given(wiremock::matchers::any())
        .respond_with(SharedSequence(sequence.clone()))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .token("replay-token")
        .build()
        .unwrap();
    (server, client, sequence)
}

struct SharedSequence(std::sync::Arc<Sequence>);

impl Respond for SharedSequence {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

/// Every exchange played, none differing; the trace, for the snapshot.
fn finish(sequence: &Sequence) -> String {
    let state = sequence.state.lock().unwrap();
    let mut problems = state.mismatches.clone();
    if state.next != sequence.exchanges.len() {
        problems.push(format!(
            "{} of {} recorded exchanges played",
            state.next,
            sequence.exchanges.len()
        ));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    state.trace.join("\n")
}

fn hello()
-> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + Sync + 'static {
    stream::iter([Ok(bytes::Bytes::from_static(b"Hello, world!\n"))])
}

/// Find a release by tag, upload with a label, list, get, edit and delete the asset.
#[tokio::test]
async fn release_assets_through_the_clients_flow() {
    let (_server, client, sequence) = play("api.github.com/release-assets").await;
    let (owner, repo) = ("octokit-fixture-org", "release-assets");
    let release = client
        .repo(owner, repo)
        .release_by_tag("v1.0.0")
        .await
        .unwrap();
    let uploaded = release
        .upload_stream(hello(), 14, "test-upload.txt")
        .label("test")
        .content_type("text/plain")
        .await
        .unwrap();
    assert_eq!(uploaded.outcome, UploadOutcome::Created);
    let uploaded = uploaded.asset;
    assert_eq!(
        (uploaded.name.as_str(), uploaded.size),
        ("test-upload.txt", 14)
    );
    // Recorded before GitHub sent digests: the field is absent, and that is no error.
    assert_eq!(uploaded.digest, None);

    let listed: Vec<_> = release.assets().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].info(), uploaded.info());
    let got = uploaded.get().await.unwrap();
    assert_eq!(got.info(), uploaded.info());
    let edited = uploaded
        .edit()
        .name("new-filename.txt")
        .label("new label")
        .await
        .unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.label.as_deref()),
        ("new-filename.txt", Some("new label"))
    );
    edited.delete().await.unwrap();
    insta::assert_snapshot!(finish(&sequence));
}

/// Upload a name that exists: GitHub's 422 `already_exists` is `Error::AlreadyExists`;
/// then the recorded resolution, through the client: list, delete the asset of that name
/// (the release is a draft of no immutable repository, so that is allowed), upload again.
/// (`IfExists::Replace` does it in another order, never without an asset of the name: its
/// own tests run against the fake GitHub.)
#[tokio::test]
async fn release_assets_conflict_through_the_clients_flow() {
    let (_server, client, sequence) = play("api.github.com/release-assets-conflict").await;
    let (owner, repo) = ("octokit-fixture-org", "release-assets-conflict");
    let release = client
        .repo(owner, repo)
        .release_by_tag("v1.0.0")
        .await
        .unwrap();
    let upload = || {
        release
            .upload_stream(hello(), 14, "test-upload.txt")
            .label("test")
            .content_type("text/plain")
    };
    let refused = upload().await.unwrap_err();
    assert!(
        matches!(&refused, Error::AlreadyExists { name } if name == "test-upload.txt"),
        "{refused:?}"
    );
    let existing = release
        .asset_named("test-upload.txt")
        .await
        .unwrap()
        .unwrap();
    existing.delete().await.unwrap();
    let replaced = upload().await.unwrap().asset;
    assert_eq!(
        (replaced.id, replaced.name.as_str()),
        (1001, "test-upload.txt")
    );
    insta::assert_snapshot!(finish(&sequence));
}
