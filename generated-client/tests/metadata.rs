//! The metadata operations against a loopback server: what goes on the wire, what comes
//! back, and how GitHub's errors surface.

mod support;

use github_release_assets::types::{
    CreateReleaseBody, ReleaseAssetState, ReleaseAssetStateKnown, UpdateReleaseAssetBody,
};
use github_release_assets::{Client, Error};
use serde_json::{Value, json};
use support::{answer_once, example, get_latest_release, json_answer};
use wiremock::{MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ghs_loopbacktesttoken";

/// A client of `server` that sends [`TOKEN`].
fn client(server: &MockServer) -> Client {
    support::mock_client(server, Some(TOKEN))
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The headers every request must carry, and the one it must not.
fn assert_github_headers(request: &Request) {
    assert_eq!(
        header(request, "accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(header(request, "x-github-api-version"), Some("2026-03-10"));
    assert!(
        header(request, "user-agent").is_some_and(|ua| ua.starts_with("github-release-assets/")),
        "user-agent: {:?}",
        header(request, "user-agent")
    );
    assert_eq!(
        header(request, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        header(request, "api-version"),
        None,
        "the description's version leaked as a header"
    );
}

fn json_body(request: &Request) -> Value {
    assert_eq!(header(request, "content-type"), Some("application/json"));
    serde_json::from_slice(&request.body).expect("JSON body")
}

#[tokio::test]
async fn get_release_asset() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases/assets/5000000001",
        json_answer(200, example("release-asset")),
    )
    .await;
    let asset = client(&server)
        .operations()
        .get_release_asset()
        .owner("octo")
        .repo("hello")
        .asset_id(5_000_000_001_i64)
        .send()
        .await
        .unwrap();
    assert_eq!(asset.name, "example.zip");
    assert_eq!(
        asset.state,
        ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
    );
    let request = only_request(&server).await;
    assert_github_headers(&request);
    assert!(request.body.is_empty());
    assert_eq!(request.url.query(), None);
}

/// A handle's `asset(id)` sends what the generated `get_release_asset` sends (it takes a
/// lighter path to the wire), and answers as it does: the asset, GitHub's 404, a body that
/// is not an asset, a proxy's page. Owners with characters a path must escape included.
#[tokio::test]
async fn a_handles_asset_get_sends_and_answers_as_the_operation() {
    use github_release_assets::AssetId;
    let answers = [
        json_answer(200, example("release-asset")),
        json_answer(404, json!({"message": "Not Found"})),
        json_answer(200, json!({"id": "not a number"})),
        ResponseTemplate::new(401).set_body_string("<html>proxy</html>"),
    ];
    let owners = ["octo", "o?o", "o/o", "o o", "50%", "é#"];
    // A GitHub Enterprise Server's API sits below a path, given with or without a `/`.
    let bases = ["", "/api/v3", "/api/v3/"];
    let cases = answers
        .into_iter()
        .cycle()
        .zip(owners)
        .zip(bases.into_iter().cycle());
    for ((answer, owner), base) in cases {
        let server = MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let client = Client::builder(format!("{}{base}", server.uri()))
            .token(TOKEN)
            .build()
            .unwrap();
        let id = 5_000_000_001_i64;
        let by_handle = client.repo(owner, "hello").asset(AssetId::new(id)).await;
        let by_operation = client
            .operations()
            .get_release_asset()
            .owner(owner)
            .repo("hello")
            .asset_id(id)
            .send()
            .await;
        match (&by_handle, &by_operation) {
            (Ok(handle), Ok(asset)) => assert_eq!(**handle, *asset),
            (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            other => panic!("the two differ: {other:?}"),
        }
        let requests = server.received_requests().await.expect("recording is on");
        let [handle, operation] = &requests[..] else {
            panic!("expected two requests, got {}", requests.len());
        };
        assert_github_headers(handle);
        assert_eq!(handle.method, operation.method);
        assert_eq!(handle.url, operation.url, "owner {owner:?}");
        assert!(
            handle
                .url
                .path()
                .starts_with(&format!("{}/repos/", base.trim_end_matches('/')))
                && handle
                    .url
                    .path()
                    .ends_with("/hello/releases/assets/5000000001"),
            "{}",
            handle.url
        );
        let sorted = |r: &Request| {
            let mut headers: Vec<_> = r
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect();
            headers.sort();
            headers
        };
        assert_eq!(sorted(handle), sorted(operation));
    }
}

#[tokio::test]
async fn list_release_assets_sends_paging_query() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases/7/assets",
        json_answer(200, example("release-asset-items")),
    )
    .await;
    let assets = client(&server)
        .operations()
        .list_release_assets()
        .owner("octo")
        .repo("hello")
        .release_id(7)
        .per_page(100)
        .page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(assets.len(), 1);
    let request = only_request(&server).await;
    assert_github_headers(&request);
    let mut query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    query.sort();
    assert_eq!(
        query,
        [
            ("page".to_owned(), "2".to_owned()),
            ("per_page".to_owned(), "100".to_owned())
        ]
    );
}

#[tokio::test]
async fn update_release_asset_sends_only_what_was_set() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "PATCH",
        "/repos/octo/hello/releases/assets/1",
        json_answer(200, example("release-asset")),
    )
    .await;
    client(&server)
        .operations()
        .update_release_asset()
        .owner("octo")
        .repo("hello")
        .asset_id(1)
        .body(UpdateReleaseAssetBody {
            name: Some("foo-1.0.0-osx.zip".into()),
            label: Some("Mac binary".into()),
            state: None,
        })
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_github_headers(&request);
    assert_eq!(
        json_body(&request),
        json!({"name": "foo-1.0.0-osx.zip", "label": "Mac binary"})
    );
}

#[tokio::test]
async fn delete_release_asset() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "DELETE",
        "/repos/octo/hello/releases/assets/1",
        ResponseTemplate::new(204),
    )
    .await;
    let response = client(&server)
        .operations()
        .delete_release_asset()
        .owner("octo")
        .repo("hello")
        .asset_id(1)
        .send_full()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_github_headers(&only_request(&server).await);
}

#[tokio::test]
async fn release_look_ups() {
    let server = MockServer::start().await;
    let release = example("release");
    for at in ["7", "latest", "tags/v1.0.0"] {
        let at = format!("/repos/octo/hello/releases/{at}");
        answer_once(&server, "GET", &at, json_answer(200, &release)).await;
    }
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases",
        json_answer(200, json!([release])),
    )
    .await;
    let client = client(&server);

    let by_id = client
        .operations()
        .get_release()
        .owner("octo")
        .repo("hello")
        .release_id(7)
        .send()
        .await
        .unwrap();
    let latest = get_latest_release(&client).await.unwrap();
    let by_tag = client
        .operations()
        .get_release_by_tag()
        .owner("octo")
        .repo("hello")
        .tag("v1.0.0")
        .send()
        .await
        .unwrap();
    let all = client
        .operations()
        .list_releases()
        .owner("octo")
        .repo("hello")
        .per_page(30)
        .send()
        .await
        .unwrap();
    assert_eq!(by_id, latest);
    assert_eq!(by_id, by_tag);
    assert_eq!(all, std::slice::from_ref(&by_id));
    assert_eq!(
        by_id.upload_url,
        "https://uploads.github.com/repos/octocat/Hello-World/releases/1/assets{?name,label}"
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_github_headers(request);
        assert_eq!(request.method.as_str(), "GET");
    }
    assert_eq!(requests[3].url.query(), Some("per_page=30"));
}

#[tokio::test]
async fn create_release_sends_only_what_was_set() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "POST",
        "/repos/octo/hello/releases",
        json_answer(201, example("release")),
    )
    .await;
    let release = client(&server)
        .operations()
        .create_release()
        .owner("octo")
        .repo("hello")
        .body(CreateReleaseBody::builder().tag_name("v1.0.0").draft(true))
        .send_full()
        .await
        .unwrap();
    assert_eq!(release.status().as_u16(), 201);
    let request = only_request(&server).await;
    assert_github_headers(&request);
    assert_eq!(
        json_body(&request),
        json!({"tag_name": "v1.0.0", "draft": true})
    );
}

#[tokio::test]
async fn a_404_is_not_found_with_githubs_message() {
    let server = MockServer::start().await;
    let body = json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"});
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases/assets/9",
        json_answer(404, &body),
    )
    .await;
    // An undocumented 404 (list assets documents 200 only) is typed the same way.
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases/9/assets",
        json_answer(404, &body),
    )
    .await;
    let client = client(&server);
    let documented = client
        .operations()
        .get_release_asset()
        .owner("octo")
        .repo("hello")
        .asset_id(9)
        .send()
        .await
        .unwrap_err();
    let undocumented = client
        .operations()
        .list_release_assets()
        .owner("octo")
        .repo("hello")
        .release_id(9)
        .send()
        .await
        .unwrap_err();
    for error in [documented, undocumented] {
        match &error {
            Error::NotFound {
                message,
                documentation_url,
            } => {
                assert_eq!(message, "Not Found");
                assert_eq!(
                    documentation_url.as_deref(),
                    Some("https://docs.github.com/rest")
                );
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert!(!format!("{error} {error:?}").contains(TOKEN));
    }
}

#[tokio::test]
async fn a_422_is_unprocessable_with_githubs_message_and_errors() {
    let server = MockServer::start().await;
    let body = json!({
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": "already_exists", "field": "tag_name"}],
        "documentation_url": "https://docs.github.com/rest/releases/releases#create-a-release",
        "status": "422"
    });
    answer_once(
        &server,
        "POST",
        "/repos/octo/hello/releases",
        json_answer(422, &body),
    )
    .await;
    let error = client(&server)
        .operations()
        .create_release()
        .owner("octo")
        .repo("hello")
        .body(CreateReleaseBody::builder().tag_name("v1.0.0"))
        .send()
        .await
        .unwrap_err();
    match &error {
        Error::Unprocessable {
            message, errors, ..
        } => {
            assert_eq!(message, "Validation Failed");
            assert_eq!(errors[0]["code"], "already_exists");
        }
        other => panic!("expected Unprocessable, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "GitHub refused the request (422): Validation Failed (Release tag_name already_exists)"
    );
}

#[tokio::test]
async fn without_a_token_no_authorization_is_sent() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases/latest",
        json_answer(200, example("release")),
    )
    .await;
    let client = support::mock_client(&server, None);
    get_latest_release(&client).await.unwrap();
    assert_eq!(header(&only_request(&server).await, "authorization"), None);
}

#[tokio::test]
async fn a_success_status_with_a_body_that_is_not_json_is_a_decode_error() {
    let server = MockServer::start().await;
    answer_once(
        &server,
        "GET",
        "/repos/octo/hello/releases/latest",
        ResponseTemplate::new(200).set_body_string("<html>Unicorn!</html>"),
    )
    .await;
    let error = get_latest_release(&client(&server)).await.unwrap_err();
    match error {
        Error::Decode { excerpt, .. } => assert_eq!(excerpt, "<html>Unicorn!</html>"),
        other => panic!("expected Decode, got {other:?}"),
    }
}
