//! What every command needs: the client, the output format, colours and
//! whether progress may be drawn.

use std::io::IsTerminal;

use crate::cli::{ColorChoice, Global, OutputFormat};
use crate::config;
use crate::exit::Failure;

/// The settings resolved from flags, environment and profile.
pub(crate) struct Context {
    pub(crate) output: OutputFormat,
    /// `-o` as given (or from the profile), `None` when defaulted.
    pub(crate) explicit_output: Option<OutputFormat>,
    pub(crate) color: bool,
    pub(crate) quiet: bool,
    pub(crate) verbose: bool,
    /// Progress bars only on a terminal and without `--quiet`.
    pub(crate) progress: bool,
    /// Informational notes that only help a person (`showing 50 of 354`).
    pub(crate) hints: bool,
    /// `--jq`: applied to every JSON document printed.
    pub(crate) jq: Option<crate::jq::Filter>,
    base_url: Option<String>,
    api_key: Option<String>,
    allow_http: bool,
    /// `--rate-limit-redis`, `S4E_RATE_LIMIT_REDIS` or the profile's.
    rate_limit_redis: Option<String>,
}

impl Context {
    pub(crate) fn new(global: &Global) -> Result<Self, Failure> {
        let profile = config::profile(global.profile.as_deref())?;
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let explicit_output = global.output.or(profile.output);
        let jq = global
            .jq
            .as_deref()
            .map(crate::jq::Filter::compile)
            .transpose()?;
        // --jq prints JSON whatever the terminal.
        let output = match (explicit_output, &jq) {
            (Some(OutputFormat::Table | OutputFormat::Csv), Some(_)) => {
                return Err(Failure::Usage(
                    "--jq works on JSON: use it with -o json or -o ndjson".into(),
                ));
            }
            (Some(format), _) => format,
            (None, Some(_)) => OutputFormat::Json,
            (None, None) if stdout_is_terminal => OutputFormat::Table,
            (None, None) => OutputFormat::Json,
        };
        let choice = if global.no_color {
            ColorChoice::Never
        } else {
            global.color
        };
        Ok(Context {
            output,
            explicit_output,
            color: use_color(
                choice,
                stdout_is_terminal,
                std::env::var_os("NO_COLOR").as_deref(),
                std::env::var_os("TERM").as_deref(),
            ),
            quiet: global.quiet,
            verbose: global.verbose,
            progress: !global.quiet && stderr_is_terminal,
            hints: !global.quiet && stderr_is_terminal,
            jq,
            base_url: global.base_url.clone().or(profile.base_url.clone()),
            api_key: global
                .api_key
                .clone()
                .filter(|key| !key.is_empty())
                .map_or_else(|| profile.key(), |key| Ok(Some(key)))?,
            allow_http: global.allow_http,
            rate_limit_redis: global
                .rate_limit_redis
                .clone()
                .or(profile.rate_limit_redis.clone())
                .map(|url| url.trim().to_owned())
                .filter(|url| !url.is_empty()),
        })
    }

    /// The SDK client; the key is handed to the SDK and not kept elsewhere.
    pub(crate) fn client(&self) -> Result<s4e::Client, Failure> {
        let key = self.api_key.as_deref().ok_or(Failure::NoKey)?;
        let mut builder =
            s4e::Client::builder(key).user_agent(concat!("s4e-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        crate::exit::set_base_url(self.base_url());
        // The SDK's own variables, as `ClientBuilder::from_env` reads them.
        if let Some(retries) = env_value("S4E_RETRIES", "a whole number of retries", |text| {
            text.parse::<u32>().ok()
        })? {
            builder = builder.retries(retries);
        }
        if let Some(timeout) = env_value("S4E_TIMEOUT", "a positive number of seconds", |text| {
            text.parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
                .map(std::time::Duration::from_secs_f64)
        })? {
            builder = builder.timeout(timeout);
        }
        if let Some(proxy) = env_value("S4E_PROXY", "a proxy URL", |text| Some(text.to_owned()))? {
            builder = builder.proxy(proxy);
        }
        if self.allow_http {
            builder = builder.allow_http(true);
        }
        if self.verbose {
            builder = builder.on_response(|outcome| {
                eprintln!("{}", crate::observe::attempt_line(outcome));
            });
        }
        // Parallel jobs with one key share its rate-limit window in Redis.
        if let Some(url) = &self.rate_limit_redis {
            builder = builder.rate_limit_store(s4e::ratelimit::RedisStore::new(url)?);
        }
        Ok(builder.build()?)
    }

    /// The base URL requests go to, for messages.
    pub(crate) fn base_url(&self) -> &str {
        self.base_url.as_deref().unwrap_or(s4e::DEFAULT_BASE_URL)
    }

    /// Prints an informational line on stderr unless `--quiet`.
    pub(crate) fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// `--color`: `auto` means on a terminal, unless a non-empty `NO_COLOR`
/// (https://no-color.org) or `TERM=dumb` says otherwise.
fn use_color(
    choice: ColorChoice,
    stdout_is_terminal: bool,
    no_color_env: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color_env = no_color_env.is_some_and(|value| !value.is_empty());
            let dumb = term.is_some_and(|term| term == "dumb");
            stdout_is_terminal && !no_color_env && !dumb
        }
    }
}

/// A variable of the environment parsed by `parse`; a bad value is a usage
/// error naming what was expected.
fn env_value<T>(
    name: &str,
    expected: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Failure> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => parse(text.trim())
            .map(Some)
            .ok_or_else(|| Failure::Usage(format!("{name}=`{text}`: expected {expected}"))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_choice_the_terminal_no_color_and_term() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        let dumb = Some(std::ffi::OsStr::new("dumb"));
        let xterm = Some(std::ffi::OsStr::new("xterm-256color"));
        assert!(use_color(ColorChoice::Auto, true, None, xterm));
        assert!(
            use_color(ColorChoice::Auto, true, empty, None),
            "an empty NO_COLOR does not count"
        );
        assert!(!use_color(ColorChoice::Auto, true, set, xterm));
        assert!(!use_color(ColorChoice::Auto, true, None, dumb));
        assert!(!use_color(ColorChoice::Auto, false, None, xterm));
        assert!(use_color(ColorChoice::Always, false, set, dumb));
        assert!(!use_color(ColorChoice::Never, true, None, xterm));
    }
}
