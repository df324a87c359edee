//! End-to-end smoke of configuration errors (the crate unit-tests each one).

use std::fmt::Debug;

use s4e::Error;

/// Asserts that `built` is a config error whose message names `setting`.
#[track_caller]
fn assert_config_error_naming<T: Debug>(built: Result<T, Error>, setting: &str) {
    match built {
        Err(Error::Config(message)) => assert!(message.contains(setting), "{message}"),
        other => panic!("expected Config naming {setting}, got {other:?}"),
    }
}

#[test]
fn an_empty_key_is_a_config_error_naming_the_setting() {
    assert_config_error_naming(s4e::Client::new(""), "api_key");
    assert_config_error_naming(s4e::blocking::Client::new("   "), "api_key");
}

#[test]
fn an_invalid_base_url_or_proxy_is_a_config_error_naming_the_setting() {
    assert_config_error_naming(
        s4e::Client::builder("k").base_url("not a url").build(),
        "base_url",
    );
    assert_config_error_naming(
        s4e::Client::builder("k").proxy("::nope").build_blocking(),
        "proxy",
    );
}
