//! Exit codes and the one-line error messages, from the SDK's error variants.

/// Success.
pub(crate) const OK: u8 = 0;
/// Finished, but the outcome is negative: a waited job ended `failed` or
/// `cancelled`, `actions validate` answered `valid: false`, a webhook
/// delivery was rejected.
pub(crate) const NEGATIVE_OUTCOME: u8 = 1;
/// `s4e gate` found findings at or above the threshold.
pub(crate) const GATE_FAILED: u8 = NEGATIVE_OUTCOME;
/// Bad arguments (clap uses 2 too).
pub(crate) const USAGE: u8 = 2;
/// The API key is missing, rejected or not allowed.
pub(crate) const AUTH: u8 = 3;
/// The resource does not exist.
pub(crate) const NOT_FOUND: u8 = 4;
/// Rate limited, an API error, a network error, or a local file error.
pub(crate) const API_ERROR: u8 = 5;
/// Interrupted with Ctrl-C (128 + SIGINT, as shells report it).
pub(crate) const INTERRUPTED: u8 = 130;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The SDK returned an error.
    Sdk(s4e::Error),
    /// The arguments do not make sense together (beyond what clap checks).
    Usage(String),
    /// No API key in `S4E_API_KEY`, `--api-key` or the profile.
    NoKey,
    /// A local file could not be read or written.
    File {
        /// What was being done, with the path.
        action: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The command failed for a reason of its own (a webhook signature that
    /// does not verify, a scan that failed).
    Other {
        /// The exit code.
        code: u8,
        /// The message.
        message: String,
    },
    /// Ctrl-C.
    Interrupted,
    /// Standard output was closed by its reader (`s4e ... | head`): stop
    /// quietly, as `head` asked for no more.
    BrokenPipe,
}

impl From<s4e::Error> for Failure {
    fn from(error: s4e::Error) -> Self {
        Failure::Sdk(error)
    }
}

impl Failure {
    pub(crate) fn file(action: impl Into<String>, source: std::io::Error) -> Self {
        Failure::File {
            action: action.into(),
            source,
        }
    }

    /// The process's exit code.
    pub(crate) fn code(&self) -> u8 {
        match self {
            Failure::Sdk(error) => sdk_code(error),
            Failure::Usage(_) => USAGE,
            Failure::NoKey => AUTH,
            Failure::File { .. } => API_ERROR,
            Failure::Other { code, .. } => *code,
            Failure::Interrupted => INTERRUPTED,
            Failure::BrokenPipe => OK,
        }
    }

    /// The short human message (no `error: ` prefix).
    pub(crate) fn message(&self) -> String {
        match self {
            Failure::Sdk(error) => sdk_message(error),
            Failure::Usage(message) => message.clone(),
            Failure::NoKey => {
                "no API key. Set S4E_API_KEY (or use --profile with an api_key).".to_owned()
            }
            Failure::File { action, source } => format!("{action}: {source}"),
            Failure::Other { message, .. } => message.clone(),
            Failure::Interrupted => "interrupted".to_owned(),
            Failure::BrokenPipe => String::new(),
        }
    }

    /// Prints the message to stderr; `--verbose` adds the full error and its
    /// causes. Neither contains the API key: the SDK never puts it in an error.
    pub(crate) fn report(&self, verbose: bool) {
        if matches!(self, Failure::BrokenPipe) {
            return;
        }
        eprintln!("error: {}", self.message());
        if !verbose {
            return;
        }
        let source: Option<&(dyn std::error::Error + 'static)> = match self {
            Failure::Sdk(error) => {
                eprintln!("  detail: {error}");
                std::error::Error::source(error)
            }
            Failure::File { source, .. } => std::error::Error::source(source),
            _ => None,
        };
        let mut cause = source;
        while let Some(error) = cause {
            eprintln!("  caused by: {error}");
            cause = error.source();
        }
    }
}

fn sdk_code(error: &s4e::Error) -> u8 {
    match error {
        s4e::Error::Auth(_) => AUTH,
        s4e::Error::NotFound(_) => NOT_FOUND,
        s4e::Error::Config(_) | s4e::Error::InvalidRequest(_) => USAGE,
        _ => API_ERROR,
    }
}

fn with_request_id(message: String, error: &s4e::Error) -> String {
    match error.request_id() {
        Some(id) => format!("{message} (request id {id})"),
        None => message,
    }
}

fn sdk_message(error: &s4e::Error) -> String {
    let message = match error {
        s4e::Error::Auth(api) if api.status() == 403 => format!(
            "this API key is not allowed to do that (403): {}",
            api.message()
        ),
        s4e::Error::Auth(api) => format!("API key rejected ({}). Check S4E_API_KEY.", api.status()),
        s4e::Error::NotFound(api) => format!("not found (404): {}", api.message()),
        s4e::Error::Validation(_) => {
            let mut text = format!("the API refused the input (422): {}", error.message());
            for detail in error.details() {
                text.push_str(&format!("; {}: {}", detail.field, detail.message));
            }
            text
        }
        s4e::Error::RateLimit(_) => match error.retry_after() {
            Some(wait) => format!(
                "rate limited (429); the API asks to wait {} s",
                wait.as_secs().max(1)
            ),
            None => "rate limited (429); try again later".to_owned(),
        },
        s4e::Error::Api(api) => format!("the API failed ({}): {}", api.status(), api.message()),
        other => other.to_string(),
    };
    with_request_id(message, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_documented_table() {
        assert_eq!(Failure::Usage("x".into()).code(), 2);
        assert_eq!(Failure::NoKey.code(), 3);
        assert_eq!(
            Failure::Sdk(s4e::Error::Config("bad url".into())).code(),
            USAGE
        );
        assert_eq!(
            Failure::Sdk(s4e::Error::Timeout(std::time::Duration::from_secs(1))).code(),
            API_ERROR
        );
        assert_eq!(Failure::Interrupted.code(), 130);
    }
}
