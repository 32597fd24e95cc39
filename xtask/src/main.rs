//! The project's developer commands, run as `cargo xtask <command>` from anywhere in the
//! workspace. See `ARCHITECTURE.md` for where each one sits in the data flow.

mod committed_file;
mod regenerate;
mod subset;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Developer commands of the github-release-assets workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cut the vendored subset `openapi/github-release-assets.json` out of GitHub's full
    /// description, as `openapi/subset.toml` says.
    Subset {
        /// GitHub's full description (`api.github.com.json`, plain or gzip-compressed).
        #[arg(long)]
        from: PathBuf,
        /// Write nothing; fail with a diff when the committed subset differs.
        #[arg(long)]
        check: bool,
        /// Accept an upstream file whose sha256 differs from the pinned one, and pin it.
        #[arg(long, conflicts_with = "check")]
        repin: bool,
    },
    /// Generate `generated-client/src/generated.rs` from the vendored subset.
    Regenerate {
        /// Write nothing; fail with a diff when the committed file is stale.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.command {
        Command::Subset { from, check, repin } => {
            subset::run(&root, &subset::Options { from, check, repin })
        }
        Command::Regenerate { check } => regenerate::run(&root, check),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
