//! `s4e actions`: `client.actions()`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use s4e::actions::{ActionExecution, ActionType};

use crate::cli::{ListScope, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;
use crate::progress;

#[derive(Debug, Subcommand)]
pub(crate) enum ActionsCommand {
    /// List actions.
    #[command(after_help = "Example:\n  s4e actions list --type remediation")]
    List(ListArgs),
    /// Show one action and the parameters it takes.
    #[command(after_help = "Example:\n  s4e actions get act-block-ip")]
    Get {
        /// The action's ID.
        id: String,
    },
    /// Check an action definition (JSON) without creating it.
    #[command(after_help = "Example:\n  s4e actions validate block-ip.json\n  \
                      echo '{\"name\":\"Block IP\",\"type\":\"remediation\"}' | s4e actions validate -\n\n\
                      Exits 0 when the definition is valid, 5 when the API reports errors.")]
    Validate {
        /// The JSON file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: PathBuf,
    },
    /// Trigger an action.
    #[command(
        after_help = "Example:\n  s4e actions trigger act-block-ip --param ip=203.0.113.9 --sandbox --wait"
    )]
    Trigger {
        /// The action's ID.
        id: String,
        /// A parameter as NAME=VALUE (VALUE is JSON when it parses, else text); repeatable.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Run in the sandbox: report what would happen, change nothing.
        #[arg(long)]
        sandbox: bool,
        /// Wait until the execution finishes and print it.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
    /// Show an execution of an action.
    #[command(after_help = "Example:\n  s4e actions execution act-block-ip exec-5521 --wait")]
    Execution {
        /// The action's ID.
        id: String,
        /// The execution's ID.
        execution_id: String,
        /// Wait until it finishes.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this type (notification, remediation, ...).
    #[arg(long = "type", value_name = "TYPE")]
    action_type: Option<ActionType>,
    /// Only actions whose name contains this.
    #[arg(long)]
    search: Option<String>,
    #[command(flatten)]
    scope: ListScope,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    command: ActionsCommand,
) -> Result<u8, Failure> {
    let actions = client.actions();
    match command {
        ActionsCommand::List(args) => {
            let mut list = actions.list_auto();
            if let Some(action_type) = args.action_type {
                list = list.action_type(action_type);
            }
            if let Some(search) = args.search {
                list = list.search(search);
            }
            return super::print_list(ctx, list, args.scope).await;
        }
        ActionsCommand::Get { id } => print_one(ctx, &actions.get(id).await?)?,
        ActionsCommand::Validate { file } => {
            let definition = super::read_json(&file)?;
            let report = actions.validate(definition).await?;
            print_one(ctx, &report)?;
            if !report.valid {
                return Ok(exit::API_ERROR);
            }
        }
        ActionsCommand::Trigger {
            id,
            params,
            sandbox,
            wait,
            wait_options,
        } => {
            let mut trigger = actions.trigger(id.as_str());
            for param in &params {
                let (name, value) = super::parameter(param)?;
                trigger = trigger.parameter(name, value);
            }
            if sandbox {
                trigger = trigger.sandbox(true);
            }
            let execution = trigger.await?;
            let execution = if wait {
                ctx.note(format!("triggered execution {}", execution.id));
                wait_for(ctx, client, &id, &execution, wait_options).await?
            } else {
                execution
            };
            print_one(ctx, &execution)?;
        }
        ActionsCommand::Execution {
            id,
            execution_id,
            wait,
            wait_options,
        } => {
            let execution = actions.execution_status(id.as_str(), execution_id).await?;
            let execution = if wait {
                wait_for(ctx, client, &id, &execution, wait_options).await?
            } else {
                execution
            };
            print_one(ctx, &execution)?;
        }
    }
    Ok(exit::OK)
}

async fn wait_for(
    ctx: &Context,
    client: &s4e::Client,
    action_id: &str,
    execution: &ActionExecution,
    options: WaitOptions,
) -> Result<ActionExecution, Failure> {
    let bar = progress::status(ctx, &format!("execution {}", execution.id));
    let shown = bar.clone();
    let result = client
        .actions()
        .wait_execution(action_id, execution.id.clone())
        .interval(options.interval())
        .timeout(options.timeout())
        .on_progress(move |status| {
            if let Some(status) = &status.status {
                shown.set_message(status.to_string());
            }
        })
        .await;
    bar.finish_and_clear();
    Ok(result?)
}
