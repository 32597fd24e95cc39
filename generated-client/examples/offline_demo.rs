//! Upload, list, download and verify an asset against the fake GitHub, on this machine
//! only: no token, no network. Run it with `cargo run --example offline_demo`.

use futures_util::TryStreamExt;
use github_release_assets::Client;
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
    github.create_release("octocat", "hello-world", "v1.0.0");

    let client = Client::builder(github.api_url())
        .uploads_url(github.uploads_url())
        .build()?;
    let release = client
        .repo("octocat", "hello-world")
        .release_by_tag("v1.0.0")
        .await?;
    println!(
        "release {} (id {}), uploads go to {}",
        release.tag_name,
        release.id(),
        release.upload_url
    );

    let work = tempfile::tempdir()?;
    let source = work.path().join("hello tool (linux).tar.gz");
    let bytes: Vec<u8> = (0..2_000_000_u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&source, &bytes)?;
    let uploaded = release.upload(&source).replace().await?;
    let asset = &uploaded.asset;
    println!(
        "{:?}: {} bytes as {:?} ({}), {}",
        uploaded.outcome,
        asset.size,
        asset.name,
        asset.content_type,
        uploaded
            .verification
            .as_ref()
            .map_or("not checked".to_owned(), ToString::to_string)
    );

    let mut assets = std::pin::pin!(release.assets());
    while let Some(asset) = assets.try_next().await? {
        println!(
            "listed: {} {} bytes, state {}",
            asset.name, asset.size, asset.state
        );
    }

    let target = work.path().join("downloaded.tar.gz");
    let saved = asset.download_to(&target).require_digest().await?;
    println!(
        "downloaded {} bytes to {}, {}",
        saved.size,
        saved.path.display(),
        saved.verification
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
