//! Upload files to a release found by tag.
//!
//! `GITHUB_TOKEN=… cargo run --example upload -- OWNER/REPO TAG FILE…`
//! (`GITHUB_API_URL` selects GitHub Enterprise Server.)

use github_release_assets::{Client, GITHUB_API_URL, IfExists, UploadOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(repository), Some(tag)) = (args.next(), args.next()) else {
        return Err("usage: upload OWNER/REPO TAG FILE…".into());
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
    for file in args {
        let name = std::path::Path::new(&file)
            .file_name()
            .ok_or("a file name")?
            .to_string_lossy()
            .into_owned();
        let asset = client
            .upload_asset_from_path(
                &release,
                &file,
                Some(UploadOptions::new(name).if_exists(IfExists::Replace)),
            )
            .await?;
        println!(
            "{} -> {} ({} bytes)",
            file, asset.browser_download_url, asset.size
        );
    }
    Ok(())
}
