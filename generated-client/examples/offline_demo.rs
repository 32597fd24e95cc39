//! Upload, list, download and verify an asset against the fake GitHub, on this machine
//! only: no token, no network. Run it with `cargo run --example offline_demo`.

use github_release_assets::{Client, IfExists, UploadOptions};
use github_release_assets_fake::FakeGitHub;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let github = FakeGitHub::start().await?;
    println!(
        "fake GitHub: API {}, uploads {}, storage {}",
        github.api_url(),
        github.uploads_url(),
        github.storage_url()
    );
    let release_id = github.create_release("octocat", "hello-world", "v1.0.0");

    let client = Client::builder(github.api_url()).build()?;
    let release = client
        .operations()
        .get_release_by_tag()
        .owner("octocat")
        .repo("hello-world")
        .tag("v1.0.0")
        .send()
        .await?;
    println!(
        "release {} (id {release_id}), uploads go to {}",
        release.tag_name, release.upload_url
    );

    let work = tempfile::tempdir()?;
    let source = work.path().join("hello tool (linux).tar.gz");
    let bytes: Vec<u8> = (0..2_000_000_u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&source, &bytes)?;
    let uploaded = client
        .upload_asset_from_path(
            &release,
            &source,
            Some(UploadOptions::new("hello tool (linux).tar.gz").if_exists(IfExists::Replace)),
        )
        .await?;
    println!(
        "uploaded {} bytes as {:?} ({}), digest {}",
        uploaded.size,
        uploaded.name,
        uploaded.content_type,
        uploaded.digest.as_deref().unwrap_or("none")
    );

    let assets = client
        .all_release_assets("octocat", "hello-world", release.id)
        .await?;
    for asset in &assets {
        println!(
            "listed: {} {} bytes, state {}",
            asset.name, asset.size, asset.state
        );
    }

    let target = work.path().join("downloaded.tar.gz");
    let saved = client
        .download_asset_to("octocat", "hello-world", &uploaded, &target)
        .await?;
    println!(
        "downloaded {} bytes to {}, sha256 {}",
        saved.size,
        saved.path.display(),
        saved.sha256
    );

    let same = std::fs::read(&target)? == bytes;
    println!(
        "verified: the downloaded file is {} the uploaded one",
        if same { "identical to" } else { "NOT" }
    );
    if !same {
        return Err("the round trip changed the bytes".into());
    }
    Ok(())
}
