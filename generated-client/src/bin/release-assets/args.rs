//! The command line: what `release-assets` accepts, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use github_release_assets::{ReleaseId, ReleaseRef};

/// List, upload, download, verify, delete and edit the assets of GitHub releases, and publish
/// a draft release.
///
/// The token comes from GITHUB_TOKEN, or else GH_TOKEN; without one, requests go
/// anonymously (enough to read public repositories).
#[derive(Debug, Parser)]
#[command(name = "release-assets", version)]
pub struct Cli {
    /// The API's base URL: GitHub Enterprise Server's `https://HOST/api/v3`, or any
    /// compatible server.
    #[arg(
        long,
        global = true,
        env = "GITHUB_API_URL",
        default_value = github_release_assets::GITHUB_API_URL
    )]
    pub api_url: String,

    /// An uploads host the token may go to besides the API's own (`uploads.github.com` for
    /// `api.github.com`, the API's host for GitHub Enterprise Server). A release whose
    /// `upload_url` names any other host is refused.
    #[arg(long, global = true, env = "GITHUB_UPLOADS_URL", value_name = "URL")]
    pub uploads_url: Option<String>,

    /// PEM certificates to trust besides the system's, for the API, uploads and storage
    /// hosts: a GitHub Enterprise Server whose certificate a private authority signed.
    #[arg(
        long,
        global = true,
        env = "RELEASE_ASSETS_ROOT_CERTIFICATES",
        value_name = "PEM_FILE"
    )]
    pub root_certificates: Option<PathBuf>,

    /// Allow plain http to a host that is not loopback (the token travels in clear).
    #[arg(long, global = true)]
    pub allow_http: bool,

    /// Follow redirects (a download's to storage) to loopback, private or link-local
    /// addresses though the API is not on one: for storage on an internal address behind a
    /// public API name.
    #[arg(long, global = true)]
    pub allow_internal_redirects: bool,

    /// Seconds a connection may stay silent before the request fails; an idempotent
    /// request (a listing, a download, a delete) is then sent again. 0 waits forever.
    /// Connecting times out after 30 s.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60)]
    pub read_timeout: u64,

    /// How many times a failed idempotent request (5xx, a broken or stalled connection, a
    /// rate limit) is sent again, waiting as GitHub asks or longer each time. 0 turns
    /// retries off.
    #[arg(long, global = true, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// Print the result as JSON on standard output.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List a release's assets.
    List {
        /// The repository, as OWNER/REPO.
        #[arg(value_name = "OWNER/REPO")]
        repository: Repository,
        #[command(flatten)]
        release: WhichRelease,
    },
    /// Upload files to a release.
    Upload(Upload),
    /// Download a release's assets into a directory, each verified against its digest if it
    /// has one.
    Download(Download),
    /// Delete an asset.
    Delete {
        /// The repository, as OWNER/REPO.
        #[arg(value_name = "OWNER/REPO")]
        repository: Repository,
        #[command(flatten)]
        asset: WhichAsset,
    },
    /// Rename or relabel an asset.
    Edit(Edit),
    /// Check local files against the release's assets of the same names: size and digest.
    ///
    /// Exit status 0 when every file matches; 1 with a line for each that differs, is not
    /// in the release, or cannot be verified (the asset has no digest).
    Verify {
        /// The repository, as OWNER/REPO.
        #[arg(value_name = "OWNER/REPO")]
        repository: Repository,
        #[command(flatten)]
        release: NamedRelease,
        /// The files to check; each is compared with the asset of its file name.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Publish a draft release.
    ///
    /// On a repository with immutable releases its assets are locked from then on: upload
    /// to the draft first.
    Publish {
        /// The repository, as OWNER/REPO.
        #[arg(value_name = "OWNER/REPO")]
        repository: Repository,
        #[command(flatten)]
        release: NamedRelease,
    },
}

/// `OWNER/REPO`.
#[derive(Debug, Clone)]
pub struct Repository {
    pub owner: String,
    pub repo: String,
}

impl std::str::FromStr for Repository {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('/') {
            Some((owner, repo)) if !owner.is_empty() && !repo.is_empty() && !repo.contains('/') => {
                Ok(Self {
                    owner: owner.to_owned(),
                    repo: repo.to_owned(),
                })
            }
            _ => Err(format!("{s:?} is not OWNER/REPO")),
        }
    }
}

/// One release: by tag, by id, or the latest.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct WhichRelease {
    /// The release's tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// The release's id.
    #[arg(long = "release", value_name = "ID")]
    pub release_id: Option<i64>,
    /// The latest published release (not a draft or prerelease).
    #[arg(long)]
    pub latest: bool,
}

/// A release by tag or id (uploads go to a named release, never to "the latest").
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct NamedRelease {
    /// The release's tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// The release's id.
    #[arg(long = "release", value_name = "ID")]
    pub release_id: Option<i64>,
}

impl WhichRelease {
    /// The library's name for the release chosen.
    pub fn to_ref(&self) -> ReleaseRef {
        match (&self.tag, self.release_id) {
            (Some(tag), _) => ReleaseRef::Tag(tag.clone()),
            (None, Some(id)) => ReleaseRef::Id(ReleaseId::new(id)),
            (None, None) => ReleaseRef::Latest,
        }
    }
}

impl From<NamedRelease> for WhichRelease {
    fn from(r: NamedRelease) -> Self {
        Self {
            tag: r.tag,
            release_id: r.release_id,
            latest: false,
        }
    }
}

/// One asset: by id, or by its name in a release.
#[derive(Debug, Clone, Args)]
pub struct WhichAsset {
    /// The asset's id.
    #[arg(long, conflicts_with_all = ["tag", "release_id", "name"], required_unless_present = "name")]
    pub asset_id: Option<i64>,
    /// The release's tag (with --name).
    #[arg(long, requires = "name", conflicts_with = "release_id")]
    pub tag: Option<String>,
    /// The release's id (with --name).
    #[arg(long = "release", value_name = "ID", requires = "name")]
    pub release_id: Option<i64>,
    /// The asset's name in the release given by --tag or --release.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct Upload {
    /// The repository, as OWNER/REPO.
    #[arg(value_name = "OWNER/REPO")]
    pub repository: Repository,
    #[command(flatten)]
    pub release: NamedRelease,
    /// The files to upload; each keeps its file name.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A label shown in place of the name (only with one FILE).
    #[arg(long)]
    pub label: Option<String>,
    /// Replace an asset of the same name (the file goes up under a temporary name first,
    /// so the release keeps a complete asset of the name throughout).
    #[arg(long, conflicts_with = "skip_existing")]
    pub clobber: bool,
    /// Leave an asset of the same name as it is and upload nothing for it.
    #[arg(long)]
    pub skip_existing: bool,
    /// Check each upload by its size alone: the file is not hashed, nor compared with the
    /// digest GitHub answers with. Hashing takes a core at about 1.5 GB/s: the bound only
    /// on a link faster than that.
    #[arg(long)]
    pub skip_digest_check: bool,
    /// How many files to upload at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub concurrency: u16,
}

#[derive(Debug, Args)]
pub struct Download {
    /// The repository, as OWNER/REPO.
    #[arg(value_name = "OWNER/REPO")]
    pub repository: Repository,
    #[command(flatten)]
    pub release: WhichRelease,
    /// Download only assets whose name matches (shell glob: `*`, `?`, `[a-z]`); may be
    /// repeated. Without --pattern or --asset-id, every asset is downloaded.
    #[arg(long, value_name = "GLOB")]
    pub pattern: Vec<glob::Pattern>,
    /// Download the asset of this id; may be repeated.
    #[arg(long, value_name = "ID")]
    pub asset_id: Vec<i64>,
    /// Where to save the files.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite a file of the same name in the directory.
    #[arg(long, conflicts_with = "skip_existing")]
    pub clobber: bool,
    /// Leave a file of the same name in the directory as it is.
    #[arg(long)]
    pub skip_existing: bool,
    /// Refuse an asset whose bytes cannot be checked against a digest (an asset uploaded
    /// before GitHub gave digests, in mid-2025); without it, its size alone is checked.
    #[arg(long)]
    pub require_digest: bool,
    /// How many assets to download at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub concurrency: u16,
}

#[derive(Debug, Args)]
pub struct Edit {
    /// The repository, as OWNER/REPO.
    #[arg(value_name = "OWNER/REPO")]
    pub repository: Repository,
    #[command(flatten)]
    pub asset: WhichAsset,
    /// The new file name.
    #[arg(long)]
    pub rename: Option<String>,
    /// The new label.
    #[arg(long)]
    pub label: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_release_is_named_exactly_once() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).map(|_| ()).map_err(|e| e.kind());
        assert!(parse(&["release-assets", "list", "o/r", "--tag", "v1"]).is_ok());
        assert!(parse(&["release-assets", "list", "o/r", "--latest"]).is_ok());
        assert!(parse(&["release-assets", "list", "o/r"]).is_err());
        assert!(parse(&["release-assets", "list", "o/r", "--tag", "v1", "--latest"]).is_err());
        assert!(parse(&["release-assets", "upload", "o/r", "--latest", "f"]).is_err());
        assert!(parse(&["release-assets", "list", "o", "--latest"]).is_err());
        assert!(parse(&["release-assets", "delete", "o/r", "--asset-id", "1"]).is_ok());
        assert!(
            parse(&[
                "release-assets",
                "delete",
                "o/r",
                "--tag",
                "v1",
                "--name",
                "a"
            ])
            .is_ok()
        );
        assert!(parse(&["release-assets", "delete", "o/r", "--tag", "v1"]).is_err());
        assert!(
            parse(&[
                "release-assets",
                "delete",
                "o/r",
                "--tag",
                "v1",
                "--release",
                "1",
                "--name",
                "a"
            ])
            .is_err()
        );
        assert!(parse(&["release-assets", "delete", "o/r"]).is_err());
        assert!(
            parse(&[
                "release-assets",
                "upload",
                "o/r",
                "--tag",
                "v",
                "--clobber",
                "--skip-existing",
                "f"
            ])
            .is_err()
        );
    }
}
