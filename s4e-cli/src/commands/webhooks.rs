//! `s4e webhooks`: `client.webhooks()`, and `verify`, which checks a received
//! delivery offline with `s4e::webhooks::verify_at`.

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
            required = true
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
        #[arg(long = "event", value_name = "EVENT", value_delimiter = ',')]
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
    /// The webhook's signing secret (prefer S4E_WEBHOOK_SECRET).
    #[arg(long, env = "S4E_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
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
    match s4e::webhooks::verify_at(
        &body,
        &args.signature,
        &args.secret,
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
