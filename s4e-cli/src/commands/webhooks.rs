//! `s4e webhooks`: `client.webhooks()`; `verify`, which checks a received
//! delivery offline with `s4e::webhooks::verify_at`; `listen`, `trigger` and
//! `resend` for trying a receiver locally.

mod events;
mod forward;
mod listen;
mod trigger;

pub(crate) use listen::ListenArgs;
pub(crate) use trigger::TriggerArgs;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};
use s4e::webhooks::EventType;

use crate::cli::ListScope;
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;

#[derive(Debug, Subcommand)]
pub(crate) enum WebhooksCommand {
    /// List webhooks.
    #[command(after_help = "Example:\n  s4e webhooks list")]
    List {
        #[command(flatten)]
        scope: ListScope,
    },
    /// Show one webhook.
    #[command(after_help = "Example:\n  s4e webhooks get wh-3301")]
    Get {
        /// The webhook's ID.
        id: String,
    },
    /// Subscribe a URL to events.
    #[command(
        after_help = "Example:\n  S4E_WEBHOOK_SECRET=whsec_... s4e webhooks create SOC https://hooks.example.com/s4e \\\n    \
                      --event finding.new,scan.completed"
    )]
    Create {
        /// A name for it.
        name: String,
        /// Where deliveries are sent (https).
        url: String,
        /// The events to deliver (comma-separated or repeated).
        #[arg(
            long = "event",
            value_name = "EVENT",
            value_delimiter = ',',
            required = true,
            value_parser = crate::choices::one_of::<EventType>()
        )]
        events: Vec<EventType>,
        #[command(flatten)]
        settings: Settings,
    },
    /// Change a webhook.
    #[command(after_help = "Example:\n  s4e webhooks update wh-3301 --inactive")]
    Update {
        /// The webhook's ID.
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new URL.
        #[arg(long)]
        url: Option<String>,
        /// Replaces the events (comma-separated or repeated).
        #[arg(
            long = "event",
            value_name = "EVENT",
            value_delimiter = ',',
            value_parser = crate::choices::one_of::<EventType>()
        )]
        events: Vec<EventType>,
        #[command(flatten)]
        settings: Settings,
    },
    /// Delete a webhook.
    #[command(after_help = "Example:\n  s4e webhooks delete wh-3301")]
    Delete {
        /// The webhook's ID.
        id: String,
    },
    /// Send a test delivery and show the receiver's answer.
    #[command(after_help = "Example:\n  s4e webhooks test wh-3301")]
    Test {
        /// The webhook's ID.
        id: String,
    },
    /// Check a received delivery's signature offline and print its event.
    #[command(
        after_help = "Example:\n  S4E_WEBHOOK_SECRET=whsec_... s4e webhooks verify --signature \"$SIG\" body.json\n\n\
                      Exits 0 and prints the event when the signature is valid, 1 when it is not."
    )]
    Verify(VerifyArgs),
    /// Forward live deliveries to a local receiver through a temporary webhook.
    #[command(
        after_help = "Example:\n  s4e webhooks listen --forward-to http://localhost:3000/hooks/s4e --events scan.completed,finding.new\n\n\
                      Registers a temporary webhook on the API that points at a local listener (or at --public-url, a\n\
                      tunnel to it), with a secret printed once on standard error. Each delivery is verified, then\n\
                      forwarded with its original body and S4E-Signature header; one line per event on standard\n\
                      output (-o json: one JSON object per line). Ctrl-C stops it and deletes the webhook."
    )]
    Listen(ListenArgs),
    /// Send a signed sample delivery to a local receiver (no API call).
    #[command(
        after_help = "Example:\n  s4e webhooks trigger finding.new --forward-to http://localhost:3000/hooks/s4e \\\n    \
                      --secret whsec_... --set severity=critical --set asset.name=shop.example\n\n\
                      The sample fits the event's schema in the contract; each --set is checked against it (an unknown\n\
                      field or a wrong type exits 2). Exits 0 when the receiver answers 2xx, 1 otherwise."
    )]
    Trigger(TriggerArgs),
    /// Send a recorded delivery again, signed anew (sandbox only).
    #[command(after_help = "Example:\n  s4e webhooks resend dlv-000042")]
    Resend {
        /// The delivery's ID (`delivery_id` in the sandbox's delivery log).
        delivery_id: String,
    },
}

/// Settings shared by `create` and `update`.
#[derive(Debug, Args)]
pub(crate) struct Settings {
    /// The signing secret (prefer the S4E_WEBHOOK_SECRET environment variable).
    #[arg(long, env = "S4E_WEBHOOK_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// A header sent with each delivery, as NAME=VALUE; repeatable.
    #[arg(long = "header", value_name = "NAME=VALUE")]
    headers: Vec<String>,
    /// Turn deliveries on.
    #[arg(long, conflicts_with = "inactive")]
    active: bool,
    /// Turn deliveries off.
    #[arg(long)]
    inactive: bool,
}

impl Settings {
    fn active(&self) -> Option<bool> {
        match (self.active, self.inactive) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }

    fn headers(&self) -> Result<Option<BTreeMap<String, String>>, Failure> {
        if self.headers.is_empty() {
            return Ok(None);
        }
        self.headers
            .iter()
            .map(|text| {
                text.split_once('=')
                    .filter(|(name, _)| !name.is_empty())
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .ok_or_else(|| {
                        Failure::Usage(format!("--header `{text}`: expected NAME=VALUE"))
                    })
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The webhook's signing secret (prefer S4E_WEBHOOK_SECRET). Required;
    /// an `Option` so the usage line does not demand a flag the environment
    /// usually gives.
    #[arg(long, env = "S4E_WEBHOOK_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// The delivery's S4E-Signature header (`t=...,v1=...`).
    #[arg(long)]
    signature: String,
    /// How old the signature may be, in seconds (a saved delivery needs more).
    #[arg(long, value_name = "SECS", default_value_t = s4e::webhooks::DEFAULT_TOLERANCE.as_secs())]
    tolerance: u64,
    /// The raw body as received, or `-` for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    command: WebhooksCommand,
) -> Result<u8, Failure> {
    let webhooks = client.webhooks();
    match command {
        WebhooksCommand::List { scope } => {
            return super::print_list(ctx, webhooks.list_auto(), scope).await;
        }
        WebhooksCommand::Get { id } => print_one(ctx, &webhooks.get(id).await?)?,
        WebhooksCommand::Create {
            name,
            url,
            events,
            settings,
        } => {
            let mut create = webhooks.create(name, url, events);
            if let Some(secret) = &settings.secret {
                create = create.secret(secret.as_str());
            }
            if let Some(headers) = settings.headers()? {
                create = create.headers(headers);
            }
            if let Some(active) = settings.active() {
                create = create.active(active);
            }
            print_one(ctx, &create.await?)?;
        }
        WebhooksCommand::Update {
            id,
            name,
            url,
            events,
            settings,
        } => {
            let mut update = webhooks.update(id);
            let mut changed = false;
            if let Some(name) = name {
                update = update.name(name);
                changed = true;
            }
            if let Some(url) = url {
                update = update.url(url);
                changed = true;
            }
            if !events.is_empty() {
                update = update.events(events);
                changed = true;
            }
            if let Some(secret) = &settings.secret {
                update = update.secret(secret.as_str());
                changed = true;
            }
            if let Some(headers) = settings.headers()? {
                update = update.headers(headers);
                changed = true;
            }
            if let Some(active) = settings.active() {
                update = update.active(active);
                changed = true;
            }
            if !changed {
                return Err(Failure::Usage(
                    "nothing to update: give --name, --url, --event, --secret, --header, --active or --inactive".into(),
                ));
            }
            print_one(ctx, &update.await?)?;
        }
        WebhooksCommand::Delete { id } => {
            webhooks.delete(id.as_str()).await?;
            ctx.note(format!("deleted webhook {id}"));
        }
        WebhooksCommand::Test { id } => print_one(ctx, &webhooks.test(id).await?)?,
        WebhooksCommand::Verify(args) => return verify(ctx, args),
        WebhooksCommand::Trigger(args) => return trigger(ctx, args).await,
        WebhooksCommand::Listen(args) => return listen::run(ctx, client, args).await,
        WebhooksCommand::Resend { delivery_id } => return resend(ctx, &delivery_id).await,
    }
    Ok(exit::OK)
}

/// Checks a delivery with the SDK's verifier; the secret is never printed.
pub(crate) fn verify(ctx: &Context, args: VerifyArgs) -> Result<u8, Failure> {
    let body = if args.file.as_os_str() == "-" {
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut body)
            .map_err(|e| Failure::file("reading standard input", e))?;
        body
    } else {
        std::fs::read(&args.file)
            .map_err(|e| Failure::file(format!("reading {}", args.file.display()), e))?
    };
    let secret = required_secret(args.secret.as_deref())?;
    match s4e::webhooks::verify_at(
        &body,
        &args.signature,
        secret,
        Duration::from_secs(args.tolerance),
        SystemTime::now(),
    ) {
        Ok(event) => {
            print_one(ctx, &event)?;
            Ok(exit::OK)
        }
        Err(error) => Err(Failure::Other {
            code: exit::GATE_FAILED,
            message: format!("delivery rejected: {error}"),
        }),
    }
}

/// `trigger` (offline: no key needed).
pub(crate) async fn trigger(ctx: &Context, args: TriggerArgs) -> Result<u8, Failure> {
    trigger::run(ctx, args).await
}

/// `resend`: the sandbox's redelivery control. The S4E API documents no way
/// to resend a delivery, so against it this says so (exit 2).
async fn resend(ctx: &Context, delivery_id: &str) -> Result<u8, Failure> {
    let base = ctx.base_url();
    let origin = base
        .split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)))
        .unwrap_or_default();
    let not_offered = || {
        Failure::Usage(format!(
            "{base} offers no resend (the S4E API documents none); `s4e webhooks resend` works against the sandbox"
        ))
    };
    let id: String = percent_encode(delivery_id);
    let uri = forward::check_url(
        "the base URL",
        &format!("{origin}/__sandbox/deliveries/{id}/redeliver"),
    )
    .map_err(|_| not_offered())?;
    let (status, answer) = forward::post(&forward::client(), &uri, &[], b"{}".to_vec())
        .await
        .map_err(|message| Failure::Other {
            code: exit::API_ERROR,
            message,
        })?;
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
    match status {
        200 => {
            let record = &answer["data"];
            print_line(
                ctx,
                record.clone(),
                format!(
                    "{} {} -> {}",
                    record["event"].as_str().unwrap_or_default(),
                    record["event_id"].as_str().unwrap_or_default(),
                    record["status_code"]
                ),
            );
            Ok(exit::OK)
        }
        404 if answer["error"]["code"] == "not_found" => Err(Failure::Other {
            code: exit::NOT_FOUND,
            message: format!("no delivery {delivery_id}"),
        }),
        _ => Err(not_offered()),
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One line on standard output: the JSON object for `-o json`/`ndjson`, the
/// text otherwise.
fn print_line(ctx: &Context, object: serde_json::Value, text: String) {
    let json = matches!(
        ctx.output,
        crate::cli::OutputFormat::Json | crate::cli::OutputFormat::Ndjson
    );
    print_event_line(json, object, text);
}

fn print_event_line(json: bool, object: serde_json::Value, text: String) {
    if json {
        println!("{object}");
    } else {
        println!("{text}");
    }
}

/// The signing secret of `verify` and `trigger`: from `--secret` or
/// `S4E_WEBHOOK_SECRET`, and not empty (a usage error otherwise).
pub(crate) fn required_secret(secret: Option<&str>) -> Result<&str, Failure> {
    match secret {
        Some(secret) if !secret.is_empty() => Ok(secret),
        Some(_) => Err(Failure::Usage("--secret is empty".into())),
        None => Err(Failure::Usage(
            "the webhook's signing secret is required: set S4E_WEBHOOK_SECRET or pass --secret"
                .into(),
        )),
    }
}
