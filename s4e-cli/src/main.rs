//! `s4e`: the command line for the S4E security platform, built on the public
//! API of the `s4e` SDK only.

mod cli;
mod commands;
mod config;
mod context;
mod exit;
mod files;
mod output;
mod progress;
mod report;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::exit::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = cli.global.verbose;
    if verbose {
        // The SDK logs requests at debug level without credentials; the key
        // is never part of an event.
        use tracing_subscriber::filter::{LevelFilter, Targets};
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        // The SDK's `s4e.request` span holds method, path, status,
        // elapsed_ms and request_id: printing it as it closes shows one line
        // per request. Other crates (hyper's connection pool) stay quiet.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(LevelFilter::DEBUG)
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .finish()
            .with(
                Targets::new()
                    .with_target("s4e", LevelFilter::DEBUG)
                    .with_default(LevelFilter::WARN),
            )
            .init();
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
