//! The release lifecycle immutable releases need, against the fake GitHub: a draft found by
//! tag, uploaded to, then published; a published immutable release's assets refused before
//! anything that changes state is sent, and GitHub's own 422s told apart.

mod support;

use futures_util::TryStreamExt;
use github_release_assets::{AssetId, Error, IfExists, ReleaseHandle, ReleaseId};
use github_release_assets_fake::{Fault, Host};
use support::{Fixture, RequestLog, TAG};

const TOKEN: &str = "ghs_immutabletoken";

/// A repository with immutable releases whose release is a draft, and a client that
/// sends [`TOKEN`].
async fn setup() -> Fixture {
    Fixture::builder()
        .token(TOKEN)
        .immutable_releases()
        .draft()
        .start()
        .await
}

#[tokio::test]
async fn a_draft_is_found_by_tag_uploaded_to_then_published_and_locked() {
    let f = setup().await;
    // GitHub's tag look-up never returns a draft; the client lists to find it.
    let by_tag = f
        .client
        .operations()
        .get_release_by_tag()
        .owner(support::OWNER)
        .repo(support::REPO)
        .tag(TAG)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(by_tag, Error::NotFound { .. }), "{by_tag:?}");
    let draft = f.repo().release_by_tag(TAG).await.unwrap();
    assert_eq!((draft.id, draft.draft), (f.release_id(), true));
    assert!(!draft.assets_locked(), "a draft takes uploads");

    let path = f.file("tool.zip", b"the tool");
    draft.upload(&path).await.map(|u| u.asset).unwrap();
    let published = draft.publish().await.unwrap();
    assert!(!published.draft);
    assert_eq!(published.immutable, Some(true));
    assert!(published.assets_locked());
    assert_eq!(published.assets.len(), 1);
    assert!(!f.github.release("o", "r", f.release_id()).unwrap().draft);
    // Published: the tag look-up finds it now.
    let found = f.repo().release_by_tag(TAG).await.unwrap();
    assert_eq!(found.id, f.release_id());
}

#[tokio::test]
async fn an_unknown_tag_is_still_not_found() {
    let f = setup().await;
    let error = f.repo().release_by_tag("v9").await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

/// The published release, with one asset uploaded while it was a draft.
async fn locked_release(f: &Fixture) -> ReleaseHandle {
    f.add_asset_typed("tool.zip", "application/zip", b"the tool");
    let id = ReleaseId::new(f.release_id());
    f.repo().publish_release(id).await.unwrap()
}

#[tokio::test]
async fn a_locked_release_refuses_upload_replace_delete_and_edit_before_sending() {
    let f = setup().await;
    let release = locked_release(&f).await;
    let asset_id = release.assets[0].id;
    let before = f.sent();
    let path = f.file("tool.zip", b"another tool");

    let mut refusals = vec![
        release
            .upload(&path)
            .name("new.zip")
            .await
            .map(|u| u.asset)
            .unwrap_err(),
        release
            .upload(&path)
            .name("tool.zip")
            .if_exists(IfExists::Replace)
            .await
            .map(|u| u.asset)
            .unwrap_err(),
    ];
    // Listed through the release, or found by id (one request; its release is looked up by
    // the tag in its download URL before a change): either way the lock is found first.
    let listed: Vec<_> = release.assets().try_collect().await.unwrap();
    let mark = f.sent();
    let by_id = f.repo().asset(AssetId::new(asset_id)).await.unwrap();
    assert_eq!(f.sent() - mark, 1, "the asset, by id, is one request");
    assert!(by_id.release().is_none());
    for asset in [&listed[0], &by_id] {
        refusals.push(asset.delete().await.unwrap_err());
        refusals.push(asset.edit().name("renamed.zip").await.unwrap_err());
    }
    for error in &refusals {
        assert!(
            matches!(error, Error::ImmutableRelease { status: None, .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("v1"), "{message}");
        assert!(
            message.contains("upload to a draft release, then publish it"),
            "{message}"
        );
    }
    assert_eq!(
        f.requests_after(before).changes().calls(),
        Vec::<String>::new(),
        "something was sent"
    );
    let asset = f.github.asset(asset_id).unwrap();
    assert_eq!(asset.name, "tool.zip");
}

#[tokio::test]
async fn githubs_422s_about_immutability_are_typed_and_only_already_exists_is_a_duplicate() {
    let f = setup().await;
    let release = locked_release(&f).await;
    let asset_id = release.assets[0].id;
    // Past the client's own check (the generated operations): GitHub's answers are what
    // the client reads.
    let upload = f
        .upload_unchecked(&release, "tool.zip", "application/zip", b"abc".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(&upload, Error::ImmutableRelease { status: Some(422), message, .. }
            if message == "Cannot upload assets to an immutable release"),
        "{upload:?}"
    );
    let delete = f
        .client
        .operations()
        .delete_release_asset()
        .owner(support::OWNER)
        .repo(support::REPO)
        .asset_id(asset_id)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &delete,
            Error::ImmutableRelease {
                status: Some(422),
                ..
            }
        ),
        "{delete:?}"
    );
    assert!(f.github.asset(asset_id).is_some());

    // A duplicate name is the one 422 that means "already exists".
    let f = setup().await;
    let draft = f.repo().release_by_tag(TAG).await.unwrap();
    f.add_asset_typed("tool.zip", "application/zip", b"the tool");
    let path = f.file("tool.zip", b"another");
    let duplicate = draft.upload(&path).await.map(|u| u.asset).unwrap_err();
    assert!(
        matches!(&duplicate, Error::AlreadyExists { name } if name == "tool.zip"),
        "{duplicate:?}"
    );
}

#[tokio::test]
async fn a_draft_of_an_immutable_repository_takes_a_replace() {
    let f = setup().await;
    f.add_asset_typed("tool.zip", "application/zip", b"old tool");
    let draft = f.repo().release_by_tag(TAG).await.unwrap();
    let path = f.file("tool.zip", b"new tool");
    f.github.inject(Host::Api, Fault::BadGateway);
    let replaced = draft
        .upload(&path)
        .name("tool.zip")
        .if_exists(IfExists::Replace)
        .await
        .map(|u| u.asset)
        .unwrap();
    assert_eq!((replaced.name.as_str(), replaced.size), ("tool.zip", 8));
    let assets = f.assets();
    assert_eq!(assets.len(), 1, "{assets:?}");
}

/// A release job run again after its release was published: Skip finds the asset it would
/// upload there already and keeps it, sending nothing that changes state; a name the
/// locked release does not have is still refused.
#[tokio::test]
async fn skip_existing_on_a_locked_release_keeps_the_asset_that_is_there() {
    let f = setup().await;
    let release = locked_release(&f).await;
    let asset_id = release.assets[0].id;
    let before = f.sent();
    let path = f.file("tool.zip", b"the tool, built again");
    let kept = release.upload(&path).skip_existing().await.unwrap();
    assert_eq!(kept.outcome, github_release_assets::UploadOutcome::Kept);
    assert_eq!((kept.asset.id, kept.verification), (asset_id, None));
    let missing = release
        .upload(&path)
        .name("other.zip")
        .skip_existing()
        .await
        .map(|u| u.asset)
        .unwrap_err();
    assert!(
        matches!(missing, Error::ImmutableRelease { status: None, .. }),
        "{missing:?}"
    );
    assert_eq!(
        f.requests_after(before).changes().calls(),
        Vec::<String>::new(),
        "something was sent"
    );
}

/// A Replace whose release is published (by a job beside it) after its new bytes went up
/// under a temporary name: GitHub refuses the delete of the old asset, and the Replace
/// stops there, deleting nothing else, and says so, naming the temporary asset it could
/// not remove. Scripted, as the moment of the publishing must fall between two requests.
#[tokio::test]
async fn a_release_published_mid_replace_stops_before_deleting_and_names_what_is_left() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let bytes = b"the new tool".to_vec();
    let mut release: github_release_assets::types::Release =
        serde_json::from_value(support::example("release")).unwrap();
    release.id = 1;
    release.assets.clear();
    release.upload_url = format!(
        "{}/repos/octo/hello/releases/1/assets{{?name,label}}",
        server.uri()
    );
    let asset = |id: i64, name: &str, content: &[u8]| {
        let mut asset = support::example_asset(id);
        asset.name = name.to_owned();
        asset.size = content.len() as i64;
        asset.digest = Some(support::sha256(content));
        serde_json::to_value(asset).unwrap()
    };
    let locked = serde_json::json!({
        "message": "Cannot delete asset from an immutable release",
        "documentation_url": "https://docs.github.com/rest/releases/assets#delete-a-release-asset",
    });
    Mock::given(method("GET"))
        .and(path_regex("^/repos/octo/hello/releases/1/assets$"))
        .respond_with(support::json_answer(200, [asset(10, "tool.zip", b"old")]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/repos/octo/hello/releases/1/assets$"))
        .respond_with(support::json_answer(
            201,
            asset(11, "tool.zip.replacing-x", &bytes),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path_regex("^/repos/octo/hello/releases/assets/1[01]$"))
        .respond_with(support::json_answer(422, locked))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = support::mock_client(&server, Some(TOKEN));
    let dir = support::temp_dir();
    let path = support::file(dir.path(), "tool.zip", &bytes);
    let error = client
        .repo("octo", "hello")
        .release_from(release)
        .upload(&path)
        .replace()
        .await
        .map(|u| u.asset)
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::ImmutableRelease { .. }), "{error:?}");
    for said in [
        "it was published while \"tool.zip\" was being replaced: nothing was deleted",
        "the new bytes stay in the release as \"tool.zip.replacing-",
        "(asset 11), which could not be removed",
    ] {
        assert!(message.contains(said), "{said} not in {message}");
    }
    // The old asset's delete, refused, and the temporary one's, refused; no rename.
    let deletes: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method == wiremock::http::Method::DELETE)
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        deletes,
        [
            "/repos/octo/hello/releases/assets/10",
            "/repos/octo/hello/releases/assets/11"
        ]
    );
}
