//! The project's developer commands, run as `cargo xtask <command>` from anywhere in the
//! workspace. See `ARCHITECTURE.md` for where each one sits in the data flow.

mod bench;
mod census;
mod committed_file;
mod contradicted_examples;
mod descriptions;
mod generate;
mod import_recordings;
mod products;
mod progenitor_alone;
mod record;
mod regenerate;
mod replay_sample;
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
    /// Re-record the `recorded-*` fixtures from a live server: GitHub (token from
    /// GITHUB_TOKEN or GH_TOKEN), any compatible base URL, or the fake GitHub.
    Record {
        /// The API's base URL.
        #[arg(
            long,
            default_value = "https://api.github.com",
            conflicts_with = "fake"
        )]
        base_url: String,
        /// A repository the token can write to; a draft release is made there and deleted.
        #[arg(long, required_unless_present = "fake")]
        repo: Option<String>,
        /// Record from the fake GitHub, started here, with no network and no token.
        #[arg(long)]
        fake: bool,
        /// Where the fixtures go.
        #[arg(long, default_value = "conformance/fixtures")]
        out: PathBuf,
    },
    /// Turn exchanges recorded from GitHub by others (the npm package `@octokit/fixtures`)
    /// into conformance fixtures: every exchange one of the subset's operations makes.
    ImportRecordings {
        /// The package: its npm tarball (`npm pack @octokit/fixtures`) or unpacked folder.
        #[arg(long, default_value = import_recordings::VENDORED)]
        from: PathBuf,
        /// Where the fixtures go.
        #[arg(long, default_value = "conformance/fixtures")]
        out: PathBuf,
        /// Write nothing; fail when the committed fixtures differ.
        #[arg(long)]
        check: bool,
    },
    /// Measure this crate, as a library and as the tool, against curl and raw reqwest on
    /// loopback: transfers, listing, gets, many at once, regeneration. Writes
    /// `target/bench/report.md` and `report.json`; fails when a target is missed.
    Bench {
        /// Sizes of the files transferred, MiB, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [100, 1024])]
        sizes_mib: Vec<u64>,
        /// Runs of each tool; the report gives the median and the spread.
        #[arg(long, default_value_t = 5)]
        runs: u32,
        /// Keep the loopback server on CPU 0 and the measured process on CPU 1.
        #[arg(long)]
        pin: bool,
        /// Measure only the groups whose name contains this ("upload", "1 GiB"); may be
        /// repeated.
        #[arg(long)]
        only: Vec<String>,
    },
    /// Fetch GitHub's descriptions of every product (api.github.com, GHEC, GHES) from the
    /// npm package `@octokit/openapi` into `target/descriptions/openapi-VERSION/`.
    Descriptions {
        /// The package version.
        #[arg(long, default_value = descriptions::DEFAULT_VERSION)]
        version: String,
    },
    /// Regenerate the published crate from each GitHub product's description (GHEC, GHES),
    /// in a copy of the workspace under `target/products/`, and run its tests there.
    Products {
        /// A product's description; may be repeated (default: GHEC and GHES 3.17 to 3.19,
        /// as `cargo xtask descriptions` fetches them).
        #[arg(long)]
        spec: Vec<PathBuf>,
    },
    /// Generate a client crate for any description (GitHub's whole API, GHEC, GHES) into
    /// `DIR`, under `target/`, over the published crate's runtime.
    Generate {
        /// The description: plain or gzip-compressed JSON.
        #[arg(long)]
        spec: PathBuf,
        /// Where the source goes (under `target/`).
        #[arg(long)]
        out: PathBuf,
        /// Print every note of the normalization passes, by JSON pointer.
        #[arg(long)]
        verbose: bool,
        /// Run `cargo check` on the crate written.
        #[arg(long)]
        compile: bool,
        /// Add the module that decodes GitHub's examples with the generated types, and the
        /// program `decode-examples` that runs it.
        #[arg(long)]
        examples: bool,
    },
    /// What the generator makes of a description, operation by operation, then totals.
    /// Fails when an operation, or the whole document, does not generate.
    Census {
        /// The description: plain or gzip-compressed JSON.
        #[arg(long, default_value = regenerate::SPEC)]
        spec: PathBuf,
        /// Print one JSON object in place of the table.
        #[arg(long)]
        json: bool,
        /// Print every note of the normalization passes, by JSON pointer.
        #[arg(long)]
        verbose: bool,
        /// Decode every JSON example the description documents with the generated types:
        /// writes the crate under `target/generated/`, builds it and runs it (minutes for a
        /// whole description).
        #[arg(long)]
        decode: bool,
        /// With `--decode`: rewrite `conformance/examples-contradicted/<description>.json`,
        /// the examples the description's own schemas refuse, from what was found.
        #[arg(long, requires = "decode")]
        record_contradicted: bool,
    },
    /// Replay the operations of `conformance/replay-sample/operations.toml`, added to the
    /// subset's, from a crate generated with them: each request against a loopback server
    /// answering what GitHub documents, compared with its snapshot in
    /// `conformance/replay-sample/requests/`.
    ReplaySample {
        /// GitHub's full description (pinned as the subset's): cut the sample's
        /// description, `conformance/replay-sample/description.json`, from it first.
        #[arg(long)]
        from: Option<PathBuf>,
        /// With `--from`: write nothing; fail when the vendored description is stale.
        #[arg(long, requires = "from")]
        check: bool,
        /// Take the requests and answers found as the new snapshots.
        #[arg(long, conflicts_with = "check")]
        accept: bool,
    },
    /// What progenitor alone (no passes, no facade) generates for a description: the
    /// generator's peer in `cargo xtask bench`.
    #[command(hide = true)]
    ProgenitorAlone {
        /// The description: plain or gzip-compressed JSON.
        #[arg(long)]
        spec: PathBuf,
        /// Where the source goes.
        #[arg(long)]
        out: PathBuf,
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
        Command::ProgenitorAlone { spec, out } => progenitor_alone::run(&spec, &out),
        Command::ReplaySample {
            from,
            check,
            accept,
        } => replay_sample::run(
            &root,
            &replay_sample::Options {
                from,
                check,
                accept,
            },
        ),
        Command::Descriptions { version } => descriptions::run(&root, &version),
        Command::Products { spec } => products::run(&root, &spec),
        Command::Generate {
            spec,
            out,
            verbose,
            compile,
            examples,
        } => generate::run(
            &root,
            &generate::Options {
                spec,
                out,
                verbose,
                compile,
                examples,
            },
        ),
        Command::Census {
            spec,
            json,
            verbose,
            decode,
            record_contradicted,
        } => census::run(
            &root,
            &census::Options {
                spec,
                json,
                verbose,
                decode,
                record_contradicted,
            },
        ),
        Command::Bench {
            sizes_mib,
            runs,
            pin,
            only,
        } => bench::run(
            &root,
            &bench::Options {
                sizes_mib,
                runs,
                pin,
                only,
            },
        ),
        Command::ImportRecordings { from, out, check } => {
            let from = if from.is_relative() && !from.exists() {
                root.join(from)
            } else {
                from
            };
            import_recordings::run(&root, &import_recordings::Options { from, out, check })
        }
        Command::Record {
            base_url,
            repo,
            fake,
            out,
        } => record::run(
            &root,
            &record::Options {
                base_url,
                repo,
                fake,
                out,
            },
        ),
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
