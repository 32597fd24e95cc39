//! `release-assets`: list, upload, download, delete and edit the assets of GitHub releases.
//!
//! Exit status: 0 on success, 1 on an error (one line on standard error), 2 on a usage error.

#![forbid(unsafe_code)]

mod args;
mod commands;
mod report;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(error),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            report::write_line(
                &mut std::io::stderr(),
                &format!("error: could not start: {error}"),
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::Failure::Usage(message)) => {
            usage(args::Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message))
        }
        Err(commands::Failure::Reported) => ExitCode::FAILURE,
        Err(commands::Failure::Error(error)) => {
            report::write_line(
                &mut std::io::stderr(),
                &format!("error: {}", report::one_line(&report::explain(&error))),
            );
            ExitCode::FAILURE
        }
    }
}

/// `--help` and `--version` as clap prints them (exit status 0); a usage error as one
/// line, clap's message without its usage block (exit status 2).
fn usage(error: clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.starts_with("Usage:"))
        .collect();
    let message = report::one_line(&message.join(" "));
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    report::write_line(
        &mut std::io::stderr(),
        &format!("error: {message} (see release-assets --help)"),
    );
    ExitCode::from(2)
}
