//! Profiles: named settings in a TOML file in the platform's config
//! directory (`S4E_CONFIG` overrides the path). `--profile NAME` or
//! `S4E_PROFILE` picks one; without either, `[profiles.default]` is used
//! when the file has it.
//!
//! ```toml
//! [profiles.default]
//! base_url = "https://api.s4e.io/v1"
//!
//! [profiles.staging]
//! base_url = "https://staging.s4e.example/api/v1"
//! output = "json"
//! # api_key = "..."  # written by `s4e login` when no keychain is available
//! # key_in_keychain = true  # written by `s4e login` when the keychain has it
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::OutputFormat;
use crate::exit::Failure;

/// The profile used when none is named.
pub(crate) const DEFAULT_PROFILE: &str = "default";

/// One profile's settings; each is overridden by its flag or variable.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output: Option<OutputFormat>,
    /// The Redis that parallel jobs share the key's rate-limit window in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rate_limit_redis: Option<String>,
    /// `s4e login` put the key in the system keychain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) key_in_keychain: Option<bool>,
    /// The profile's name, when one was read.
    #[serde(skip)]
    pub(crate) name: Option<String>,
}

/// The settings `s4e config` reads and writes.
pub(crate) const KEYS: &[&str] = &["base_url", "output", "rate_limit_redis"];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, Profile>,
}

/// Where the config file is.
pub(crate) fn path() -> Result<PathBuf, Failure> {
    match std::env::var_os("S4E_CONFIG") {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => dirs::config_dir()
            .map(|dir| dir.join("s4e").join("config.toml"))
            .ok_or_else(|| {
                Failure::Usage("no config directory on this platform; set S4E_CONFIG".into())
            }),
    }
}

/// The profile to use: `name` (which must exist), or `default` when the
/// file has it, or none.
pub(crate) fn profile(name: Option<&str>) -> Result<Profile, Failure> {
    let path = path();
    let file = match (&path, name) {
        (Ok(path), _) => read(path)?,
        (Err(e), Some(_)) => return Err(clone_usage(e)),
        (Err(_), None) => None,
    };
    let shown = || {
        path.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    match (file, name) {
        (Some(mut file), Some(name)) => take(&mut file, name)
            .map_err(|message| Failure::Usage(format!("{}: {message}", shown()))),
        (None, Some(name)) => Err(Failure::Usage(format!(
            "{}: no config file, so no profile `{name}`",
            shown()
        ))),
        (Some(mut file), None) => Ok(take(&mut file, DEFAULT_PROFILE).unwrap_or_default()),
        (None, None) => Ok(Profile::default()),
    }
}

fn clone_usage(failure: &Failure) -> Failure {
    Failure::Usage(failure.message())
}

/// The file, `None` when there is none.
pub(crate) fn read(path: &Path) -> Result<Option<ConfigFile>, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Failure::file(format!("reading {}", path.display()), e)),
    };
    parse(&text)
        .map(Some)
        .map_err(|message| Failure::Usage(format!("{}: {message}", path.display())))
}

fn parse(text: &str) -> Result<ConfigFile, String> {
    // toml's message quotes the offending line, which could hold a key:
    // keep only its first line (the position and the problem).
    toml::from_str(text).map_err(|e| {
        let message = e.message().to_owned();
        match e.span() {
            Some(span) => format!("invalid config at byte {}: {message}", span.start),
            None => format!("invalid config: {message}"),
        }
    })
}

fn take(file: &mut ConfigFile, name: &str) -> Result<Profile, String> {
    let mut profile = file.profiles.remove(name).ok_or_else(|| {
        let known: Vec<_> = file.profiles.keys().map(String::as_str).collect();
        format!("no profile `{name}` (profiles: {})", known.join(", "))
    })?;
    profile.name = Some(name.to_owned());
    Ok(profile)
}

/// Writes the file atomically, readable by its owner only (it may hold a
/// key).
pub(crate) fn write(path: &Path, file: &ConfigFile) -> Result<(), Failure> {
    let text = toml::to_string(file)
        .map_err(|e| Failure::file("encoding the config", std::io::Error::other(e)))?;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::file(format!("creating {}", dir.display()), e))?;
    }
    crate::files::AtomicFile::create_private(path)?.write_all(text.as_bytes())
}

impl Profile {
    /// The profile's key: in the file, or in the keychain when `s4e login`
    /// put it there.
    pub(crate) fn key(&self) -> Result<Option<String>, Failure> {
        if self.api_key.is_some() || self.key_in_keychain != Some(true) {
            return Ok(self.api_key.clone());
        }
        let name = self.name.as_deref().unwrap_or(DEFAULT_PROFILE);
        let keychain = crate::keychain::label();
        match crate::keychain::read(name) {
            Ok(Some(key)) => Ok(Some(key)),
            Ok(None) => Err(Failure::Other {
                code: crate::exit::AUTH,
                message: format!(
                    "the key of profile `{name}` should be in {keychain}, which has none; \
                     store it again with `s4e login`"
                ),
            }),
            Err(e) => Err(Failure::Other {
                code: crate::exit::AUTH,
                message: format!(
                    "the key of profile `{name}` is in {keychain}, but reading it failed: {e}"
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_profile_and_names_the_others_when_missing() {
        let text = "[profiles.ci]\nbase_url = \"http://127.0.0.1:1/v1\"\noutput = \"ndjson\"\n\
                    [profiles.prod]\n";
        let mut file = parse(text).unwrap();
        let ci = take(&mut file, "ci").unwrap();
        assert_eq!(ci.base_url.as_deref(), Some("http://127.0.0.1:1/v1"));
        assert_eq!(ci.output, Some(OutputFormat::Ndjson));
        assert_eq!(ci.name.as_deref(), Some("ci"));
        assert_eq!(
            take(&mut file, "dev").unwrap_err(),
            "no profile `dev` (profiles: prod)"
        );
    }

    #[test]
    fn a_bad_file_does_not_echo_its_content() {
        let err = parse("[profiles.ci]\napi_key = \"sk_secret\"\nbogus = 1\n").unwrap_err();
        assert!(err.contains("bogus"), "{err}");
        assert!(!err.contains("sk_secret"), "{err}");
    }
}
