//! What every command needs: the client, the output format, colours and
//! whether progress may be drawn.

use std::io::IsTerminal;

use clap::ValueEnum;

use crate::cli::{Global, OutputFormat};
use crate::config;
use crate::exit::Failure;

/// The settings resolved from flags, environment and profile.
pub(crate) struct Context {
    pub(crate) output: OutputFormat,
    pub(crate) color: bool,
    pub(crate) quiet: bool,
    /// Progress bars only on a terminal and without `--quiet`.
    pub(crate) progress: bool,
    base_url: Option<String>,
    api_key: Option<String>,
}

impl Context {
    pub(crate) fn new(global: &Global) -> Result<Self, Failure> {
        let profile = match &global.profile {
            Some(name) => config::load(name)?,
            None => config::Profile::default(),
        };
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let output = match &global.output {
            Some(text) => Some(OutputFormat::from_str(text, true).map_err(|_| {
                Failure::Usage(format!(
                    "-o/--output `{text}`: expected table, json, ndjson or csv"
                ))
            })?),
            None => None,
        };
        let output = output.or(profile.output).unwrap_or(if stdout_is_terminal {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
        let no_color_env = std::env::var_os("NO_COLOR");
        Ok(Context {
            output,
            color: use_color(stdout_is_terminal, global.no_color, no_color_env.as_deref()),
            quiet: global.quiet,
            progress: !global.quiet && std::io::stderr().is_terminal(),
            base_url: global.base_url.clone().or(profile.base_url),
            api_key: global
                .api_key
                .clone()
                .filter(|key| !key.is_empty())
                .or(profile.api_key),
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
        // The SDK's own variables, as `Client::from_env` reads them.
        if let Some(retries) = env_number("S4E_RETRIES")? {
            builder = builder.retries(retries);
        }
        if let Some(seconds) = env_number("S4E_TIMEOUT")? {
            builder = builder.timeout(std::time::Duration::from_secs(u64::from(seconds)));
        }
        // Parallel jobs with one key share its rate-limit window in Redis.
        if let Some(url) = std::env::var("S4E_RATE_LIMIT_REDIS")
            .ok()
            .filter(|url| !url.trim().is_empty())
        {
            builder = builder.rate_limit_store(s4e::ratelimit::RedisStore::new(url.trim())?);
        }
        Ok(builder.build()?)
    }

    /// Prints an informational line on stderr unless `--quiet`.
    pub(crate) fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// Colours only on a terminal, unless `--no-color` or a non-empty
/// `NO_COLOR` (https://no-color.org) says otherwise.
fn use_color(
    stdout_is_terminal: bool,
    no_color_flag: bool,
    no_color_env: Option<&std::ffi::OsStr>,
) -> bool {
    let no_color_env = no_color_env.is_some_and(|value| !value.is_empty());
    stdout_is_terminal && !no_color_flag && !no_color_env
}

/// A whole number from the environment; a bad value is a usage error.
fn env_number(name: &str) -> Result<Option<u32>, Failure> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Failure::Usage(format!("{name}=`{text}` is not a whole number"))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_opt_out() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(use_color(true, false, None));
        assert!(
            use_color(true, false, empty),
            "an empty NO_COLOR does not count"
        );
        assert!(!use_color(true, false, set));
        assert!(!use_color(true, true, None));
        assert!(!use_color(false, false, None));
    }
}
