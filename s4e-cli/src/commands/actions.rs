//! `s4e actions`: `client.actions()`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use s4e::actions::{ActionParameter, ActionType, Executor};
use serde::Deserialize;
use serde_json::Value;

use crate::choices::one_of;
use crate::cli::{ListScope, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;
use crate::wait::{Follow, wait_and_print};
use crate::{confirm, definition};

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
    /// Define an action from a JSON or YAML file (the API's fields).
    #[command(after_help = "Example:\n  s4e actions create --file block-ip.yaml\n\n\
                      The file has the fields of the API's create: name, type, description,\n\
                      executor, target, parameters, config, conditions.")]
    Create {
        /// The JSON or YAML file, or `-` for standard input.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Change an action: the fields of a JSON or YAML file; only those are sent.
    #[command(
        after_help = "Example:\n  echo 'description: for an hour' | s4e actions update act-block-ip --file -"
    )]
    Update {
        /// The action's ID.
        id: String,
        /// The JSON or YAML file, or `-` for standard input.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Delete an action (asks first on a terminal).
    #[command(after_help = "Example:\n  s4e actions delete act-block-ip --yes")]
    Delete {
        /// The action's ID.
        id: String,
        /// Delete without asking.
        #[arg(long, short)]
        yes: bool,
    },
    /// Check an action definition (JSON or YAML) without creating it.
    #[command(after_help = "Example:\n  s4e actions validate block-ip.json\n  \
                      echo '{\"name\":\"Block IP\",\"type\":\"remediation\"}' | s4e actions validate -\n\n\
                      Exits 0 when the definition is valid, 1 when the API answers `valid: false`.")]
    Validate {
        /// The JSON or YAML file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: PathBuf,
    },
    /// Trigger an action.
    #[command(
        after_help = "Example:\n  s4e actions trigger act-block-ip --param ip=203.0.113.9 --sandbox --wait\n\n\
                      With --wait: exit 0 when the execution completed, 1 when it failed,\n\
                      5 when --wait-timeout passed first."
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
    #[command(
        alias = "execution",
        after_help = "Example:\n  s4e actions execution-status act-block-ip exec-5521"
    )]
    ExecutionStatus {
        /// The action's ID.
        id: String,
        /// The execution's ID.
        execution_id: String,
    },
    /// Wait until an execution finishes and print it.
    #[command(after_help = "Example:\n  s4e actions wait act-block-ip exec-5521\n\n\
                      Exit 0 when the execution completed, 1 when it failed, 5 when\n\
                      --wait-timeout passed first.")]
    Wait {
        /// The action's ID.
        id: String,
        /// The execution's ID.
        execution_id: String,
        #[command(flatten)]
        wait_options: WaitOptions,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this type.
    #[arg(long = "type", value_name = "TYPE", value_parser = one_of::<ActionType>())]
    action_type: Option<ActionType>,
    /// Only actions whose name contains this.
    #[arg(long)]
    search: Option<String>,
    #[command(flatten)]
    scope: ListScope,
}

/// An action definition file: the API's fields, none other.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Definition {
    name: Option<String>,
    #[serde(rename = "type")]
    action_type: Option<ActionType>,
    description: Option<String>,
    executor: Option<Executor>,
    target: Option<Value>,
    parameters: Option<Vec<ActionParameter>>,
    config: Option<Value>,
    conditions: Option<Value>,
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
        ActionsCommand::Create { file } => {
            let definition: Definition = definition::read_as(&file)?;
            let (Some(name), Some(action_type)) = (definition.name, definition.action_type) else {
                return Err(Failure::Usage(format!(
                    "{}: an action needs a `name` and a `type`",
                    file.display()
                )));
            };
            let mut create = actions.create(name, action_type);
            set_fields!(
                create,
                definition,
                description,
                executor,
                target,
                parameters,
                config,
                conditions
            );
            print_one(ctx, &create.await?)?;
        }
        ActionsCommand::Update { id, file } => {
            let definition: Definition = definition::read_as(&file)?;
            let mut update = actions.update(id);
            set_fields!(
                update,
                definition,
                name,
                action_type,
                description,
                executor,
                target,
                parameters,
                config,
                conditions
            );
            print_one(ctx, &update.await?)?;
        }
        ActionsCommand::Delete { id, yes } => {
            confirm::delete(&format!("action {id}"), &id, yes)?;
            actions.delete(id.as_str()).await?;
            ctx.note(format!("deleted action {id}"));
        }
        ActionsCommand::Validate { file } => {
            let definition = definition::read_document(&file)?;
            let report = actions.validate(definition).await?;
            print_one(ctx, &report)?;
            if !report.valid {
                return Err(Failure::Other {
                    code: exit::NEGATIVE_OUTCOME,
                    message: "the definition is not valid".to_owned(),
                });
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
                let (name, value) = super::parameter("--param", param)?;
                trigger = trigger.parameter(name, value);
            }
            if sandbox {
                trigger = trigger.sandbox(true);
            }
            let execution = trigger.await?;
            if !wait {
                print_one(ctx, &execution)?;
                return Ok(exit::OK);
            }
            ctx.note(format!("triggered execution {}", execution.id));
            let execution_id = execution.id.to_string();
            let job = actions.wait_execution(id.as_str(), execution_id.as_str());
            return wait_and_print(
                ctx,
                &Follow::execution(&id, &execution_id),
                job,
                wait_options,
            )
            .await;
        }
        ActionsCommand::ExecutionStatus { id, execution_id } => {
            print_one(
                ctx,
                &actions.execution_status(id.as_str(), execution_id).await?,
            )?;
        }
        ActionsCommand::Wait {
            id,
            execution_id,
            wait_options,
        } => {
            let job = actions.wait_execution(id.as_str(), execution_id.as_str());
            return wait_and_print(
                ctx,
                &Follow::execution(&id, &execution_id),
                job,
                wait_options,
            )
            .await;
        }
    }
    Ok(exit::OK)
}
