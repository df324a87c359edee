//! Validates an action definition, then triggers an existing action in
//! sandbox mode and waits for its execution.
//!
//! ```sh
//! cargo run --example trigger_action
//! ```

mod logging;
mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let (client, _guard) = support::client().await?;
    let report = client
        .actions()
        .validate(serde_json::json!({"name": "Page on-call", "type": "notification"}))
        .await?;
    println!("valid: {}, warnings: {:?}", report.valid, report.warnings);
    let Some(action) = client.actions().list().await?.items.into_iter().next() else {
        println!("no action to trigger");
        return Ok(());
    };
    let mut trigger = client.actions().trigger(action.id.clone()).sandbox(true);
    for parameter in action.parameters.iter().filter(|p| p.required) {
        let value = parameter
            .default
            .clone()
            .filter(|value| !value.is_null())
            .unwrap_or_else(|| serde_json::json!("203.0.113.7"));
        trigger = trigger.parameter(parameter.name.clone(), value);
    }
    let execution = trigger.await?;
    let execution = client
        .actions()
        .wait_execution(action.id, execution.id)
        .interval(std::time::Duration::from_millis(250))
        .timeout(std::time::Duration::from_secs(60))
        .await?;
    let status = execution.status.as_ref().map_or("-", |s| s.as_str());
    println!("execution {} is {status}", execution.id);
    Ok(())
}
