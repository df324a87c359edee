//! `s4e`: the command line for the S4E security platform, built on the public
//! API of the `s4e` SDK only.

mod choices;
mod cli;
mod commands;
mod config;
mod confirm;
mod context;
mod definition;
mod exit;
mod files;
mod jq;
mod keychain;
mod observe;
mod output;
mod progress;
mod report;
mod resolve;
mod time;
mod wait;

use std::process::ExitCode;

use crate::cli::Cli;
use crate::exit::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let verbose = cli.global.verbose;
    // Rate-limit waits are shown with --verbose, or to a person at a
    // terminal (unless --quiet). --verbose's per-attempt lines come from the
    // client's response hook (see `Context::client`).
    if verbose || (!cli.global.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr())) {
        observe::show_pacing_waits();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(exit::API_ERROR);
        }
    };
    // `s4e sandbox` serves until Ctrl-C, its normal end: it waits for the
    // signal itself and exits 0.
    let serves_until_interrupted = matches!(
        cli.command,
        cli::Command::Sandbox(_)
            | cli::Command::Webhooks(commands::webhooks::WebhooksCommand::Listen(_))
    );
    let outcome = runtime.block_on(async {
        if serves_until_interrupted {
            return commands::run(cli).await;
        }
        tokio::select! {
            // Polled first, so the handler is installed before the command
            // starts. Dropping the command's future drops its temporary
            // files, so an interrupted export leaves nothing behind.
            biased;
            _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted),
            outcome = commands::run(cli) => outcome,
        }
    });
    // In-flight requests are abandoned rather than awaited.
    runtime.shutdown_background();
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            failure.report(verbose);
            ExitCode::from(failure.code())
        }
    }
}
