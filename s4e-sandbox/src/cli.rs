//! The sandbox's command-line options, defined once for the `s4e-sandbox`
//! binary and the `s4e sandbox` command of `s4e-cli`, so the two cannot drift
//! apart. Behind the `cli` feature (on by default).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{DEFAULT_API_KEY, DEFAULT_READ_ONLY_KEY, DEFAULT_SCAN_SPEED, DEFAULT_SEED};
use crate::{Sandbox, SandboxBuilder};

/// The port the binaries listen on unless told otherwise (the builder's
/// default is 0, a free port, which suits tests rather than people).
pub const DEFAULT_PORT: u16 = 8080;

/// The closing line of both binaries' `--help`.
pub const ADMIN_ROUTES: &str =
    "Admin routes (no key needed) live under /__sandbox: see the s4e-sandbox crate's README.";

/// How to start a sandbox from a command line: flatten it into a clap
/// parser, then [`builder`](Self::builder).
///
/// # Examples
///
/// ```no_run
/// use clap::Parser;
/// use s4e_sandbox::cli::SandboxArgs;
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     sandbox: SandboxArgs,
/// }
///
/// # async fn demo() -> Result<(), s4e_sandbox::Error> {
/// let cli = Cli::parse_from(["demo", "--seed", "7", "--manual-clock"]);
/// let sandbox = cli.sandbox.builder().start().await?;
/// println!("{}", sandbox.base_url());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct SandboxArgs {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1", value_parser = host)]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Seed of the generated data
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// How many times faster than nominal scans, action executions and
    /// playbook runs progress; 1 is real time, 0 freezes them
    #[arg(long, value_name = "X", default_value_t = DEFAULT_SCAN_SPEED, value_parser = scan_speed, allow_negative_numbers = true)]
    pub scan_speed: f64,
    /// Start with the clock paused: only POST /__sandbox/clock/advance moves
    /// it
    #[arg(long)]
    pub manual_clock: bool,
    /// The clock's start, an RFC 3339 date-time (the seed data's times are
    /// relative to it); with --manual-clock and --seed every answer is the
    /// same from run to run [default: now]
    #[arg(long, value_name = "TIME", value_parser = start_time)]
    pub start_time: Option<DateTime<Utc>>,
    /// Requests per minute per API key (fixed windows of a minute);
    /// unlimited when not given or 0
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// The contract's limits: 100 requests per minute per key, POST /scans 10
    /// and POST /findings/export 5 per minute per key
    #[arg(long)]
    pub documented_limits: bool,
    /// Least milliseconds from a request's arrival to its answer, the
    /// server's work included
    #[arg(long, value_name = "MS", default_value = "0", value_parser = millis)]
    pub latency: Duration,
    /// The full-access key
    // Not `--api-key`: in `s4e sandbox` that name is the CLI's own global
    // option (the key the CLI sends), and clap allows one meaning per flag.
    // The `s4e-sandbox` binary still accepts `--api-key` as a hidden alias.
    #[arg(long, value_name = "KEY", default_value = DEFAULT_API_KEY)]
    pub full_access_key: String,
    /// The read-only key
    #[arg(long, value_name = "KEY", default_value = DEFAULT_READ_ONLY_KEY)]
    pub read_only_key: String,
    /// Answer from this cassette directory instead of the stateful sandbox,
    /// offline (see `s4e-sandbox replay`)
    #[arg(long, value_name = "DIR", conflicts_with = "record")]
    pub replay: Option<PathBuf>,
    /// Record the traffic to this API into --cassette instead of serving the
    /// stateful sandbox (see `s4e-sandbox record`)
    #[arg(long, value_name = "URL", requires = "cassette")]
    pub record: Option<String>,
    /// The cassette directory --record writes
    #[arg(long, value_name = "DIR", requires = "record")]
    pub cassette: Option<PathBuf>,
    /// How --replay matches, and how old its cassette may be.
    #[command(flatten)]
    pub replay_options: crate::cassette::cli::ReplayOptions,
}

impl Default for SandboxArgs {
    /// What an empty command line gives.
    fn default() -> Self {
        SandboxArgs {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            seed: DEFAULT_SEED,
            scan_speed: DEFAULT_SCAN_SPEED,
            manual_clock: false,
            start_time: None,
            rate_limit: None,
            documented_limits: false,
            latency: Duration::ZERO,
            full_access_key: DEFAULT_API_KEY.into(),
            read_only_key: DEFAULT_READ_ONLY_KEY.into(),
            replay: None,
            record: None,
            cassette: None,
            replay_options: Default::default(),
        }
    }
}

impl SandboxArgs {
    /// A builder configured as these options say.
    pub fn builder(&self) -> SandboxBuilder {
        let mut builder = Sandbox::builder()
            .host(self.host)
            .port(self.port)
            .seed(self.seed)
            .scan_speed(self.scan_speed)
            .latency(self.latency)
            .api_key(self.full_access_key.clone())
            .read_only_key(self.read_only_key.clone());
        if self.manual_clock {
            builder = builder.manual_clock();
        }
        if let Some(at) = self.start_time {
            builder = builder.start_time(at);
        }
        if self.documented_limits {
            builder = builder.documented_limits();
        }
        // An explicit --rate-limit wins over the documented per-key limit;
        // 0 keeps whatever was set (none, or the documented one).
        if let Some(per_minute) = self.rate_limit.filter(|n| *n > 0) {
            builder = builder.rate_limit(per_minute);
        }
        if let Some(dir) = &self.replay {
            builder = builder.replay(dir.clone());
        }
        if let (Some(upstream), Some(dir)) = (&self.record, &self.cassette) {
            builder = builder.record(upstream.clone(), dir.clone());
        }
        self.replay_options.apply(builder)
    }
}

fn host(raw: &str) -> Result<IpAddr, String> {
    if raw == "localhost" {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    raw.parse()
        .map_err(|_| format!("`{raw}` is not an IP address (or localhost)"))
}

fn scan_speed(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed >= 0.0 => Ok(speed),
        _ => Err(format!("`{raw}` is not a number of 0 or more")),
    }
}

fn start_time(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| format!("`{raw}` is not an RFC 3339 date-time (2026-01-01T00:00:00Z)"))
}

fn millis(raw: &str) -> Result<Duration, String> {
    raw.parse()
        .map(Duration::from_millis)
        .map_err(|_| format!("`{raw}` is not a whole number of milliseconds"))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    #[command(name = "s4e-sandbox")]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    fn parse(list: &[&str]) -> Result<SandboxArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("s4e-sandbox").chain(list.iter().copied()))
            .map(|cli| cli.args)
    }

    #[test]
    fn the_parser_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn an_empty_command_line_gives_the_defaults() {
        let parsed = parse(&[]).unwrap();
        let default = SandboxArgs::default();
        assert_eq!(
            format!("{parsed:?}"),
            format!("{default:?}"),
            "Default agrees with the flags' defaults"
        );
        assert_eq!(
            (parsed.port, parsed.seed, parsed.host.to_string()),
            (8080, 42, "127.0.0.1".to_string())
        );
    }

    #[test]
    fn every_flag_reaches_its_field() {
        let a = parse(&[
            "--port",
            "9000",
            "--seed=7",
            "--host",
            "0.0.0.0",
            "--rate-limit",
            "100",
            "--latency",
            "25",
            "--scan-speed",
            "1.5",
            "--manual-clock",
            "--documented-limits",
            "--full-access-key",
            "k1",
            "--read-only-key",
            "k2",
        ])
        .unwrap();
        assert!(a.documented_limits && !parse(&[]).unwrap().documented_limits);
        assert_eq!(
            (a.port, a.seed, a.rate_limit, a.latency),
            (9000, 7, Some(100), Duration::from_millis(25))
        );
        assert_eq!(a.host.to_string(), "0.0.0.0");
        assert!(a.manual_clock && (a.scan_speed - 1.5).abs() < 1e-9);
        assert_eq!(
            (a.full_access_key.as_str(), a.read_only_key.as_str()),
            ("k1", "k2")
        );
        assert_eq!(a.start_time, None);
        let a = parse(&[
            "--start-time",
            "2026-06-01T12:00:00+02:00",
            "--host",
            "localhost",
        ])
        .unwrap();
        assert_eq!(
            a.start_time.map(|t| t.to_rfc3339()),
            Some("2026-06-01T10:00:00+00:00".to_string())
        );
        assert_eq!(a.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn errors_name_the_flag_and_the_value() {
        for (args, wanted) in [
            (&["--port", "99999"][..], "--port"),
            (&["--seed"], "--seed"),
            (&["--bogus"], "--bogus"),
            (&["--scan-speed", "-1"], "`-1` is not a number of 0 or more"),
            (
                &["--scan-speed", "inf"],
                "`inf` is not a number of 0 or more",
            ),
            (&["--host", "example"], "`example` is not an IP address"),
            (
                &["--latency", "1.5"],
                "`1.5` is not a whole number of milliseconds",
            ),
            (
                &["--start-time", "yesterday"],
                "`yesterday` is not an RFC 3339 date-time",
            ),
        ] {
            let error = parse(args).unwrap_err().to_string();
            assert!(error.contains(wanted), "{args:?}: {error}");
        }
    }

    #[test]
    fn the_builder_takes_every_option() {
        let builder = parse(&[
            "--port",
            "0",
            "--seed",
            "9",
            "--documented-limits",
            "--rate-limit",
            "7",
        ])
        .unwrap()
        .builder();
        let shown = format!("{builder:?}");
        for wanted in ["seed: 9", "port: 0", "rate_limit: Some(7)"] {
            assert!(shown.contains(wanted), "{wanted} in {shown}");
        }
        // 0 leaves the documented per-key limit in place.
        let shown = format!(
            "{:?}",
            parse(&["--documented-limits", "--rate-limit", "0"])
                .unwrap()
                .builder()
        );
        assert!(shown.contains("rate_limit: Some(100)"), "{shown}");
    }
}
