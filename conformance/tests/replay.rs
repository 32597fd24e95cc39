//! Every fixture replayed: the client is called with the fixture's parameters against a
//! loopback server that answers with the fixture's response and records the request.
//! The request is normalized, compared with the fixture's expectation and snapshotted;
//! the value the client parsed is snapshotted too. A snapshot diff is a change on the
//! wire, or in what the client makes of GitHub's answer: review it (`cargo insta review`).

use std::collections::BTreeMap;

use conformance::description;
use conformance::fixture::{self, Fixture};
use github_release_assets::types::{CreateReleaseBody, UpdateReleaseAssetBody, UpdateReleaseBody};
use github_release_assets::{Client, Error};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A token that must never reach a fixture or a snapshot.
const TOKEN: &str = "ghs_replaytoken0123456789";

/// What the loopback storage host answers to a download that the fixture redirects.
const STORAGE_BYTES: &str = "bytes from storage";

fn fixtures() -> Vec<Fixture> {
    fixture::load_all(&fixture::dir()).unwrap_or_else(|e| panic!("{e}"))
}

fn text(fixture: &Fixture, name: &str) -> String {
    match &fixture.params[name] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn int(fixture: &Fixture, name: &str) -> i64 {
    fixture.params[name]
        .as_i64()
        .unwrap_or_else(|| panic!("{}: {name} is not an integer", fixture.name))
}

fn opt_int(fixture: &Fixture, name: &str) -> Option<i64> {
    fixture.params.get(name).and_then(Value::as_i64)
}

/// What the client made of the response: the parsed value, or the error.
fn outcome<T: std::fmt::Debug>(
    result: Result<github_release_assets::Response<T>, Error>,
) -> String {
    match result {
        Ok(value) => format!("{} {:#?}", value.status(), value.into_body()),
        Err(error) => format!("error {:?}: {error}\n{error:#?}", error.status()),
    }
}

/// What a documented redirect came to: where it led (path only: the host is the loopback
/// server's), then the bytes fetched from there, or the error.
async fn fetched(answer: Result<github_release_assets::Redirect, Error>) -> String {
    let redirect = match answer {
        Ok(redirect) => redirect,
        Err(error) => return format!("error {:?}: {error}\n{error:#?}", error.status()),
    };
    let status = redirect.status();
    let location = reqwest::Url::parse(redirect.location()).map(|u| u.path().to_owned());
    match redirect.fetch().await {
        Ok(download) => {
            let redirects = download.redirects();
            match download.bytes().await {
                Ok(bytes) => format!(
                    "{status} to {location:?}, then {} bytes after {redirects} redirect(s): {:?}",
                    bytes.len(),
                    String::from_utf8_lossy(&bytes)
                ),
                Err(error) => format!("error reading the body: {error}"),
            }
        }
        Err(error) => format!("error {:?}: {error}\n{error:#?}", error.status()),
    }
}

/// Whether the fixture asks for an asset's bytes rather than its metadata.
fn is_download(fixture: &Fixture) -> bool {
    fixture.request.headers.get("accept").map(String::as_str) == Some("application/octet-stream")
}

/// Calls the operation of `fixture` against `server`, and says what came of it.
async fn call(fixture: &Fixture, server: &MockServer) -> String {
    let client = Client::builder(server.uri()).token(TOKEN).build().unwrap();
    let (owner, repo) = (text(fixture, "owner"), text(fixture, "repo"));
    let body = fixture.body.clone().unwrap_or(Value::Null);
    if is_download(fixture) {
        // The download needs only the asset's id: the rest of its description is unused.
        let mut asset = description::example("release-asset").unwrap();
        asset["id"] = int(fixture, "asset_id").into();
        let asset = serde_json::from_value(asset).unwrap();
        return match client.repo(&owner, &repo).asset_from(asset).stream().await {
            Ok(download) => {
                let (redirects, content_type) = (
                    download.redirects(),
                    download.content_type().map(str::to_owned),
                );
                match download.bytes().await {
                    // Bytes may be binary: their length and hash say what arrived.
                    Ok(bytes) => {
                        use sha2::Digest;
                        format!(
                            "{} bytes after {redirects} redirect(s), {content_type:?}, sha256 {:x}",
                            bytes.len(),
                            sha2::Sha256::digest(&bytes)
                        )
                    }
                    Err(error) => format!("error reading the body: {error}"),
                }
            }
            Err(error) => format!("error {:?}: {error}\n{error:#?}", error.status()),
        };
    }
    match fixture.operation.as_str() {
        "repos/get-release-asset" => outcome(
            client
                .operations()
                .get_release_asset()
                .owner(owner)
                .repo(repo)
                .asset_id(int(fixture, "asset_id"))
                .send_full()
                .await,
        ),
        "repos/update-release-asset" => {
            let body: UpdateReleaseAssetBody = serde_json::from_value(body).unwrap();
            outcome(
                client
                    .operations()
                    .update_release_asset()
                    .owner(owner)
                    .repo(repo)
                    .asset_id(int(fixture, "asset_id"))
                    .body(body)
                    .send_full()
                    .await,
            )
        }
        "repos/delete-release-asset" => outcome(
            client
                .operations()
                .delete_release_asset()
                .owner(owner)
                .repo(repo)
                .asset_id(int(fixture, "asset_id"))
                .send_full()
                .await,
        ),
        "repos/list-release-assets" => {
            let mut request = client
                .operations()
                .list_release_assets()
                .owner(owner)
                .repo(repo)
                .release_id(int(fixture, "release_id"));
            if let Some(per_page) = opt_int(fixture, "per_page") {
                request = request.per_page(per_page);
            }
            if let Some(page) = opt_int(fixture, "page") {
                request = request.page(page);
            }
            outcome(request.send_full().await)
        }
        "repos/upload-release-asset" => {
            let release_id = int(fixture, "release_id");
            let upload_url = format!(
                "{}/repos/{owner}/{repo}/releases/{release_id}/assets{{?name,label}}",
                server.uri()
            );
            let uploads = client.for_upload_url(&upload_url).unwrap();
            let upload = fixture
                .upload
                .clone()
                .expect("upload fixture has an upload");
            let mut request = uploads
                .operations()
                .upload_release_asset()
                .owner(owner)
                .repo(repo)
                .release_id(release_id)
                .name(text(fixture, "name"))
                .content_type(upload.content_type)
                .content_length(upload.text.len() as i64)
                .body(upload.text.into_bytes());
            if fixture.params.contains_key("label") {
                request = request.label(text(fixture, "label"));
            }
            outcome(request.send_full().await)
        }
        "repos/get-release" => outcome(
            client
                .operations()
                .get_release()
                .owner(owner)
                .repo(repo)
                .release_id(int(fixture, "release_id"))
                .send_full()
                .await,
        ),
        "repos/get-latest-release" => outcome(
            client
                .operations()
                .get_latest_release()
                .owner(owner)
                .repo(repo)
                .send_full()
                .await,
        ),
        "repos/get-release-by-tag" => outcome(
            client
                .operations()
                .get_release_by_tag()
                .owner(owner)
                .repo(repo)
                .tag(text(fixture, "tag"))
                .send_full()
                .await,
        ),
        "repos/list-releases" => {
            let mut request = client.operations().list_releases().owner(owner).repo(repo);
            if let Some(per_page) = opt_int(fixture, "per_page") {
                request = request.per_page(per_page);
            }
            if let Some(page) = opt_int(fixture, "page") {
                request = request.page(page);
            }
            outcome(request.send_full().await)
        }
        "repos/create-release" => {
            let body: CreateReleaseBody = serde_json::from_value(body).unwrap();
            outcome(
                client
                    .operations()
                    .create_release()
                    .owner(owner)
                    .repo(repo)
                    .body(body)
                    .send_full()
                    .await,
            )
        }
        "repos/update-release" => {
            let body: UpdateReleaseBody = serde_json::from_value(body).unwrap();
            outcome(
                client
                    .operations()
                    .update_release()
                    .owner(owner)
                    .repo(repo)
                    .release_id(int(fixture, "release_id"))
                    .body(body)
                    .send_full()
                    .await,
            )
        }
        "repos/delete-release" => outcome(
            client
                .operations()
                .delete_release()
                .owner(owner)
                .repo(repo)
                .release_id(int(fixture, "release_id"))
                .send_full()
                .await,
        ),
        "repos/download-tarball-archive" => {
            fetched(
                client
                    .operations()
                    .download_tarball_archive()
                    .owner(owner)
                    .repo(repo)
                    .ref_(text(fixture, "ref"))
                    .send()
                    .await,
            )
            .await
        }
        "repos/download-zipball-archive" => {
            fetched(
                client
                    .operations()
                    .download_zipball_archive()
                    .owner(owner)
                    .repo(repo)
                    .ref_(text(fixture, "ref"))
                    .send()
                    .await,
            )
            .await
        }
        other => panic!("{}: no replay for operation {other}", fixture.name),
    }
}

/// The fixture's response, as the loopback server gives it. A redirect's `Location` is
/// moved onto the loopback server, under `/storage`, keeping its path and signed query.
fn response(fixture: &Fixture, server: &MockServer) -> ResponseTemplate {
    let recorded = &fixture.response;
    let mut template = ResponseTemplate::new(recorded.status);
    for (name, value) in &recorded.headers {
        let value = match name.as_str() {
            "location" => {
                let after_scheme = value
                    .split_once("://")
                    .map_or(value.as_str(), |(_, rest)| rest);
                let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
                format!("{}/storage{path}", server.uri())
            }
            _ => value.clone(),
        };
        template = template.insert_header(name.as_str(), value.as_str());
    }
    let content_type = recorded
        .headers
        .get("content-type")
        .map_or("application/octet-stream", String::as_str);
    if let Some(body) = recorded.raw_body() {
        template = template.set_body_raw(body, content_type);
    }
    template
}

/// The captured request, with what varies from run to run (host, port, crate version)
/// and the token replaced by placeholders.
fn normalize(request: &Request) -> Value {
    let mut headers = BTreeMap::new();
    for (name, value) in request.headers.iter() {
        let name = name.as_str().to_owned();
        let value = value.to_str().unwrap_or("<not UTF-8>").to_owned();
        let value = match name.as_str() {
            "host" => continue,
            "authorization" if value == format!("Bearer {TOKEN}") => "Bearer [token]".to_owned(),
            "authorization" => "[an unexpected credential]".to_owned(),
            "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "[version]"),
            _ => value,
        };
        headers.insert(name, value);
    }
    let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
    let body = if request.body.is_empty() {
        Value::Null
    } else if headers
        .get("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
    {
        serde_json::from_slice(&request.body)
            .unwrap_or_else(|_| json!({"not JSON": String::from_utf8_lossy(&request.body)}))
    } else {
        json!({"text": String::from_utf8_lossy(&request.body)})
    };
    json!({
        "method": request.method.as_str(),
        "path": request.url.path(),
        "query": query,
        // As sent, to show how names with `+`, `%`, `#` and spaces were encoded.
        "raw_query": request.url.query(),
        "headers": headers,
        "body": body,
    })
}

/// Differences between the normalized request and what the fixture expects.
fn mismatches(fixture: &Fixture, request: &Value) -> Vec<String> {
    let expected = &fixture.request;
    let mut out = Vec::new();
    if request["method"] != json!(expected.method) {
        out.push(format!(
            "method {} (expected {})",
            request["method"], expected.method
        ));
    }
    if request["path"] != json!(expected.path) {
        out.push(format!(
            "path {} (expected {})",
            request["path"], expected.path
        ));
    }
    if request["query"] != json!(expected.query) {
        out.push(format!(
            "query {} (expected {:?})",
            request["query"], expected.query
        ));
    }
    for (name, value) in &expected.headers {
        if request["headers"][name] != json!(value) {
            out.push(format!(
                "header {name}: {} (expected {value:?})",
                request["headers"][name]
            ));
        }
    }
    for name in &expected.absent_headers {
        if !request["headers"][name].is_null() {
            out.push(format!("header {name} sent, must be absent"));
        }
    }
    if let Some(body) = &expected.body
        && request["body"] != *body
    {
        out.push(format!("body {} (expected {body})", request["body"]));
    }
    out
}

#[tokio::test]
async fn every_fixture_replays_as_recorded() {
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::path_regex("^/storage/"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(STORAGE_BYTES, "application/octet-stream"),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(response(&fixture, &server))
            .mount(&server)
            .await;
        let result = call(&fixture, &server).await;
        let requests = server.received_requests().await.unwrap();
        let redirected = fixture.response.status / 100 == 3;
        let (request, hop) = match (requests.as_slice(), redirected) {
            ([request], false) => (request, None),
            ([request, hop], true) => (request, Some(normalize(hop))),
            _ => {
                failures.push(format!(
                    "{}: {} requests sent",
                    fixture.name,
                    requests.len()
                ));
                continue;
            }
        };
        if let Some(hop) = &hop
            && !hop["headers"]["authorization"].is_null()
        {
            failures.push(format!(
                "{}: the redirect to storage carried Authorization",
                fixture.name
            ));
        }
        let normalized = normalize(request);
        failures.extend(
            mismatches(&fixture, &normalized)
                .into_iter()
                .map(|m| format!("{}: {m}", fixture.name)),
        );

        let snapshot = fixture.name.replace('/', "__");
        insta::with_settings!({
            description => format!("{}\nsource: {}", fixture.description, fixture.source),
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_json_snapshot!(format!("{snapshot}.request"), normalized);
            if let Some(hop) = &hop {
                insta::assert_json_snapshot!(format!("{snapshot}.redirect"), hop);
            }
            insta::assert_snapshot!(format!("{snapshot}.result"), result);
        });
    }
    failures.extend(tokens_in_snapshots());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Snapshots that hold a token, or a credential other than the placeholder. Run after the
/// snapshots above are written, so it sees them all.
fn tokens_in_snapshots() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in [
            TOKEN,
            "ghp_",
            "gho_",
            "ghs_",
            "ghu_",
            "ghr_",
            "github_pat_",
            "[an unexpected credential]",
        ] {
            if text.contains(marker) {
                failures.push(format!("{}: contains {marker}", path.display()));
            }
        }
    }
    failures
}
