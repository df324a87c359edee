//! `s4e-sandbox`: a stateful local S4E API on your machine, until Ctrl-C.
//!
//! ```sh
//! cargo run -p s4e-sandbox -- --port 8080 --seed 42
//! ```

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use s4e_sandbox::cassette::cli::{RecordArgs, ReplayArgs, ReportFormat, VerifyArgs};
use s4e_sandbox::cli::SandboxArgs;
use s4e_sandbox::{Sandbox, SandboxBuilder};

/// s4e-sandbox: a stateful local implementation of the S4E REST API
#[derive(Debug, Parser)]
#[command(
    name = "s4e-sandbox",
    version,
    args_conflicts_with_subcommands = true,
    after_help = s4e_sandbox::cli::ADMIN_ROUTES
)]
struct Cli {
    /// The server's options, when no subcommand is given.
    #[command(flatten)]
    serve: SandboxArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API until Ctrl-C (what runs when no subcommand is given)
    Serve(SandboxArgs),
    /// Record: a proxy to a real API that writes each interaction, scrubbed
    /// of secrets, to a cassette
    Record(RecordArgs),
    /// Replay a cassette offline; a request it lacks is answered 501
    /// cassette_miss
    Replay(ReplayArgs),
    /// Report drift: a cassette against a live API (--against) and the spec;
    /// exits 1 on an error
    Verify(VerifyArgs),
}

impl Cli {
    /// The parser, with `--api-key` (the flag's name before it was shared
    /// with `s4e sandbox`, where `--api-key` is the CLI's own) still accepted.
    fn command_with_aliases() -> clap::Command {
        let alias = |arg: clap::Arg| arg.alias("api-key");
        Cli::command()
            .mut_arg("full_access_key", alias)
            .mut_subcommand("serve", |serve| serve.mut_arg("full_access_key", alias))
    }

    fn parse_with_aliases() -> Cli {
        let matches = Cli::command_with_aliases().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse_with_aliases();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(run(args)),
        None => runtime.block_on(run(cli.serve)),
        Some(Command::Record(args)) => runtime.block_on(proxy(
            args.builder(),
            format!(
                "Recording {} into {}",
                args.upstream,
                args.cassette.display()
            ),
        )),
        Some(Command::Replay(args)) => runtime.block_on(proxy(
            args.builder(),
            format!("Replaying {} (offline)", args.cassette.display()),
        )),
        Some(Command::Verify(args)) => runtime.block_on(verify(args)),
    }
}

/// Starts `builder` with the Ctrl-C (or SIGTERM) handler in place, or says
/// why it cannot.
async fn start(builder: SandboxBuilder) -> Result<(Sandbox, impl Future<Output = ()>), ExitCode> {
    let stop = stop_signal().map_err(|e| {
        eprintln!("error: cannot listen for Ctrl-C: {e}");
        ExitCode::FAILURE
    })?;
    let sandbox = builder.start().await.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    Ok((sandbox, stop))
}

/// Records or replays until Ctrl-C (or SIGTERM), printing the address.
async fn proxy(builder: SandboxBuilder, what: String) -> ExitCode {
    let (sandbox, stop) = match start(builder).await {
        Ok(started) => started,
        Err(code) => return code,
    };
    println!("{what}: listening on {}", sandbox.base_url());
    println!("Point the SDK at it:");
    println!("  export S4E_BASE_URL={}", sandbox.base_url());
    println!("Press Ctrl-C to stop.");
    stop.await;
    sandbox.shutdown().await;
    println!("Stopped.");
    ExitCode::SUCCESS
}

/// Prints the drift report; exits 1 when it has an error, 2 when the
/// cassette or the spec cannot be read.
async fn verify(args: VerifyArgs) -> ExitCode {
    let report = match s4e_sandbox::cassette::verify(&args.options()).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match args.output {
        ReportFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        _ => print!("{report}"),
    }
    if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

async fn run(args: SandboxArgs) -> ExitCode {
    if args.replay.is_some() || args.record.is_some() {
        let what = match (&args.replay, &args.record) {
            (Some(dir), _) => format!("Replaying {} (offline)", dir.display()),
            (None, Some(url)) => format!("Recording {url}"),
            (None, None) => String::new(),
        };
        return proxy(args.builder(), what).await;
    }
    let (sandbox, stop) = match start(args.builder()).await {
        Ok(started) => started,
        Err(code) => return code,
    };
    let base = sandbox.base_url();
    let root = base.trim_end_matches("/v1");
    println!("S4E sandbox listening on {base}");
    println!("  full-access key  {}", sandbox.api_key());
    println!("  read-only key    {}", sandbox.read_only_key());
    println!(
        "  seed {}, scan speed {}x{}",
        sandbox.seed(),
        args.scan_speed,
        if args.manual_clock {
            ", manual clock"
        } else {
            ""
        }
    );
    println!("  admin routes     {root}/__sandbox");
    println!();
    println!("Point the SDK at it:");
    println!(
        "  export S4E_BASE_URL={base} S4E_API_KEY={}",
        sandbox.api_key()
    );
    println!("Press Ctrl-C to stop.");

    stop.await;
    println!("Stopping...");
    sandbox.shutdown().await;
    println!("Stopped.");
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM. The handlers are
/// registered when this is called, so a signal that arrives right after the
/// banner is not lost.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &[&str]) -> Result<Cli, clap::Error> {
        let matches = Cli::command_with_aliases()
            .try_get_matches_from(std::iter::once("s4e-sandbox").chain(list.iter().copied()))?;
        Cli::from_arg_matches(&matches)
    }

    #[test]
    fn the_parser_is_well_formed() {
        Cli::command_with_aliases().debug_assert();
    }

    #[test]
    fn the_server_runs_without_a_subcommand_or_with_serve() {
        let cli = parse(&["--port", "9000", "--seed", "7"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!((cli.serve.port, cli.serve.seed), (9000, 7));
        let Some(Command::Serve(args)) = parse(&["serve", "--port", "9001"]).unwrap().command
        else {
            panic!("serve is a subcommand");
        };
        assert_eq!(args.port, 9001);
        // Options go either before the server's or after `serve`, not both.
        assert!(parse(&["--port", "1", "serve"]).is_err());
    }

    #[test]
    fn record_replay_and_verify_are_subcommands() {
        let Some(Command::Record(record)) = parse(&[
            "record",
            "--upstream",
            "https://api.s4e.io/v1",
            "--cassette",
            "c",
            "--redact",
            "tok_[a-z]+",
        ])
        .unwrap()
        .command
        else {
            panic!("record is a subcommand");
        };
        assert_eq!(
            (record.upstream.as_str(), record.listen.port),
            ("https://api.s4e.io/v1", 8080)
        );
        assert_eq!(record.redact, ["tok_[a-z]+"]);
        let Some(Command::Replay(replay)) = parse(&[
            "replay",
            "--cassette",
            "c",
            "--allow-repeats",
            "--max-age",
            "30d",
            "--strict-age",
        ])
        .unwrap()
        .command
        else {
            panic!("replay is a subcommand");
        };
        assert!(replay.options.allow_repeats && replay.options.strict_age);
        assert_eq!(
            replay.options.max_age,
            Some(std::time::Duration::from_secs(30 * 86_400))
        );
        // --record-missing needs an upstream, --strict-age a --max-age.
        assert!(parse(&["replay", "--cassette", "c", "--record-missing"]).is_err());
        assert!(parse(&["replay", "--cassette", "c", "--strict-age"]).is_err());
        assert!(parse(&["replay", "--cassette", "c", "--max-age", "30"]).is_err());
        let Some(Command::Verify(verify)) =
            parse(&["verify", "--cassette", "c", "--no-spec", "-o", "json"])
                .unwrap()
                .command
        else {
            panic!("verify is a subcommand");
        };
        assert_eq!(verify.output, ReportFormat::Json);
        assert!(parse(&["verify", "--cassette", "c", "--include-writes"]).is_err());
        // The server's options carry --replay and --record too.
        let cli = parse(&["--replay", "c", "--allow-repeats"]).unwrap();
        assert!(cli.serve.replay.is_some() && cli.serve.replay_options.allow_repeats);
        assert!(
            parse(&["--record", "https://api.s4e.io/v1"]).is_err(),
            "--record needs --cassette"
        );
    }

    #[test]
    fn api_key_is_still_accepted_but_not_shown() {
        for list in [&["--api-key", "k"][..], &["serve", "--api-key", "k"]] {
            let cli = parse(list).unwrap();
            let args = match cli.command {
                Some(Command::Serve(args)) => args,
                None => cli.serve,
                Some(other) => panic!("{other:?} is not serve"),
            };
            assert_eq!(args.full_access_key, "k", "{list:?}");
        }
        let help = Cli::command_with_aliases().render_help().to_string();
        assert!(!help.contains("--api-key"), "{help}");
    }

    #[test]
    fn help_shows_every_option_and_the_admin_routes() {
        // Wide enough that no `[default: ...]` wraps.
        let help = Cli::command_with_aliases()
            .term_width(200)
            .render_help()
            .to_string();
        for wanted in [
            "s4e-sandbox: a stateful local implementation of the S4E REST API",
            "Usage: s4e-sandbox [OPTIONS]",
            "--host <ADDR>",
            "[default: 127.0.0.1]",
            "--port <PORT>",
            "[default: 8080]",
            "--seed <N>",
            "[default: 42]",
            "--scan-speed <X>",
            "[default: 60]",
            "--manual-clock",
            "--start-time <TIME>",
            "[default: now]",
            "--rate-limit <N>",
            "--documented-limits",
            "--latency <MS>",
            "[default: 0]",
            "--full-access-key <KEY>",
            "[default: sk_sandbox_full_access]",
            "--read-only-key <KEY>",
            "[default: sk_sandbox_read_only]",
            "-h, --help",
            "-V, --version",
            "Admin routes (no key needed) live under /__sandbox",
        ] {
            assert!(help.contains(wanted), "{wanted} in\n{help}");
        }
    }
}
