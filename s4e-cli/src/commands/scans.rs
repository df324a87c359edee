//! `s4e scans`: `client.scans()`.

use clap::{Args, Subcommand};
use s4e::scans::{Scan, ScanStatus, ScanType};

use crate::cli::{ListScope, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;
use crate::progress;

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
    #[command(after_help = "Example:\n  s4e scans create a-1001 --type full --wait")]
    Create {
        /// The asset to scan.
        asset_id: String,
        /// full, quick, custom, web_app, network, api or api_discovery.
        #[arg(long = "type", value_name = "TYPE")]
        scan_type: ScanType,
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
    #[command(after_help = "Example:\n  s4e scans wait sc-44021 --interval 10")]
    Wait {
        /// The scan's ID.
        id: String,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this status (queued, running, completed, failed, cancelled).
    #[arg(long)]
    status: Option<ScanStatus>,
    /// Only scans of this asset.
    #[arg(long = "asset", value_name = "ASSET_ID")]
    asset_id: Option<String>,
    /// Only this scan type.
    #[arg(long = "type", value_name = "TYPE")]
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
            if let Some(asset_id) = args.asset_id {
                list = list.asset_id(asset_id);
            }
            if let Some(scan_type) = args.scan_type {
                list = list.scan_type(scan_type);
            }
            return super::print_list(ctx, list, args.scope).await;
        }
        ScansCommand::Get { id } => print_one(ctx, &scans.get(id).await?)?,
        ScansCommand::Create {
            asset_id,
            scan_type,
            wait,
            wait_options,
        } => {
            let scan = scans.create(asset_id, scan_type).await?;
            if wait {
                ctx.note(format!("started scan {}", scan.id));
                let done = wait_for(ctx, client, &scan, wait_options).await?;
                print_one(ctx, &done)?;
            } else {
                print_one(ctx, &scan)?;
            }
        }
        ScansCommand::Status { id } => print_one(ctx, &scans.status(id).await?)?,
        ScansCommand::Cancel { id } => print_one(ctx, &scans.cancel(id).await?)?,
        ScansCommand::Wait { id, wait_options } => {
            let scan = scans.get(id).await?;
            print_one(ctx, &wait_for(ctx, client, &scan, wait_options).await?)?;
        }
    }
    Ok(exit::OK)
}

/// Waits for `scan` to finish, drawing its percent and phase.
pub(crate) async fn wait_for(
    ctx: &Context,
    client: &s4e::Client,
    scan: &Scan,
    options: WaitOptions,
) -> Result<Scan, Failure> {
    let bar = progress::percent(ctx, &format!("scan {}", scan.id));
    let shown = bar.clone();
    let result = client
        .scans()
        .wait(scan.id.clone())
        .interval(options.interval())
        .timeout(options.timeout())
        .on_progress(move |status| {
            shown.set_position(u64::from(status.progress.unwrap_or(0).min(100)));
            if let Some(phase) = &status.current_phase {
                shown.set_message(phase.clone());
            }
        })
        .await;
    bar.finish_and_clear();
    Ok(result?)
}
