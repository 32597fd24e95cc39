//! The fake's three HTTP hosts. Each is one handler that records the request, applies
//! a queued fault, and dispatches on method and path segments.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use futures_util::StreamExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::model::{self, Asset, Release, asset_json, github_file_name, release_json};
use crate::{Fault, Host, RecordedRequest, Shared, lock};

type SharedState = Arc<Shared>;

pub(crate) fn spawn(
    listener: tokio::net::TcpListener,
    host: Host,
    shared: SharedState,
) -> tokio::task::JoinHandle<()> {
    let router = axum::Router::new()
        .fallback(
            move |state: State<SharedState>,
                  Extension(hang_up): Extension<HangUp>,
                  request: Request| handle(state, host, hang_up, request),
        )
        .with_state(shared);
    // Each connection is served here rather than by `axum::serve`, so that a fault can drop
    // one before any answer: the handler signals `HangUp`, and the connection is dropped.
    tokio::spawn(async move {
        // The server ends when the fake is dropped (the task is aborted).
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of file descriptors, a connection reset while queued: the next one
                // may do, as `axum::serve` goes on after a pause rather than stop serving.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            };
            let hang_up = HangUp::default();
            let service = hyper_util::service::TowerToHyperService::new(
                router.clone().layer(Extension(hang_up.clone())),
            );
            tokio::spawn(async move {
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                tokio::select! {
                    _ = connection => {}
                    () = hang_up.0.notified() => {}
                }
            });
        }
    })
}

/// Asks the connection a request came on to be dropped, unanswered.
#[derive(Clone, Default)]
struct HangUp(Arc<tokio::sync::Notify>);

async fn handle(
    State(shared): State<SharedState>,
    host: Host,
    hang_up: HangUp,
    request: Request,
) -> Response {
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let index = {
        let mut requests = lock(&shared.requests);
        requests.push(RecordedRequest {
            host,
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
            query: request.uri().query().map(str::to_owned),
            headers,
        });
        requests.len() - 1
    };
    // A loop, once entered, goes on: every request to its path is sent back to it, and
    // takes none of the faults queued for later requests.
    if request.uri().path().starts_with(LOOP_PATH) {
        return redirect_to_loop();
    }
    let fault_at = {
        let mut faults = lock(&shared.faults_at);
        faults
            .iter()
            .position(|(at, _)| *at == index)
            .map(|i| faults.remove(i).1)
    };
    let fault = fault_at.or_else(|| {
        let mut faults = lock(&shared.faults);
        faults
            .iter()
            .position(|(h, _)| *h == host)
            .and_then(|i| faults.remove(i))
            .map(|(_, f)| f)
    });
    if let Some(Fault::Stall(pause)) = &fault {
        tokio::time::sleep(*pause).await;
    }
    if fault == Some(Fault::ResetBeforeHeaders) {
        // `notify_one` keeps the signal for the connection's task if it is not waiting yet.
        hang_up.0.notify_one();
        return std::future::pending().await;
    }
    if fault == Some(Fault::RedirectLoop) {
        return redirect_to_loop();
    }
    if let Some(response) = immediate_fault(fault.as_ref()) {
        return response;
    }
    if host != Host::Storage
        && let Some(token) = &shared.token
    {
        let expected = format!("Bearer {token}");
        if request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            != Some(expected.as_str())
        {
            return error(StatusCode::UNAUTHORIZED, "Bad credentials");
        }
    }
    let response = match host {
        Host::Api => api(&shared, request, fault.as_ref()).await,
        Host::Uploads => upload(&shared, request, fault.as_ref()).await,
        // Storage in front of S3 fails as a proxy would, before reading anything.
        Host::Storage if fault == Some(Fault::BadGateway) => {
            error(StatusCode::BAD_GATEWAY, "Server Error")
        }
        Host::Storage => storage(&shared, request).await,
    };
    if fault == Some(Fault::AnswerLost) {
        // Done, and the answer lost on the way back.
        return error(
            StatusCode::BAD_GATEWAY,
            "Server Error (the request was carried out)",
        );
    }
    shape_body(response, fault)
}

/// Where [`Fault::RedirectLoop`] sends a client, and sends it again.
const LOOP_PATH: &str = "/redirect-loop";

/// A 302 to [`LOOP_PATH`].
fn redirect_to_loop() -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, LOOP_PATH)
        .body(Body::empty())
        .unwrap_or_default()
}

/// Faults that replace the answer whatever the request.
fn immediate_fault(fault: Option<&Fault>) -> Option<Response> {
    match fault? {
        Fault::Status(status) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Server Error");
            Some(error(status, &format!("{reason} (fake)")))
        }
        Fault::RateLimited {
            status,
            retry_after,
            reset_in,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
            let mut response = error(status, "API rate limit exceeded for installation. (fake)");
            let headers = response.headers_mut();
            if status == StatusCode::FORBIDDEN || reset_in.is_some() {
                headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            }
            if let Some(reset) = reset_in {
                // Any number of seconds a test asks for, to the end of `i64`.
                let at = Utc::now()
                    .timestamp()
                    .saturating_add(i64::try_from(*reset).unwrap_or(i64::MAX));
                headers.insert("x-ratelimit-reset", HeaderValue::from(at));
            }
            if let Some(wait) = retry_after {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*wait));
            }
            Some(response)
        }
        Fault::HtmlPage => Some(
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .body(Body::from(
                    "<!DOCTYPE html><html><body>Sign in to the network to continue.</body></html>",
                ))
                .unwrap_or_default(),
        ),
        _ => None,
    }
}

/// Faults that change how the body travels.
fn shape_body(response: Response, fault: Option<Fault>) -> Response {
    let (parts, body) = response.into_parts();
    let length: Option<u64> = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let body = match fault {
        Some(Fault::CutMidBody) => {
            let half = length.unwrap_or(0) / 2;
            let mut sent = 0_u64;
            let pieces = body.into_data_stream().map(move |chunk| {
                let chunk = chunk.map_err(std::io::Error::other)?;
                let room = half.saturating_sub(sent);
                if room == 0 {
                    return Err(std::io::Error::other("connection cut (injected fault)"));
                }
                let take = (chunk.len() as u64).min(room) as usize;
                sent += take as u64;
                Ok::<Bytes, std::io::Error>(chunk.slice(..take))
            });
            // The cut comes a moment after the first half, so the status and headers have
            // gone out: the client sees a body that stops, not a refused request.
            Body::from_stream(pieces.then(|piece| async move {
                if piece.is_err() {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                piece
            }))
        }
        Some(Fault::SlowBody(pause)) => {
            Body::from_stream(body.into_data_stream().flat_map(move |chunk| {
                let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
                    Ok(chunk) => (0..chunk.len())
                        .step_by(1024)
                        .map(|i| Ok(chunk.slice(i..(i + 1024).min(chunk.len()))))
                        .collect(),
                    Err(e) => vec![Err(e)],
                };
                futures_util::stream::iter(pieces).then(move |piece| async move {
                    tokio::time::sleep(pause).await;
                    piece
                })
            }))
        }
        _ => body,
    };
    let mut parts = parts;
    let mut body = body;
    if fault == Some(Fault::BodyLongerThanContentLength)
        && let Some(length) = length
    {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length / 2));
        // As a stream, whose length the server does not know: it sends what the header
        // says and then ends the connection (a body of known length would be checked).
        body = Body::from_stream(body.into_data_stream());
    }
    Response::from_parts(parts, body)
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .header(header::CONTENT_LENGTH, bytes.len())
        .body(Body::from(bytes))
        .unwrap_or_default()
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": status.as_u16().to_string()}),
    )
}

fn validation_failed(resource: &str, field: &str, code: &str) -> Response {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({
            "message": "Validation Failed",
            "errors": [{"resource": resource, "code": code, "field": field}],
            "documentation_url": "https://docs.github.com/rest",
            "status": "422"
        }),
    )
}

/// GitHub's 422 "Validation Failed" with one free-form entry in `errors` (code `custom`).
fn validation_failed_with(documentation_url: &str, entry: Value) -> Response {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({
            "message": "Validation Failed",
            "errors": [entry],
            "documentation_url": documentation_url,
            "status": "422"
        }),
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}

fn no_content() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::empty())
        .unwrap_or_default()
}

/// Percent-decodes one path segment or query value.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query(request: &Request) -> HashMap<String, String> {
    request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn segments(request: &Request) -> Vec<String> {
    request
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

fn number(q: &HashMap<String, String>, name: &str) -> Option<u64> {
    q.get(name)?.parse().ok()
}

async fn api(shared: &Shared, request: Request, fault: Option<&Fault>) -> Response {
    if fault == Some(&Fault::BadGateway) {
        return error(StatusCode::BAD_GATEWAY, "Server Error");
    }
    let segs = segments(&request);
    let seg: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = request.method().clone();
    let ["repos", owner, repo, "releases", rest @ ..] = seg.as_slice() else {
        return not_found();
    };
    let (owner, repo) = (decode(owner), decode(repo));
    let q = query(&request);
    let urls = &shared.urls;
    match (method, rest) {
        (Method::GET, []) => {
            let releases: Vec<Value> = {
                let mut model = lock(&shared.model);
                model
                    .releases(&owner, &repo)
                    .iter()
                    .rev()
                    .map(|r| release_json(urls, &owner, &repo, r))
                    .collect()
            };
            let url = format!("{}/repos/{owner}/{repo}/releases", urls.api);
            let (items, link) =
                model::page(&releases, number(&q, "per_page"), number(&q, "page"), &url);
            with_link(json_response(StatusCode::OK, &Value::Array(items)), link)
        }
        (Method::POST, []) => create_release(shared, &owner, &repo, request).await,
        (Method::GET, ["latest"]) => {
            let mut model = lock(&shared.model);
            let latest = model
                .releases(&owner, &repo)
                .iter()
                .rev()
                .find(|r| !r.draft && !r.prerelease)
                .cloned();
            match latest {
                Some(r) => json_response(StatusCode::OK, &release_json(urls, &owner, &repo, &r)),
                None => not_found(),
            }
        }
        (Method::GET, ["tags", tag @ ..]) if !tag.is_empty() => {
            let tag = tag.iter().map(|t| decode(t)).collect::<Vec<_>>().join("/");
            let mut model = lock(&shared.model);
            let found = model
                .releases(&owner, &repo)
                .iter()
                .find(|r| r.tag_name == tag && !r.draft)
                .cloned();
            match found {
                Some(r) => json_response(StatusCode::OK, &release_json(urls, &owner, &repo, &r)),
                None => not_found(),
            }
        }
        (method, ["assets", id]) => {
            let Ok(id) = id.parse::<i64>() else {
                return not_found();
            };
            asset_endpoint(shared, &owner, &repo, id, method, request).await
        }
        (Method::DELETE, [id]) => {
            // Allowed on an immutable release too: the release goes, its assets with it.
            // The fake keeps no git tags, so what becomes of the tag is not modelled.
            let Ok(id) = id.parse::<i64>() else {
                return not_found();
            };
            let mut model = lock(&shared.model);
            let releases = model.releases(&owner, &repo);
            match releases.iter().position(|r| r.id == id) {
                Some(i) => {
                    for asset in releases.remove(i).assets {
                        let _ = std::fs::remove_file(asset.path);
                    }
                    no_content()
                }
                None => not_found(),
            }
        }
        (Method::PATCH, [id]) => {
            let Ok(id) = id.parse::<i64>() else {
                return not_found();
            };
            update_release(shared, &owner, &repo, id, request).await
        }
        (Method::GET, [id]) => {
            let Ok(id) = id.parse::<i64>() else {
                return not_found();
            };
            let mut model = lock(&shared.model);
            match model.release(&owner, &repo, id) {
                Some(r) => json_response(StatusCode::OK, &release_json(urls, &owner, &repo, r)),
                None => not_found(),
            }
        }
        (Method::GET, [id, "assets"]) => {
            let Ok(id) = id.parse::<i64>() else {
                return not_found();
            };
            let assets: Option<Vec<Value>> = {
                let mut model = lock(&shared.model);
                model.release(&owner, &repo, id).map(|r| {
                    r.assets
                        .iter()
                        .map(|a| asset_json(urls, &owner, &repo, &r.tag_name, a))
                        .collect()
                })
            };
            let Some(assets) = assets else {
                return not_found();
            };
            let url = format!("{}/repos/{owner}/{repo}/releases/{id}/assets", urls.api);
            let (items, link) =
                model::page(&assets, number(&q, "per_page"), number(&q, "page"), &url);
            with_link(json_response(StatusCode::OK, &Value::Array(items)), link)
        }
        _ => not_found(),
    }
}

fn with_link(mut response: Response, link: Option<String>) -> Response {
    if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

async fn json_body(request: Request) -> Option<Value> {
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .ok()?;
    if bytes.is_empty() {
        return Some(json!({}));
    }
    serde_json::from_slice(&bytes).ok()
}

async fn create_release(shared: &Shared, owner: &str, repo: &str, request: Request) -> Response {
    let Some(body) = json_body(request).await else {
        return error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let Some(tag) = body.get("tag_name").and_then(Value::as_str) else {
        return validation_failed("Release", "tag_name", "missing_field");
    };
    let mut model = lock(&shared.model);
    if model
        .releases(owner, repo)
        .iter()
        .any(|r| r.tag_name == tag)
    {
        return validation_failed("Release", "tag_name", "already_exists");
    }
    let draft = body.get("draft").and_then(Value::as_bool).unwrap_or(false);
    let mut release = model.new_release(owner, repo, tag, draft);
    let id = release.id;
    if let Some(target) = body.get("target_commitish").and_then(Value::as_str) {
        release.target_commitish = target.to_owned();
    }
    release.name = body.get("name").and_then(Value::as_str).map(str::to_owned);
    release.body = body.get("body").and_then(Value::as_str).map(str::to_owned);
    release.prerelease = body
        .get("prerelease")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let json = release_json(&shared.urls, owner, repo, &release);
    model.releases(owner, repo).push(release);
    let mut response = json_response(StatusCode::CREATED, &json);
    if let Ok(location) = HeaderValue::from_str(&format!(
        "{}/repos/{owner}/{repo}/releases/{id}",
        shared.urls.api
    )) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `PATCH /repos/{owner}/{repo}/releases/{id}`: the fields given are applied;
/// `draft: false` publishes a draft (`published_at` set, immutable if the repository has
/// immutable releases on). An immutable release keeps its draft state: `draft: true` is
/// refused with GitHub's 422, while its name, notes and `prerelease` can still be edited.
/// `make_latest` and `discussion_category_name` are accepted and ignored (the fake keeps
/// no latest flag and no discussions).
async fn update_release(
    shared: &Shared,
    owner: &str,
    repo: &str,
    id: i64,
    request: Request,
) -> Response {
    let Some(body) = json_body(request).await else {
        return error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    let flag = |name: &str| body.get(name).and_then(Value::as_bool);
    let mut model = lock(&shared.model);
    let immutable_releases = model.immutable_releases(owner, repo);
    let Some(immutable) = model.release(owner, repo, id).map(|r| r.immutable) else {
        return not_found();
    };
    if immutable && flag("draft") == Some(true) {
        return validation_failed_with(
            "https://docs.github.com/rest/releases/releases#update-a-release",
            json!({"resource": "Release", "code": "custom", "message": "state cannot be changed when release is immutable"}),
        );
    }
    if let Some(tag) = text("tag_name")
        && model
            .releases(owner, repo)
            .iter()
            .any(|r| r.id != id && r.tag_name == tag)
    {
        return validation_failed("Release", "tag_name", "already_exists");
    }
    let Some(release) = model.release(owner, repo, id) else {
        return not_found();
    };
    if let Some(tag) = text("tag_name") {
        release.tag_name = tag;
    }
    if let Some(target) = text("target_commitish") {
        release.target_commitish = target;
    }
    if let Some(name) = text("name") {
        release.name = Some(name);
    }
    if let Some(notes) = text("body") {
        release.body = Some(notes);
    }
    if let Some(prerelease) = flag("prerelease") {
        release.prerelease = prerelease;
    }
    match flag("draft") {
        Some(false) if release.draft => release.publish(immutable_releases),
        Some(true) => release.draft = true,
        _ => {}
    }
    json_response(
        StatusCode::OK,
        &release_json(&shared.urls, owner, repo, release),
    )
}

async fn asset_endpoint(
    shared: &Shared,
    owner: &str,
    repo: &str,
    id: i64,
    method: Method,
    request: Request,
) -> Response {
    let wants_bytes = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/octet-stream"));
    match method {
        Method::GET => {
            let mut model = lock(&shared.model);
            let Some((tag, asset)) = find_asset(&mut model, owner, repo, id) else {
                return not_found();
            };
            if wants_bytes {
                let exp = Utc::now().timestamp() + 300;
                let location = format!(
                    "{}/assets/{id}?exp={exp}&sig={}",
                    shared.storage_url,
                    signature(&shared.secret, id, exp)
                );
                return Response::builder()
                    .status(StatusCode::FOUND)
                    .header(header::LOCATION, location)
                    .header(header::CONTENT_LENGTH, 0)
                    .body(Body::empty())
                    .unwrap_or_default();
            }
            json_response(
                StatusCode::OK,
                &asset_json(&shared.urls, owner, repo, &tag, &asset),
            )
        }
        Method::PATCH => {
            let Some(body) = json_body(request).await else {
                return error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
            };
            let mut model = lock(&shared.model);
            let Some((tag, _)) = find_asset(&mut model, owner, repo, id) else {
                return not_found();
            };
            if release_of_asset(&mut model, owner, repo, id).is_some_and(|r| r.immutable) {
                // Modelled, not recorded: GitHub refuses to edit an immutable release's
                // assets, but no answer of it has been seen; this is its delete's, reworded.
                return validation_failed_with(
                    "https://docs.github.com/rest/releases/assets#update-a-release-asset",
                    json!({"resource": "ReleaseAsset", "code": "custom", "message": "Cannot update asset of an immutable release"}),
                );
            }
            // One asset a name, as on upload: a rename onto another asset's name is refused
            // (modelled on the upload's 422; GitHub's answer to it is not recorded).
            if let Some(name) = body.get("name").and_then(Value::as_str)
                && release_of_asset(&mut model, owner, repo, id).is_some_and(|r| {
                    r.assets
                        .iter()
                        .any(|a| a.id != id && a.name == github_file_name(name))
                })
            {
                return validation_failed("ReleaseAsset", "name", "already_exists");
            }
            let Some(asset) = model.asset(owner, repo, id) else {
                return not_found();
            };
            if let Some(name) = body.get("name").and_then(Value::as_str) {
                asset.name = github_file_name(name);
            }
            if let Some(label) = body.get("label").and_then(Value::as_str) {
                asset.label = Some(label.to_owned());
            }
            if let Some(state) = body.get("state").and_then(Value::as_str) {
                asset.state = state.to_owned();
            }
            asset.updated_at = Utc::now();
            json_response(
                StatusCode::OK,
                &asset_json(&shared.urls, owner, repo, &tag, asset),
            )
        }
        Method::DELETE => {
            let mut model = lock(&shared.model);
            let Some(release) = release_of_asset(&mut model, owner, repo, id) else {
                return not_found();
            };
            if release.immutable {
                // GitHub's answer, as reported; the asset stays.
                return validation_failed_with(
                    "https://docs.github.com/rest/releases/assets#delete-a-release-asset",
                    json!({"resource": "ReleaseAsset", "code": "custom", "message": "Cannot delete asset from an immutable release"}),
                );
            }
            let Some(i) = release.assets.iter().position(|a| a.id == id) else {
                return not_found();
            };
            let asset = release.assets.remove(i);
            let _ = std::fs::remove_file(asset.path);
            no_content()
        }
        _ => not_found(),
    }
}

fn find_asset(
    model: &mut model::Model,
    owner: &str,
    repo: &str,
    id: i64,
) -> Option<(String, Asset)> {
    model.releases(owner, repo).iter().find_map(|r| {
        r.assets
            .iter()
            .find(|a| a.id == id)
            .map(|a| (r.tag_name.clone(), a.clone()))
    })
}

/// The release holding asset `id`.
fn release_of_asset<'a>(
    model: &'a mut model::Model,
    owner: &str,
    repo: &str,
    id: i64,
) -> Option<&'a mut Release> {
    model
        .releases(owner, repo)
        .iter_mut()
        .find(|r| r.assets.iter().any(|a| a.id == id))
}

fn signature(secret: &str, id: i64, exp: i64) -> String {
    format!("{:x}", Sha256::digest(format!("{secret}:{id}:{exp}")))
}

async fn upload(shared: &Shared, request: Request, fault: Option<&Fault>) -> Response {
    let segs = segments(&request);
    let seg: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (Method::POST, ["repos", owner, repo, "releases", release_id, "assets"]) =
        (request.method().clone(), seg.as_slice())
    else {
        return not_found();
    };
    let (owner, repo) = (decode(owner), decode(repo));
    let Ok(release_id) = release_id.parse::<i64>() else {
        return not_found();
    };
    let q = query(&request);
    let Some(name) = q.get("name").filter(|n| !n.is_empty()) else {
        return validation_failed("ReleaseAsset", "name", "missing_field");
    };
    let headers: HeaderMap = request.headers().clone();
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return validation_failed("ReleaseAsset", "content_type", "missing_field");
    };
    // GitHub needs the length up front; a chunked upload is refused.
    let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
    else {
        return error(StatusCode::LENGTH_REQUIRED, "Content-Length required");
    };
    let renamed = github_file_name(name);
    let place = {
        let mut model = lock(&shared.model);
        let Some(release) = model.release(&owner, &repo, release_id) else {
            return not_found();
        };
        if release.immutable {
            None
        } else if release.assets.iter().any(|a| a.name == renamed) {
            return validation_failed("ReleaseAsset", "name", "already_exists");
        } else {
            let tag = release.tag_name.clone();
            let id = model.next_id();
            Some((id, shared.dir.path().join(format!("asset-{id}")), tag))
        }
    };
    let Some((id, path, tag)) = place else {
        // GitHub's answer, as reported. Nothing is created, not even a `starter` asset:
        // a queued fault does not get that far.
        drain(request.into_body()).await;
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Cannot upload assets to an immutable release.",
        );
    };
    let now = Utc::now();
    let mut asset = Asset {
        id,
        name: renamed,
        label: q.get("label").cloned(),
        state: "starter".to_owned(),
        content_type,
        size: 0,
        digest: None,
        download_count: 0,
        path: path.clone(),
        created_at: now,
        updated_at: now,
    };
    if fault == Some(&Fault::BadGateway) {
        // The upstream failed after the asset was created: it stays, empty, as `starter`.
        drain(request.into_body()).await;
        let _ = std::fs::write(&path, b"");
        push_asset(shared, &owner, &repo, release_id, asset);
        return error(StatusCode::BAD_GATEWAY, "Server Error");
    }
    let written = write_body(request.into_body(), &path).await;
    let (size, sha) = match written {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return error(StatusCode::BAD_REQUEST, &format!("the body broke off: {e}"));
        }
    };
    if size != length {
        let _ = std::fs::remove_file(&path);
        return error(
            StatusCode::BAD_REQUEST,
            "the body's length is not its Content-Length",
        );
    }
    asset.state = "uploaded".to_owned();
    asset.size = size;
    asset.digest = if lock(&shared.model).no_digests {
        None
    } else if fault == Some(&Fault::WrongDigest) {
        Some(format!("sha256:{}", "0".repeat(64)))
    } else {
        Some(format!("sha256:{sha}"))
    };
    let json = asset_json(&shared.urls, &owner, &repo, &tag, &asset);
    push_asset(shared, &owner, &repo, release_id, asset);
    json_response(StatusCode::CREATED, &json)
}

fn push_asset(shared: &Shared, owner: &str, repo: &str, release_id: i64, asset: Asset) {
    if let Some(release) = lock(&shared.model).release(owner, repo, release_id) {
        release.assets.push(asset);
    }
}

/// Reads a request body to its end and drops it, so that the client, still sending, gets
/// the answer rather than a reset connection.
async fn drain(body: Body) {
    let mut body = body.into_data_stream();
    while let Some(Ok(_)) = body.next().await {}
}

/// Streams a request body to `path`, returning its size and sha256 (hex).
async fn write_body(body: Body, path: &std::path::Path) -> std::io::Result<(u64, String)> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut hasher = Sha256::new();
    let mut size = 0_u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(std::io::Error::other)?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    Ok((size, format!("{:x}", hasher.finalize())))
}

async fn storage(shared: &Shared, request: Request) -> Response {
    if request.headers().contains_key(header::AUTHORIZATION) {
        // As S3 answers a presigned URL that also carries a header credential.
        return Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .header(header::CONTENT_TYPE, "application/xml")
            .body(Body::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>",
            ))
            .unwrap_or_default();
    }
    let segs = segments(&request);
    let seg: Vec<&str> = segs.iter().map(String::as_str).collect();
    let ["assets", id] = seg.as_slice() else {
        return not_found();
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let q = query(&request);
    let exp: i64 = q.get("exp").and_then(|e| e.parse().ok()).unwrap_or(0);
    let signed = q
        .get("sig")
        .is_some_and(|s| *s == signature(&shared.secret, id, exp));
    if !signed || exp < Utc::now().timestamp() {
        return Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header(header::CONTENT_TYPE, "application/xml")
            .body(Body::from("<Error><Code>AccessDenied</Code><Message>Request has expired or the signature does not match</Message></Error>"))
            .unwrap_or_default();
    }
    let (path, size, content_type) = {
        let mut model = lock(&shared.model);
        let Some(asset) = model.asset_anywhere(id) else {
            return not_found();
        };
        asset.download_count += 1;
        (asset.path.clone(), asset.size, asset.content_type.clone())
    };
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| parse_range(r, size));
    let (start, end) = range.unwrap_or((0, size.saturating_sub(1)));
    let Ok(mut file) = tokio::fs::File::open(&path).await else {
        return not_found();
    };
    if start > 0 {
        use tokio::io::AsyncSeekExt;
        if file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
            return not_found();
        }
    }
    let length = if size == 0 { 0 } else { end + 1 - start };
    use tokio::io::AsyncReadExt;
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(length), 64 * 1024);
    let mut response = Response::builder()
        .status(if range.is_some() {
            StatusCode::PARTIAL_CONTENT
        } else {
            StatusCode::OK
        })
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, length)
        .header(header::ACCEPT_RANGES, "bytes");
    if range.is_some() {
        response = response.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"));
    }
    response.body(Body::from_stream(stream)).unwrap_or_default()
}

/// `bytes=START-` or `bytes=START-END` within a body of `size` bytes.
fn parse_range(value: &str, size: u64) -> Option<(u64, u64)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start: u64 = start.parse().ok()?;
    let end: u64 = if end.is_empty() {
        size.checked_sub(1)?
    } else {
        end.parse::<u64>().ok()?.min(size.checked_sub(1)?)
    };
    (start <= end).then_some((start, end))
}
