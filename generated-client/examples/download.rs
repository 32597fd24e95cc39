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
    let release = client.repo(owner, repo).release_by_tag(tag).await?;
    std::fs::create_dir_all(dir)?;
    let mut assets = std::pin::pin!(release.assets());
    while let Some(asset) = assets.try_next().await? {
        // A name from the server is not trusted as a path.
        let Some(name) = local_file_name(&asset.name) else {
            eprintln!("skipping {:?}: not a plain file name", asset.name);
            continue;
        };
        let saved = asset
            .download_to(std::path::Path::new(dir).join(name))
            .await?;
        println!(
            "{} ({} bytes, {})",
            saved.path.display(),
            saved.size,
            saved.verification
        );
    }
    Ok(())
}
