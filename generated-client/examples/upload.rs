//! Upload files to a release found by tag (a draft too), replacing assets of the same name.
//!
//! `GITHUB_TOKEN=… cargo run --example upload -- OWNER/REPO TAG FILE…`
//! (`GITHUB_API_URL` selects GitHub Enterprise Server.)

use github_release_assets::{Client, GITHUB_API_URL};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(repository), Some(tag)) = (args.next(), args.next()) else {
        return Err("usage: upload OWNER/REPO TAG FILE…".into());
    };
    let (owner, repo) = repository.split_once('/').ok_or("OWNER/REPO")?;
    let api = std::env::var("GITHUB_API_URL").unwrap_or_else(|_| GITHUB_API_URL.to_owned());
    let client = Client::builder(api).token_from_env().build()?;
    let release = client.repo(owner, repo).release_by_tag(&tag).await?;
    for file in args {
        let uploaded = release.upload(&file).replace().await?;
        println!(
            "{file}: {:?} {} ({} bytes)",
            uploaded.outcome, uploaded.asset.browser_download_url, uploaded.asset.size
        );
    }
    Ok(())
}
