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
                "no API key. Set S4E_API_KEY, or store one with `s4e login` (--profile NAME for another profile).".to_owned()
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

/// The base URL of the client, for messages about where a call went.
static BASE_URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records the base URL the client talks to (once per process).
pub(crate) fn set_base_url(url: &str) {
    let _ = BASE_URL.set(url.trim_end_matches('/').to_owned());
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
        s4e::Error::NotFound(api) => {
            let mut text = format!("not found (404): {}", api.message());
            if let Some(hint) = BASE_URL.get().and_then(|url| missing_version_hint(url)) {
                text.push_str(&format!("; {hint}"));
            }
            text
        }
        s4e::Error::Validation(_) => {
            let mut text = format!("the API refused the input (422): {}", error.message());
            let message = error.message();
            for detail in error.details() {
                // A message that already names the field and its problem
                // is not repeated.
                if message.contains(&detail.field) && message.contains(&detail.message) {
                    continue;
                }
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
        s4e::Error::Api(api) => match api.raw_body().and_then(html_title) {
            Some(title) => format!(
                "the API failed ({}): the answer was an HTML page, titled \"{title}\" (a proxy or gateway, not the API)",
                api.status()
            ),
            None => format!("the API failed ({}): {}", api.status(), api.message()),
        },
        s4e::Error::Connect { message, .. } => {
            let url = BASE_URL.get().map_or(s4e::DEFAULT_BASE_URL, String::as_str);
            let mut text = format!("could not connect to {url}: {message}");
            if let Some(hint) = connect_hint(url, message) {
                text.push_str(&format!("; {hint}"));
            }
            text
        }
        s4e::Error::Config(message) if message.contains("allow_http") => {
            format!("{}; to allow it, pass --allow-http", other_text(error))
        }
        other => other_text(other),
    };
    with_request_id(message, error)
}

fn other_text(error: &s4e::Error) -> String {
    error.to_string()
}

/// What most likely went wrong with a connection, from the error's text.
fn connect_hint(url: &str, message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    let tls_to_plain = [
        "invalidcontenttype",
        "corrupt message",
        "wrong version number",
    ];
    if url.starts_with("https://") && tls_to_plain.iter().any(|t| lower.contains(t)) {
        return Some(format!(
            "the server answered in plain http, not TLS: try {}",
            url.replacen("https://", "http://", 1)
        ));
    }
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        return Some(
            "the server's TLS certificate is not trusted (a private CA? an interception proxy?)"
                .to_owned(),
        );
    }
    if lower.contains("connection refused") {
        return Some("nothing listens there: check --base-url or S4E_BASE_URL".to_owned());
    }
    if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
        return Some("the host name does not resolve: check --base-url or S4E_BASE_URL".to_owned());
    }
    None
}

/// A base URL whose path has no version (`/v1`) answers 404 on every route.
fn missing_version_hint(url: &str) -> Option<String> {
    let path = url
        .split_once("://")
        .map(|(_, rest)| rest.split_once('/').map_or("", |(_, path)| path))
        .unwrap_or("");
    let versioned = path.split('/').any(|segment| {
        segment.len() > 1
            && segment.starts_with('v')
            && segment[1..].bytes().all(|b| b.is_ascii_digit())
    });
    (!versioned).then(|| format!("the base URL {url} has no /v1: did you mean {url}/v1?"))
}

/// The `<title>` of an HTML error page, if the body is one.
fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    if !lower.contains("<html") && !lower.contains("<!doctype html") {
        return None;
    }
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let title = body
        .get(start..end)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(if title.is_empty() {
        "untitled".to_owned()
    } else {
        title
    })
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

    #[test]
    fn hints_for_the_usual_mistakes() {
        assert_eq!(
            connect_hint(
                "https://127.0.0.1:8080/v1",
                "received corrupt message of type InvalidContentType"
            )
            .as_deref(),
            Some("the server answered in plain http, not TLS: try http://127.0.0.1:8080/v1")
        );
        assert!(
            connect_hint("http://127.0.0.1:9/v1", "Connection refused (os error 111)")
                .unwrap()
                .starts_with("nothing listens there")
        );
        assert_eq!(connect_hint("http://x/v1", "something else"), None);
        assert_eq!(
            missing_version_hint("http://127.0.0.1:8080").as_deref(),
            Some(
                "the base URL http://127.0.0.1:8080 has no /v1: did you mean http://127.0.0.1:8080/v1?"
            )
        );
        assert_eq!(missing_version_hint("https://api.s4e.io/v1"), None);
        assert_eq!(
            missing_version_hint("https://s4e.corp.example/api/v2"),
            None
        );
        assert_eq!(
            html_title("<html>\r\n<head><title>502 Bad Gateway</title></head></html>").as_deref(),
            Some("502 Bad Gateway")
        );
        assert_eq!(html_title("{\"error\": \"x\"}"), None);
    }
}
