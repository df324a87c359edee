//! End-to-end smoke of configuration errors (the crate unit-tests each one).

use s4e::Error;

#[test]
fn an_empty_key_is_a_config_error_naming_the_setting() {
    match s4e::Client::new("") {
        Err(Error::Config(message)) => assert!(message.contains("api_key"), "{message}"),
        other => panic!("expected Config, got {other:?}"),
    }
    match s4e::blocking::Client::new("   ") {
        Err(Error::Config(message)) => assert!(message.contains("api_key"), "{message}"),
        other => panic!("expected Config, got {other:?}"),
    }
}

#[test]
fn an_invalid_base_url_or_proxy_is_a_config_error_naming_the_setting() {
    let err = s4e::Client::builder("k")
        .base_url("not a url")
        .build()
        .expect_err("not a URL");
    assert!(
        matches!(&err, Error::Config(message) if message.contains("base_url")),
        "{err:?}"
    );
    let err = s4e::Client::builder("k")
        .proxy("::nope")
        .build_blocking()
        .expect_err("not a proxy URL");
    assert!(
        matches!(&err, Error::Config(message) if message.contains("proxy")),
        "{err:?}"
    );
}
