//! Download every asset of a release found by tag into a directory, each verified against
//! its digest.
//!
//! `GITHUB_TOKEN=… cargo run --example download -- OWNER/REPO TAG DIR`

use futures_util::TryStreamExt;
use github_release_assets::{Client, GITHUB_API_URL, local_file_name};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [repository, tag, dir] = args.as_slice() else {
        return Err("usage: download OWNER/REPO TAG DIR".into());
    };
    let (owner, repo) = repository.split_once('/').ok_or("OWNER/REPO")?;
    let api = std::env::var("GITHUB_API_URL").unwrap_or_else(|_| GITHUB_API_URL.to_owned());
    let client = Client::builder(api).token_from_env().build()?;
    let release = client
        .operations()
        .get_release_by_tag()
        .owner(owner)
        .repo(repo)
        .tag(tag.as_str())
        .send()
        .await?;
    std::fs::create_dir_all(dir)?;
    let mut assets = std::pin::pin!(client.release_assets(owner, repo, release.id));
    while let Some(asset) = assets.try_next().await? {
        // A name from the server is not trusted as a path.
        if local_file_name(&asset.name).is_none() {
            eprintln!("skipping {:?}: not a plain file name", asset.name);
            continue;
        }
        let saved = client
            .download_asset_to(
                owner,
                repo,
                &asset,
                std::path::Path::new(dir).join(&asset.name),
            )
            .await?;
        println!(
            "{} ({} bytes, sha256 {})",
            saved.path.display(),
            saved.size,
            saved.sha256
        );
    }
    Ok(())
}
