//! `s4e playbooks`: `client.playbooks()`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use s4e::playbooks::{OnFailure, PlaybookStep, PlaybookTrigger};
use serde::Deserialize;

use crate::cli::{ListScope, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;
use crate::wait::{Follow, wait_and_print};
use crate::{confirm, definition, resolve};

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
    /// Define a playbook from a JSON or YAML file (the API's fields).
    #[command(
        after_help = "Example:\n  s4e playbooks create --file tls-expiry.yaml\n\n\
                      The file has the fields of the API's create: name, version, trigger,\n\
                      steps, description, on_failure, timeout_minutes, tags."
    )]
    Create {
        /// The JSON or YAML file, or `-` for standard input.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Change a playbook: the fields of a JSON or YAML file; only those are sent.
    #[command(
        after_help = "Example:\n  echo 'version: 1.1.0' | s4e playbooks update pb-tls-expiry --file -"
    )]
    Update {
        /// The playbook's ID.
        id: String,
        /// The JSON or YAML file, or `-` for standard input.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Delete a playbook (asks first on a terminal).
    #[command(after_help = "Example:\n  s4e playbooks delete pb-tls-expiry --yes")]
    Delete {
        /// The playbook's ID.
        id: String,
        /// Delete without asking.
        #[arg(long, short)]
        yes: bool,
    },
    /// Run a playbook against an asset.
    #[command(
        after_help = "Example:\n  s4e playbooks run pb-tls-expiry --asset a-1001 --dry-run --wait\n\n\
                      With --wait: exit 0 when the run completed, 1 when it failed,\n\
                      5 when --wait-timeout passed first."
    )]
    Run {
        /// The playbook's ID.
        id: String,
        /// The asset it runs against: its ID or its name.
        #[arg(long = "asset", value_name = "ASSET")]
        asset: String,
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
    #[command(after_help = "Example:\n  s4e playbooks run-status pb-tls-expiry run-7781")]
    RunStatus {
        /// The playbook's ID.
        id: String,
        /// The run's ID.
        run_id: String,
    },
    /// Wait until a run finishes, with a progress bar, and print it.
    #[command(
        after_help = "Example:\n  s4e playbooks wait pb-tls-expiry run-7781\n\n\
                      Exit 0 when the run completed, 1 when it failed, 5 when\n\
                      --wait-timeout passed first."
    )]
    Wait {
        /// The playbook's ID.
        id: String,
        /// The run's ID.
        run_id: String,
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

/// A playbook definition file: the API's fields, none other.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Definition {
    name: Option<String>,
    version: Option<String>,
    trigger: Option<PlaybookTrigger>,
    steps: Option<Vec<PlaybookStep>>,
    description: Option<String>,
    on_failure: Option<OnFailure>,
    timeout_minutes: Option<u32>,
    tags: Option<Vec<String>>,
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
        PlaybooksCommand::Create { file } => {
            let definition: Definition = definition::read_as(&file)?;
            let (Some(name), Some(version), Some(trigger), Some(steps)) = (
                definition.name,
                definition.version,
                definition.trigger,
                definition.steps,
            ) else {
                return Err(Failure::Usage(format!(
                    "{}: a playbook needs a `name`, a `version`, a `trigger` and `steps`",
                    file.display()
                )));
            };
            let mut create = playbooks.create(name, version, trigger, steps);
            set_fields!(
                create,
                definition,
                description,
                on_failure,
                timeout_minutes,
                tags
            );
            print_one(ctx, &create.await?)?;
        }
        PlaybooksCommand::Update { id, file } => {
            let definition: Definition = definition::read_as(&file)?;
            let mut update = playbooks.update(id);
            set_fields!(
                update,
                definition,
                name,
                version,
                trigger,
                steps,
                description,
                on_failure,
                timeout_minutes,
                tags
            );
            print_one(ctx, &update.await?)?;
        }
        PlaybooksCommand::Delete { id, yes } => {
            confirm::delete(&format!("playbook {id}"), &id, yes)?;
            playbooks.delete(id.as_str()).await?;
            ctx.note(format!("deleted playbook {id}"));
        }
        PlaybooksCommand::Run {
            id,
            asset,
            params,
            dry_run,
            wait,
            wait_options,
        } => {
            let asset_id = resolve::asset(client, &asset).await?;
            let mut run = playbooks.run(id.as_str(), asset_id);
            for param in &params {
                let (name, value) = super::parameter("--param", param)?;
                run = run.parameter(name, value);
            }
            if dry_run {
                run = run.dry_run(true);
            }
            let started = run.await?;
            if !wait {
                print_one(ctx, &started)?;
                return Ok(exit::OK);
            }
            ctx.note(format!("started run {}", started.id));
            let run_id = started.id.to_string();
            let job = playbooks.wait_run(id.as_str(), run_id.as_str());
            return wait_and_print(ctx, &Follow::run(&id, &run_id), job, wait_options).await;
        }
        PlaybooksCommand::RunStatus { id, run_id } => {
            print_one(ctx, &playbooks.run_status(id.as_str(), run_id).await?)?;
        }
        PlaybooksCommand::Wait {
            id,
            run_id,
            wait_options,
        } => {
            let job = playbooks.wait_run(id.as_str(), run_id.as_str());
            return wait_and_print(ctx, &Follow::run(&id, &run_id), job, wait_options).await;
        }
    }
    Ok(exit::OK)
}
