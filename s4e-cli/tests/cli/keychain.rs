//! `s4e login` and `s4e logout` with the freedesktop Secret Service: a real
//! gnome-keyring-daemon on a private D-Bus session bus, with a temporary
//! home, so a user's own keyring is never touched; and the config file
//! (0600) when there is no session bus, or one that never answers.
//!
//! The Secret Service test needs `dbus-daemon`, `dbus-send` and
//! `gnome-keyring-daemon` (Debian: `dbus-daemon gnome-keyring`). Without
//! them it prints "skipped: ..." and returns, unless `S4E_REQUIRE_KEYCHAIN=1`
//! (set by `.ci/run`, which installs them), where that fails it.
#![cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use crate::{Api, bare, parse, stderr, stdout};

const TOOLS: [&str; 3] = ["dbus-daemon", "dbus-send", "gnome-keyring-daemon"];

/// A temporary home: its own config file, runtime directory and keyrings.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("runtime");
        std::fs::create_dir(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        Home { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn runtime_dir(&self) -> PathBuf {
        self.path().join("runtime")
    }

    fn config(&self) -> PathBuf {
        self.path().join("config").join("s4e").join("config.toml")
    }

    fn config_text(&self) -> String {
        std::fs::read_to_string(self.config()).unwrap()
    }

    /// The variables that keep a process in this home: its keyrings, its
    /// runtime directory (where a session bus is looked for when
    /// `DBUS_SESSION_BUS_ADDRESS` is unset) and its config file.
    fn env(&self, bus: Option<&str>) -> Vec<(&'static str, Option<OsString>)> {
        let at = |sub: &str| Some(self.path().join(sub).into_os_string());
        vec![
            ("HOME", Some(self.path().into())),
            ("XDG_RUNTIME_DIR", Some(self.runtime_dir().into())),
            ("XDG_DATA_HOME", at("data")),
            ("XDG_CONFIG_HOME", at("config")),
            ("XDG_CACHE_HOME", at("cache")),
            ("S4E_CONFIG", Some(self.config().into())),
            ("DBUS_SESSION_BUS_ADDRESS", bus.map(OsString::from)),
            ("DISPLAY", None),
            ("WAYLAND_DISPLAY", None),
        ]
    }

    /// `s4e` in this home, on session bus `bus` (none when `None`).
    fn s4e(&self, bus: Option<&str>) -> assert_cmd::Command {
        let mut command = bare();
        for (name, value) in self.env(bus) {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        command
    }
}

/// A private session bus with gnome-keyring-daemon's Secret Service on it,
/// its login keyring unlocked; both stopped on drop.
struct SecretService {
    home: Home,
    address: String,
    bus: Child,
    daemon: Child,
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

impl SecretService {
    /// Starts one, or `None` (after saying so) when the tools are missing
    /// and `S4E_REQUIRE_KEYCHAIN` is not `1`.
    fn start(test: &str) -> Option<SecretService> {
        let missing: Vec<&str> = TOOLS.into_iter().filter(|tool| !on_path(tool)).collect();
        if !missing.is_empty() {
            let missing = missing.join(", ");
            assert!(
                std::env::var("S4E_REQUIRE_KEYCHAIN").as_deref() != Ok("1"),
                "{test}: S4E_REQUIRE_KEYCHAIN=1 but {missing} is not on PATH"
            );
            // Straight to stderr: the harness hides a passing test's prints.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: skipped: no Secret Service to test with ({missing} not on PATH; \
                 install them, e.g. `apt-get install dbus-daemon gnome-keyring`)"
            );
            return None;
        }
        let home = Home::new();
        // No <servicedir>: nothing is started on demand, so the only Secret
        // Service on this bus is the daemon started below.
        let config = home.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                "<!DOCTYPE busconfig PUBLIC \
                 \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
                 <busconfig>\n  <type>session</type>\n  <listen>unix:dir={}</listen>\n  \
                 <auth>EXTERNAL</auth>\n  <policy context=\"default\">\n    \
                 <allow send_destination=\"*\" eavesdrop=\"true\"/>\n    \
                 <allow eavesdrop=\"true\"/>\n    <allow own=\"*\"/>\n  </policy>\n\
                 </busconfig>\n",
                home.runtime_dir().display()
            ),
        )
        .unwrap();
        let mut bus = std::process::Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Only notices (such as that it could not raise its file limit).
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{test}: dbus-daemon does not start: {e}"));
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        let mut daemon = std::process::Command::new("gnome-keyring-daemon");
        daemon
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in home.env(Some(&address)) {
            match value {
                Some(value) => daemon.env(name, value),
                None => daemon.env_remove(name),
            };
        }
        let daemon = daemon
            .spawn()
            .unwrap_or_else(|e| panic!("{test}: gnome-keyring-daemon does not start: {e}"));
        let mut service = SecretService {
            home,
            address,
            bus,
            daemon,
        };
        assert!(
            !service.address.is_empty(),
            "{test}: dbus-daemon printed no address"
        );
        // The new login keyring's password, on standard input (then closed):
        // the keyring is created unlocked, so no prompt is needed.
        service
            .daemon
            .stdin
            .take()
            .unwrap()
            .write_all(b"s4e-test-keyring-password")
            .unwrap();
        service.wait_ready(test);
        Some(service)
    }

    /// `dbus-send` on this bus; its output.
    fn dbus_send(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .arg("--print-reply")
            .args(args)
            .output()
            .unwrap();
        stdout(&out)
    }

    /// Waits until the daemon owns the Secret Service's name on the bus.
    fn wait_ready(&self, test: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let reply = self.dbus_send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ]);
            if reply.contains("boolean true") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{test}: gnome-keyring-daemon did not take the Secret Service's name"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many items the Secret Service holds for `s4e`'s profile
    /// `profile`, asked of it directly rather than through `s4e`.
    fn items(&self, profile: &str) -> usize {
        let reply = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.SearchItems",
            &format!("dict:string:string:service,s4e,username,{profile}"),
        ]);
        assert!(reply.contains("array ["), "no answer: {reply}");
        reply
            .matches("object path \"/org/freedesktop/secrets/collection/")
            .count()
    }

    fn s4e(&self) -> assert_cmd::Command {
        self.home.s4e(Some(&self.address))
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in [&mut self.daemon, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Everything a command printed, to check that a key is never in it.
fn printed(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn login_stores_the_key_in_the_secret_service_and_logout_removes_it() {
    let Some(service) =
        SecretService::start("login_stores_the_key_in_the_secret_service_and_logout_removes_it")
    else {
        return;
    };
    let api = Api::start();
    let key = api.sandbox.api_key();
    let mut everything_printed = String::new();
    let mut run = |command: &mut assert_cmd::Command| {
        let out = command.output().unwrap();
        everything_printed.push_str(&printed(&out));
        out
    };
    let out = run(service
        .s4e()
        .args(["config", "set", "base_url", api.sandbox.base_url()]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A first key, then the right one: the second replaces the first.
    for given in ["sk_test_replaced_by_the_next_login", key] {
        let out = run(service.s4e().arg("login").write_stdin(format!("{given}\n")));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "stored the key of profile `default` in the Secret Service\n"
        );
    }
    assert_eq!(service.items("default"), 1, "one item, replaced in place");

    // --insecure-storage: the file, and the keychain's item goes.
    let out = run(service
        .s4e()
        .args(["login", "--insecure-storage"])
        .write_stdin(format!("{key}\n")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("(readable only by you; --insecure-storage)\n"),
        "{}",
        stderr(&out)
    );
    assert_eq!(service.items("default"), 0, "not left in the keychain");
    let config = service.home.config_text();
    assert!(!config.contains("key_in_keychain"), "{config}");
    // And back to the keychain: the key leaves the file.
    let out = run(service.s4e().arg("login").write_stdin(format!("{key}\n")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(service.items("default"), 1);
    let config = service.home.config_text();
    assert!(config.contains("key_in_keychain = true"), "{config}");
    assert!(!config.contains("api_key"), "no key in the file: {config}");
    assert!(!config.contains("sk_test"), "no key in the file: {config}");

    // A command authenticates with the key from the Secret Service.
    let out = run(service
        .s4e()
        .args(["assets", "get", "a-1001", "-o", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(parse(&out.stdout)["id"], "a-1001");
    let out = run(service.s4e().args(["config", "list"]));
    assert!(
        stdout(&out).contains("api_key = (in the keychain)"),
        "{}",
        printed(&out)
    );

    let out = run(service.s4e().arg("logout"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "removed the key of profile `default` from the Secret Service\n"
    );
    assert_eq!(service.items("default"), 0, "the item is gone");
    let config = service.home.config_text();
    assert!(!config.contains("key_in_keychain"), "{config}");
    let out = run(service.s4e().args(["assets", "get", "a-1001"]));
    assert_eq!(out.status.code(), Some(3), "no key left: {}", stderr(&out));
    let out = run(service.s4e().arg("logout"));
    assert_eq!(stderr(&out), "profile `default` has no stored key\n");

    assert!(
        !everything_printed.contains(key) && !everything_printed.contains("sk_test"),
        "a key was printed: {everything_printed}"
    );
}

#[test]
fn without_a_session_bus_the_key_goes_to_the_file_and_login_says_why() {
    let api = Api::start();
    let home = Home::new();
    let key = api.sandbox.api_key();
    let out = home
        .s4e(None)
        .args(["config", "set", "base_url", api.sandbox.base_url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // No DBUS_SESSION_BUS_ADDRESS, and no bus in the runtime directory.
    let out = home
        .s4e(None)
        .arg("login")
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.starts_with(&format!(
            "stored the key of profile `default` in {} (readable only by you; \
             the Secret Service could not take it: ",
            home.config().display()
        )) && said.contains("DBUS_SESSION_BUS_ADDRESS is not set"),
        "{said}"
    );
    assert!(!printed(&out).contains(key), "{}", printed(&out));
    assert_eq!(mode(&home.config()), 0o600, "the file holds a key");
    assert!(
        home.config_text().contains(&format!("api_key = \"{key}\"")),
        "{}",
        home.config_text()
    );
    let out = home
        .s4e(None)
        .args(["assets", "get", "a-1001", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(parse(&out.stdout)["id"], "a-1001");
}

#[test]
fn a_bus_that_never_answers_does_not_hang_the_cli() {
    let api = Api::start();
    let home = Home::new();
    let key = api.sandbox.api_key();
    // A socket that takes connections (into its backlog) and never answers.
    let socket = home.path().join("silent-bus");
    let listener = UnixListener::bind(&socket).unwrap();
    listener.set_nonblocking(true).unwrap();
    let silent = format!("unix:path={}", socket.display());
    let out = home
        .s4e(Some(&silent))
        .args(["config", "set", "base_url", api.sandbox.base_url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = home
        .s4e(Some(&silent))
        .arg("login")
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "(readable only by you; the Secret Service could not take it: no answer within 5 s"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(mode(&home.config()), 0o600);
    let mut tried = 0;
    while listener.accept().is_ok() {
        tried += 1;
    }
    assert!(tried > 0, "login asked the bus");

    // A key in the file: an ordinary command does not go near the bus.
    let out = home
        .s4e(Some(&silent))
        .args(["assets", "get", "a-1001", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(parse(&out.stdout)["id"], "a-1001");
    assert!(
        listener.accept().is_err(),
        "a command whose key is in the file connected to the session bus"
    );
}

#[test]
fn a_key_in_an_unreachable_keychain_is_a_clear_error() {
    let home = Home::new();
    std::fs::create_dir_all(home.config().parent().unwrap()).unwrap();
    std::fs::write(
        home.config(),
        "[profiles.default]\nbase_url = \"http://127.0.0.1:9/v1\"\nkey_in_keychain = true\n",
    )
    .unwrap();
    let dead = format!("unix:path={}", home.path().join("no-bus-here").display());
    let out = home
        .s4e(Some(&dead))
        .args(["assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "error: the key of profile `default` is in the Secret Service, but reading it failed: "
        ),
        "{}",
        stderr(&out)
    );
    // logout cannot remove it either, and says so; the file keeps saying
    // where the key is, so logout can be run again.
    let out = home.s4e(Some(&dead)).arg("logout").output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .starts_with("error: removing the key of profile `default` from the Secret Service: "),
        "{}",
        stderr(&out)
    );
    assert!(
        home.config_text().contains("key_in_keychain = true"),
        "{}",
        home.config_text()
    );
}
