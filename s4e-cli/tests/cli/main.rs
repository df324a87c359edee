//! End-to-end tests of the `s4e` binary against the sandbox binary,
//! `s4e-sandbox`, started as its own process on a free loopback port: no
//! network, and nothing shared with the commands but HTTP. One binary, one
//! module per area.

mod commands;
mod errors;
mod exits;
mod gate;
mod help;
mod json;
mod keychain;
mod output;
mod sandbox;
mod webhooks;
mod workday;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

use crate::sandbox::SandboxProcess;

/// A sandbox process the test's commands talk to.
pub(crate) struct Api {
    pub(crate) sandbox: SandboxProcess,
}

impl Api {
    pub(crate) fn start() -> Api {
        // Fast scans and runs: a quick scan takes a fraction of a second.
        Api {
            sandbox: SandboxProcess::start(&["--scan-speed", "5000"]),
        }
    }

    /// `s4e` pointed at this sandbox, with nothing from the test's own
    /// environment that could change its behaviour.
    pub(crate) fn s4e(&self) -> Command {
        let mut command = bare();
        command
            .env("S4E_BASE_URL", self.sandbox.base_url())
            .env("S4E_API_KEY", self.sandbox.api_key());
        command
    }

    /// Runs `s4e ARGS` with no retry, so that one injected fault is the answer.
    pub(crate) fn once(&self, args: &[&str]) -> std::process::Output {
        self.s4e()
            .env("S4E_RETRIES", "0")
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs `s4e ARGS -o json` and returns the parsed standard output.
    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let output = self.s4e().args(args).args(["-o", "json"]).output().unwrap();
        assert!(
            output.status.success(),
            "s4e {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        parse(&output.stdout)
    }
}

/// `s4e` with no key, base URL or config from the environment.
pub(crate) fn bare() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("s4e"));
    for name in [
        "S4E_API_KEY",
        "S4E_BASE_URL",
        "S4E_RETRIES",
        "S4E_TIMEOUT",
        "S4E_WEBHOOK_SECRET",
        "S4E_PROFILE",
        "S4E_PROXY",
        "S4E_RATE_LIMIT_REDIS",
        "NO_COLOR",
    ] {
        command.env_remove(name);
    }
    command.env("S4E_CONFIG", "/nonexistent/s4e-test-config.toml");
    // Never the user's own Secret Service (a test that wants one starts its
    // own bus: keychain.rs).
    command.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/s4e-test-bus",
    );
    command
}

/// What a command wrote to standard error, as text.
pub(crate) fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What a command wrote to standard output, as text.
pub(crate) fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

pub(crate) fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The subcommands `s4e ARGS --help` lists.
pub(crate) fn commands_of(args: &[&str]) -> Vec<String> {
    let help = bare().args(args).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    help.split("Commands:\n")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|line| line.starts_with("  "))
                .filter_map(|line| line.split_whitespace().next())
                .filter(|name| *name != "help")
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The leaf commands of `s4e`, as `--help` lists them (`assets list`, `gate`).
pub(crate) fn leaf_commands() -> std::collections::BTreeSet<String> {
    let mut leaves = std::collections::BTreeSet::new();
    for group in commands_of(&[]) {
        let subcommands = commands_of(&[&group]);
        if subcommands.is_empty() {
            leaves.insert(group.clone());
        }
        for sub in subcommands {
            leaves.insert(format!("{group} {sub}"));
        }
    }
    leaves
}
