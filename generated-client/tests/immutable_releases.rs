//! The release lifecycle immutable releases need, against the fake GitHub: a draft found by
//! tag, uploaded to, then published; a published immutable release's assets refused before
//! anything that changes state is sent, and GitHub's own 422s told apart.

use futures_util::TryStreamExt;
use github_release_assets::{AssetId, Client, Error, IfExists, ReleaseHandle, ReleaseId};
use github_release_assets_fake::{FakeGitHub, Fault, Host};

const TOKEN: &str = "ghs_immutabletoken";

async fn setup(draft: bool) -> (FakeGitHub, Client, i64) {
    let github = FakeGitHub::start_with_token(TOKEN).await.unwrap();
    github.set_immutable_releases("o", "r", true);
    let id = github.create_release_with("o", "r", "v1", draft);
    let client = Client::builder(github.api_url())
        .token(TOKEN)
        .build()
        .unwrap();
    (github, client, id)
}

/// Requests that change something: anything but GET.
fn changes(github: &FakeGitHub) -> Vec<String> {
    github
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn a_draft_is_found_by_tag_uploaded_to_then_published_and_locked() {
    let (github, client, id) = setup(true).await;
    // GitHub's tag look-up never returns a draft; the client lists to find it.
    let by_tag = client
        .operations()
        .get_release_by_tag()
        .owner("o")
        .repo("r")
        .tag("v1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(by_tag, Error::NotFound { .. }), "{by_tag:?}");
    let draft = client.repo("o", "r").release_by_tag("v1").await.unwrap();
    assert_eq!((draft.id, draft.draft), (id, true));
    assert!(!draft.assets_locked(), "a draft takes uploads");

    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "tool.zip", b"the tool");
    draft.upload(&path).await.map(|u| u.asset).unwrap();
    let published = draft.publish().await.unwrap();
    assert!(!published.draft);
    assert_eq!(published.immutable, Some(true));
    assert!(published.assets_locked());
    assert_eq!(published.assets.len(), 1);
    assert!(!github.release("o", "r", id).unwrap().draft);
    // Published: the tag look-up finds it now.
    let found = client.repo("o", "r").release_by_tag("v1").await.unwrap();
    assert_eq!(found.id, id);
}

#[tokio::test]
async fn an_unknown_tag_is_still_not_found() {
    let (_github, client, _) = setup(true).await;
    let error = client
        .repo("o", "r")
        .release_by_tag("v9")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

/// The published release, with one asset uploaded while it was a draft.
async fn locked_release(github: &FakeGitHub, client: &Client, id: i64) -> ReleaseHandle {
    github
        .add_asset("o", "r", id, "tool.zip", "application/zip", b"the tool")
        .unwrap();
    client
        .repo("o", "r")
        .publish_release(ReleaseId::new(id))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_locked_release_refuses_upload_replace_delete_and_edit_before_sending() {
    let (github, client, id) = setup(true).await;
    let release = locked_release(&github, &client, id).await;
    let asset_id = release.assets[0].id;
    let before = changes(&github);
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "tool.zip", b"another tool");

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
    // Listed through the release, or found by id (its release then looked up by the tag
    // in its download URL): either way the handle knows the release is locked.
    let listed: Vec<_> = release.assets().try_collect().await.unwrap();
    let by_id = client
        .repo("o", "r")
        .asset(AssetId::new(asset_id))
        .await
        .unwrap();
    assert_eq!(by_id.release().map(|r| r.id), Some(id));
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
    assert_eq!(changes(&github), before, "something was sent");
    let asset = github.asset(asset_id).unwrap();
    assert_eq!(asset.name, "tool.zip");
}

#[tokio::test]
async fn githubs_422s_about_immutability_are_typed_and_only_already_exists_is_a_duplicate() {
    let (github, client, id) = setup(true).await;
    let release = locked_release(&github, &client, id).await;
    let asset_id = release.assets[0].id;
    // Past the client's own check (the generated calls do not know the release): GitHub's
    // answers are what the client reads.
    let upload = client
        .for_upload_url(&release.upload_url)
        .unwrap()
        .operations()
        .upload_release_asset()
        .owner("o")
        .repo("r")
        .release_id(id)
        .name("tool.zip")
        .content_type("application/zip")
        .content_length(3)
        .body(b"abc".to_vec())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&upload, Error::ImmutableRelease { status: Some(422), message, .. }
            if message == "Cannot upload assets to an immutable release"),
        "{upload:?}"
    );
    let delete = client
        .operations()
        .delete_release_asset()
        .owner("o")
        .repo("r")
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
    assert!(github.asset(asset_id).is_some());

    // A duplicate name is the one 422 that means "already exists".
    let (github, client, id) = setup(true).await;
    let draft = client.repo("o", "r").release_by_tag("v1").await.unwrap();
    github
        .add_asset("o", "r", id, "tool.zip", "application/zip", b"the tool")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "tool.zip", b"another");
    let duplicate = draft.upload(&path).await.map(|u| u.asset).unwrap_err();
    assert!(
        matches!(&duplicate, Error::AlreadyExists { name } if name == "tool.zip"),
        "{duplicate:?}"
    );
}

#[tokio::test]
async fn a_draft_of_an_immutable_repository_takes_a_replace() {
    let (github, client, id) = setup(true).await;
    github
        .add_asset("o", "r", id, "tool.zip", "application/zip", b"old tool")
        .unwrap();
    let draft = client.repo("o", "r").release_by_tag("v1").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "tool.zip", b"new tool");
    github.inject(Host::Api, Fault::BadGateway);
    let replaced = draft
        .upload(&path)
        .name("tool.zip")
        .if_exists(IfExists::Replace)
        .await
        .map(|u| u.asset)
        .unwrap();
    assert_eq!((replaced.name.as_str(), replaced.size), ("tool.zip", 8));
    let assets = github.assets("o", "r", id);
    assert_eq!(assets.len(), 1, "{assets:?}");
}
