//! `s4e playbooks`: `client.playbooks()`.

use clap::{Args, Subcommand};
use s4e::playbooks::{PlaybookRun, StepStatus};

use crate::cli::{ListScope, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;
use crate::progress;

#[derive(Debug, Subcommand)]
pub(crate) enum PlaybooksCommand {
    /// List playbooks.
    #[command(after_help = "Example:\n  s4e playbooks list --tag tls")]
    List(ListArgs),
    /// Show one playbook with its steps.
    #[command(after_help = "Example:\n  s4e playbooks get pb-tls-expiry")]
    Get {
        /// The playbook's ID.
        id: String,
    },
    /// Run a playbook against an asset.
    #[command(
        after_help = "Example:\n  s4e playbooks run pb-tls-expiry --asset a-1001 --dry-run --wait"
    )]
    Run {
        /// The playbook's ID.
        id: String,
        /// The asset it runs against.
        #[arg(long = "asset", value_name = "ASSET_ID")]
        asset_id: String,
        /// A parameter as NAME=VALUE (VALUE is JSON when it parses, else text); repeatable.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Rehearse: report what each step would do, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Wait until the run finishes, with a progress bar, and print it.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
    /// Show a run of a playbook and where each step stands.
    #[command(after_help = "Example:\n  s4e playbooks run-status pb-tls-expiry run-7781 --wait")]
    RunStatus {
        /// The playbook's ID.
        id: String,
        /// The run's ID.
        run_id: String,
        /// Wait until it finishes.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only playbooks matching this text.
    #[arg(long)]
    search: Option<String>,
    /// Only playbooks with this tag.
    #[arg(long)]
    tag: Option<String>,
    #[command(flatten)]
    scope: ListScope,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    command: PlaybooksCommand,
) -> Result<u8, Failure> {
    let playbooks = client.playbooks();
    match command {
        PlaybooksCommand::List(args) => {
            let mut list = playbooks.list_auto();
            if let Some(search) = args.search {
                list = list.search(search);
            }
            if let Some(tag) = args.tag {
                list = list.tag(tag);
            }
            return super::print_list(ctx, list, args.scope).await;
        }
        PlaybooksCommand::Get { id } => print_one(ctx, &playbooks.get(id).await?)?,
        PlaybooksCommand::Run {
            id,
            asset_id,
            params,
            dry_run,
            wait,
            wait_options,
        } => {
            let mut run = playbooks.run(id.as_str(), asset_id);
            for param in &params {
                let (name, value) = super::parameter(param)?;
                run = run.parameter(name, value);
            }
            if dry_run {
                run = run.dry_run(true);
            }
            let started = run.await?;
            let shown = if wait {
                ctx.note(format!("started run {}", started.id));
                wait_for(ctx, client, &id, &started, wait_options).await?
            } else {
                started
            };
            print_one(ctx, &shown)?;
        }
        PlaybooksCommand::RunStatus {
            id,
            run_id,
            wait,
            wait_options,
        } => {
            let run = playbooks.run_status(id.as_str(), run_id).await?;
            let run = if wait {
                wait_for(ctx, client, &id, &run, wait_options).await?
            } else {
                run
            };
            print_one(ctx, &run)?;
        }
    }
    Ok(exit::OK)
}

/// Waits for a run, drawing the share of finished steps and the running one.
async fn wait_for(
    ctx: &Context,
    client: &s4e::Client,
    playbook_id: &str,
    run: &PlaybookRun,
    options: WaitOptions,
) -> Result<PlaybookRun, Failure> {
    let bar = progress::percent(ctx, &format!("run {}", run.id));
    let shown = bar.clone();
    let result = client
        .playbooks()
        .wait_run(playbook_id, run.id.clone())
        .interval(options.interval())
        .timeout(options.timeout())
        .on_progress(move |run| {
            let done = run
                .steps
                .iter()
                .filter(|step| {
                    matches!(
                        step.status,
                        Some(StepStatus::Completed | StepStatus::Failed | StepStatus::Skipped)
                    )
                })
                .count();
            if let Some(percent) = (done * 100).checked_div(run.steps.len()) {
                shown.set_position(percent as u64);
            }
            let running = run
                .steps
                .iter()
                .find(|step| step.status == Some(StepStatus::Running));
            if let Some(step) = running {
                shown.set_message(format!("step {}", step.id));
            }
        })
        .await;
    bar.finish_and_clear();
    Ok(result?)
}
