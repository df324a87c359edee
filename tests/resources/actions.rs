//! Contract tests of the `actions` module.
