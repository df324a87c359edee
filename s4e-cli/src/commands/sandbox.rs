//! `s4e sandbox`: the embedded sandbox, with the `s4e-sandbox` binary's
//! options. Behind the default `sandbox` cargo feature; a build without it
//! keeps the command, hidden, to say how to get it.

#[cfg(feature = "sandbox")]
use s4e_sandbox::cli::SandboxArgs;

#[cfg(feature = "sandbox")]
use crate::exit;
use crate::exit::Failure;

/// What `s4e sandbox` takes: the `s4e-sandbox` binary's own options.
#[cfg(feature = "sandbox")]
pub(crate) type SandboxOptions = SandboxArgs;
/// What `s4e sandbox` takes in a build without the sandbox: anything, so
/// that whatever was typed gets the explanation rather than a parse error.
#[cfg(not(feature = "sandbox"))]
pub(crate) type SandboxOptions = Unavailable;

/// Whether `s4e --help` lists the command.
pub(crate) const LISTED: bool = cfg!(feature = "sandbox");

/// The text after the options in `s4e sandbox --help`.
pub(crate) fn after_help() -> String {
    #[cfg(feature = "sandbox")]
    let admin = s4e_sandbox::cli::ADMIN_ROUTES;
    #[cfg(not(feature = "sandbox"))]
    let admin = UNAVAILABLE;
    format!(
        "Example:\n  s4e sandbox --port 8080 --seed 7 --manual-clock\n  \
         export S4E_BASE_URL=http://127.0.0.1:8080/v1 S4E_API_KEY=sk_sandbox_full_access\n\n{admin}"
    )
}

#[cfg(not(feature = "sandbox"))]
const UNAVAILABLE: &str = "This s4e was built without the embedded sandbox (cargo feature \
    `sandbox`, on by default). Install it with the default features \
    (`cargo install s4e-cli`), or run the standalone server: \
    `cargo install s4e-sandbox && s4e-sandbox --port 8080`.";

/// The arguments of `s4e sandbox` in a build without the sandbox.
#[cfg(not(feature = "sandbox"))]
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub(crate) struct Unavailable {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    args: Vec<String>,
}

/// Says how to get the sandbox: exit 2, as for a command this build lacks.
#[cfg(not(feature = "sandbox"))]
pub(crate) async fn run(_: Unavailable) -> Result<u8, Failure> {
    Err(Failure::Usage(UNAVAILABLE.to_string()))
}

/// Serves until Ctrl-C, then exits 0.
#[cfg(feature = "sandbox")]
pub(crate) async fn run(args: SandboxArgs) -> Result<u8, Failure> {
    // Replaying answers any key from the cassette and recording forwards the
    // caller's own key upstream: the stateful sandbox's two keys mean nothing then.
    let stateful = args.replay.is_none() && args.record.is_none();
    let sandbox = args.builder().start().await.map_err(|e| Failure::Other {
        code: exit::API_ERROR,
        message: format!("could not start the sandbox: {e}"),
    })?;
    // Listen for Ctrl-C before saying that the sandbox is up: a first poll
    // installs the handler, so an early Ctrl-C also ends it cleanly.
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    tokio::select! {
        biased;
        result = &mut stop => {
            result.map_err(|e| Failure::file("waiting for Ctrl-C", e))?;
            sandbox.shutdown().await;
            return Ok(exit::OK);
        }
        () = std::future::ready(()) => {}
    }
    // The sandbox's keys are test values the user chose or the public demo
    // ones, printed so that the user can paste the exports.
    println!("S4E sandbox listening; stop it with Ctrl-C.");
    if stateful {
        println!(
            "export S4E_BASE_URL={} S4E_API_KEY={}",
            sandbox.base_url(),
            sandbox.api_key()
        );
        println!(
            "read-only key (writes answer 403): {}",
            sandbox.read_only_key()
        );
    } else {
        println!("export S4E_BASE_URL={}", sandbox.base_url());
    }
    stop.await
        .map_err(|e| Failure::file("waiting for Ctrl-C", e))?;
    sandbox.shutdown().await;
    eprintln!("sandbox stopped");
    Ok(exit::OK)
}

#[cfg(all(test, not(feature = "sandbox")))]
mod unavailable_tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[tokio::test]
    async fn the_command_says_how_to_get_the_sandbox() {
        let cli = Cli::try_parse_from(["s4e", "sandbox", "--port", "8080", "--help"]).unwrap();
        let Command::Sandbox(args) = cli.command else {
            panic!("s4e sandbox parses");
        };
        let Err(crate::exit::Failure::Usage(message)) = super::run(args).await else {
            panic!("a usage error");
        };
        assert!(message.contains("cargo install s4e-cli"), "{message}");
    }
}

#[cfg(all(test, feature = "sandbox"))]
mod tests {
    use clap::{Args, CommandFactory};

    use super::SandboxArgs;
    use crate::cli::Cli;

    /// What `s4e sandbox --help` prints.
    fn cli_help() -> String {
        let error = Cli::command()
            .try_get_matches_from(["s4e", "sandbox", "--help"])
            .unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::DisplayHelp);
        error.to_string()
    }

    #[test]
    fn sandbox_help_has_every_option_of_the_sandbox_binary() {
        let mut binary = SandboxArgs::augment_args(clap::Command::new("s4e-sandbox"));
        binary.build();
        let mut cli = Cli::command();
        cli.build();
        let command = cli.find_subcommand("sandbox").expect("s4e sandbox exists");
        let help = cli_help();
        let mut checked = 0;
        // clap's own --help and --version aside.
        let options = binary
            .get_arguments()
            .filter(|arg| !["help", "version"].contains(&arg.get_id().as_str()));
        for arg in options {
            let long = arg.get_long().expect("every sandbox option is a long flag");
            let same = command
                .get_arguments()
                .find(|other| other.get_long() == Some(long))
                .unwrap_or_else(|| panic!("--{long} in s4e sandbox"));
            assert_eq!(same.get_id(), arg.get_id(), "--{long}");
            assert_eq!(
                same.get_help().map(ToString::to_string),
                arg.get_help().map(ToString::to_string),
                "--{long}'s help"
            );
            assert_eq!(
                same.get_default_values(),
                arg.get_default_values(),
                "--{long}'s default"
            );
            let shown = match arg.get_value_names() {
                Some([name]) if arg.get_action().takes_values() => format!("--{long} <{name}>"),
                _ => format!("--{long}"),
            };
            assert!(help.contains(&shown), "{shown} in\n{help}");
            checked += 1;
        }
        // host, port, seed, scan speed, manual clock, start time, rate
        // limit, documented limits, latency, the two keys, and record/replay
        // (replay, record, cassette, redact, ignore body path, allow repeats,
        // max age, strict age).
        assert_eq!(checked, 19, "every option of the sandbox was compared");
        assert!(help.contains(s4e_sandbox::cli::ADMIN_ROUTES), "{help}");
    }
}
