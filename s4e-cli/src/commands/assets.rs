//! `s4e assets`: `client.assets()`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use s4e::assets::{AssetStatus, AssetType, NewAsset};
use serde::Deserialize;

use crate::choices::one_of;
use crate::cli::ListScope;
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::{print_json, print_one};
use crate::{confirm, definition};

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
        /// What kind of asset it is.
        #[arg(long = "type", value_name = "TYPE", value_parser = one_of::<AssetType>())]
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
    /// Add many assets at once from a JSON or CSV file.
    #[command(after_help = "Examples:\n  s4e assets bulk-create assets.csv\n  \
                      echo '[{\"name\":\"shop.example.com\",\"type\":\"domain\"}]' | s4e assets bulk-create -\n\n\
                      JSON: an array of {name, type, tags}. CSV: a header row with name and\n\
                      type (and optionally tags, separated by `;`). Exit 1 when the API\n\
                      refused some of them (listed under `failed`).")]
    BulkCreate {
        /// The JSON or CSV file, or `-` for standard input.
        file: PathBuf,
    },
    /// Stop monitoring an asset and delete it (asks first on a terminal).
    #[command(after_help = "Example:\n  s4e assets delete a-1001 --yes")]
    Delete {
        /// The asset's ID.
        id: String,
        /// Delete without asking.
        #[arg(long, short)]
        yes: bool,
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
    /// Only this type.
    #[arg(long = "type", value_name = "TYPE", value_parser = one_of::<AssetType>())]
    asset_type: Option<AssetType>,
    /// Only this status.
    #[arg(long, value_parser = one_of::<AssetStatus>())]
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
        AssetsCommand::BulkCreate { file } => {
            let new = read_new_assets(&file)?;
            let count = new.len();
            let result = assets.bulk_create(new).await?;
            print_json(ctx, &result)?;
            if !result.failed.is_empty() {
                return Err(Failure::Other {
                    code: exit::NEGATIVE_OUTCOME,
                    message: format!("the API refused {} of {count} assets", result.failed.len()),
                });
            }
        }
        AssetsCommand::Delete { id, yes } => {
            confirm::delete(&format!("asset {id}"), &id, yes)?;
            assets.delete(id.as_str()).await?;
            ctx.note(format!("deleted asset {id}"));
        }
        AssetsCommand::Verify { id } => print_one(ctx, &assets.verify(id).await?)?,
    }
    Ok(exit::OK)
}

/// One asset of a bulk-create file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAssetLine {
    name: String,
    #[serde(rename = "type")]
    asset_type: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// The assets of a JSON array or a CSV file (told by the extension, or for
/// standard input by whether it starts like JSON).
fn read_new_assets(path: &std::path::Path) -> Result<Vec<NewAsset>, Failure> {
    let (name, text) = definition::read_text(path)?;
    let is_csv = match path.extension() {
        Some(ext) => ext.eq_ignore_ascii_case("csv"),
        None => !text.trim_start().starts_with(['[', '{']),
    };
    let lines: Vec<NewAssetLine> = if is_csv {
        csv_assets(&text).map_err(|message| Failure::Usage(format!("{name}: {message}")))?
    } else {
        serde_json::from_str(&text).map_err(|e| Failure::Usage(format!("{name}: {e}")))?
    };
    if lines.is_empty() {
        return Err(Failure::Usage(format!("{name} lists no asset")));
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            if !AssetType::VALUES.contains(&line.asset_type.as_str()) {
                return Err(Failure::Usage(format!(
                    "{name}: asset {} (`{}`): type `{}` is not one of {}",
                    index + 1,
                    line.name,
                    line.asset_type,
                    AssetType::VALUES.join(", ")
                )));
            }
            Ok(NewAsset::new(line.name, AssetType::from(line.asset_type.as_str())).tags(line.tags))
        })
        .collect()
}

/// CSV (RFC 4180) with a header naming `name`, `type` and optionally `tags`
/// (separated by `;`).
fn csv_assets(text: &str) -> Result<Vec<NewAssetLine>, String> {
    let mut records = parse_csv(text)?.into_iter();
    let header = records.next().ok_or("the file is empty")?;
    let column = |wanted: &str| header.iter().position(|h| h.trim() == wanted);
    let (Some(name), Some(kind)) = (column("name"), column("type")) else {
        return Err("the header row must name the columns `name` and `type`".to_owned());
    };
    let tags = column("tags");
    if let Some(unknown) = header
        .iter()
        .find(|h| !["name", "type", "tags"].contains(&h.trim()))
    {
        return Err(format!("unknown column `{unknown}` (name, type, tags)"));
    }
    records
        .enumerate()
        .filter(|(_, record)| !(record.len() == 1 && record[0].trim().is_empty()))
        .map(|(index, record)| {
            if record.len() != header.len() {
                return Err(format!(
                    "row {} has {} fields, the header {}",
                    index + 2,
                    record.len(),
                    header.len()
                ));
            }
            Ok(NewAssetLine {
                name: record[name].trim().to_owned(),
                asset_type: record[kind].trim().to_owned(),
                tags: tags
                    .map(|i| {
                        record[i]
                            .split(';')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The records of an RFC 4180 text: quoted fields may hold commas, quotes
/// (doubled) and line breaks.
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_owned());
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_assets_read_quotes_tags_and_refuse_unknown_columns() {
        let lines = csv_assets(
            "name,type,tags\r\nshop.example.com,domain,prod;pci\r\n\"10.0.0.0/24\",network,\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].name, "shop.example.com");
        assert_eq!(lines[0].tags, ["prod", "pci"]);
        assert_eq!(lines[1].asset_type, "network");
        assert!(lines[1].tags.is_empty());
        assert!(csv_assets("name,kind\nx,domain\n").is_err());
        assert!(csv_assets("name,type,owner\nx,domain,me\n").is_err());
        assert!(csv_assets("name,type\nx\n").is_err());
        assert_eq!(
            parse_csv("a,\"b,\"\"c\"\"\nd\"\n").unwrap(),
            [vec!["a".to_owned(), "b,\"c\"\nd".to_owned()]]
        );
    }
}
