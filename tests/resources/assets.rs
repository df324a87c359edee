//! Contract tests of the `assets` module.
