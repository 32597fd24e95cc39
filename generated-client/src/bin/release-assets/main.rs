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
        Err(error) => return usage(error, false),
    };
    // One thread for the connections: hashing, reading and writing files run on blocking
    // threads of their own, so a second worker only moves each chunk between threads.
    // `cargo xtask bench` measured 0.1 to 0.4 CPU s less per GiB downloaded, and 100
    // downloads at once in 33 MiB instead of 48, than with the multi-threaded runtime;
    // 8 uploads of 1 GiB at once took 5.4 s, where the library on that runtime took 5.0.
    let runtime = match tokio::runtime::Builder::new_current_thread()
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
            // `run` printed the JSON document already.
            let error = args::Cli::command().error(ErrorKind::ArgumentConflict, message);
            usage(error, true)
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
/// line, clap's message without its usage block (exit status 2), and with `--json` as a
/// JSON document on standard output unless `json_printed`.
fn usage(error: clap::Error, json_printed: bool) -> ExitCode {
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
    // Asked for JSON, a script gets a document even when the command line is wrong.
    if !json_printed && std::env::args_os().any(|arg| arg == "--json") {
        let document =
            serde_json::json!({ "error": { "message": message, "status": null, "usage": true } });
        report::write_line(&mut std::io::stdout(), &document.to_string());
    }
    ExitCode::from(2)
}
