//! The loopback stand-in for GitHub that `cargo xtask bench` measures against. It answers
//! the way GitHub does (release look-ups, paged asset listings with `Link`, asset gets,
//! downloads answered 200 or by a 302 to a storage path, uploads answered with the
//! bytes' digest) and does as little as it can itself: JSON is serialized once up front,
//! files are read into memory once and served from there, and the digest an upload is
//! answered with is known beforehand, so the machine's cores go to the clients being
//! measured. GitHub's servers spend none of the user's CPU; a loopback server spends the
//! same cores as the client, so every cycle it saves is one the clients get back.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use serde_json::Value;

/// The release whose assets are the transfer files, each twice: answered 200 and by a 302.
pub const TRANSFERS: i64 = 1;
/// The release of [`LISTED`] small JSON-only assets, listed and fetched one by one.
pub const LISTING: i64 = 2;
/// The release of [`MANY`] small files, downloaded all at once.
pub const MANY_RELEASE: i64 = 3;
/// Assets in the [`LISTING`] release.
pub const LISTED: i64 = 1000;
/// Assets in the [`MANY_RELEASE`] release.
pub const MANY: i64 = 100;
/// The first id of the [`LISTING`] release's assets.
pub const FIRST_LISTED_ID: i64 = 1000;
/// The first id of the [`MANY_RELEASE`] release's assets.
const FIRST_MANY_ID: i64 = 100;
/// The ids of the [`MANY_RELEASE`] release's assets.
pub const MANY_IDS: std::ops::Range<i64> = FIRST_MANY_ID..FIRST_MANY_ID + MANY;

/// A file the stand-in serves and knows the digest of.
#[derive(Debug, Clone)]
pub struct File {
    pub path: PathBuf,
    pub bytes: u64,
    /// `sha256:…`, as GitHub gives it.
    pub digest: String,
}

/// An asset of the stand-in: its JSON, and the bytes it serves (none for listed assets).
struct Asset {
    id: i64,
    json: Bytes,
    file: Option<(Bytes, Served)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Served {
    Directly,
    ByRedirect,
}

struct Inner {
    base: String,
    assets: Vec<Asset>,
    files: Vec<File>,
}

/// A running stand-in, on its own runtime (one worker thread).
pub struct StandIn {
    pub url: String,
    _runtime: tokio::runtime::Runtime,
}

/// The most transfer files the stand-in serves: their ids (see [`transfer_ids`]) stay
/// below the other releases' assets.
pub const MAX_SIZES: usize = 9;

/// The asset ids of a transfer file: answered directly, and by a redirect to storage.
pub fn transfer_ids(index: usize) -> (i64, i64) {
    let base = 10 * (index as i64 + 1);
    (base, base + 1)
}

/// The name a transfer asset has, and so the name the tool saves it under.
pub fn transfer_name(file: &File, id: i64) -> String {
    let how = if id % 2 == 0 { "200" } else { "302" };
    format!("{}mib-{how}.bin", file.bytes >> 20)
}

impl StandIn {
    /// Starts the stand-in serving `transfers` (asset ids from [`transfer_ids`]), and
    /// `many` under [`MANY`] names in the [`MANY_RELEASE`] release.
    pub fn start(transfers: &[File], many: &File) -> Result<Self, Box<dyn std::error::Error>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let example = conformance::description::example("release-asset")
            .ok_or("the vendored description has no release-asset example")?;
        let asset = |id: i64,
                     name: &str,
                     file: Option<(&File, &Bytes, Served)>|
         -> Result<Asset, serde_json::Error> {
            let mut json = example.clone();
            json["id"] = id.into();
            json["name"] = name.into();
            json["url"] = format!("{url}/repos/o/r/releases/assets/{id}").into();
            json["browser_download_url"] = format!("{url}/o/r/releases/download/v1/{name}").into();
            json["state"] = "uploaded".into();
            if let Some((file, _, _)) = &file {
                json["size"] = file.bytes.into();
                json["digest"] = file.digest.clone().into();
            }
            Ok(Asset {
                id,
                json: serde_json::to_vec(&json)?.into(),
                file: file.map(|(_, bytes, how)| (bytes.clone(), how)),
            })
        };
        // In memory: served from the page cache, each 1 GiB download cost the stand-in
        // 0.5 to 0.9 CPU s (the reads, and their hops to tokio's blocking threads) of the
        // two cores the client runs on; from memory, 0.3 (the copy into the socket).
        let read = |file: &File| std::fs::read(&file.path).map(Bytes::from);
        let mut assets = Vec::new();
        for (index, file) in transfers.iter().enumerate() {
            let (direct, redirected) = transfer_ids(index);
            let bytes = read(file)?;
            assets.push(asset(
                direct,
                &transfer_name(file, direct),
                Some((file, &bytes, Served::Directly)),
            )?);
            assets.push(asset(
                redirected,
                &transfer_name(file, redirected),
                Some((file, &bytes, Served::ByRedirect)),
            )?);
        }
        for id in FIRST_LISTED_ID..FIRST_LISTED_ID + LISTED {
            assets.push(asset(id, &format!("listed-{id}.txt"), None)?);
        }
        let many_bytes = read(many)?;
        for id in MANY_IDS {
            assets.push(asset(
                id,
                &format!("many-{id}.bin"),
                Some((many, &many_bytes, Served::Directly)),
            )?);
        }
        let mut files = transfers.to_vec();
        files.push(many.clone());
        let state = Arc::new(Inner {
            base: url.clone(),
            assets,
            files,
        });
        let router = axum::Router::new()
            .route("/repos/o/r/releases/{id}", get(release))
            .route("/repos/o/r/releases/{id}/assets", get(list).post(upload))
            .route("/repos/o/r/releases/assets/{id}", get(asset_or_bytes))
            .route("/storage/{id}", get(storage))
            .with_state(state);
        runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            url,
            _runtime: runtime,
        })
    }
}

type Shared = State<Arc<Inner>>;

fn ids_of(release: i64) -> std::ops::Range<i64> {
    match release {
        TRANSFERS => 10..100,
        LISTING => FIRST_LISTED_ID..FIRST_LISTED_ID + LISTED,
        MANY_RELEASE => MANY_IDS,
        _ => 0..0,
    }
}

async fn release(State(inner): Shared, Path(id): Path<i64>) -> Response {
    let Some(mut json) = conformance::description::example("release") else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    json["id"] = id.into();
    json["upload_url"] = format!(
        "{}/repos/o/r/releases/{id}/assets{{?name,label}}",
        inner.base
    )
    .into();
    json["assets"] = Value::Array(Vec::new());
    json["draft"] = false.into();
    json["immutable"] = false.into();
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&json).unwrap_or_default(),
    )
}

#[derive(serde::Deserialize)]
struct Page {
    per_page: Option<usize>,
    page: Option<usize>,
}

/// A page of a release's assets, with GitHub's `Link` header.
async fn list(State(inner): Shared, Path(id): Path<i64>, Query(page): Query<Page>) -> Response {
    let per_page = page.per_page.unwrap_or(30).clamp(1, 100);
    let number = page.page.unwrap_or(1).max(1);
    let ids = ids_of(id);
    let all: Vec<&Asset> = inner
        .assets
        .iter()
        .filter(|a| ids.contains(&a.id))
        .collect();
    let pages = all.len().div_ceil(per_page).max(1);
    let mut body = b"[".to_vec();
    for (i, asset) in all
        .iter()
        .skip((number - 1) * per_page)
        .take(per_page)
        .enumerate()
    {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&asset.json);
    }
    body.push(b']');
    let mut response = json_response(StatusCode::OK, body);
    let link = |n: usize, rel: &str| {
        format!(
            "<{}/repos/o/r/releases/{id}/assets?per_page={per_page}&page={n}>; rel=\"{rel}\"",
            inner.base
        )
    };
    let mut links = Vec::new();
    if number < pages {
        links.push(link(number + 1, "next"));
        links.push(link(pages, "last"));
    }
    if number > 1 {
        links.push(link(1, "first"));
        links.push(link(number - 1, "prev"));
    }
    if let (false, Ok(value)) = (links.is_empty(), links.join(", ").parse()) {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

/// An asset's JSON, or its bytes when asked for `application/octet-stream`: directly or
/// by a 302 to storage, as GitHub does.
async fn asset_or_bytes(State(inner): Shared, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    let Some(asset) = inner.assets.iter().find(|a| a.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let wants_bytes = headers
        .get(header::ACCEPT)
        .is_some_and(|a| a.as_bytes() == b"application/octet-stream");
    match (&asset.file, wants_bytes) {
        (_, false) => json_response(StatusCode::OK, asset.json.to_vec()),
        (Some((bytes, Served::Directly)), true) => serve(bytes),
        (Some((_, Served::ByRedirect)), true) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, format!("/storage/{id}?sig=bench"))
            .body(Body::empty())
            .unwrap_or_default(),
        (None, true) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn storage(State(inner): Shared, Path(id): Path<i64>) -> Response {
    match inner
        .assets
        .iter()
        .find(|a| a.id == id)
        .and_then(|a| a.file.as_ref())
    {
        Some((bytes, _)) => serve(bytes),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct Named {
    name: Option<String>,
}

/// Reads the whole body and answers as GitHub's upload does, with the digest of the
/// stand-in's file of that size (the bench uploads only those).
async fn upload(State(inner): Shared, Query(named): Query<Named>, request: Request) -> Response {
    let mut body = request.into_body().into_data_stream();
    let mut size = 0_u64;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => size += chunk.len() as u64,
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    }
    let Some(mut asset) = conformance::description::example("release-asset") else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    asset["size"] = size.into();
    asset["name"] = named.name.unwrap_or_default().into();
    asset["state"] = "uploaded".into();
    asset["digest"] = inner
        .files
        .iter()
        .find(|f| f.bytes == size)
        .map(|f| f.digest.clone())
        .into();
    json_response(
        StatusCode::CREATED,
        serde_json::to_vec(&asset).unwrap_or_default(),
    )
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// A file's bytes, streamed in slices of 1 MiB (uncopied: they share the bytes in memory).
fn serve(bytes: &Bytes) -> Response {
    let slices = (0..bytes.len()).step_by(SLICE).map({
        let bytes = bytes.clone();
        move |at| Ok::<_, std::convert::Infallible>(bytes.slice(at..(at + SLICE).min(bytes.len())))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::CONTENT_LENGTH, bytes.len())
        .body(Body::from_stream(futures_util::stream::iter(slices)))
        .unwrap_or_default()
}

/// The size of each piece a download's body is sent in.
const SLICE: usize = 1 << 20;
