//! What every example does first: print the SDK's `tracing` output to stderr
//! as `RUST_LOG` asks. `RUST_LOG=s4e=debug` shows one line per request,
//! `RUST_LOG=s4e=trace` the bodies too (secrets redacted); unset, nothing.

pub(crate) fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
