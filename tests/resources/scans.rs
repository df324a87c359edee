//! Contract tests of the `scans` module.
