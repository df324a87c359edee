//! Contract tests of the `playbooks` module.
