//! The fake GitHub behaves as GitHub documents, checked through the client (and plain
//! reqwest where the client has no API yet), and its answers validate against the
//! vendored description.

use std::time::Duration;

use conformance::description;
use conformance::schema;
use github_release_assets::types::{
    CreateReleaseBody, Release, ReleaseAssetState, UpdateReleaseAssetBody, UpdateReleaseBody,
    UpdateReleaseBodyMakeLatest,
};
use github_release_assets::{Client, Error};
use github_release_assets_fake::{FakeGitHub, Fault, Host};
use serde_json::{Value, json};

const OWNER: &str = "octocat";
const REPO: &str = "hello";

async fn setup() -> (FakeGitHub, Client, i64) {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
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
        .operations()
        .get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await?;
    client
        .for_upload_url(&info.upload_url)?
        .operations()
        .upload_release_asset()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .name(name)
        .content_type("application/zip")
        .content_length(bytes.len() as i64)
        .body(bytes.to_vec())
        .send()
        .await
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
        .operations()
        .list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
        .unwrap();
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
        .operations()
        .list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, ReleaseAssetState::Other("starter".into()));
    // And it blocks the name until deleted.
    assert!(matches!(
        upload(&client, release, "a.zip", b"bytes").await,
        Err(Error::Unprocessable { .. })
    ));
    client
        .operations()
        .delete_release_asset()
        .owner(OWNER)
        .repo(REPO)
        .asset_id(listed[0].id)
        .send()
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
        .operations()
        .list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .per_page(500)
        .send_full()
        .await
        .unwrap();
    let link = first
        .headers()
        .get("link")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(first.into_body().len(), 100);
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
        .operations()
        .list_release_assets()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .per_page(100)
        .page(3)
        .send()
        .await
        .unwrap();
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
        .uploads_url(github.uploads_url())
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
        .operations()
        .get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
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
        .operations()
        .get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
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
            .operations()
            .get_release()
            .owner(OWNER)
            .repo(REPO)
            .release_id(release)
            .send()
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
    let anonymous = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let error = anonymous
        .operations()
        .get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Authentication { status: 401, .. }),
        "{error:?}"
    );
    let authed = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .token("ghs_faketoken")
        .build()
        .unwrap();
    authed
        .operations()
        .get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn releases_are_created_looked_up_and_refused_twice() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let created = client
        .operations()
        .create_release()
        .owner(OWNER)
        .repo(REPO)
        .body(CreateReleaseBody::builder().tag_name("v2.0.0"))
        .send_full()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.headers().contains_key("location"));
    let created = created.into_body();
    let by_tag = client
        .operations()
        .get_release_by_tag()
        .owner(OWNER)
        .repo(REPO)
        .tag("v2.0.0")
        .send()
        .await
        .unwrap();
    let latest = client
        .operations()
        .get_latest_release()
        .owner(OWNER)
        .repo(REPO)
        .send()
        .await
        .unwrap();
    assert_eq!(by_tag, created);
    assert_eq!(latest, created);
    let again = client
        .operations()
        .create_release()
        .owner(OWNER)
        .repo(REPO)
        .body(CreateReleaseBody::builder().tag_name("v2.0.0"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Unprocessable { .. }), "{again:?}");
    assert!(matches!(
        client
            .operations()
            .get_release_by_tag()
            .owner(OWNER)
            .repo(REPO)
            .tag("v9")
            .send()
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
            github_release_assets_fake::github_file_name(name),
            github_release_assets::github_file_name(name),
            "{name}"
        );
    }
}

/// The release as the client gets it.
async fn get_release(client: &Client, release: i64) -> Result<Release, Error> {
    client
        .operations()
        .get_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
}

async fn update_release(
    client: &Client,
    release: i64,
    body: UpdateReleaseBody,
) -> Result<Release, Error> {
    client
        .operations()
        .update_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .body(body)
        .send()
        .await
}

async fn list_releases(client: &Client) -> Vec<Release> {
    client
        .operations()
        .list_releases()
        .owner(OWNER)
        .repo(REPO)
        .send()
        .await
        .unwrap()
}

async fn by_tag(client: &Client, tag: &str) -> Result<Release, Error> {
    client
        .operations()
        .get_release_by_tag()
        .owner(OWNER)
        .repo(REPO)
        .tag(tag)
        .send()
        .await
}

fn publish() -> UpdateReleaseBody {
    UpdateReleaseBody {
        draft: Some(false),
        ..Default::default()
    }
}

/// GitHub refused with a 422 that says `words` (whichever variant the client makes of it).
fn assert_refused(error: &Error, words: &str) {
    assert_eq!(error.status(), Some(422), "{error:?}");
    assert!(error.to_string().contains(words), "{error}");
}

#[tokio::test]
async fn a_draft_is_not_found_by_tag_but_is_listed() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let seeded = github.create_release_with(OWNER, REPO, "v1.0.0-rc.1", true);
    let created = client
        .operations()
        .create_release()
        .owner(OWNER)
        .repo(REPO)
        .body(
            CreateReleaseBody::builder()
                .tag_name("v1.0.0-rc.2")
                .draft(true),
        )
        .send()
        .await
        .unwrap();
    for (tag, id) in [("v1.0.0-rc.1", seeded), ("v1.0.0-rc.2", created.id)] {
        let missing = by_tag(&client, tag).await.unwrap_err();
        assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
        let listed = list_releases(&client).await;
        let draft = listed
            .iter()
            .find(|r| r.id == id)
            .expect("the draft listed");
        assert!(draft.draft);
        assert_eq!(draft.published_at, None);
        assert_eq!(draft.immutable, Some(false));
        assert_eq!(get_release(&client, id).await.unwrap(), *draft);
    }
    // No published release: no latest either.
    assert!(matches!(
        client
            .operations()
            .get_latest_release()
            .owner(OWNER)
            .repo(REPO)
            .send()
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_draft_is_published_and_edited_by_patch() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let draft = github.create_release_with(OWNER, REPO, "v3.0.0", true);
    let asset = upload(&client, draft, "a.zip", b"bytes").await.unwrap();
    let published = update_release(&client, draft, publish()).await.unwrap();
    assert!(!published.draft);
    assert!(published.published_at.is_some());
    assert_eq!(published.immutable, Some(false));
    assert_eq!(published.assets, [asset]);
    assert_eq!(by_tag(&client, "v3.0.0").await.unwrap(), published);

    let edited = update_release(
        &client,
        draft,
        UpdateReleaseBody {
            tag_name: Some("v3.0.1".into()),
            target_commitish: Some("release".into()),
            name: Some("Three".into()),
            body: Some("Notes".into()),
            prerelease: Some(true),
            make_latest: Some(UpdateReleaseBodyMakeLatest::False),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (
            edited.tag_name.as_str(),
            edited.target_commitish.as_str(),
            edited.name.as_deref(),
            edited.body.as_deref(),
            edited.prerelease,
            edited.draft,
        ),
        (
            "v3.0.1",
            "release",
            Some("Three"),
            Some("Notes"),
            true,
            false
        )
    );
    assert_eq!(edited.published_at, published.published_at);
    assert_eq!(get_release(&client, draft).await.unwrap(), edited);

    // Back to a draft, while immutable releases are off.
    let again = update_release(
        &client,
        draft,
        UpdateReleaseBody {
            draft: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(again.draft);
    assert!(by_tag(&client, "v3.0.1").await.is_err());

    let missing = update_release(&client, 999_999, publish())
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
}

#[tokio::test]
async fn with_immutable_releases_on_a_published_release_is_immutable_everywhere() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let before = github.create_release(OWNER, REPO, "v0.9.0");
    github.set_immutable_releases(OWNER, REPO, true);
    let draft = github.create_release_with(OWNER, REPO, "v1.0.0", true);
    // A draft is mutable: assets go up to it before it is published.
    let asset = upload(&client, draft, "a.zip", b"bytes").await.unwrap();
    assert_eq!(
        get_release(&client, draft).await.unwrap().immutable,
        Some(false)
    );

    let published = update_release(&client, draft, publish()).await.unwrap();
    assert_eq!(published.immutable, Some(true));
    assert!(published.published_at.is_some());
    assert_eq!(published.assets, [asset]);
    assert_eq!(get_release(&client, draft).await.unwrap(), published);
    assert_eq!(by_tag(&client, "v1.0.0").await.unwrap(), published);
    let latest = client
        .operations()
        .get_latest_release()
        .owner(OWNER)
        .repo(REPO)
        .send()
        .await
        .unwrap();
    assert_eq!(latest, published);
    let listed = list_releases(&client).await;
    assert_eq!(listed.iter().find(|r| r.id == draft), Some(&published));
    // Published before the setting was on: still mutable.
    let old = listed.iter().find(|r| r.id == before).unwrap();
    assert_eq!(old.immutable, Some(false));

    // Created published through the API, and by the test API: immutable at once.
    let created = client
        .operations()
        .create_release()
        .owner(OWNER)
        .repo(REPO)
        .body(CreateReleaseBody::builder().tag_name("v1.1.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.immutable, Some(true));
    let seeded = github.create_release(OWNER, REPO, "v1.2.0");
    assert!(github.release(OWNER, REPO, seeded).unwrap().immutable);

    // Turning the setting off leaves immutable releases immutable.
    github.set_immutable_releases(OWNER, REPO, false);
    assert_eq!(
        get_release(&client, draft).await.unwrap().immutable,
        Some(true)
    );
    let later = github.create_release(OWNER, REPO, "v1.3.0");
    assert!(!github.release(OWNER, REPO, later).unwrap().immutable);
}

#[tokio::test]
async fn an_immutable_release_refuses_uploads_and_creates_no_asset() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .retry(github_release_assets::RetryPolicy::none())
        .build()
        .unwrap();
    github.set_immutable_releases(OWNER, REPO, true);
    let release = github.create_release(OWNER, REPO, "v1.0.0");
    let error = upload(&client, release, "a.zip", b"bytes")
        .await
        .unwrap_err();
    assert_refused(&error, "Cannot upload assets to an immutable release");
    assert!(github.assets(OWNER, REPO, release).is_empty());
    // Not even the `starter` a failing upload leaves behind.
    github.inject(Host::Uploads, Fault::BadGateway);
    let error = upload(&client, release, "a.zip", &[0_u8; 200_000])
        .await
        .unwrap_err();
    assert_refused(&error, "Cannot upload assets to an immutable release");
    assert!(github.assets(OWNER, REPO, release).is_empty());
    assert!(
        get_release(&client, release)
            .await
            .unwrap()
            .assets
            .is_empty()
    );
    let posts = github
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn an_immutable_releases_assets_cannot_be_deleted_or_edited() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    github.set_immutable_releases(OWNER, REPO, true);
    let release = github.create_release_with(OWNER, REPO, "v1.0.0", true);
    let asset = upload(&client, release, "a.zip", b"bytes").await.unwrap();
    update_release(&client, release, publish()).await.unwrap();
    let before = github.asset(asset.id).unwrap();

    let error = client
        .operations()
        .delete_release_asset()
        .owner(OWNER)
        .repo(REPO)
        .asset_id(asset.id)
        .send()
        .await
        .unwrap_err();
    assert_refused(&error, "Cannot delete asset from an immutable release");
    assert_eq!(github.asset(asset.id), Some(before.clone()));

    for body in [
        UpdateReleaseAssetBody {
            name: Some("b.zip".into()),
            ..Default::default()
        },
        UpdateReleaseAssetBody {
            label: Some("a label".into()),
            ..Default::default()
        },
    ] {
        let error = client
            .operations()
            .update_release_asset()
            .owner(OWNER)
            .repo(REPO)
            .asset_id(asset.id)
            .body(body)
            .send()
            .await
            .unwrap_err();
        assert_refused(&error, "Cannot update asset of an immutable release");
        assert_eq!(github.asset(asset.id), Some(before.clone()));
    }
    let got = client
        .operations()
        .get_release_asset()
        .owner(OWNER)
        .repo(REPO)
        .asset_id(asset.id)
        .send()
        .await
        .unwrap();
    assert_eq!(got, asset);
}

#[tokio::test]
async fn an_immutable_release_stays_published_but_its_notes_can_be_edited() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    github.set_immutable_releases(OWNER, REPO, true);
    let release = github.create_release(OWNER, REPO, "v1.0.0");
    let error = update_release(
        &client,
        release,
        UpdateReleaseBody {
            draft: Some(true),
            name: Some("never applied".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_refused(&error, "state cannot be changed when release is immutable");
    let info = github.release(OWNER, REPO, release).unwrap();
    assert!(!info.draft && info.published && info.immutable);
    assert_eq!(info.name.as_deref(), Some("v1.0.0"));

    let edited = update_release(
        &client,
        release,
        UpdateReleaseBody {
            name: Some("One".into()),
            body: Some("Fixed notes".into()),
            prerelease: Some(true),
            make_latest: Some(UpdateReleaseBodyMakeLatest::Legacy),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.immutable, Some(true));
    assert_eq!(edited.name.as_deref(), Some("One"));
    assert_eq!(edited.body.as_deref(), Some("Fixed notes"));
    assert!(edited.prerelease && !edited.draft);
    // Publishing what is published changes nothing.
    let same = update_release(&client, release, publish()).await.unwrap();
    assert_eq!(same, edited);
}

#[tokio::test]
async fn a_release_is_deleted_with_its_assets_immutable_or_not() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()
        .unwrap();
    let mutable = github.create_release(OWNER, REPO, "v1.0.0");
    github.set_immutable_releases(OWNER, REPO, true);
    let immutable = github.create_release_with(OWNER, REPO, "v2.0.0", true);
    let mut assets = Vec::new();
    for release in [mutable, immutable] {
        assets.push(
            upload(&client, release, "a.zip", b"bytes")
                .await
                .unwrap()
                .id,
        );
    }
    update_release(&client, immutable, publish()).await.unwrap();
    assert!(github.release(OWNER, REPO, immutable).unwrap().immutable);

    for (release, asset) in [mutable, immutable].into_iter().zip(assets) {
        let deleted = client
            .operations()
            .delete_release()
            .owner(OWNER)
            .repo(REPO)
            .release_id(release)
            .send_full()
            .await
            .unwrap();
        assert_eq!(deleted.status().as_u16(), 204);
        assert!(github.release(OWNER, REPO, release).is_none());
        assert!(github.asset(asset).is_none());
        assert!(matches!(
            get_release(&client, release).await,
            Err(Error::NotFound { .. })
        ));
        let again = client
            .operations()
            .delete_release()
            .owner(OWNER)
            .repo(REPO)
            .release_id(release)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(again, Error::NotFound { .. }), "{again:?}");
    }
    assert!(list_releases(&client).await.is_empty());
}

#[tokio::test]
async fn the_new_routes_take_faults_and_are_recorded() {
    let github = FakeGitHub::start().await.unwrap();
    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .retry(github_release_assets::RetryPolicy::none())
        .build()
        .unwrap();
    let release = github.create_release_with(OWNER, REPO, "v1.0.0", true);
    github.inject(Host::Api, Fault::BadGateway);
    let error = update_release(&client, release, publish())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert!(github.release(OWNER, REPO, release).unwrap().draft);
    github.inject(
        Host::Api,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(1),
            reset_in: None,
        },
    );
    let error = client
        .operations()
        .delete_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 429, .. }),
        "{error:?}"
    );
    assert!(github.release(OWNER, REPO, release).is_some());
    update_release(&client, release, publish()).await.unwrap();
    client
        .operations()
        .delete_release()
        .owner(OWNER)
        .repo(REPO)
        .release_id(release)
        .send()
        .await
        .unwrap();
    let path = format!("/repos/{OWNER}/{REPO}/releases/{release}");
    let seen: Vec<(String, String)> = github
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let expected = ["PATCH", "DELETE", "PATCH", "DELETE"].map(|m| (m.to_owned(), path.clone()));
    assert_eq!(seen, expected);
    let patch = github
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(patch.host, Host::Api);
    assert_eq!(patch.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn the_answers_of_the_new_routes_validate_against_the_description() {
    let github = FakeGitHub::start().await.unwrap();
    github.set_immutable_releases(OWNER, REPO, true);
    let draft = github.create_release_with(OWNER, REPO, "v1.0.0", true);
    let asset = github
        .add_asset(
            OWNER,
            REPO,
            draft,
            "a.bin",
            "application/octet-stream",
            b"abc",
        )
        .unwrap();
    let http = raw();
    let base = format!("{}/repos/{OWNER}/{REPO}/releases", github.api_url());
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).unwrap()
        };
        (status, json)
    };

    let (status, body) = send(
        http.patch(format!("{base}/{draft}"))
            .json(&json!({"draft": false})),
    )
    .await;
    assert_eq!(
        (status, &body["immutable"], &body["draft"]),
        (200, &json!(true), &json!(false))
    );
    assert_valid("repos/update-release", 200, &body);
    for (operation, path) in [
        ("repos/get-release", format!("{base}/{draft}")),
        ("repos/get-release-by-tag", format!("{base}/tags/v1.0.0")),
        ("repos/get-latest-release", format!("{base}/latest")),
        ("repos/list-releases", base.clone()),
    ] {
        let (status, body) = send(http.get(path)).await;
        assert_eq!(status, 200);
        assert_valid(operation, 200, &body);
    }
    let (status, body) = send(
        http.patch(format!("{base}/999"))
            .json(&json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    assert_valid("repos/update-release", 404, &body);
    let (status, body) = send(http.delete(format!("{base}/999"))).await;
    assert_eq!(status, 404);
    assert_valid("repos/delete-release", 404, &body);

    // The 422s of an immutable release: the description documents no body for them, so
    // they are GitHub's answers as reported, exactly.
    let uploads = format!(
        "{}/repos/{OWNER}/{REPO}/releases/{draft}/assets?name=b.bin",
        github.uploads_url()
    );
    let (status, body) = send(
        http.post(uploads)
            .header("content-type", "application/octet-stream")
            .body("abc"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"message": "Cannot upload assets to an immutable release.", "documentation_url": "https://docs.github.com/rest", "status": "422"})
    );
    let (status, body) = send(http.delete(format!("{base}/assets/{asset}"))).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "message": "Validation Failed",
            "errors": [{"resource": "ReleaseAsset", "code": "custom", "message": "Cannot delete asset from an immutable release"}],
            "documentation_url": "https://docs.github.com/rest/releases/assets#delete-a-release-asset",
            "status": "422"
        })
    );
    let (status, body) = send(
        http.patch(format!("{base}/assets/{asset}"))
            .json(&json!({"label": "x"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!([{"resource": "ReleaseAsset", "code": "custom", "message": "Cannot update asset of an immutable release"}])
    );
    let (status, body) = send(
        http.patch(format!("{base}/{draft}"))
            .json(&json!({"draft": true})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "message": "Validation Failed",
            "errors": [{"resource": "Release", "code": "custom", "message": "state cannot be changed when release is immutable"}],
            "documentation_url": "https://docs.github.com/rest/releases/releases#update-a-release",
            "status": "422"
        })
    );

    let (status, body) = send(http.delete(format!("{base}/{draft}"))).await;
    assert_eq!((status, body), (204, Value::Null));
}

/// `Fault::Status` answers with the status asked for, and a message naming that status
/// (not always "Service Unavailable").
#[tokio::test]
async fn a_status_fault_says_which_status() {
    let github = FakeGitHub::start().await.unwrap();
    let url = format!("{}/repos/{OWNER}/{REPO}/releases", github.api_url());
    for (status, reason) in [
        (500, "Internal Server Error (fake)"),
        (503, "Service Unavailable (fake)"),
        (504, "Gateway Timeout (fake)"),
    ] {
        github.inject(Host::Api, Fault::Status(status));
        let answer = reqwest::get(&url).await.unwrap();
        assert_eq!(answer.status().as_u16(), status);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["message"], reason);
    }
}

/// A test's own struct holding the fake can derive `Debug`: it shows the three origins, and
/// never the token it requires.
#[tokio::test]
async fn the_fake_debugs_as_its_origins() {
    let github = FakeGitHub::start_with_token("ghs_debugtoken")
        .await
        .unwrap();
    let shown = format!("{github:?}");
    for origin in [github.api_url(), github.uploads_url(), github.storage_url()] {
        assert!(shown.contains(origin), "{shown}");
    }
    assert!(!shown.contains("ghs_debugtoken"), "{shown}");
}

/// `Fault::BadGateway` on the storage host is a 502 from storage (the download's redirect
/// to it is answered as usual), and the next request is served.
#[tokio::test]
async fn a_bad_gateway_on_storage_is_a_502_there() {
    let (github, _client, release) = setup().await;
    let id = github
        .add_asset(
            OWNER,
            REPO,
            release,
            "a.bin",
            "application/octet-stream",
            b"bytes",
        )
        .unwrap();
    let http = raw();
    let asset = format!(
        "{}/repos/{OWNER}/{REPO}/releases/assets/{id}",
        github.api_url()
    );
    let location =
        |answer: &reqwest::Response| answer.headers()["location"].to_str().unwrap().to_owned();
    github.inject(Host::Storage, Fault::BadGateway);
    let redirect = http
        .get(&asset)
        .header("accept", "application/octet-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status().as_u16(), 302);
    let storage = location(&redirect);
    assert!(storage.starts_with(github.storage_url()), "{storage}");
    assert_eq!(
        http.get(&storage).send().await.unwrap().status().as_u16(),
        502
    );
    let again = http.get(&storage).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(again.bytes().await.unwrap().as_ref(), b"bytes");
}

/// A redirect loop's own hops take none of the faults queued after it: the next request
/// outside the loop meets them.
#[tokio::test]
async fn a_redirect_loop_leaves_later_faults_queued() {
    let github = FakeGitHub::start().await.unwrap();
    let url = format!("{}/repos/{OWNER}/{REPO}/releases", github.api_url());
    github.inject(Host::Api, Fault::RedirectLoop);
    github.inject(Host::Api, Fault::BadGateway);
    let follows_five = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap();
    assert!(
        follows_five
            .get(&url)
            .send()
            .await
            .unwrap_err()
            .is_redirect()
    );
    assert_eq!(reqwest::get(&url).await.unwrap().status().as_u16(), 502);
    assert_eq!(reqwest::get(&url).await.unwrap().status().as_u16(), 200);
}
