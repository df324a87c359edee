//! The command line: global options and one subcommand group per SDK module.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::commands::{
    actions, api, assets, findings, gate, playbooks, sandbox, scans, session, webhooks,
};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  finished, but the outcome is negative:
     - `s4e gate` found findings at or above --fail-on
     - a waited scan, execution or run ended failed or cancelled
       (scans wait, scans create --wait, actions trigger --wait, actions wait,
       playbooks run --wait, playbooks wait)
     - `s4e actions validate` answered valid: false
     - `s4e assets bulk-create`: the API refused some of the assets
     - `s4e webhooks verify` rejected the delivery
  2  usage error: bad arguments or values (checked before any request),
     a delete off a terminal without --yes, a bad config file or variable
  3  authentication: no API key, or the key was rejected (401/403)
  4  not found: a 404, an ID, name or filter (--asset, --scan) that
     names no resource, or a setting `s4e config get` finds unset
  5  rate limit, API (422, 5xx), network or local file error, or a wait that
     timed out (--wait-timeout; the message says how to follow the job)
  130 interrupted (Ctrl-C); no partial output file is left behind

Environment:
  S4E_API_KEY   the API key (preferred over --api-key, which shows in `ps`)
  S4E_BASE_URL  the API's base URL (default https://api.s4e.io/v1)
  S4E_PROFILE   the profile of the config file (default: `default`, if there)
  S4E_RETRIES   retries after a failed attempt, when safe (default 3)
  S4E_TIMEOUT   seconds per attempt, decimals allowed (default 30)
  S4E_PROXY     an HTTP(S) proxy for every call
  S4E_CONFIG    the config file (default: <config dir>/s4e/config.toml)
  NO_COLOR      any non-empty value turns colours off (as TERM=dumb does)

Examples:
  s4e findings list --severity critical,high --status open
  s4e scans create shop.example.com --type full --wait
  s4e gate --fail-on high --sarif s4e.sarif";

/// `0.1.0 (SDK s4e 0.1.0)`: the CLI's version and the SDK's it was built with.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("{} (SDK s4e {})", env!("CARGO_PKG_VERSION"), s4e::VERSION)
});

/// The S4E command line: list what is critical, scan and wait, export
/// findings, and fail a CI build when something severe is open.
#[derive(Debug, Parser)]
#[command(name = "s4e", version = VERSION.as_str(), after_help = EXIT_CODES, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

impl Cli {
    /// The command line of this process, or exit 2 with clap's error (0
    /// for `--help` and `--version`).
    pub(crate) fn parse_args() -> Cli {
        Cli::try_parse().unwrap_or_else(|error| usage_as_typed(error).exit())
    }
}

/// clap's usage line in an error names every argument that has a value,
/// and one from the environment counts: in a CI job with `S4E_API_KEY` and
/// `S4E_BASE_URL` set, every usage error would show `--base-url <URL>
/// --api-key <KEY>` as if they were required. The same arguments parsed
/// without the environment give the usage as typed; that error is used when
/// it is the same kind of error (one caused by a variable's value, such as a
/// bad `S4E_PROFILE`, keeps its own).
fn usage_as_typed(error: clap::Error) -> clap::Error {
    if !error.use_stderr() {
        return error;
    }
    match without_environment(Cli::command()).try_get_matches_from(std::env::args_os()) {
        Err(typed) if typed.kind() == error.kind() => typed,
        _ => error,
    }
}

fn without_environment(command: clap::Command) -> clap::Command {
    let command = command.mut_args(|arg| arg.env(None));
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names.into_iter().fold(command, |command, name| {
        command.mut_subcommand(name, without_environment)
    })
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
    /// A named profile of the config file [default: `default` when the file
    /// has it].
    #[arg(
        long,
        env = "S4E_PROFILE",
        global = true,
        help_heading = "Global options",
        value_name = "NAME"
    )]
    pub(crate) profile: Option<String>,
    /// The output format [default: table on a terminal, json otherwise].
    #[arg(
        short,
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FORMAT",
        value_enum
    )]
    pub(crate) output: Option<OutputFormat>,
    /// A jq filter applied to the JSON output (over every item of --all or
    /// --paginate as one array), evaluated in-process.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "EXPR"
    )]
    pub(crate) jq: Option<String>,
    /// No progress bars and no informational messages on stderr (errors and
    /// an unfinished wait are still reported).
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub(crate) quiet: bool,
    /// On stderr: one line per attempt (method, path, status, time, request
    /// id; retries numbered), each rate-limit wait, and the full cause of an
    /// error; never the key.
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub(crate) verbose: bool,
    /// When to use colours (NO_COLOR and TERM=dumb turn `auto` off).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "WHEN",
        value_enum,
        default_value_t = ColorChoice::Auto
    )]
    pub(crate) color: ColorChoice,
    /// Same as --color never.
    #[arg(long, global = true, hide = true)]
    pub(crate) no_color: bool,
    /// Allow a plain-http base URL on a host that is not loopback.
    #[arg(long, global = true, help_heading = "Global options")]
    pub(crate) allow_http: bool,
    /// Share the key's rate-limit window with every process that names the
    /// same Redis (redis:// or rediss://), so parallel jobs do not overrun it.
    #[arg(
        long,
        env = "S4E_RATE_LIMIT_REDIS",
        hide_env_values = true,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub(crate) rate_limit_redis: Option<String>,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set or TERM is dumb.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize, serde::Serialize)]
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

impl OutputFormat {
    /// The name as `-o` takes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Csv => "csv",
        }
    }
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
    /// Any API call, with the SDK's retries and pacing (like `gh api`).
    #[command(
        after_help = "Examples:\n  s4e api GET /findings -f severity=critical --paginate\n  \
                      s4e api POST /assets -f name=shop.example.com -f type=domain\n  \
                      s4e api PATCH /findings/f-91827 --input patch.json"
    )]
    Api(api::ApiArgs),
    /// Store an API key for a profile (asked without echo).
    ///
    /// The key goes to the system keychain where there is one (the macOS
    /// Keychain, the Windows Credential Manager, the Secret Service on Linux),
    /// else to the config file, readable only by you; login says which.
    #[command(
        after_help = "Examples:\n  s4e login\n  echo \"$KEY\" | s4e login --profile ci --insecure-storage"
    )]
    Login {
        /// Store the key in the config file (mode 0600) even where a
        /// keychain is available: for a CI runner or container whose
        /// keychain would ask to be unlocked.
        #[arg(long)]
        insecure_storage: bool,
    },
    /// Remove a profile's stored API key.
    #[command(after_help = "Example:\n  s4e logout --profile ci")]
    Logout,
    /// Read and change profile settings.
    #[command(
        subcommand,
        after_help = "Examples:\n  s4e config set base_url https://s4e.corp.example/api/v1\n  s4e config list"
    )]
    Config(session::ConfigCommand),
    /// Start the embedded S4E sandbox (a local API with demo data) until Ctrl-C.
    // The options are the `s4e-sandbox` binary's own, from one definition;
    // hidden in a build without the `sandbox` feature.
    #[command(after_help = sandbox::after_help(), hide = !sandbox::LISTED)]
    Sandbox(sandbox::SandboxOptions),
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
    /// Seconds between two status checks [default: the SDK's, 10].
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub(crate) interval: Option<f64>,
    /// Give up after this many seconds (exit 5) [default: 2 hours].
    #[arg(long = "wait-timeout", value_name = "SECS", value_parser = seconds)]
    pub(crate) timeout: Option<f64>,
}

impl WaitOptions {
    /// `None`: the SDK's own interval.
    pub(crate) fn interval(&self) -> Option<std::time::Duration> {
        self.interval.map(std::time::Duration::from_secs_f64)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The arguments whose values are open-ended (IDs, names, numbers, files,
    /// URLs, times, expressions). Every other argument that takes a value has
    /// a fixed set, and clap must know it: checked before any request, listed
    /// in the error and offered by completions.
    const OPEN_ENDED: &[&str] = &[
        "api_key",
        "assets",
        "asset",
        "base_url",
        "baseline",
        "cassette",
        "category",
        "delivery_id",
        "description",
        "execution_id",
        "fields",
        "file",
        "forward_to",
        "full_access_key",
        "headers",
        "host",
        "id",
        "ignore_body_path",
        "ignore_file",
        "input",
        "interval",
        "jq",
        "junit",
        "latency",
        "limit",
        "max_age",
        "name",
        "note",
        "options",
        "out",
        "params",
        "path",
        "port",
        "profile",
        "public_url",
        "rate_limit",
        "rate_limit_redis",
        "read_only_key",
        "record",
        "redact",
        "replay",
        "run_id",
        "sarif",
        "scan_id",
        "scan_speed",
        "search",
        "secret",
        "seed",
        "sets",
        "signature",
        "since",
        "start_time",
        "summary_md",
        "tag",
        "tags",
        "timeout",
        "tolerance",
        "until",
        "url",
        "value",
    ];

    fn walk(
        command: &clap::Command,
        path: &str,
        open: &mut BTreeSet<String>,
        closed: &mut Vec<String>,
    ) {
        for arg in command.get_arguments() {
            if !arg.get_num_args().is_some_and(|n| n.takes_values()) {
                continue;
            }
            let id = arg.get_id().as_str().to_owned();
            if arg.get_possible_values().is_empty() {
                assert!(
                    OPEN_ENDED.contains(&id.as_str()),
                    "`{path}`: argument `{id}` takes any value; give it the values it \
                     accepts (crate::choices::one_of for an SDK enum), or add it to \
                     OPEN_ENDED when its values really are open-ended"
                );
                open.insert(id);
            } else {
                closed.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), open, closed);
        }
    }

    #[test]
    fn every_argument_with_a_fixed_set_of_values_is_checked_by_clap() {
        let mut command = Cli::command();
        command.build();
        let (mut open, mut closed) = (BTreeSet::new(), Vec::new());
        walk(&command, "s4e", &mut open, &mut closed);
        // The list names only arguments that exist, so it cannot hide a new one.
        let unused: Vec<_> = OPEN_ENDED
            .iter()
            .filter(|id| !open.contains(**id))
            .collect();
        assert!(
            unused.is_empty(),
            "OPEN_ENDED names no argument: {unused:?}"
        );
        for flag in [
            "s4e gate fail_on",
            "s4e gate scan",
            "s4e gate status",
            "s4e webhooks trigger event",
        ] {
            assert!(
                closed.iter().any(|c| c == flag),
                "{flag} is checked: {closed:?}"
            );
        }
    }
}
