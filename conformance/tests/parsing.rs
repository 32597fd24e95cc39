//! The generated types parse what GitHub sends, including what its description does not
//! promise: new enum values, nulls, extra fields, large ids.

use conformance::description::example;
use github_release_assets::types::{
    Release, ReleaseAsset, ReleaseAssetState, ReleaseAssetStateKnown,
};
use serde_json::{Value, json};

fn release_asset() -> Value {
    example("release-asset").expect("release-asset example")
}

fn parse(value: Value) -> ReleaseAsset {
    serde_json::from_value(value).expect("asset parses")
}

#[test]
fn githubs_example_release_asset() {
    let asset = parse(release_asset());
    assert_eq!(asset.id, 1);
    assert_eq!(asset.name, "example.zip");
    assert_eq!(asset.label.as_deref(), Some("short description"));
    assert_eq!(
        asset.state,
        ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
    );
    assert_eq!(asset.content_type, "application/zip");
    assert_eq!(asset.size, 1024);
    assert_eq!(
        asset.digest.as_deref(),
        Some("sha256:2151b604e3429bff440b9fbc03eb3617bc2603cda96c95b9bb05277f9ddba255")
    );
    assert_eq!(
        asset.uploader.as_ref().map(|u| u.login.as_str()),
        Some("octocat")
    );
    assert_eq!(asset.created_at.to_rfc3339(), "2013-02-27T19:35:32+00:00");
}

#[test]
fn githubs_other_examples_parse() {
    let upload: ReleaseAsset =
        serde_json::from_value(example("release-asset-response-for-successful-upload").unwrap())
            .unwrap();
    assert_eq!(
        upload.state,
        ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
    );
    let items: Vec<ReleaseAsset> =
        serde_json::from_value(example("release-asset-items").unwrap()).unwrap();
    assert_eq!(items.len(), 1);
    let release: Release = serde_json::from_value(example("release").unwrap()).unwrap();
    assert_eq!(release.assets.len(), 1);
    let releases: Vec<Release> = serde_json::from_value(example("release-items").unwrap()).unwrap();
    assert_eq!(
        (releases[0].id, &releases[0].tag_name),
        (release.id, &release.tag_name)
    );
}

#[test]
fn an_asset_in_state_starter_parses_and_keeps_the_value() {
    let mut value = release_asset();
    value["state"] = json!("starter");
    let asset = parse(value);
    assert_eq!(asset.state, ReleaseAssetState::Other("starter".into()));
    assert_eq!(asset.state.to_string(), "starter");
    // ...and goes back out as it came in.
    assert_eq!(
        serde_json::to_value(&asset).unwrap()["state"],
        json!("starter")
    );
}

#[test]
fn null_label_digest_and_uploader() {
    let mut value = release_asset();
    value["label"] = Value::Null;
    value["digest"] = Value::Null;
    value["uploader"] = Value::Null;
    let asset = parse(value);
    assert_eq!(asset.label, None);
    assert_eq!(asset.digest, None);
    assert_eq!(asset.uploader, None);
}

#[test]
fn required_nullable_fields_may_be_absent() {
    // GitHub's answers from before mid-2025 (and older GitHub Enterprise Servers) carry no
    // `digest` key at all, though the description calls it required (and nullable).
    let mut value = release_asset();
    for field in ["digest", "label", "uploader"] {
        value.as_object_mut().unwrap().remove(field);
    }
    let asset = parse(value);
    assert_eq!(
        (asset.digest, asset.label, asset.uploader),
        (None, None, None)
    );
}

#[test]
fn a_required_field_that_is_not_nullable_missing_is_an_error_naming_it() {
    for field in ["name", "size", "state", "browser_download_url"] {
        let mut value = release_asset();
        value.as_object_mut().unwrap().remove(field);
        let error = serde_json::from_value::<ReleaseAsset>(value).unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("missing field `{field}`")),
            "{field}: {error}"
        );
    }
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let mut value = release_asset();
    value["a_field_github_added_later"] = json!({"nested": [1, 2, 3]});
    value["uploader"]["another_new_field"] = json!(true);
    let asset = parse(value);
    assert_eq!(asset.name, "example.zip");
}

#[test]
fn ids_above_two_to_the_32() {
    let mut value = release_asset();
    let big = (1_i64 << 32) + 7;
    value["id"] = json!(big);
    value["size"] = json!(5_i64 << 30);
    value["uploader"]["id"] = json!(big);
    let asset = parse(value);
    assert_eq!(asset.id, big);
    assert_eq!(asset.size, 5_i64 << 30);
    assert_eq!(asset.uploader.unwrap().id, big);
}

#[test]
fn a_list_with_one_starter_asset_parses_whole() {
    let uploaded = release_asset();
    let mut starter = release_asset();
    starter["id"] = json!(2);
    starter["name"] = json!("broken.zip");
    starter["state"] = json!("starter");
    starter["size"] = json!(0);
    let list: Vec<ReleaseAsset> = serde_json::from_value(json!([uploaded, starter])).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0].state,
        ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
    );
    assert_eq!(list[1].state, ReleaseAssetState::Other("starter".into()));
}

#[test]
fn a_state_of_the_wrong_type_is_still_an_error() {
    let mut value = release_asset();
    value["state"] = json!(3);
    assert!(serde_json::from_value::<ReleaseAsset>(value).is_err());
}
