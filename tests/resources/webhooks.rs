//! Contract tests of the `webhooks` module.
