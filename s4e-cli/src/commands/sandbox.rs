//! `s4e sandbox`: the embedded sandbox, with the `s4e-sandbox` binary's options.

use s4e_sandbox::cli::SandboxArgs;

use crate::exit::{self, Failure};

/// Serves until Ctrl-C, then exits 0.
pub(crate) async fn run(args: SandboxArgs) -> Result<u8, Failure> {
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
    println!(
        "export S4E_BASE_URL={} S4E_API_KEY={}",
        sandbox.base_url(),
        sandbox.api_key()
    );
    println!(
        "read-only key (writes answer 403): {}",
        sandbox.read_only_key()
    );
    stop.await
        .map_err(|e| Failure::file("waiting for Ctrl-C", e))?;
    sandbox.shutdown().await;
    eprintln!("sandbox stopped");
    Ok(exit::OK)
}

#[cfg(test)]
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
