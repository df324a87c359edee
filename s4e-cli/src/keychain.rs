//! The operating system's keychain for `s4e login`, through the keyring
//! crate: the macOS Keychain, the Windows Credential Manager, and on Linux and
//! the BSDs the freedesktop Secret Service (GNOME Keyring, KWallet,
//! KeePassXC), reached over the D-Bus session bus.
//!
//! A keychain is not always there: servers, CI runners and containers have
//! no session bus, or no Secret Service on it. Every call is therefore made
//! on a thread of its own and given [`TIMEOUT`] to answer: a locked keyring
//! whose unlock prompt nobody answers, or a bus that never replies, makes it
//! count as unavailable rather than hang the command. (The thread also keeps
//! the Secret Service client off the command's tokio runtime: zbus blocks on
//! a runtime of its own, which tokio refuses to start inside another.)
//! `s4e login` then stores the key in the config file, readable by its owner
//! only, and says why.

use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

/// The keychain's service name; the account is the profile's name.
const SERVICE: &str = "s4e";

/// How long one keychain call may take. The Secret Service answers in
/// milliseconds; one that has not answered by then is waiting for something
/// that may never come (an unlock prompt, a bus that does not reply).
const TIMEOUT: Duration = Duration::from_secs(5);

/// The keychain's name when this build has one.
pub(crate) fn name() -> Option<&'static str> {
    if cfg!(target_os = "macos") {
        Some("the macOS Keychain")
    } else if cfg!(target_os = "windows") {
        Some("the Windows Credential Manager")
    } else if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        Some("the Secret Service")
    } else {
        None
    }
}

/// The keychain's name for a message about a key already stored there (a
/// config file written on another platform may say so too).
pub(crate) fn label() -> &'static str {
    name().unwrap_or("the keychain")
}

/// Why a keychain call did not succeed. Its text never holds a key: the
/// keyring crate's errors carry none, and the key is not passed to them.
#[derive(Debug)]
pub(crate) enum Error {
    /// No answer within [`TIMEOUT`].
    TimedOut,
    /// The keychain could not be reached, or answered with an error.
    Failed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TimedOut => write!(
                f,
                "no answer within {} s (a locked keyring waiting for its unlock prompt, \
                 or a session bus that does not reply; unlock it and try again)",
                TIMEOUT.as_secs()
            ),
            Error::Failed(message) => f.write_str(message),
        }
    }
}

impl From<keyring::Error> for Error {
    fn from(error: keyring::Error) -> Self {
        let mut message = error.to_string();
        // The session bus is found through this variable; without it zbus
        // tries $XDG_RUNTIME_DIR/bus, which servers and containers lack.
        if cfg!(any(
            target_os = "linux",
            target_os = "freebsd",
            target_os = "openbsd"
        )) && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty())
        {
            message.push_str(" (DBUS_SESSION_BUS_ADDRESS is not set)");
        }
        Error::Failed(message)
    }
}

/// Runs `call` on a thread of its own and waits at most [`TIMEOUT`] for it.
/// A call that does not answer is left behind; the process does not wait
/// for it when it exits.
fn bounded<T: Send + 'static>(
    call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, Error> {
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            // The receiver is gone when the wait timed out: nothing to tell.
            let _ = sender.send(call());
        })
        .map_err(|e| Error::Failed(format!("could not start its thread: {e}")))?;
    match receiver.recv_timeout(TIMEOUT) {
        Ok(outcome) => outcome.map_err(Error::from),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Error::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Error::Failed(
            "the keychain call ended without an answer".into(),
        )),
    }
}

fn entry(profile: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, profile)
}

/// Stores `key` for `profile`.
pub(crate) fn store(profile: &str, key: &str) -> Result<(), Error> {
    let (profile, key) = (profile.to_owned(), key.to_owned());
    bounded(move || entry(&profile)?.set_password(&key))
}

/// The key of `profile`; `None` when the keychain has none.
pub(crate) fn read(profile: &str) -> Result<Option<String>, Error> {
    let profile = profile.to_owned();
    bounded(move || match entry(&profile)?.get_password() {
        Ok(key) => Ok(Some(key)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e),
    })
}

/// Removes the key of `profile`; `false` when there was none.
pub(crate) fn delete(profile: &str) -> Result<bool, Error> {
    let profile = profile.to_owned();
    bounded(move || match entry(&profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e),
    })
}
