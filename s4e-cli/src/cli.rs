//! The command line: global options and one subcommand group per SDK module.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{actions, assets, findings, gate, playbooks, scans, webhooks};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  `s4e gate` found findings at or above --fail-on, or
     `s4e webhooks verify` rejected the delivery
  2  usage error (bad arguments)
  3  authentication: no API key, or the key was rejected (401/403)
  4  not found (404)
  5  rate limit, API, network or local file error
  130 interrupted (Ctrl-C); no partial output file is left behind

Environment:
  S4E_API_KEY   the API key (preferred over --api-key, which shows in `ps`)
  S4E_BASE_URL  the API's base URL (default https://api.s4e.io/v1)
  S4E_RETRIES   retries after a failed attempt, when safe (default 3)
  S4E_TIMEOUT   seconds per attempt (default 30)
  S4E_CONFIG    the config file for --profile (default: <config dir>/s4e/config.toml)
  NO_COLOR      any non-empty value turns colours off

Examples:
  s4e findings list --severity critical,high --status open
  s4e scans create a-1001 --type full --wait
  s4e gate --fail-on high --sarif s4e.sarif";

/// The S4E command line: list what is critical, scan and wait, export
/// findings, and fail a CI build when something severe is open.
#[derive(Debug, Parser)]
#[command(name = "s4e", version, after_help = EXIT_CODES, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// The API's base URL.
    #[arg(
        long,
        env = "S4E_BASE_URL",
        hide_env_values = true,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub(crate) base_url: Option<String>,
    /// The API key; prefer the S4E_API_KEY environment variable (a flag is
    /// visible to other users in the process list).
    #[arg(
        long,
        env = "S4E_API_KEY",
        hide_env_values = true,
        global = true,
        help_heading = "Global options",
        value_name = "KEY"
    )]
    pub(crate) api_key: Option<String>,
    /// A named profile of the config file (base_url, api_key, output).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME"
    )]
    pub(crate) profile: Option<String>,
    /// The output format: table, json, ndjson or csv [default: table on a
    /// terminal, json otherwise]. For `findings export`, the file to write.
    // A string rather than the enum: `findings export -o FILE` takes a path
    // with the same flag (as the issue names it); `Context` checks the format.
    #[arg(
        short,
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FORMAT"
    )]
    pub(crate) output: Option<String>,
    /// No progress bars and no informational messages on stderr.
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub(crate) quiet: bool,
    /// On stderr: one line per request (method, path, status, time, request
    /// id), each retry, and the full cause of an error; never the key.
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub(crate) verbose: bool,
    /// No colours (also when NO_COLOR is set).
    #[arg(long, global = true, help_heading = "Global options")]
    pub(crate) no_color: bool,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document (an array for lists), with the API's field names.
    Json,
    /// One JSON object per line, printed as pages arrive.
    Ndjson,
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Manage monitored assets (domains, IPs, URLs, networks).
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e assets list --tag prod\n  s4e assets create shop.example.com --type domain --tag prod"
    )]
    Assets(assets::AssetsCommand),
    /// Start, follow and cancel vulnerability scans.
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e scans create a-1001 --type full --wait\n  s4e scans list --status running"
    )]
    Scans(scans::ScansCommand),
    /// List, triage and export findings.
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e findings list --severity critical,high --status open\n  s4e findings export --format csv -o findings.csv"
    )]
    Findings(findings::FindingsCommand),
    /// Validate and trigger remediation and notification actions.
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e actions trigger act-block-ip --param ip=203.0.113.9 --sandbox"
    )]
    Actions(actions::ActionsCommand),
    /// Run playbooks and follow their runs.
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e playbooks run pb-tls-expiry --asset a-1001 --dry-run --wait"
    )]
    Playbooks(playbooks::PlaybooksCommand),
    /// Manage webhooks and verify received deliveries offline.
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e webhooks list\n  s4e webhooks verify --signature \"$SIG\" body.json"
    )]
    Webhooks(webhooks::WebhooksCommand),
    /// CI gate: exit 1 when findings at or above a severity are open.
    Gate(gate::GateArgs),
    /// Start the embedded S4E sandbox (a local API with demo data) until Ctrl-C.
    // The options are the `s4e-sandbox` binary's own, from one definition.
    #[command(after_help = format!(
        "Example:\n  s4e sandbox --port 8080 --seed 7 --manual-clock\n  \
         export S4E_BASE_URL=http://127.0.0.1:8080/v1 S4E_API_KEY=sk_sandbox_full_access\n\n{}",
        s4e_sandbox::cli::ADMIN_ROUTES
    ))]
    Sandbox(s4e_sandbox::cli::SandboxArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  s4e completions bash > ~/.local/share/bash-completion/completions/s4e"
    )]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    pub(crate) shell: clap_complete::Shell,
}

/// `--all` or `--limit N`, shared by every list.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct ListScope {
    /// Fetch every item, page after page (streamed as pages arrive).
    #[arg(long, conflicts_with = "limit")]
    pub(crate) all: bool,
    /// At most this many items.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) limit: u32,
}

/// How a command waits for a scan, run or execution to finish.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct WaitOptions {
    /// Seconds between two status checks.
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = seconds)]
    pub(crate) interval: f64,
    /// Give up after this many seconds (exit 5) [default: 2 hours].
    #[arg(long = "wait-timeout", value_name = "SECS", value_parser = seconds)]
    pub(crate) timeout: Option<f64>,
}

impl WaitOptions {
    pub(crate) fn interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.interval)
    }

    pub(crate) fn timeout(&self) -> std::time::Duration {
        self.timeout.map_or(
            s4e::DEFAULT_WAIT_TIMEOUT,
            std::time::Duration::from_secs_f64,
        )
    }
}

/// A positive, finite number of seconds (at most a week).
fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if value.is_finite() && value > 0.0 && value <= 7.0 * 86_400.0 {
        Ok(value)
    } else {
        Err(format!(
            "`{text}`: give a number of seconds above 0 and at most a week"
        ))
    }
}
