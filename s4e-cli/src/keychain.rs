//! The operating system's keychain for `s4e login`, through the keyring
//! crate: the macOS Keychain and the Windows Credential Manager. Elsewhere
//! there is none in this build (on Linux the Secret Service needs a D-Bus
//! session, which servers and CI runners lack, and the kernel keyring forgets
//! at logout), so the key goes to the config file, readable by its owner only.

/// The keychain's service name; the account is the profile's name.
const SERVICE: &str = "s4e";

/// The keychain's name when this platform has one.
pub(crate) fn name() -> Option<&'static str> {
    if cfg!(target_os = "macos") {
        Some("the macOS Keychain")
    } else if cfg!(target_os = "windows") {
        Some("the Windows Credential Manager")
    } else {
        None
    }
}

fn entry(profile: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, profile).map_err(|e| e.to_string())
}

/// Stores `key` for `profile`.
pub(crate) fn store(profile: &str, key: &str) -> Result<(), String> {
    entry(profile)?.set_password(key).map_err(|e| e.to_string())
}

/// The key of `profile`; `None` when the keychain has none.
pub(crate) fn read(profile: &str) -> Result<Option<String>, String> {
    match entry(profile)?.get_password() {
        Ok(key) => Ok(Some(key)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Removes the key of `profile`; `false` when there was none.
pub(crate) fn delete(profile: &str) -> Result<bool, String> {
    match entry(profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}
