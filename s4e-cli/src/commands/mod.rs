//! One module per command group, named after the SDK's modules and methods.

pub(crate) mod actions;
pub(crate) mod assets;
pub(crate) mod findings;
pub(crate) mod gate;
pub(crate) mod playbooks;
pub(crate) mod rows;
pub(crate) mod sandbox;
pub(crate) mod scans;
pub(crate) mod webhooks;

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use clap::CommandFactory;
use s4e::{Identified, Paginated, Paginator};

use crate::cli::{Cli, Command, ListScope};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::{ListPrinter, Row};
use crate::progress;

/// Runs the command and returns its exit code.
pub(crate) async fn run(mut cli: Cli) -> Result<u8, Failure> {
    if let Command::Findings(findings::FindingsCommand::Export(export)) = &mut cli.command {
        // Here `-o` names the file; the format is `--format`.
        export.file = cli.global.output.take().map(std::path::PathBuf::from);
    }
    let global = &cli.global;
    match cli.command {
        // These two need neither a key nor a profile.
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "s4e", &mut std::io::stdout());
            Ok(exit::OK)
        }
        Command::Sandbox(args) => sandbox::run(args).await,
        // Offline: no key needed.
        Command::Webhooks(webhooks::WebhooksCommand::Verify(args)) => {
            webhooks::verify(&Context::new(global)?, args)
        }
        Command::Assets(command) => {
            let ctx = Context::new(global)?;
            assets::run(&ctx, &ctx.client()?, command).await
        }
        Command::Scans(command) => {
            let ctx = Context::new(global)?;
            scans::run(&ctx, &ctx.client()?, command).await
        }
        Command::Findings(command) => {
            let ctx = Context::new(global)?;
            findings::run(&ctx, &ctx.client()?, command).await
        }
        Command::Actions(command) => {
            let ctx = Context::new(global)?;
            actions::run(&ctx, &ctx.client()?, command).await
        }
        Command::Playbooks(command) => {
            let ctx = Context::new(global)?;
            playbooks::run(&ctx, &ctx.client()?, command).await
        }
        Command::Webhooks(command) => {
            let ctx = Context::new(global)?;
            webhooks::run(&ctx, &ctx.client()?, command).await
        }
        Command::Gate(args) => {
            let ctx = Context::new(global)?;
            gate::run(&ctx, &ctx.client()?, args).await
        }
    }
}

/// Prints a list: `--limit N` items (one request when N fits a page), or with
/// `--all` every item, fetching up to four pages at a time and printing each
/// page as it arrives.
pub(crate) async fn print_list<E>(
    ctx: &Context,
    paginator: Paginator<E>,
    scope: ListScope,
) -> Result<u8, Failure>
where
    E: Paginated + 'static,
    E::Item: Row + Identified + Send + 'static,
{
    let mut printer = ListPrinter::<E::Item>::new(ctx)?;
    let paginator = if scope.all {
        paginator.per_page(s4e::MAX_PER_PAGE).concurrency(4)
    } else {
        let per_page = scope.limit.clamp(1, s4e::MAX_PER_PAGE);
        let limit = usize::try_from(scope.limit).unwrap_or(usize::MAX);
        paginator.per_page(per_page).max_items(limit)
    };
    let bar = if scope.all {
        progress::pages(ctx)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut pages = paginator.pages();
    // Pages are as the server sent them; an item pushed onto the next page
    // by an insert during the walk is printed once.
    let hashes = RandomState::new();
    let mut seen = HashSet::new();
    while let Some(page) = pages.try_next().await.inspect_err(|_| bar.abandon())? {
        if let Some(last) = page.last_page {
            bar.set_length(u64::from(last));
        }
        bar.inc(1);
        for item in &page.items {
            if seen.insert(hashes.hash_one(item.identity())) {
                printer.push(item)?;
            }
        }
        printer.flush()?;
    }
    bar.finish_and_clear();
    printer.finish()?;
    Ok(exit::OK)
}

/// `NAME=VALUE` into a JSON value: JSON when it parses (`true`, `3`,
/// `["a"]`), a string otherwise.
pub(crate) fn parameter(text: &str) -> Result<(String, serde_json::Value), Failure> {
    let (name, value) = text
        .split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| Failure::Usage(format!("--param `{text}`: expected NAME=VALUE")))?;
    let value =
        serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

/// Reads a JSON document from a file or, for `-`, standard input.
pub(crate) fn read_json(path: &std::path::Path) -> Result<serde_json::Value, Failure> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::file("reading standard input", e))?;
        ("standard input".to_owned(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::file(format!("reading {}", path.display()), e))?;
        (path.display().to_string(), text)
    };
    serde_json::from_str(&text).map_err(|e| Failure::Usage(format!("{name} is not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_json_when_they_parse() {
        assert_eq!(
            parameter("ip=203.0.113.9").unwrap(),
            ("ip".into(), serde_json::json!("203.0.113.9"))
        );
        assert_eq!(
            parameter("minutes=60").unwrap(),
            ("minutes".into(), serde_json::json!(60))
        );
        assert_eq!(parameter("a==b").unwrap().1, serde_json::json!("=b"));
        assert!(parameter("=x").is_err());
        assert!(parameter("novalue").is_err());
    }
}
