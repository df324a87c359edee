//! One module per command group, named after the SDK's modules and methods.

/// Sets on the request `$request` every field that `$definition` (read
/// from a definition file) has. Defined before the modules that use it.
macro_rules! set_fields {
    ($request:ident, $definition:ident, $($field:ident),+) => {
        $(if let Some(value) = $definition.$field {
            $request = $request.$field(value);
        })+
    };
}

pub(crate) mod actions;
pub(crate) mod api;
pub(crate) mod assets;
pub(crate) mod findings;
pub(crate) mod gate;
pub(crate) mod playbooks;
pub(crate) mod rows;
pub(crate) mod sandbox;
pub(crate) mod scans;
pub(crate) mod session;
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
pub(crate) async fn run(cli: Cli) -> Result<u8, Failure> {
    let global = &cli.global;
    match cli.command {
        // These need neither a key nor a profile.
        Command::Completions(args) => {
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "s4e", &mut script);
            crate::output::write_stdout(&String::from_utf8_lossy(&script))?;
            Ok(exit::OK)
        }
        Command::Login { insecure_storage } => {
            session::login(global.profile.as_deref(), insecure_storage)
        }
        Command::Logout => session::logout(global.profile.as_deref()),
        Command::Config(command) => session::run(global.profile.as_deref(), command),
        Command::Api(args) => {
            let ctx = Context::new(global)?;
            api::run(&ctx, &ctx.client()?, args).await
        }
        Command::Sandbox(args) => sandbox::run(args).await,
        // Offline: no key needed.
        Command::Webhooks(webhooks::WebhooksCommand::Verify(args)) => {
            webhooks::verify(&Context::new(global)?, args)
        }
        Command::Webhooks(webhooks::WebhooksCommand::Trigger(args)) => {
            webhooks::trigger(&Context::new(global)?, args).await
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
            // Stdout gets the gate's report only when -o asks for one.
            gate::run(&ctx, &ctx.client()?, args, global.output.is_some()).await
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
    let mut total = None;
    while let Some(page) = pages.try_next().await.inspect_err(|_| bar.abandon())? {
        if seen.is_empty() && total.is_none() {
            printer.start()?;
            total = Some(page.total);
        }
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
    if total.is_none() {
        printer.start()?;
    }
    printer.finish()?;
    if ctx.hints {
        if let Some(hint) = list_hint(seen.len(), total.flatten(), scope.all) {
            eprintln!("{hint}");
        }
    }
    Ok(exit::OK)
}

/// What a person at a terminal should know about a list: that it is
/// empty, or cut by `--limit`.
fn list_hint(shown: usize, total: Option<u64>, all: bool) -> Option<String> {
    match total {
        _ if shown == 0 => Some("no items match".to_owned()),
        Some(total) if !all && (shown as u64) < total => {
            Some(format!("showing {shown} of {total}; --all for every one"))
        }
        _ => None,
    }
}

/// Prints every item of a list of JSON values (`s4e api --paginate`): one
/// JSON array, or one item per line with `-o ndjson`; `--jq` sees the
/// whole array.
pub(crate) async fn print_values<E>(ctx: &Context, paginator: Paginator<E>) -> Result<u8, Failure>
where
    E: Paginated<Item = serde_json::Value> + 'static,
{
    let mut pages = paginator.pages();
    let mut items = Vec::new();
    let streaming = ctx.output == crate::cli::OutputFormat::Ndjson && ctx.jq.is_none();
    while let Some(page) = pages.try_next().await? {
        if streaming {
            let mut text = String::new();
            for item in &page.items {
                text.push_str(&item.to_string());
                text.push('\n');
            }
            crate::output::write_stdout(&text)?;
        } else {
            items.extend(page.items);
        }
    }
    if !streaming {
        crate::output::print_json(ctx, &items)?;
    }
    Ok(exit::OK)
}

/// `NAME=VALUE` into a JSON value: JSON when it parses (`true`, `3`,
/// `["a"]`), a string otherwise.
pub(crate) fn parameter(flag: &str, text: &str) -> Result<(String, serde_json::Value), Failure> {
    let (name, value) = text
        .split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| Failure::Usage(format!("{flag} `{text}`: expected NAME=VALUE")))?;
    let value =
        serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_says_when_it_is_empty_or_cut() {
        assert_eq!(
            list_hint(0, Some(0), false).as_deref(),
            Some("no items match")
        );
        assert_eq!(
            list_hint(50, Some(354), false).as_deref(),
            Some("showing 50 of 354; --all for every one")
        );
        assert_eq!(list_hint(354, Some(354), false), None);
        assert_eq!(list_hint(50, None, false), None);
    }

    #[test]
    fn parameters_are_json_when_they_parse() {
        assert_eq!(
            parameter("--param", "ip=203.0.113.9").unwrap(),
            ("ip".into(), serde_json::json!("203.0.113.9"))
        );
        assert_eq!(
            parameter("--param", "minutes=60").unwrap(),
            ("minutes".into(), serde_json::json!(60))
        );
        assert_eq!(
            parameter("--param", "a==b").unwrap().1,
            serde_json::json!("=b")
        );
        assert!(parameter("--param", "=x").is_err());
        assert!(parameter("--option", "novalue").is_err());
    }
}
