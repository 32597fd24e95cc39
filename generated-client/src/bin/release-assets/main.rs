//! `release-assets`: list, upload, download, delete and edit the assets of GitHub releases.
//!
//! Exit status: 0 on success, 1 on an error (one line on standard error), 2 on a usage error.

#![forbid(unsafe_code)]

mod args;
mod commands;
mod report;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2 (0 for --help and --version).
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::Failure::Usage(message)) => args::Cli::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit(),
        Err(commands::Failure::Reported) => ExitCode::FAILURE,
        Err(commands::Failure::Error(error)) => {
            eprintln!("error: {}", report::one_line(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}
