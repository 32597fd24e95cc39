//! The fake GitHub behaves as GitHub documents, checked through the client (and plain
//! reqwest where the client has no API yet), and its answers validate against the
//! vendored description.

use std::time::Duration;

use conformance::description;
use conformance::fake_github::{FakeGitHub, Fault, Host};
use conformance::schema;
use github_release_assets::types::{ReleaseAssetState, ReposCreateReleaseBody};
use github_release_assets::{Client, Error, Typed};
use serde_json::Value;

const OWNER: &str = "octocat";
const REPO: &str = "hello";

async fn setup() -> (FakeGitHub, Client, i64) {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url()).build().unwrap();
    let release = github.create_release(OWNER, REPO, "v1.0.0");
    (github, client, release)
}

async fn upload(
    client: &Client,
    release: i64,
    name: &str,
    bytes: &[u8],
) -> Result<github_release_assets::types::ReleaseAsset, Error> {
    let info = client
        .repos_get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await?
        .into_inner();
    client
        .for_upload_url(&info.upload_url)?
        .repos_upload_release_asset()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .name(name)
        .content_type("application/zip")
        .content_length(bytes.len() as i64)
        .body(bytes.to_vec())
        .send()
        .typed()
        .await
        .map(|r| r.into_inner())
}

/// A reqwest client that does not follow redirects, to see the 302 itself.
fn raw() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn assert_valid(operation: &str, status: u16, body: &Value) {
    let schema = schema::for_response(description::document().unwrap(), operation, status)
        .expect("documented schema");
    if let Err(errors) = schema::validate(&schema, body) {
        panic!("{operation} {status}: {errors:?}");
    }
}

#[tokio::test]
async fn upload_goes_to_the_uploads_host_is_renamed_and_digested() {
    let (github, client, release) = setup().await;
    let asset = upload(&client, release, "my tool (linux).zip", b"zip bytes")
        .await
        .unwrap();
    assert_eq!(asset.name, "my.tool.linux.zip");
    assert_eq!(asset.size, 9);
    let expected = {
        use sha2::Digest;
        format!("sha256:{:x}", sha2::Sha256::digest(b"zip bytes"))
    };
    assert_eq!(asset.digest.as_deref(), Some(expected.as_str()));
    let post = github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(post.host, Host::Uploads);
    assert_eq!(post.header("content-length"), Some("9"));

    let listed = client
        .repos_list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed, [asset]);
}

#[tokio::test]
async fn a_duplicate_name_is_a_422() {
    let (_github, client, release) = setup().await;
    upload(&client, release, "a.zip", b"one").await.unwrap();
    match upload(&client, release, "a.zip", b"two").await.unwrap_err() {
        Error::Unprocessable { errors, .. } => assert_eq!(errors[0]["code"], "already_exists"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_502_leaves_a_starter_asset_that_lists_and_parses() {
    let (github, client, release) = setup().await;
    github.inject(Host::Uploads, Fault::BadGateway);
    let error = upload(&client, release, "a.zip", b"bytes")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
    let listed = client
        .repos_list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, ReleaseAssetState::Other("starter".into()));
    // And it blocks the name until deleted.
    assert!(matches!(
        upload(&client, release, "a.zip", b"bytes").await,
        Err(Error::Unprocessable { .. })
    ));
    client
        .repos_delete_release_asset()
        .owner(OWNER)
        .repo(REPO)
        .asset_id(listed[0].id)
        .send()
        .typed()
        .await
        .unwrap();
    upload(&client, release, "a.zip", b"bytes").await.unwrap();
}

#[tokio::test]
async fn lists_are_paged_with_per_page_capped_at_100() {
    let (github, client, release) = setup().await;
    for i in 0..250 {
        github
            .add_asset(
                OWNER,
                REPO,
                release,
                &format!("part-{i}.bin"),
                "application/octet-stream",
                b"x",
            )
            .unwrap();
    }
    let first = client
        .repos_list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .per_page(500)
        .send()
        .typed()
        .await
        .unwrap();
    let link = first
        .headers()
        .get("link")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(first.into_inner().len(), 100);
    let base = format!(
        "{}/repos/{OWNER}/{REPO}/releases/{release}/assets",
        github.api_url()
    );
    assert_eq!(
        link,
        format!(
            "<{base}?per_page=100&page=2>; rel=\"next\", <{base}?per_page=100&page=3>; rel=\"last\""
        )
    );
    let last = client
        .repos_list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .per_page(100)
        .page(3)
        .send()
        .typed()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(last.len(), 50);
}

#[tokio::test]
async fn downloads_redirect_to_storage_which_refuses_authorization() {
    let (github, _client, release) = setup().await;
    let id = github
        .add_asset(
            OWNER,
            REPO,
            release,
            "a.bin",
            "application/octet-stream",
            b"0123456789",
        )
        .unwrap();
    let url = format!(
        "{}/repos/{OWNER}/{REPO}/releases/assets/{id}",
        github.api_url()
    );
    let found = raw()
        .get(&url)
        .header("accept", "application/octet-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(found.status().as_u16(), 302);
    let location = found.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(github.storage_url()), "{location}");

    let with_token = raw()
        .get(&location)
        .bearer_auth("secret")
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status().as_u16(), 400);
    let bytes = raw()
        .get(&location)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"0123456789");
    let partial = raw()
        .get(&location)
        .header("range", "bytes=4-")
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status().as_u16(), 206);
    assert_eq!(partial.headers()["content-range"], "bytes 4-9/10");
    assert_eq!(&partial.bytes().await.unwrap()[..], b"456789");
    assert_eq!(github.asset(id).unwrap().download_count, 2);

    let tampered = location.replace("sig=", "sig=0");
    assert_eq!(
        raw().get(&tampered).send().await.unwrap().status().as_u16(),
        403
    );
}

#[tokio::test]
async fn injected_faults() {
    let (github, _, release) = setup().await;
    // Faults are checked one request at a time: the client must not retry them away.
    let client = Client::builder(github.api_url())
        .retry(github_release_assets::RetryPolicy::none())
        .build()
        .unwrap();
    let id = github
        .add_asset(
            OWNER,
            REPO,
            release,
            "a.bin",
            "application/octet-stream",
            &[7_u8; 100_000],
        )
        .unwrap();

    github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(7),
            reset_in: None,
        },
    );
    match client
        .repos_get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await
        .unwrap_err()
    {
        Error::RateLimited {
            status: 429,
            retry_after,
            ..
        } => assert_eq!(retry_after, Some(Duration::from_secs(7))),
        other => panic!("{other:?}"),
    }
    github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 403,
            retry_after: None,
            reset_in: Some(60),
        },
    );
    match client
        .repos_get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await
        .unwrap_err()
    {
        Error::RateLimited {
            status: 403,
            reset: Some(_),
            ..
        } => {}
        other => panic!("{other:?}"),
    }

    github.inject(Host::Api, Fault::HtmlPage);
    assert!(matches!(
        client
            .repos_get_release()
            .owner(OWNER)
            .repo(REPO)
            .release_id(release)
            .send()
            .typed()
            .await,
        Err(Error::Decode { .. })
    ));

    let url = format!(
        "{}/repos/{OWNER}/{REPO}/releases/assets/{id}",
        github.api_url()
    );
    let location = raw()
        .get(&url)
        .header("accept", "application/octet-stream")
        .send()
        .await
        .unwrap()
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    github.inject(Host::Storage, Fault::CutMidBody);
    let cut = raw().get(&location).send().await.unwrap();
    assert_eq!(cut.headers()["content-length"], "100000");
    assert!(cut.bytes().await.is_err(), "a cut body read whole");
    github.inject(Host::Storage, Fault::SlowBody(Duration::from_millis(1)));
    assert_eq!(
        raw()
            .get(&location)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .len(),
        100_000
    );

    github.inject(Host::Uploads, Fault::WrongDigest);
    let asset = upload(&client, release, "b.zip", b"bytes").await.unwrap();
    assert_eq!(
        asset.digest.as_deref(),
        Some(format!("sha256:{}", "0".repeat(64)).as_str())
    );
}

#[tokio::test]
async fn a_token_can_be_required() {
    let github = FakeGitHub::start_with_token("ghs_faketoken").await.unwrap();
    let release = github.create_release(OWNER, REPO, "v1");
    let anonymous = Client::builder(github.api_url()).build().unwrap();
    let error = anonymous
        .repos_get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Authentication { status: 401, .. }),
        "{error:?}"
    );
    let authed = Client::builder(github.api_url())
        .token("ghs_faketoken")
        .build()
        .unwrap();
    authed
        .repos_get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .typed()
        .await
        .unwrap();
}

#[tokio::test]
async fn releases_are_created_looked_up_and_refused_twice() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url()).build().unwrap();
    let created = client
        .repos_create_release()
        .owner(OWNER)
        .repo(REPO)
        .body(ReposCreateReleaseBody::builder().tag_name("v2.0.0"))
        .send()
        .typed()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.headers().contains_key("location"));
    let created = created.into_inner();
    let by_tag = client
        .repos_get_release_by_tag()
        .owner(OWNER)
        .repo(REPO)
        .tag("v2.0.0")
        .send()
        .typed()
        .await
        .unwrap()
        .into_inner();
    let latest = client
        .repos_get_latest_release()
        .owner(OWNER)
        .repo(REPO)
        .send()
        .typed()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_tag, created);
    assert_eq!(latest, created);
    let again = client
        .repos_create_release()
        .owner(OWNER)
        .repo(REPO)
        .body(ReposCreateReleaseBody::builder().tag_name("v2.0.0"))
        .send()
        .typed()
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Unprocessable { .. }), "{again:?}");
    assert!(matches!(
        client
            .repos_get_release_by_tag()
            .owner(OWNER)
            .repo(REPO)
            .tag("v9")
            .send()
            .typed()
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn its_answers_validate_against_the_description() {
    let (github, _client, release) = setup().await;
    let id = github
        .add_asset(
            OWNER,
            REPO,
            release,
            "a.bin",
            "application/octet-stream",
            b"abc",
        )
        .unwrap();
    let http = raw();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", github.api_url());
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_valid(
        "repos/get-release",
        200,
        &get(format!("/repos/{OWNER}/{REPO}/releases/{release}")).await,
    );
    assert_valid(
        "repos/list-releases",
        200,
        &get(format!("/repos/{OWNER}/{REPO}/releases")).await,
    );
    assert_valid(
        "repos/get-latest-release",
        200,
        &get(format!("/repos/{OWNER}/{REPO}/releases/latest")).await,
    );
    assert_valid(
        "repos/get-release-by-tag",
        200,
        &get(format!("/repos/{OWNER}/{REPO}/releases/tags/v1.0.0")).await,
    );
    assert_valid(
        "repos/get-release-asset",
        200,
        &get(format!("/repos/{OWNER}/{REPO}/releases/assets/{id}")).await,
    );
    assert_valid(
        "repos/list-release-assets",
        200,
        &get(format!("/repos/{OWNER}/{REPO}/releases/{release}/assets")).await,
    );
    assert_valid(
        "repos/get-release-asset",
        404,
        &get(format!("/repos/{OWNER}/{REPO}/releases/assets/999")).await,
    );
}

#[test]
fn the_fake_and_the_client_rename_file_names_alike() {
    // Two models of one documented rule: the fake's (which must not import the client) and
    // the client's (which finds an existing asset by it). They must agree.
    for name in [
        "example.zip",
        "my file (1).zip",
        "c++ tool+extras.tar.gz",
        "100% done #1.txt",
        "résumé-日本.pdf",
        ".hidden-config.",
        "...",
        "a__b--c.d",
    ] {
        assert_eq!(
            conformance::fake_github::github_file_name(name),
            github_release_assets::github_file_name(name),
            "{name}"
        );
    }
}
