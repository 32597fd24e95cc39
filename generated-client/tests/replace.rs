//! `IfExists::Replace` never loses the asset: a fault injected at every request of the
//! sequence (list, upload under a temporary name, delete the old asset, rename the new one)
//! leaves the release with exactly one complete asset under the name, the old or the new
//! one, and no temporary or `starter` asset.

mod support;

use github_release_assets::{AssetHandle, Error, ReleaseHandle};
use github_release_assets_fake::{AssetInfo, Fault};
use support::{Fixture, RequestLog, sha256};

const TOKEN: &str = "ghs_replacetoken";
const OLD: &[u8] = b"the old tool, version 1";
const NEW: &[u8] = b"the new tool, version 2, longer";

/// A release holding `tool.zip` (the [`OLD`] bytes, labelled `Linux`), fetched; a local
/// `tool.zip` holding the [`NEW`] ones; a client that retries quickly.
async fn setup() -> (Fixture, ReleaseHandle) {
    let f = Fixture::builder()
        .token(TOKEN)
        .quick_retries()
        .start()
        .await;
    let old = f.add_asset_typed("tool.zip", "application/zip", OLD);
    f.asset(old).await.edit().label("Linux").await.unwrap();
    f.file("tool.zip", NEW);
    let release = f.release().await;
    (f, release)
}

/// The local `tool.zip` uploaded in place of the release's.
async fn replace(f: &Fixture, release: &ReleaseHandle) -> Result<AssetHandle, Error> {
    let uploaded = release.upload(f.path("tool.zip")).replace().await?;
    Ok(uploaded.asset)
}

/// The new bytes uploaded under another name, `new.zip`.
async fn upload_as_new(f: &Fixture, release: &ReleaseHandle) -> Result<AssetHandle, Error> {
    let uploaded = release.upload(f.path("tool.zip")).name("new.zip").await?;
    Ok(uploaded.asset)
}

/// The one asset of the release, which must be `tool.zip`, complete, old or new; `true`
/// when it is the new one.
fn the_one_complete_asset(assets: &[AssetInfo], case: &str) -> bool {
    assert_eq!(
        assets.len(),
        1,
        "{case}: the release should hold exactly one asset: {assets:?}"
    );
    let asset = &assets[0];
    assert_eq!(
        (asset.name.as_str(), asset.state.as_str()),
        ("tool.zip", "uploaded"),
        "{case}"
    );
    let old = (OLD.len() as u64, Some(sha256(OLD)));
    let new = (NEW.len() as u64, Some(sha256(NEW)));
    let found = (asset.size, asset.digest.clone());
    assert!(
        found == old || found == new,
        "{case}: not a complete asset: {asset:?}"
    );
    assert_eq!(asset.label.as_deref(), Some("Linux"), "{case}: the label");
    found == new
}

#[tokio::test]
async fn without_faults_the_new_bytes_replace_the_old_under_the_name_and_label() {
    let (f, release) = setup().await;
    let before = f.sent();
    let replaced = replace(&f, &release).await.unwrap();
    assert_eq!(
        (replaced.name.as_str(), replaced.size),
        ("tool.zip", NEW.len() as i64)
    );
    assert!(the_one_complete_asset(&f.assets(), "no fault"));
    // List, upload under a temporary name, delete the old asset, rename the new one.
    assert_eq!(
        f.requests_after(before).methods(),
        ["GET", "POST", "DELETE", "PATCH"]
    );
}

#[tokio::test]
async fn a_fault_at_any_request_leaves_one_complete_asset_and_nothing_temporary() {
    let faults = [
        Fault::BadGateway,
        Fault::AnswerLost,
        Fault::RateLimited {
            status: 429,
            retry_after: Some(0),
            reset_in: None,
        },
        Fault::CutMidBody,
        Fault::HtmlPage,
    ];
    let steps = {
        let (f, release) = setup().await;
        let before = f.sent();
        replace(&f, &release).await.unwrap();
        f.sent() - before
    };
    let mut outcomes = Vec::new();
    for step in 0..steps {
        for fault in &faults {
            let (f, release) = setup().await;
            f.github.inject_at(step, fault.clone());
            let result = replace(&f, &release).await;
            let case = format!("{fault:?} at request {step}");
            let assets = f.assets();
            let is_new = the_one_complete_asset(&assets, &case);
            match &result {
                Ok(asset) => {
                    assert!(is_new, "{case}: success, but the old bytes are there");
                    assert_eq!(asset.id, assets[0].id, "{case}");
                }
                Err(error) => assert!(
                    !error.to_string().contains(TOKEN),
                    "{case}: the token in {error}"
                ),
            }
            outcomes.push(format!(
                "{case}: {} ({} bytes under the name)",
                match &result {
                    Ok(_) => "replaced".to_owned(),
                    Err(error) => format!("error: {error}"),
                },
                assets[0].size
            ));
        }
    }
    // A 502 or a lost answer on any step is retried or recognised: every one replaces.
    for line in &outcomes {
        if line.starts_with("BadGateway") || line.starts_with("AnswerLost") {
            assert!(line.contains(": replaced"), "{line}");
        }
    }
    println!("{}", outcomes.join("\n"));
}

/// A rename that keeps failing after the old asset is gone cannot put the new asset
/// under the name: the error says so and names the asset, which is complete.
#[tokio::test]
async fn a_rename_that_keeps_failing_is_reported_with_the_new_asset() {
    let (f, release) = setup().await;
    // List, upload, delete: then every try of the rename (and its checks) fails.
    for n in 3..20 {
        f.github.inject_at(n, Fault::BadGateway);
    }
    let error = replace(&f, &release).await.unwrap_err();
    let Error::ReplaceIncomplete {
        asset_id,
        temporary,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    let message = error.to_string();
    assert!(
        message.contains(temporary.as_str()) && message.contains(&format!("id {asset_id}")),
        "{error}"
    );
    let asset = f.github.asset(*asset_id).unwrap();
    assert_eq!(&asset.name, temporary);
    assert_eq!(
        (asset.size, asset.digest),
        (NEW.len() as u64, Some(sha256(NEW)))
    );
}

/// After a 502 on upload, an `uploaded` asset of the name with the size and digest sent is
/// this upload: a success, not "already exists".
#[tokio::test]
async fn an_upload_whose_answer_was_lost_is_recognised() {
    let (f, release) = setup().await;
    f.github.inject_at(0, Fault::AnswerLost);
    let asset = upload_as_new(&f, &release).await.unwrap();
    assert_eq!(asset.name, "new.zip");
    assert_eq!(f.assets().len(), 2);
}

/// The delete of the old asset fails, and so does asking whether it is gone: the rename
/// tells (GitHub refuses it while the old asset holds the name), so the old asset stays,
/// the new one goes, and the delete's failure is reported.
#[tokio::test]
async fn when_it_cannot_tell_whether_the_old_asset_is_gone_the_rename_tells() {
    let (f, release) = setup().await;
    // List, upload; then the delete and its retries (4), and the look and its retries (4).
    for n in 2..10 {
        f.github.inject_at(n, Fault::BadGateway);
    }
    let error = replace(&f, &release).await.unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
    let assets = f.assets();
    assert!(
        !the_one_complete_asset(&assets, "undecided delete"),
        "the old asset should stay"
    );
}

/// After a 502 on a server that gives no digests, an uploaded asset of the name and size
/// is this upload (its size is all there is to tell), not "already exists".
#[tokio::test]
async fn a_lost_answer_on_a_server_without_digests_is_recognised_by_size() {
    let (f, release) = setup().await;
    f.github.set_digests(false);
    f.github.inject_at(0, Fault::AnswerLost);
    let asset = upload_as_new(&f, &release).await.unwrap();
    assert_eq!(
        (asset.name.as_str(), asset.digest.as_deref()),
        ("new.zip", None)
    );
}

/// The delete went through but its answer was lost, every retry failed, and asking whether
/// the old asset is gone failed too: the rename succeeds (the name is free), so the new
/// asset is kept under the name rather than removed with the old one gone.
#[tokio::test]
async fn when_the_old_asset_went_unseen_the_new_one_takes_the_name() {
    let (f, release) = setup().await;
    f.github.inject_at(2, Fault::AnswerLost);
    for n in 3..10 {
        f.github.inject_at(n, Fault::BadGateway);
    }
    let replaced = replace(&f, &release).await.unwrap();
    assert_eq!(replaced.name, "tool.zip");
    assert!(the_one_complete_asset(&f.assets(), "unseen delete"));
}

/// What earlier Replaces of the name left, killed between their steps: a complete temporary
/// asset holding these bytes is taken in place of uploading them again, another holding
/// them is removed, and so is a `starter` one older than the upload wait. Every other asset
/// (other bytes, a young `starter`, a name that is not one of this client's temporary
/// names) is another writer's, and stays as it was.
#[tokio::test]
async fn what_earlier_replaces_left_is_taken_or_removed_and_nothing_else_is_touched() {
    let (f, release) = setup().await;
    let temporary = |tail: &str| format!("tool.zip.replacing-{tail}");
    let ours = f.add_asset_typed(&temporary("00000000000000a1"), "application/zip", NEW);
    let ours_again = f.add_asset_typed(&temporary("00000000000000a2"), "application/zip", NEW);
    let others = f.add_asset_typed(&temporary("00000000000000b1"), "application/zip", OLD);
    let abandoned = f.add_asset_typed(&temporary("00000000000000c1"), "application/zip", b"");
    let young = f.add_asset_typed(&temporary("00000000000000c2"), "application/zip", b"");
    let not_a_temporary = f.add_asset_typed("tool.zip.replacing-x", "application/zip", NEW);
    for starter in [abandoned, young] {
        assert!(f.github.set_asset_state(starter, "starter"));
    }
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    assert!(f.github.set_asset_created_at(abandoned, an_hour_ago));
    let before = f.sent();

    let uploaded = release.upload(f.path("tool.zip")).replace().await.unwrap();
    assert_eq!(
        uploaded.outcome,
        github_release_assets::UploadOutcome::Replaced
    );
    assert_eq!(
        uploaded.asset.id, ours,
        "the complete temporary asset is taken"
    );
    assert_eq!(
        uploaded.verification.as_ref().map(|v| v.is_verified()),
        Some(true)
    );
    let sent = f.requests_after(before);
    assert_eq!(
        sent.on_host(github_release_assets_fake::Host::Uploads)
            .len(),
        0
    );
    let mut left: Vec<(i64, String)> = f.assets().into_iter().map(|a| (a.id, a.name)).collect();
    left.sort();
    let mut expected = vec![
        (ours, "tool.zip".to_owned()),
        (others, temporary("00000000000000b1")),
        (young, temporary("00000000000000c2")),
        (not_a_temporary, "tool.zip.replacing-x".to_owned()),
    ];
    expected.sort();
    assert_eq!(left, expected);
    let deleted: Vec<String> = sent.with_method("DELETE").calls();
    assert_eq!(
        deleted.len(),
        3,
        "the old asset, the second copy, the abandoned starter: {deleted:?}"
    );
    assert!(f.github.asset(ours_again).is_none());
    assert!(f.github.asset(abandoned).is_none());
}

/// Without an asset of the name (a Replace killed after its delete), a temporary asset an
/// earlier run left holding these bytes is renamed to the name: created, not uploaded.
#[tokio::test]
async fn a_temporary_asset_left_after_the_delete_is_renamed_to_the_name() {
    let f = Fixture::builder().token(TOKEN).start().await;
    f.file("tool.zip", NEW);
    let ours = f.add_asset_typed(
        "tool.zip.replacing-0123456789abcdef",
        "application/zip",
        NEW,
    );
    let release = f.release().await;
    let before = f.sent();
    let uploaded = release.upload(f.path("tool.zip")).replace().await.unwrap();
    assert_eq!(
        uploaded.outcome,
        github_release_assets::UploadOutcome::Created
    );
    assert_eq!(
        (uploaded.asset.id, uploaded.asset.name.as_str()),
        (ours, "tool.zip")
    );
    assert_eq!(
        f.requests_after(before).changes().calls(),
        [format!("PATCH /repos/o/r/releases/assets/{ours}")]
    );
}
