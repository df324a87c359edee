//! `s4e webhooks trigger`: one signed sample delivery, straight to a local
//! receiver, with no API call.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use serde_json::json;

use super::events;
use super::forward;
use crate::context::Context;
use crate::exit::{self, Failure};

#[derive(Debug, Args)]
pub(crate) struct TriggerArgs {
    /// The event type (scan.completed, finding.new, ...).
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(events::EVENTS))]
    event: String,
    /// The receiver to POST the delivery to (http://).
    #[arg(long, value_name = "URL")]
    forward_to: String,
    /// The secret to sign with: the receiver's (prefer S4E_WEBHOOK_SECRET).
    #[arg(long, env = "S4E_WEBHOOK_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Overrides a field of the sample data, as PATH=VALUE (PATH dotted,
    /// VALUE read as JSON, else as a string); checked against the event's
    /// schema. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
}

pub(crate) async fn run(ctx: &Context, args: TriggerArgs) -> Result<u8, Failure> {
    let (Some(schema), Some(mut data)) = (
        events::data_schema(&args.event),
        events::sample(&args.event),
    ) else {
        return Err(Failure::Usage(format!(
            "unknown event `{}`; expected one of: {}",
            args.event,
            events::EVENTS.join(", ")
        )));
    };
    let secret = super::required_secret(args.secret.as_deref())?;
    let uri = forward::check_url("--forward-to", &args.forward_to).map_err(Failure::Usage)?;
    for assignment in &args.sets {
        let (path, value) = assignment
            .split_once('=')
            .filter(|(path, _)| !path.is_empty())
            .ok_or_else(|| Failure::Usage(format!("--set `{assignment}`: expected PATH=VALUE")))?;
        events::set(&mut data, &schema, path, value)
            .map_err(|e| Failure::Usage(format!("--set {e}")))?;
    }
    events::validate(&data, &schema, "data").map_err(|e| Failure::Usage(format!("--set: {e}")))?;
    let id = format!("evt_trigger_{}", uuid::Uuid::new_v4().simple());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let timestamp = chrono::DateTime::from_timestamp(now.as_secs() as i64, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let body = json!({"id": id, "event": args.event, "timestamp": timestamp, "data": data});
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let signature = s4e::webhooks::sign(&body, secret, now.as_secs());
    let headers = [
        (s4e::webhooks::SIGNATURE_HEADER, signature.as_str()),
        ("S4E-Event", args.event.as_str()),
        ("S4E-Delivery", id.as_str()),
    ];
    let (status, answer) = forward::post(&forward::client(), &uri, &headers, body)
        .await
        .map_err(|message| Failure::Other {
            code: exit::API_ERROR,
            message,
        })?;
    super::print_line(
        ctx,
        json!({"event": args.event, "id": id, "forward_status": status}),
        format!("{} {id} -> {status}", args.event),
    );
    if (200..300).contains(&status) {
        Ok(exit::OK)
    } else {
        Err(Failure::Other {
            code: exit::GATE_FAILED,
            message: format!("the receiver answered {status}: {answer}"),
        })
    }
}
