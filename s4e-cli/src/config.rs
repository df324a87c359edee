//! `--profile NAME`: named settings in a TOML file in the platform's config
//! directory (`S4E_CONFIG` overrides the path).
//!
//! ```toml
//! [profiles.staging]
//! base_url = "https://staging.s4e.example/api/v1"
//! output = "json"
//! # api_key = "..."  # possible, but prefer S4E_API_KEY
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::cli::OutputFormat;
use crate::exit::Failure;

/// One profile's settings; each is overridden by its flag or variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub(crate) base_url: Option<String>,
    pub(crate) api_key: Option<String>,
    pub(crate) output: Option<OutputFormat>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// Where the config file is.
pub(crate) fn path() -> Option<PathBuf> {
    match std::env::var_os("S4E_CONFIG") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::config_dir().map(|dir| dir.join("s4e").join("config.toml")),
    }
}

/// Reads profile `name`; a missing file or profile is a usage error.
pub(crate) fn load(name: &str) -> Result<Profile, Failure> {
    let path = path().ok_or_else(|| {
        Failure::Usage("no config directory on this platform; set S4E_CONFIG".into())
    })?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::file(format!("reading {}", path.display()), e))?;
    parse(&text, name).map_err(|message| Failure::Usage(format!("{}: {message}", path.display())))
}

fn parse(text: &str, name: &str) -> Result<Profile, String> {
    // toml's message quotes the offending line, which could hold a key:
    // keep only its first line (the position and the problem).
    let mut file: ConfigFile = toml::from_str(text).map_err(|e| {
        let message = e.message().to_owned();
        match e.span() {
            Some(span) => format!("invalid config at byte {}: {message}", span.start),
            None => format!("invalid config: {message}"),
        }
    })?;
    file.profiles.remove(name).ok_or_else(|| {
        let known: Vec<_> = file.profiles.keys().map(String::as_str).collect();
        format!("no profile `{name}` (profiles: {})", known.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_profile_and_names_the_others_when_missing() {
        let text = "[profiles.ci]\nbase_url = \"http://127.0.0.1:1/v1\"\noutput = \"ndjson\"\n\
                    [profiles.prod]\n";
        let ci = parse(text, "ci").unwrap();
        assert_eq!(ci.base_url.as_deref(), Some("http://127.0.0.1:1/v1"));
        assert_eq!(ci.output, Some(OutputFormat::Ndjson));
        assert_eq!(
            parse(text, "dev").unwrap_err(),
            "no profile `dev` (profiles: ci, prod)"
        );
    }

    #[test]
    fn a_bad_file_does_not_echo_its_content() {
        let err = parse("[profiles.ci]\napi_key = \"sk_secret\"\nbogus = 1\n", "ci").unwrap_err();
        assert!(err.contains("bogus"), "{err}");
        assert!(!err.contains("sk_secret"), "{err}");
    }
}
