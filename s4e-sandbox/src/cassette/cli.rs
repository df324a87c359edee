//! The command-line options of record, replay and verify: the
//! `s4e-sandbox record|replay|verify` subcommands, and the `--replay` /
//! `--record` options that [`SandboxArgs`](crate::cli::SandboxArgs) (and so
//! `s4e sandbox`) shares.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::SandboxBuilder;
use crate::cli::DEFAULT_PORT;

use super::{VerifyOptions, parse_age};

/// How a replay matches and how old its cassette may be.
#[derive(Debug, Clone, Default, clap::Args)]
#[non_exhaustive]
pub struct ReplayOptions {
    /// Replace every match of this regular expression with REDACTED before
    /// anything is written (repeatable); also applied to replayed requests
    #[arg(long, value_name = "REGEX")]
    pub redact: Vec<String>,
    /// Leave this request body field (a JSON pointer such as
    /// /options/started_at) out of matching (repeatable)
    #[arg(long, value_name = "POINTER")]
    pub ignore_body_path: Vec<String>,
    /// A request made more often than recorded gets the last recorded answer
    /// again instead of a 501 cassette_miss
    #[arg(long)]
    pub allow_repeats: bool,
    /// Warn when the cassette is older than this (30d, 2w, 12h)
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub max_age: Option<Duration>,
    /// With --max-age: refuse an older cassette instead of warning
    #[arg(long, requires = "max_age")]
    pub strict_age: bool,
}

impl ReplayOptions {
    /// Applies these options to `builder`, and prints misses and stale
    /// warnings on standard error.
    pub fn apply(&self, mut builder: SandboxBuilder) -> SandboxBuilder {
        for pattern in &self.redact {
            builder = builder.redact(pattern.clone());
        }
        for pointer in &self.ignore_body_path {
            builder = builder.ignore_body_path(pointer.clone());
        }
        if self.allow_repeats {
            builder = builder.allow_repeats();
        }
        if let Some(age) = self.max_age {
            builder = builder.max_age(age);
        }
        if self.strict_age {
            builder = builder.strict_age();
        }
        builder.on_cassette_notice(|message| eprintln!("cassette: {message}"))
    }
}

/// Where a recorder or a replay listens.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct Listen {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

impl Listen {
    fn builder(&self) -> SandboxBuilder {
        crate::Sandbox::builder().host(self.host).port(self.port)
    }
}

/// `s4e-sandbox record`: a proxy that records each interaction with the
/// upstream API into a cassette.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct RecordArgs {
    /// The base URL of the API to record, e.g. `https://api.s4e.io/v1`
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// The cassette directory (its cassette.json is replaced)
    #[arg(long, value_name = "DIR")]
    pub cassette: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub listen: Listen,
    /// Replace every match of this regular expression with REDACTED before
    /// anything is written (repeatable)
    #[arg(long, value_name = "REGEX")]
    pub redact: Vec<String>,
}

impl RecordArgs {
    /// A builder that records as these options say.
    pub fn builder(&self) -> SandboxBuilder {
        let mut builder = self
            .listen
            .builder()
            .record(self.upstream.clone(), self.cassette.clone());
        for pattern in &self.redact {
            builder = builder.redact(pattern.clone());
        }
        builder
    }
}

/// `s4e-sandbox replay`: answers from a cassette, offline.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct ReplayArgs {
    /// The cassette directory
    #[arg(long, value_name = "DIR")]
    pub cassette: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub listen: Listen,
    /// Forward what the cassette lacks to --upstream and record it
    #[arg(long, requires = "upstream")]
    pub record_missing: bool,
    /// The API --record-missing forwards to
    #[arg(long, value_name = "URL", requires = "record_missing")]
    pub upstream: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub options: ReplayOptions,
}

impl ReplayArgs {
    /// A builder that replays as these options say.
    pub fn builder(&self) -> SandboxBuilder {
        let mut builder = self.listen.builder().replay(self.cassette.clone());
        if let Some(upstream) = &self.upstream {
            builder = builder.record_missing(upstream.clone());
        }
        self.options.apply(builder)
    }
}

/// How `verify` prints its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
#[non_exhaustive]
pub enum ReportFormat {
    /// For people.
    #[default]
    Text,
    /// For machines.
    Json,
}

/// The spec `verify` checks against unless told otherwise (when it exists
/// where the command runs, as in a clone of the SDK's repository).
pub const DEFAULT_SPEC: &str = "spec/s4e-v1.yaml";

/// `s4e-sandbox verify`: drift between a cassette, a live API and the spec.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct VerifyArgs {
    /// The cassette directory
    #[arg(long, value_name = "DIR")]
    pub cassette: PathBuf,
    /// Re-send the recorded safe requests (GET) to this API and compare the
    /// answers' fields
    #[arg(long, value_name = "URL")]
    pub against: Option<String>,
    /// The key for --against
    #[arg(long, value_name = "KEY", env = "S4E_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Also re-send the recorded writes (they change the live API's data)
    #[arg(long, requires = "against")]
    pub include_writes: bool,
    /// Check every recorded answer against this OpenAPI document [default:
    /// spec/s4e-v1.yaml when it exists]
    #[arg(long, value_name = "FILE", conflicts_with = "no_spec")]
    pub spec: Option<PathBuf>,
    /// Skip the spec check
    #[arg(long)]
    pub no_spec: bool,
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: ReportFormat,
}

impl VerifyArgs {
    /// The options these arguments ask for.
    pub fn options(&self) -> VerifyOptions {
        let mut options =
            VerifyOptions::new(self.cassette.clone()).include_writes(self.include_writes);
        if let Some(url) = &self.against {
            options = options.against(url.clone(), self.api_key.clone());
        }
        let spec = match (&self.spec, self.no_spec) {
            (_, true) => None,
            (Some(path), false) => Some(path.clone()),
            (None, false) => Some(PathBuf::from(DEFAULT_SPEC)).filter(|p| p.is_file()),
        };
        if let Some(spec) = spec {
            options = options.spec(spec);
        }
        options
    }
}
