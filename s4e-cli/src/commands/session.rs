//! `s4e login`, `s4e logout` and `s4e config get|set|list`: the key and
//! settings of a profile in the config file.

use std::io::{BufRead, IsTerminal, Write};

use clap::Subcommand;

use crate::cli::OutputFormat;
use crate::config::{self, ConfigFile, DEFAULT_PROFILE, KEYS, Profile};
use crate::exit::{self, Failure};

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print one setting of the profile.
    #[command(after_help = "Example:\n  s4e config get base_url --profile staging")]
    Get {
        /// The setting.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(KEYS))]
        key: String,
    },
    /// Change one setting of the profile (the file is created when needed).
    #[command(after_help = "Example:\n  s4e config set base_url https://s4e.corp.example/api/v1")]
    Set {
        /// The setting.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(KEYS))]
        key: String,
        /// Its value.
        value: String,
    },
    /// Print every profile and its settings (a key shows as `(set)`).
    #[command(after_help = "Example:\n  s4e config list")]
    List,
}

fn profile_name(name: Option<&str>) -> &str {
    name.unwrap_or(DEFAULT_PROFILE)
}

/// `s4e login`: reads the key without echo on a terminal (or one line from
/// standard input) and stores it in the profile: in the keychain unless
/// `insecure_storage` asks for the file.
pub(crate) fn login(profile: Option<&str>, insecure_storage: bool) -> Result<u8, Failure> {
    let key = if std::io::stdin().is_terminal() {
        read_hidden("API key (not shown): ")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::file("reading the key from standard input", e))?;
        line
    };
    let key = key.trim().to_owned();
    if key.is_empty() {
        return Err(Failure::Usage("no key given".into()));
    }
    let name = profile_name(profile);
    let path = config::path()?;
    let mut file = config::read(&path)?.unwrap_or_default();
    let entry = file.profiles.entry(name.to_owned()).or_default();
    // The keychain where there is one; the file (0600) otherwise, or when
    // the keychain is unavailable (no session bus, no Secret Service, no
    // answer in time) or refuses.
    let why_not_keychain = match crate::keychain::name() {
        Some(_) if insecure_storage => "--insecure-storage".to_owned(),
        Some(keychain) => match crate::keychain::store(name, &key) {
            Ok(()) => {
                entry.api_key = None;
                entry.key_in_keychain = Some(true);
                config::write(&path, &file)?;
                eprintln!("stored the key of profile `{name}` in {keychain}");
                return Ok(exit::OK);
            }
            Err(e) => format!("{keychain} could not take it: {e}"),
        },
        None => "no keychain on this platform".to_owned(),
    };
    // A key stored by an earlier login must not stay behind in the keychain.
    if entry.key_in_keychain == Some(true) {
        let keychain = crate::keychain::label();
        if let Err(e) = crate::keychain::delete(name) {
            eprintln!(
                "warning: the earlier key of profile `{name}` stays in {keychain} ({e}); \
                 remove it there by hand"
            );
        }
    }
    entry.api_key = Some(key);
    entry.key_in_keychain = None;
    config::write(&path, &file)?;
    eprintln!(
        "stored the key of profile `{name}` in {} (readable only by you; {why_not_keychain})",
        path.display()
    );
    Ok(exit::OK)
}

/// `s4e logout`: removes the profile's key, from the keychain and from the
/// file, wherever `s4e login` put it.
pub(crate) fn logout(profile: Option<&str>) -> Result<u8, Failure> {
    let name = profile_name(profile);
    let path = config::path()?;
    let mut file = config::read(&path)?.unwrap_or_default();
    let Some(entry) = file.profiles.get_mut(name) else {
        eprintln!("profile `{name}` has no stored key");
        return Ok(exit::OK);
    };
    let mut removed_from = Vec::new();
    let mut changed = false;
    if entry.key_in_keychain == Some(true) {
        let keychain = crate::keychain::label();
        // On failure the file keeps saying where the key is, so that
        // `s4e logout` can be run again once the keychain answers.
        let had_key = crate::keychain::delete(name).map_err(|e| Failure::Other {
            code: exit::API_ERROR,
            message: format!("removing the key of profile `{name}` from {keychain}: {e}"),
        })?;
        if had_key {
            removed_from.push(keychain.to_owned());
        }
        entry.key_in_keychain = None;
        changed = true;
    }
    if entry.api_key.take().is_some() {
        removed_from.push(path.display().to_string());
        changed = true;
    }
    if changed {
        config::write(&path, &file)?;
    }
    if removed_from.is_empty() {
        eprintln!("profile `{name}` has no stored key");
    } else {
        eprintln!(
            "removed the key of profile `{name}` from {}",
            removed_from.join(" and ")
        );
    }
    Ok(exit::OK)
}

pub(crate) fn run(profile: Option<&str>, command: ConfigCommand) -> Result<u8, Failure> {
    let name = profile_name(profile);
    let path = config::path()?;
    let mut file = config::read(&path)?.unwrap_or_default();
    match command {
        ConfigCommand::Get { key } => {
            let profile = file.profiles.get(name).cloned().unwrap_or_default();
            match setting(&profile, &key) {
                Some(value) => println!("{value}"),
                None => {
                    return Err(Failure::Other {
                        code: exit::NOT_FOUND,
                        message: format!("`{key}` is not set in profile `{name}`"),
                    });
                }
            }
        }
        ConfigCommand::Set { key, value } => {
            let profile = file.profiles.entry(name.to_owned()).or_default();
            match key.as_str() {
                "base_url" => profile.base_url = Some(value),
                "rate_limit_redis" => profile.rate_limit_redis = Some(value),
                "output" => {
                    profile.output = Some(
                        <OutputFormat as clap::ValueEnum>::from_str(&value, false).map_err(
                            |_| {
                                Failure::Usage(format!(
                                    "output `{value}`: expected table, json, ndjson or csv"
                                ))
                            },
                        )?,
                    );
                }
                _ => unreachable!("clap checks the key"),
            }
            config::write(&path, &file)?;
        }
        ConfigCommand::List => print_list(&file),
    }
    Ok(exit::OK)
}

fn setting(profile: &Profile, key: &str) -> Option<String> {
    match key {
        "base_url" => profile.base_url.clone(),
        "rate_limit_redis" => profile.rate_limit_redis.as_deref().map(without_password),
        "output" => profile.output.map(|format| format.name().to_owned()),
        _ => None,
    }
}

/// A Redis URL as it may be shown: a password in it (`redis://:pw@host`,
/// `rediss://user:pw@host`) is replaced by `***`, as a key never is shown.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

fn print_list(file: &ConfigFile) {
    for (name, profile) in &file.profiles {
        println!("[{name}]");
        for key in KEYS {
            if let Some(value) = setting(profile, key) {
                println!("{key} = {value}");
            }
        }
        if profile.api_key.is_some() {
            println!("api_key = (set)");
        }
        if profile.key_in_keychain == Some(true) {
            println!("api_key = (in the keychain)");
        }
    }
}

/// Reads a line on the terminal without echoing it.
fn read_hidden(prompt: &str) -> Result<String, Failure> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    use crossterm::terminal::{disable_raw_mode, enable_raw_mode};
    let mut stderr = std::io::stderr();
    write!(stderr, "{prompt}")
        .and_then(|()| stderr.flush())
        .map_err(|e| Failure::file("asking for the key", e))?;
    enable_raw_mode().map_err(|e| Failure::file("reading the key", e))?;
    let mut key = String::new();
    let outcome = loop {
        match read() {
            Ok(Event::Key(event)) if event.kind != KeyEventKind::Release => match event.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if event.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(Failure::Interrupted);
                }
                KeyCode::Char(c) => key.push(c),
                KeyCode::Backspace => {
                    key.pop();
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(Failure::file("reading the key", e)),
        }
    };
    let _ = disable_raw_mode();
    eprintln!();
    outcome.map(|()| key)
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_redis_password_is_never_shown() {
        for (url, shown) in [
            ("redis://:hunter2@cache:6379/0", "redis://:***@cache:6379/0"),
            (
                "rediss://ops:hunter2@cache.example",
                "rediss://ops:***@cache.example",
            ),
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("redis://ops@cache/2", "redis://ops@cache/2"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(without_password(url), shown, "{url}");
        }
    }
}
