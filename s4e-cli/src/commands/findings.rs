//! `s4e findings`: `client.findings()`.

use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use clap::{Args, Subcommand, ValueEnum};
use indicatif::ProgressBar;
use s4e::ExportFormat;
use s4e::findings::{FindingStatus, Severity};
use tokio::io::AsyncWrite;

use crate::cli::ListScope;
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::files::AtomicFile;
use crate::output::print_one;
use crate::progress;

#[derive(Debug, Subcommand)]
pub(crate) enum FindingsCommand {
    /// List findings, most useful with filters.
    #[command(
        after_help = "Examples:\n  s4e findings list --severity critical,high --status open\n  \
                      s4e findings list --asset a-1001 --all -o ndjson"
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
        /// open, confirmed, resolved, false_positive or accepted_risk.
        #[arg(long)]
        status: Option<FindingStatus>,
        /// Why (kept in the finding's history).
        #[arg(long)]
        note: Option<String>,
    },
    /// Export matching findings to a file (or standard output), streamed.
    #[command(
        after_help = "Example:\n  s4e findings export --format csv --severity critical -o critical.csv\n\n\
                      The file appears only once complete: it is written beside the target\n\
                      and renamed, so Ctrl-C or an error leaves no partial file."
    )]
    Export(ExportArgs),
}

/// Filters shared by `list` and `export`.
#[derive(Debug, Args)]
pub(crate) struct Filters {
    /// Only these severities (comma-separated: critical,high,medium,low,info).
    #[arg(long, value_delimiter = ',')]
    severity: Vec<Severity>,
    /// Only this status.
    #[arg(long)]
    status: Option<FindingStatus>,
    /// Only findings on this asset.
    #[arg(long = "asset", value_name = "ASSET_ID")]
    asset_id: Option<String>,
    /// Only findings of this scan.
    #[arg(long = "scan", value_name = "SCAN_ID")]
    scan_id: Option<String>,
    /// Only findings whose text contains this.
    #[arg(long)]
    search: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    filters: Filters,
    #[command(flatten)]
    scope: ListScope,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The file format.
    #[arg(long, value_enum)]
    format: FileFormat,
    #[command(flatten)]
    filters: Filters,
    /// Set from the global `-o FILE`; standard output when not given.
    #[arg(skip)]
    pub(crate) file: Option<PathBuf>,
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
        FindingsCommand::List(ListArgs { filters, scope }) => {
            let mut list = findings.list_auto();
            if !filters.severity.is_empty() {
                list = list.severity(filters.severity);
            }
            if let Some(status) = filters.status {
                list = list.status(status);
            }
            if let Some(asset_id) = filters.asset_id {
                list = list.asset_id(asset_id);
            }
            if let Some(scan_id) = filters.scan_id {
                list = list.scan_id(scan_id);
            }
            if let Some(search) = filters.search {
                list = list.search(search);
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
    let format = match args.format {
        FileFormat::Csv => ExportFormat::Csv,
        FileFormat::Json => ExportFormat::Json,
    };
    let filters = args.filters;
    let mut export = client.findings().export(format);
    if !filters.severity.is_empty() {
        export = export.severity(filters.severity);
    }
    if let Some(status) = filters.status {
        export = export.status(status);
    }
    if let Some(asset_id) = filters.asset_id {
        export = export.asset_id(asset_id);
    }
    if let Some(scan_id) = filters.scan_id {
        export = export.scan_id(scan_id);
    }
    if let Some(search) = filters.search {
        export = export.search(search);
    }
    let bar = progress::bytes(ctx);
    match args.file {
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
