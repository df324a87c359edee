//! `s4e assets`: `client.assets()`.

use clap::{Args, Subcommand};
use s4e::assets::{AssetStatus, AssetType};

use crate::cli::ListScope;
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::print_one;

#[derive(Debug, Subcommand)]
pub(crate) enum AssetsCommand {
    /// List assets.
    #[command(after_help = "Example:\n  s4e assets list --type domain --tag prod --all")]
    List(ListArgs),
    /// Show one asset, with its discovery details and open findings.
    #[command(after_help = "Example:\n  s4e assets get a-1001")]
    Get {
        /// The asset's ID.
        id: String,
    },
    /// Add an asset to monitor.
    #[command(
        after_help = "Example:\n  s4e assets create shop.example.com --type domain --tag prod"
    )]
    Create {
        /// The domain, IP, URL or CIDR network.
        name: String,
        /// domain, ip, url or network.
        #[arg(long = "type", value_name = "TYPE")]
        asset_type: AssetType,
        /// A label (repeat for several).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Change an asset's tags or description.
    #[command(
        after_help = "Example:\n  s4e assets update a-1001 --tag prod --tag pci --description \"the shop\""
    )]
    Update {
        /// The asset's ID.
        id: String,
        /// Replaces the labels (repeat for several).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Stop monitoring an asset and delete it.
    #[command(after_help = "Example:\n  s4e assets delete a-1001")]
    Delete {
        /// The asset's ID.
        id: String,
    },
    /// Start ownership verification of an asset.
    #[command(after_help = "Example:\n  s4e assets verify a-1001")]
    Verify {
        /// The asset's ID.
        id: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this type (domain, ip, url, network).
    #[arg(long = "type", value_name = "TYPE")]
    asset_type: Option<AssetType>,
    /// Only this status (active, inactive, pending_verification).
    #[arg(long)]
    status: Option<AssetStatus>,
    /// Only assets with this label.
    #[arg(long)]
    tag: Option<String>,
    /// Only names containing this text.
    #[arg(long)]
    search: Option<String>,
    #[command(flatten)]
    scope: ListScope,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    command: AssetsCommand,
) -> Result<u8, Failure> {
    let assets = client.assets();
    match command {
        AssetsCommand::List(args) => {
            let mut list = assets.list_auto();
            if let Some(asset_type) = args.asset_type {
                list = list.asset_type(asset_type);
            }
            if let Some(status) = args.status {
                list = list.status(status);
            }
            if let Some(tag) = args.tag {
                list = list.tag(tag);
            }
            if let Some(search) = args.search {
                list = list.search(search);
            }
            return super::print_list(ctx, list, args.scope).await;
        }
        AssetsCommand::Get { id } => print_one(ctx, &assets.get(id).await?)?,
        AssetsCommand::Create {
            name,
            asset_type,
            tags,
        } => {
            let mut create = assets.create(name, asset_type);
            if !tags.is_empty() {
                create = create.tags(tags);
            }
            print_one(ctx, &create.await?)?;
        }
        AssetsCommand::Update {
            id,
            tags,
            description,
        } => {
            if tags.is_empty() && description.is_none() {
                return Err(Failure::Usage(
                    "nothing to update: give --tag or --description".into(),
                ));
            }
            let mut update = assets.update(id);
            if !tags.is_empty() {
                update = update.tags(tags);
            }
            if let Some(description) = description {
                update = update.description(description);
            }
            print_one(ctx, &update.await?)?;
        }
        AssetsCommand::Delete { id } => {
            assets.delete(id.as_str()).await?;
            ctx.note(format!("deleted asset {id}"));
        }
        AssetsCommand::Verify { id } => print_one(ctx, &assets.verify(id).await?)?,
    }
    Ok(exit::OK)
}
