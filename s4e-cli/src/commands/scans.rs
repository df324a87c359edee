//! `s4e scans`: `client.scans()`.

use clap::{Args, Subcommand};
use s4e::scans::{Scan, ScanOptions, ScanStatus, ScanType};

use crate::choices::one_of;
use crate::cli::{ListScope, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;
use crate::resolve;
use crate::wait::{Follow, wait_and_print};

#[derive(Debug, Subcommand)]
pub(crate) enum ScansCommand {
    /// List scans.
    #[command(after_help = "Example:\n  s4e scans list --status running --asset a-1001")]
    List(ListArgs),
    /// Show one scan.
    #[command(after_help = "Example:\n  s4e scans get sc-44021")]
    Get {
        /// The scan's ID.
        id: String,
    },
    /// Start a scan of an asset.
    #[command(
        after_help = "Examples:\n  s4e scans create a-1001 --type full --wait\n  \
                      s4e scans create shop.example.com --type quick --option depth=deep\n\n\
                      With --wait: exit 0 when the scan completed, 1 when it failed or was\n\
                      cancelled, 5 when --wait-timeout passed first."
    )]
    Create {
        /// The asset to scan: its ID or its name.
        #[arg(value_name = "ASSET")]
        asset: String,
        /// What the scan looks for.
        #[arg(long = "type", value_name = "TYPE", value_parser = one_of::<ScanType>())]
        scan_type: ScanType,
        /// A scan option as NAME=VALUE (VALUE is JSON when it parses, else
        /// text); repeatable.
        #[arg(long = "option", value_name = "NAME=VALUE")]
        options: Vec<String>,
        /// Wait until it finishes, with a progress bar, and print the final scan.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
    /// Show a scan's progress and current phase.
    #[command(after_help = "Example:\n  s4e scans status sc-44021")]
    Status {
        /// The scan's ID.
        id: String,
    },
    /// Cancel a queued or running scan.
    #[command(after_help = "Example:\n  s4e scans cancel sc-44021")]
    Cancel {
        /// The scan's ID.
        id: String,
    },
    /// Wait until a scan finishes, with a progress bar, and print it.
    #[command(after_help = "Example:\n  s4e scans wait sc-44021 --interval 10\n\n\
                      Exit 0 when the scan completed, 1 when it failed or was cancelled,\n\
                      5 when --wait-timeout passed first.")]
    Wait {
        /// The scan's ID.
        id: String,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this status.
    #[arg(long, value_parser = one_of::<ScanStatus>())]
    status: Option<ScanStatus>,
    /// Only scans of this asset (its ID or its name).
    #[arg(long = "asset", value_name = "ASSET")]
    asset: Option<String>,
    /// Only this scan type.
    #[arg(long = "type", value_name = "TYPE", value_parser = one_of::<ScanType>())]
    scan_type: Option<ScanType>,
    #[command(flatten)]
    scope: ListScope,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    command: ScansCommand,
) -> Result<u8, Failure> {
    let scans = client.scans();
    match command {
        ScansCommand::List(args) => {
            let mut list = scans.list_auto();
            if let Some(status) = args.status {
                list = list.status(status);
            }
            if let Some(asset_id) = resolve::optional_asset(client, args.asset).await? {
                list = list.asset_id(asset_id);
            }
            if let Some(scan_type) = args.scan_type {
                list = list.scan_type(scan_type);
            }
            return super::print_list(ctx, list, args.scope).await;
        }
        ScansCommand::Get { id } => print_one(ctx, &scans.get(id).await?)?,
        ScansCommand::Create {
            asset,
            scan_type,
            options,
            wait,
            wait_options,
        } => {
            let asset_id = resolve::asset(client, &asset).await?;
            let mut create = scans.create(asset_id, scan_type);
            if !options.is_empty() {
                let mut scan_options = ScanOptions::new();
                for option in &options {
                    let (name, value) = super::parameter("--option", option)?;
                    scan_options = scan_options.extra(name, value);
                }
                create = create.options(scan_options);
            }
            let scan = create.await?;
            if !wait {
                print_one(ctx, &scan)?;
                return Ok(exit::OK);
            }
            ctx.note(format!("started scan {}", scan.id));
            return wait_scan(ctx, client, scan.id.as_ref(), wait_options).await;
        }
        ScansCommand::Status { id } => print_one(ctx, &scans.status(id).await?)?,
        ScansCommand::Cancel { id } => print_one(ctx, &scans.cancel(id).await?)?,
        ScansCommand::Wait { id, wait_options } => {
            return wait_scan(ctx, client, &id, wait_options).await;
        }
    }
    Ok(exit::OK)
}

/// Waits for scan `id`, prints it, and exits by its outcome.
async fn wait_scan(
    ctx: &Context,
    client: &s4e::Client,
    id: &str,
    options: WaitOptions,
) -> Result<u8, Failure> {
    wait_and_print(ctx, &Follow::scan(id), client.scans().wait(id), options).await
}

/// Waits for `scan` to finish and returns it, whatever its outcome (`s4e
/// gate --scan` judges it).
pub(crate) async fn wait_for(
    ctx: &Context,
    client: &s4e::Client,
    scan: &Scan,
    options: WaitOptions,
) -> Result<Scan, Failure> {
    let id = scan.id.to_string();
    crate::wait::wait(
        ctx,
        &Follow::scan(&id),
        client.scans().wait(id.as_str()),
        options,
    )
    .await
}
