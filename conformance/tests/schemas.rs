//! A change of the description shows in review: the JSON Schema of every generated type,
//! and a summary of every operation of the vendored description, are snapshotted.

use github_release_assets::types;

/// The generated source, to check that the list below names every generated type.
const GENERATED: &str = include_str!("../../generated-client/src/generated.rs");

/// Snapshots the schema of each type named, and records the names.
macro_rules! schemas {
    ($($ty:ident),* $(,)?) => {
        const TYPES: &[&str] = &[$(stringify!($ty)),*];

        #[test]
        fn each_generated_type_has_a_schema_snapshot() {
            insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
                $(insta::assert_json_snapshot!(concat!("schema__", stringify!($ty)), schemars::schema_for!(types::$ty));)*
            });
        }
    };
}

schemas!(
    GithubError,
    ReactionRollup,
    Release,
    ReleaseAsset,
    ReleaseAssetState,
    ReleaseAssetStateKnown,
    CreateReleaseBody,
    CreateReleaseBodyMakeLatest,
    UpdateReleaseAssetBody,
    UpdateReleaseBody,
    UpdateReleaseBodyMakeLatest,
    SimpleUser,
);

/// The public types of the generated `types` module (aliases too), read from the source.
fn generated_types() -> Vec<String> {
    let start = GENERATED
        .find("\npub mod types {\n")
        .expect("a types module");
    let end = GENERATED[start + 1..]
        .find("\n}\n")
        .map_or(GENERATED.len(), |e| start + 1 + e);
    let mut names: Vec<String> = GENERATED[start..end]
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("    pub struct ")
                .or_else(|| line.strip_prefix("    pub enum "))
                // A type that is the same Rust as another is an alias of it, by its own name.
                .or_else(|| line.strip_prefix("    pub type "))?;
            Some(
                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()?
                    .to_owned(),
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_list_names_every_generated_type() {
    let mut listed: Vec<String> = TYPES.iter().map(|s| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(
        listed,
        generated_types(),
        "update the schemas! list in this file"
    );
}

#[test]
fn each_operation_of_the_description_has_a_summary_snapshot() {
    let ids = conformance::description::operation_ids();
    assert_eq!(ids.len(), 14);
    for id in ids {
        let summary = conformance::description::operation_summary(&id).expect("summary");
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!(format!("operation__{}", id.replace('/', "__")), summary);
        });
    }
}
