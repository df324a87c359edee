//! `s4e-sandbox`: a stateful local S4E API on your machine, until Ctrl-C.
//!
//! ```sh
//! cargo run -p s4e-sandbox -- --port 8080 --seed 42
//! ```

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use s4e_sandbox::{DEFAULT_SCAN_SPEED, DEFAULT_SEED, Sandbox};

const HELP: &str = "\
s4e-sandbox: a stateful local implementation of the S4E REST API

Usage: s4e-sandbox [OPTIONS]

Options:
  --host <ADDR>          Address to listen on [default: 127.0.0.1]
  --port <PORT>          Port to listen on; 0 picks a free one [default: 8080]
  --seed <N>             Seed of the generated data [default: 42]
  --scan-speed <X>       How many times faster than nominal scans, action
                         executions and playbook runs progress; 1 is real
                         time, 0 freezes them [default: 60]
  --manual-clock         Start with the clock paused: only
                         POST /__sandbox/clock/advance moves it
  --start-time <TIME>    The clock's start, an RFC 3339 date-time (the seed
                         data's times are relative to it); with
                         --manual-clock and --seed every answer is the same
                         from run to run [default: now]
  --rate-limit <N>       Requests per minute per API key (fixed windows of
                         a minute); unlimited when not given
  --documented-limits    The contract's limits: 100 requests per minute per
                         key, POST /scans 10 and POST /findings/export 5
                         per minute per key
  --latency <MS>         Least milliseconds from a request's arrival to its
                         answer, the server's work included [default: 0]
  --api-key <KEY>        The full-access key [default: sk_sandbox_full_access]
  --read-only-key <KEY>  The read-only key [default: sk_sandbox_read_only]
  -h, --help             Print this help
  -V, --version          Print the version

Admin routes (no key needed) live under /__sandbox: see the crate README.
";

#[derive(Debug)]
struct Args {
    host: IpAddr,
    port: u16,
    seed: u64,
    scan_speed: f64,
    manual_clock: bool,
    start_time: Option<DateTime<Utc>>,
    rate_limit: Option<u32>,
    documented_limits: bool,
    latency: Duration,
    api_key: Option<String>,
    read_only_key: Option<String>,
}

enum Parsed {
    Run(Args),
    Help,
    Version,
}

fn value<T: std::str::FromStr>(flag: &str, raw: Option<String>, what: &str) -> Result<T, String> {
    let raw = raw.ok_or_else(|| format!("{flag} needs a value ({what})"))?;
    raw.parse()
        .map_err(|_| format!("{flag}: `{raw}` is not {what}"))
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut out = Args {
        host: IpAddr::from([127, 0, 0, 1]),
        port: 8080,
        seed: DEFAULT_SEED,
        scan_speed: DEFAULT_SCAN_SPEED,
        manual_clock: false,
        start_time: None,
        rate_limit: None,
        documented_limits: false,
        latency: Duration::ZERO,
        api_key: None,
        read_only_key: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // `--flag=value` and `--flag value` both work.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg, None),
        };
        let mut next = || inline.clone().or_else(|| args.next());
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-V" | "--version" => return Ok(Parsed::Version),
            "--host" => {
                let raw: String = value(&flag, next(), "an address")?;
                out.host = if raw == "localhost" {
                    IpAddr::from([127, 0, 0, 1])
                } else {
                    raw.parse()
                        .map_err(|_| format!("--host: `{raw}` is not an IP address"))?
                };
            }
            "--port" => out.port = value(&flag, next(), "a port number (0-65535)")?,
            "--seed" => out.seed = value(&flag, next(), "a whole number")?,
            "--scan-speed" => {
                let speed: f64 = value(&flag, next(), "a number")?;
                if !speed.is_finite() || speed < 0.0 {
                    return Err(format!("--scan-speed: `{speed}` must be 0 or more"));
                }
                out.scan_speed = speed;
            }
            "--manual-clock" => out.manual_clock = true,
            "--start-time" => {
                out.start_time = Some(value(
                    &flag,
                    next(),
                    "an RFC 3339 date-time (2026-01-01T00:00:00Z)",
                )?)
            }
            "--documented-limits" => out.documented_limits = true,
            "--rate-limit" => {
                let n: u32 = value(&flag, next(), "a positive whole number")?;
                out.rate_limit = (n > 0).then_some(n);
            }
            "--latency" => {
                out.latency = Duration::from_millis(value(&flag, next(), "milliseconds")?)
            }
            "--api-key" => out.api_key = Some(value(&flag, next(), "a key")?),
            "--read-only-key" => out.read_only_key = Some(value(&flag, next(), "a key")?),
            other => return Err(format!("unknown argument `{other}`; see --help")),
        }
    }
    Ok(Parsed::Run(out))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Version) => {
            println!("s4e-sandbox {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
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
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let mut builder = Sandbox::builder()
        .host(args.host)
        .port(args.port)
        .seed(args.seed)
        .scan_speed(args.scan_speed)
        .latency(args.latency);
    if args.manual_clock {
        builder = builder.manual_clock();
    }
    if let Some(at) = args.start_time {
        builder = builder.start_time(at);
    }
    if args.documented_limits {
        builder = builder.documented_limits();
    }
    // An explicit --rate-limit wins over the documented per-key limit.
    if let Some(n) = args.rate_limit {
        builder = builder.rate_limit(n);
    }
    if let Some(k) = args.api_key {
        builder = builder.api_key(k);
    }
    if let Some(k) = args.read_only_key {
        builder = builder.read_only_key(k);
    }
    let stop = match stop_signal() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("error: cannot listen for Ctrl-C: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sandbox = match builder.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
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

    fn run_args(list: &[&str]) -> Result<Args, String> {
        match parse(list.iter().map(|s| s.to_string()))? {
            Parsed::Run(a) => Ok(a),
            _ => Err("not a run".into()),
        }
    }

    #[test]
    fn defaults_and_flags() {
        let a = run_args(&[]).unwrap();
        assert_eq!(
            (a.port, a.seed, a.host.to_string()),
            (8080, 42, "127.0.0.1".to_string())
        );
        let a = run_args(&[
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
        ])
        .unwrap();
        assert!(a.documented_limits && !run_args(&[]).unwrap().documented_limits);
        assert_eq!(
            (a.port, a.seed, a.rate_limit, a.latency),
            (9000, 7, Some(100), Duration::from_millis(25))
        );
        assert_eq!(a.host.to_string(), "0.0.0.0");
        assert!(a.manual_clock && (a.scan_speed - 1.5).abs() < 1e-9);
        assert_eq!(a.start_time, None);
        let a = run_args(&["--start-time", "2026-06-01T12:00:00+02:00"]).unwrap();
        assert_eq!(
            a.start_time.map(|t| t.to_rfc3339()),
            Some("2026-06-01T10:00:00+00:00".to_string())
        );
    }

    #[test]
    fn errors_name_the_flag() {
        assert!(
            run_args(&["--port", "99999"])
                .unwrap_err()
                .contains("--port")
        );
        assert!(run_args(&["--seed"]).unwrap_err().contains("needs a value"));
        assert!(
            run_args(&["--bogus"])
                .unwrap_err()
                .contains("unknown argument")
        );
        assert!(run_args(&["--scan-speed", "-1"]).is_err());
        assert!(
            run_args(&["--start-time", "yesterday"])
                .unwrap_err()
                .contains("--start-time: `yesterday` is not an RFC 3339 date-time")
        );
        assert!(matches!(parse(["--help".to_string()]), Ok(Parsed::Help)));
    }
}
