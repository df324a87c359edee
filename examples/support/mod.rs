//! Where the examples get their client: the server in `S4E_API_KEY` /
//! `S4E_BASE_URL` when set, else the embedded sandbox (kept alive by the
//! returned guard).

/// Keeps the embedded sandbox running while the example runs.
pub(crate) struct Guard(#[allow(dead_code)] Option<s4e_sandbox::Sandbox>);

/// A client from the environment, or one pointed at a fresh sandbox.
#[allow(dead_code)] // Not every example uses both.
pub(crate) async fn client() -> Result<(s4e::Client, Guard), Box<dyn std::error::Error>> {
    client_with(|builder| builder).await
}

/// [`client`], with `configure` applied to the builder (hooks, headers, ...).
pub(crate) async fn client_with(
    configure: impl FnOnce(s4e::ClientBuilder) -> s4e::ClientBuilder,
) -> Result<(s4e::Client, Guard), Box<dyn std::error::Error>> {
    if std::env::var("S4E_API_KEY").is_ok_and(|k| !k.trim().is_empty()) {
        return Ok((
            configure(s4e::ClientBuilder::from_env()?).build()?,
            Guard(None),
        ));
    }
    let sandbox = s4e_sandbox::Sandbox::builder()
        .scan_speed(1_200.0)
        .start()
        .await?;
    eprintln!(
        "(no S4E_API_KEY: using the embedded sandbox at {})",
        sandbox.base_url()
    );
    let client =
        configure(s4e::Client::builder(sandbox.api_key()).base_url(sandbox.base_url())).build()?;
    Ok((client, Guard(Some(sandbox))))
}
