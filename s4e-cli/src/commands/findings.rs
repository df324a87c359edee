//! `s4e findings`: `client.findings()`.

use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use clap::{Args, Subcommand, ValueEnum};
use indicatif::ProgressBar;
use s4e::chrono::{DateTime, Utc};
use s4e::findings::{FindingSortBy, FindingStatus, Severity};
use s4e::{ExportFormat, SortOrder};
use tokio::io::AsyncWrite;

use crate::choices::one_of;
use crate::cli::{ListScope, OutputFormat};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::files::AtomicFile;
use crate::output::print_one;
use crate::{progress, resolve};

#[derive(Debug, Subcommand)]
pub(crate) enum FindingsCommand {
    /// List findings, most useful with filters.
    #[command(
        after_help = "Examples:\n  s4e findings list --severity critical,high --status open\n  \
                      s4e findings list --asset shop.example.com --all -o ndjson\n  \
                      s4e findings list --sort discovered_at --order desc --since 7d"
    )]
    List(ListArgs),
    /// Show one finding with its description, remediation and evidence.
    #[command(after_help = "Example:\n  s4e findings get f-91827")]
    Get {
        /// The finding's ID.
        id: String,
    },
    /// Triage a finding: change its status, with a note.
    #[command(
        after_help = "Example:\n  s4e findings update f-91827 --status resolved --note \"patched in 2.4.1\""
    )]
    Update {
        /// The finding's ID.
        id: String,
        /// The new status.
        #[arg(long, value_parser = one_of::<FindingStatus>())]
        status: Option<FindingStatus>,
        /// Why (kept in the finding's history).
        #[arg(long)]
        note: Option<String>,
    },
    /// Export matching findings to a file (or standard output), streamed.
    #[command(
        after_help = "Example:\n  s4e findings export -o csv --severity critical --out critical.csv\n\n\
                      The file appears only once complete: it is written beside the target\n\
                      and renamed, so Ctrl-C or an error leaves no partial file."
    )]
    Export(ExportArgs),
}

/// Filters shared by `list` and `export`.
#[derive(Debug, Args)]
pub(crate) struct Filters {
    /// Only these severities (one, or a comma list).
    #[arg(long, value_delimiter = ',', value_parser = one_of::<Severity>())]
    severity: Vec<Severity>,
    /// Only this status.
    #[arg(long, value_parser = one_of::<FindingStatus>())]
    status: Option<FindingStatus>,
    /// Only findings on this asset (its ID or its name).
    #[arg(long = "asset", value_name = "ASSET")]
    asset: Option<String>,
    /// Only findings of this scan.
    #[arg(long = "scan", value_name = "SCAN_ID")]
    scan_id: Option<String>,
    /// Only findings whose text contains this.
    #[arg(long)]
    search: Option<String>,
    /// Only findings discovered at or after this time: RFC 3339
    /// (2026-12-01T00:00:00Z), a date (2026-12-01) or an age (36h, 7d).
    #[arg(long, value_name = "WHEN", value_parser = crate::time::instant)]
    since: Option<DateTime<Utc>>,
    /// Only findings discovered before this time (same forms as --since).
    #[arg(long, value_name = "WHEN", value_parser = crate::time::instant)]
    until: Option<DateTime<Utc>>,
}

impl Filters {
    /// The asset and scan the filters name, checked: one that names
    /// nothing is exit 4, not an empty list.
    async fn resolve(&mut self, client: &s4e::Client) -> Result<(), Failure> {
        self.asset = resolve::optional_asset(client, self.asset.take()).await?;
        if let Some(scan) = &self.scan_id {
            self.scan_id = Some(resolve::scan(client, scan).await?);
        }
        Ok(())
    }
}

/// Applies the filters to a list or an export request: both have the same
/// setters.
macro_rules! apply_filters {
    ($request:ident, $filters:expr) => {{
        let filters = $filters;
        if !filters.severity.is_empty() {
            $request = $request.severity(filters.severity);
        }
        if let Some(status) = filters.status {
            $request = $request.status(status);
        }
        if let Some(asset_id) = filters.asset {
            $request = $request.asset_id(asset_id);
        }
        if let Some(scan_id) = filters.scan_id {
            $request = $request.scan_id(scan_id);
        }
        if let Some(search) = filters.search {
            $request = $request.search(search);
        }
        if let Some(since) = filters.since {
            $request = $request.from(since);
        }
        if let Some(until) = filters.until {
            $request = $request.to(until);
        }
    }};
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    filters: Filters,
    /// Sort by this field.
    #[arg(long, value_name = "FIELD", value_parser = one_of::<FindingSortBy>())]
    sort: Option<FindingSortBy>,
    /// The sort direction.
    #[arg(long, value_parser = one_of::<SortOrder>())]
    order: Option<SortOrder>,
    #[command(flatten)]
    scope: ListScope,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The file format [default: the global -o when csv or json, else json].
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
    #[command(flatten)]
    filters: Filters,
    /// The file to write, atomically; standard output when not given.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FileFormat {
    Csv,
    Json,
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    command: FindingsCommand,
) -> Result<u8, Failure> {
    let findings = client.findings();
    match command {
        FindingsCommand::List(ListArgs {
            mut filters,
            sort,
            order,
            scope,
        }) => {
            filters.resolve(client).await?;
            let mut list = findings.list_auto();
            apply_filters!(list, filters);
            if let Some(sort) = sort {
                list = list.sort_by(sort);
            }
            if let Some(order) = order {
                list = list.sort_order(order);
            }
            return super::print_list(ctx, list, scope).await;
        }
        FindingsCommand::Get { id } => print_one(ctx, &findings.get(id).await?)?,
        FindingsCommand::Update { id, status, note } => {
            if status.is_none() && note.is_none() {
                return Err(Failure::Usage(
                    "nothing to update: give --status or --note".into(),
                ));
            }
            let mut update = findings.update(id);
            if let Some(status) = status {
                update = update.status(status);
            }
            if let Some(note) = note {
                update = update.note(note);
            }
            print_one(ctx, &update.await?)?;
        }
        FindingsCommand::Export(args) => export(ctx, client, args).await?,
    }
    Ok(exit::OK)
}

async fn export(ctx: &Context, client: &s4e::Client, args: ExportArgs) -> Result<(), Failure> {
    let format = match (args.format, ctx.explicit_output) {
        (Some(FileFormat::Csv), _) | (None, Some(OutputFormat::Csv)) => ExportFormat::Csv,
        (Some(FileFormat::Json), _) | (None, Some(OutputFormat::Json) | None) => ExportFormat::Json,
        (None, Some(other)) => {
            return Err(Failure::Usage(format!(
                "findings export writes csv or json, not {}; give -o csv or -o json",
                other.name()
            )));
        }
    };
    let mut filters = args.filters;
    filters.resolve(client).await?;
    let mut export = client.findings().export(format);
    apply_filters!(export, filters);
    let bar = progress::bytes(ctx);
    match args.out {
        Some(path) => {
            let file = AtomicFile::create(&path)?;
            let mut writer = Counting {
                inner: tokio::fs::File::from_std(file.handle()?),
                bar: bar.clone(),
            };
            let written = export.write_to(&mut writer).await;
            bar.finish_and_clear();
            let bytes = written?;
            drop(writer);
            file.commit()?;
            ctx.note(format!("wrote {bytes} bytes to {}", path.display()));
        }
        // --jq needs the whole JSON document: it is read, then filtered.
        None if ctx.jq.is_some() => {
            if format != ExportFormat::Json {
                return Err(Failure::Usage("--jq works on JSON: use -o json".into()));
            }
            let mut bytes = Vec::new();
            export.write_to(&mut bytes).await?;
            bar.finish_and_clear();
            let document: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| Failure::Usage(format!("the export is not JSON: {e}")))?;
            crate::output::print_json(ctx, &document)?;
        }
        None => {
            let mut writer = Counting {
                inner: tokio::io::stdout(),
                bar: bar.clone(),
            };
            let written = export.write_to(&mut writer).await;
            bar.finish_and_clear();
            match written {
                Err(s4e::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    return Err(Failure::BrokenPipe);
                }
                other => {
                    other?;
                }
            }
        }
    }
    Ok(())
}

/// Counts the bytes written on a progress bar.
struct Counting<W> {
    inner: W,
    bar: ProgressBar,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counting<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            self.bar.inc(*n as u64);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
