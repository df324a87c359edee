//! `s4e gate`: the CI gate. Optionally scans each asset and waits, reads the
//! matching findings, judges them against the threshold, a baseline and an
//! ignore file, writes SARIF, JUnit and Markdown reports, prints a summary
//! on stderr, and exits 1 when a new, unsuppressed finding is at or above
//! `--fail-on`. Any error is a non-zero exit: the gate never passes wrongly.

use std::collections::{BTreeMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use s4e::assets::Asset;
use s4e::findings::{Finding, FindingStatus, Severity};
use s4e::scans::{ScanStatus, ScanType};
use serde::Serialize;

use crate::choices::one_of;
use crate::cli::{OutputFormat, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::files::AtomicFile;
use crate::output::{Cell, ListPrinter, Row, render_table};
use crate::report::baseline::Baseline;
use crate::report::ignore::{self, IgnoreFile};
use crate::report::verdict::{BaselineState, Verdict};
use crate::report::{junit, sarif, summary_md};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  s4e gate --fail-on high --sarif s4e.sarif
  s4e gate --baseline main.sarif --sarif s4e.sarif --summary-md summary.md
  s4e gate --asset shop.example.com --scan quick --fail-on critical --junit s4e-junit.xml

The summary table goes to stderr (unless --quiet); stdout gets a report only
with -o (json, ndjson, csv or table).

Exits 1 when a finding at or above --fail-on is neither in the --baseline nor
suppressed by the ignore file, or when a scan under --scan ends failed or
cancelled; 0 otherwise. 2 for a bad ignore file or baseline; 4 when an --asset
matches nothing; 5 when a scan does not complete in time, or on an API,
network or file error. Without --asset, the gate reads the findings of every
asset. A severity this version of s4e does not know ranks below low.

Ignore file (.s4e-ignore.toml in the working directory, or --ignore-file):
  [[ignore]]
  finding = \"f-70012\"            # or: rule = \"s4e/<rule>\", optionally asset = \"<ID or name>\"
  reason = \"false positive: the WAF blocks it\"
  expires = 2027-01-31           # it suppresses through this day, then counts again")]
pub(crate) struct GateArgs {
    /// An asset's ID or name (repeatable); every asset when not given.
    #[arg(long = "asset", value_name = "ID_OR_NAME")]
    assets: Vec<String>,
    /// Start a scan of this type on each asset and wait for it first.
    #[arg(long, value_name = "TYPE", value_parser = one_of::<ScanType>())]
    scan: Option<ScanType>,
    /// Fail on findings of this severity or worse (`info`: on any finding).
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = one_of::<Severity>())]
    fail_on: Severity,
    /// Which finding statuses count (comma-separated).
    #[arg(
        long,
        value_name = "STATUS",
        value_delimiter = ',',
        default_value = "open,confirmed",
        value_parser = one_of::<FindingStatus>()
    )]
    status: Vec<FindingStatus>,
    /// Write a SARIF 2.1.0 report (for GitHub code scanning) to this file.
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// The SARIF run's category (`automationDetails.id`): code scanning
    /// keeps one analysis per category.
    #[arg(long, value_name = "NAME", default_value = "s4e", value_parser = category)]
    category: String,
    /// A SARIF file of an earlier `s4e gate --sarif` (for example the main
    /// branch's): only findings that are not in it can fail the gate.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Findings to ignore until a date [default: .s4e-ignore.toml in the
    /// working directory, when it exists].
    #[arg(long, value_name = "FILE")]
    ignore_file: Option<PathBuf>,
    /// Write a JUnit XML report (one test suite per asset) to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a Markdown summary to this file (it is also appended to
    /// $GITHUB_STEP_SUMMARY when that is set).
    #[arg(long, value_name = "FILE")]
    summary_md: Option<PathBuf>,
    #[command(flatten)]
    wait_options: WaitOptions,
}

/// A category code scanning can show: not empty, no control characters.
fn category(text: &str) -> Result<String, String> {
    let name = text.trim().trim_end_matches('/');
    if name.is_empty() || name.chars().any(char::is_control) {
        Err(format!(
            "`{text}`: give a category name such as s4e or s4e-prod"
        ))
    } else {
        Ok(name.to_owned())
    }
}

/// What the gate prints with `-o json`/`ndjson`.
#[derive(Serialize)]
struct Summary<'a> {
    passed: bool,
    fail_on: &'a Severity,
    category: &'a str,
    statuses: &'a [FindingStatus],
    assets: Vec<String>,
    total: usize,
    failing: usize,
    by_severity: BTreeMap<String, usize>,
    /// With `--baseline`: how many are new, unchanged, gone.
    baseline: Option<BaselineCounts>,
    suppressed: Vec<Suppressed<'a>>,
    expired_ignores: Vec<ExpiredIgnore<'a>>,
    /// Results left out of the SARIF file to fit code scanning's limits.
    sarif_omitted: Option<usize>,
    failing_findings: Vec<&'a Finding>,
}

#[derive(Serialize)]
struct BaselineCounts {
    new: usize,
    unchanged: usize,
    absent: usize,
}

#[derive(Serialize)]
struct Suppressed<'a> {
    finding: &'a str,
    entry: usize,
    reason: &'a str,
    expires: String,
}

#[derive(Serialize)]
struct ExpiredIgnore<'a> {
    entry: usize,
    description: String,
    reason: &'a str,
    expires: String,
    matching_findings: usize,
}

/// One line of the CSV summary.
#[derive(Serialize)]
struct SeverityLine {
    severity: Severity,
    findings: usize,
    new: usize,
    suppressed: usize,
    failing: usize,
    fails_gate: bool,
}

impl Row for SeverityLine {
    const HEADERS: &'static [&'static str] = &[
        "SEVERITY",
        "FINDINGS",
        "NEW",
        "SUPPRESSED",
        "FAILING",
        "FAILS GATE",
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Severity(self.severity.clone()),
            Cell::text(self.findings),
            Cell::text(self.new),
            Cell::text(self.suppressed),
            Cell::text(self.failing),
            Cell::text(self.fails_gate),
        ]
    }
}

/// How many failing findings the stderr summary lists.
const FAILING_SHOWN: usize = 20;

/// Runs the gate. `report_on_stdout` is whether `-o` was given: only then
/// does stdout get a report.
pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    args: GateArgs,
    report_on_stdout: bool,
) -> Result<u8, Failure> {
    let started = Instant::now();
    // Local files first: a bad one is a usage error before any request.
    let ignores = load_ignores(args.ignore_file.as_deref())?;
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;

    let mut assets = Vec::new();
    for wanted in &args.assets {
        assets.push(resolve(client, wanted).await?);
    }
    if let Some(scan_type) = &args.scan {
        scan_first(ctx, client, &assets, scan_type, args.wait_options).await?;
    }

    let findings = collect(client, &assets, &args.status).await?;
    let verdict = Verdict::judge(
        findings,
        args.fail_on.clone(),
        baseline,
        ignores,
        s4e::chrono::Utc::now().date_naive(),
    );

    let mut sarif_omitted = None;
    if let Some(path) = &args.sarif {
        let run = sarif::RunInfo {
            category: &args.category,
            base_url: client.base_url(),
        };
        let written = sarif::write(&verdict, &run, sarif::GITHUB)
            .map_err(|e| Failure::file("encoding SARIF", e.into()))?;
        AtomicFile::create(path)?.write_all(&written.bytes)?;
        if written.omitted > 0 {
            eprintln!(
                "warning: {} of the least severe results were left out of {} to stay within \
                 GitHub code scanning's limits (the file says so too)",
                written.omitted,
                path.display()
            );
        }
        sarif_omitted = Some(written.omitted);
        ctx.note(format!("wrote SARIF to {}", path.display()));
    }
    if let Some(path) = &args.junit {
        let xml = junit::render(&verdict, &assets, started.elapsed());
        AtomicFile::create(path)?.write_all(xml.as_bytes())?;
        ctx.note(format!("wrote JUnit XML to {}", path.display()));
    }
    let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|path| !path.is_empty());
    if args.summary_md.is_some() || step_summary.is_some() {
        let markdown = summary_md::render(&verdict, client.base_url());
        if let Some(path) = &args.summary_md {
            AtomicFile::create(path)?.write_all(markdown.as_bytes())?;
            ctx.note(format!("wrote the Markdown summary to {}", path.display()));
        }
        if let Some(path) = step_summary {
            append(Path::new(&path), &markdown)?;
        }
    }

    // Expired entries change the outcome: said even with --quiet.
    for expired in verdict.expired() {
        eprintln!(
            "warning: {} expired on {}; it no longer suppresses ({} matching finding(s))",
            expired.entry.describe(),
            expired.entry.expires,
            expired.would_match
        );
    }
    if report_on_stdout {
        print_report(ctx, &verdict, &args, &assets, sarif_omitted)?;
    }
    if !ctx.quiet {
        print_summary(
            ctx,
            &verdict,
            report_on_stdout && ctx.output == OutputFormat::Table,
        );
    }
    ctx.note(verdict.headline());
    Ok(if verdict.passed() {
        exit::OK
    } else {
        exit::GATE_FAILED
    })
}

/// `--ignore-file`, else `.s4e-ignore.toml` when it exists.
fn load_ignores(path: Option<&Path>) -> Result<Option<IgnoreFile>, Failure> {
    match path {
        Some(path) => IgnoreFile::load(path).map(Some),
        None => {
            let default = Path::new(ignore::DEFAULT_FILE);
            if default.is_file() {
                IgnoreFile::load(default).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// Starts a scan of every asset, then waits for each: a scan that does not
/// complete fails the gate (exit 1), one that outlasts the wait exits 5.
async fn scan_first(
    ctx: &Context,
    client: &s4e::Client,
    assets: &[Asset],
    scan_type: &ScanType,
    wait: WaitOptions,
) -> Result<(), Failure> {
    if assets.is_empty() {
        return Err(Failure::Usage("--scan needs at least one --asset".into()));
    }
    let mut started = Vec::new();
    for asset in assets {
        let scan = client
            .scans()
            .create(asset.id.clone(), scan_type.clone())
            .await?;
        ctx.note(format!("scanning {} ({})", asset.domain, scan.id));
        started.push((asset, scan));
    }
    let mut unfinished = Vec::new();
    for (asset, scan) in &started {
        let done = super::scans::wait_for(ctx, client, scan, wait).await?;
        if done.status != Some(ScanStatus::Completed) {
            unfinished.push(format!(
                "scan {} of {} ended {}",
                done.id,
                asset.domain,
                done.status
                    .as_ref()
                    .map_or("without a status", |s| s.as_str())
            ));
        }
    }
    if unfinished.is_empty() {
        Ok(())
    } else {
        Err(Failure::Other {
            code: exit::GATE_FAILED,
            message: format!("{}; the gate cannot pass", unfinished.join("; ")),
        })
    }
}

/// Appends to a file that others write too (`$GITHUB_STEP_SUMMARY`).
fn append(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| Failure::file(format!("appending to {}", path.display()), e))
}

fn print_report(
    ctx: &Context,
    verdict: &Verdict,
    args: &GateArgs,
    assets: &[Asset],
    sarif_omitted: Option<usize>,
) -> Result<(), Failure> {
    match ctx.output {
        OutputFormat::Json | OutputFormat::Ndjson => {
            let mut by_severity = BTreeMap::new();
            for judged in &verdict.findings {
                *by_severity
                    .entry(judged.finding.severity.to_string())
                    .or_insert(0) += 1;
            }
            let summary = Summary {
                passed: verdict.passed(),
                fail_on: &args.fail_on,
                category: &args.category,
                statuses: &args.status,
                assets: assets.iter().map(|a| a.id.to_string()).collect(),
                total: verdict.findings.len(),
                failing: verdict.failing().count(),
                by_severity,
                baseline: verdict.baseline.as_ref().map(|_| BaselineCounts {
                    new: verdict.count_state(BaselineState::New),
                    unchanged: verdict.count_state(BaselineState::Unchanged),
                    absent: verdict.absent().len(),
                }),
                suppressed: verdict
                    .suppressed()
                    .filter_map(|judged| {
                        let entry = verdict.entry(judged)?;
                        Some(Suppressed {
                            finding: judged.finding.id.as_str(),
                            entry: entry.number,
                            reason: &entry.reason,
                            expires: entry.expires.to_string(),
                        })
                    })
                    .collect(),
                expired_ignores: verdict
                    .expired()
                    .into_iter()
                    .map(|expired| ExpiredIgnore {
                        entry: expired.entry.number,
                        description: expired.entry.describe(),
                        reason: &expired.entry.reason,
                        expires: expired.entry.expires.to_string(),
                        matching_findings: expired.would_match,
                    })
                    .collect(),
                sarif_omitted,
                failing_findings: verdict.failing().map(|judged| &judged.finding).collect(),
            };
            crate::output::print_json(ctx, &summary)
        }
        OutputFormat::Csv => {
            let mut printer = ListPrinter::<SeverityLine>::new(ctx)?;
            for row in verdict.by_severity() {
                printer.push(&SeverityLine {
                    severity: row.severity,
                    findings: row.findings,
                    new: row.new,
                    suppressed: row.suppressed,
                    failing: row.failing,
                    fails_gate: row.counts,
                })?;
            }
            printer.finish()
        }
        OutputFormat::Table => {
            let text = summary_table(verdict, ctx.color);
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::BrokenPipe => Failure::BrokenPipe,
                    _ => Failure::file("writing to standard output", e),
                })
        }
    }
}

/// The per-severity table, with NEW and SUPPRESSED columns when a baseline
/// and an ignore file are in use.
fn summary_table(verdict: &Verdict, color: bool) -> String {
    let baseline = verdict.baseline.is_some();
    let ignores = verdict.ignores.is_some();
    let mut headers = vec!["SEVERITY", "FINDINGS"];
    if baseline {
        headers.push("NEW");
    }
    if ignores {
        headers.push("SUPPRESSED");
    }
    headers.push("FAILS GATE");
    let rows: Vec<Vec<Cell>> = verdict
        .by_severity()
        .into_iter()
        .map(|row| {
            let mut cells = vec![
                Cell::Severity(row.severity.clone()),
                Cell::text(row.findings),
            ];
            if baseline {
                cells.push(Cell::text(row.new));
            }
            if ignores {
                cells.push(Cell::text(row.suppressed));
            }
            let fails = match (row.counts, row.severity == verdict.threshold) {
                (true, true) => format!("yes ({}, --fail-on)", row.failing),
                (true, false) => format!("yes ({})", row.failing),
                (false, _) => "no".to_owned(),
            };
            cells.push(Cell::text(fails));
            cells
        })
        .collect();
    render_table(&headers, &rows, color, s4e::chrono::Utc::now())
}

/// The summary people read on stderr: the table (unless `-o table` put it
/// on stdout) and the failing findings.
fn print_summary(ctx: &Context, verdict: &Verdict, table_on_stdout: bool) {
    let color = ctx.color && std::io::stderr().is_terminal();
    let mut text = String::new();
    if !table_on_stdout {
        text.push_str(&summary_table(verdict, color));
    }
    let failing: Vec<&Finding> = verdict
        .most_severe_first()
        .into_iter()
        .filter(|judged| judged.fails)
        .map(|judged| &judged.finding)
        .collect();
    if !failing.is_empty() {
        let rows: Vec<Vec<Cell>> = failing
            .iter()
            .take(FAILING_SHOWN)
            .map(|finding| finding.cells())
            .collect();
        text.push('\n');
        text.push_str(&render_table(
            Finding::HEADERS,
            &rows,
            color,
            s4e::chrono::Utc::now(),
        ));
        if failing.len() > FAILING_SHOWN {
            text.push_str(&format!(
                "… and {} more failing findings (-o json lists them all)\n",
                failing.len() - FAILING_SHOWN
            ));
        }
    }
    if let Some(baseline) = &verdict.baseline {
        text.push_str(&format!(
            "\nbaseline {}: {} new, {} unchanged, {} gone\n",
            baseline.path.display(),
            verdict.count_state(BaselineState::New),
            verdict.count_state(BaselineState::Unchanged),
            verdict.absent().len()
        ));
    }
    if let Some(ignores) = &verdict.ignores {
        text.push_str(&format!(
            "ignore file {}: {} finding(s) suppressed\n",
            ignores.path.display(),
            verdict.suppressed().count()
        ));
    }
    eprint!("{text}");
}

/// An asset by ID, else by exact name (case-insensitive).
async fn resolve(client: &s4e::Client, wanted: &str) -> Result<Asset, Failure> {
    match client.assets().get(wanted).await {
        Ok(asset) => return Ok(asset),
        Err(s4e::Error::NotFound(_)) => {}
        Err(other) => return Err(other.into()),
    }
    let mut candidates = client
        .assets()
        .list_auto()
        .search(wanted)
        .per_page(s4e::MAX_PER_PAGE);
    let mut matches = Vec::new();
    while let Some(asset) = candidates.try_next().await? {
        if asset.domain.eq_ignore_ascii_case(wanted) {
            matches.push(asset);
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Failure::Other {
            code: exit::NOT_FOUND,
            message: format!("no asset with the ID or name `{wanted}`"),
        }),
        n => Err(Failure::Usage(format!(
            "{n} assets are named `{wanted}`; give the ID instead"
        ))),
    }
}

/// The findings of the assets (all when none) in any of the statuses, each
/// once, in the order read.
async fn collect(
    client: &s4e::Client,
    assets: &[Asset],
    statuses: &[FindingStatus],
) -> Result<Vec<Finding>, Failure> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    let scopes: Vec<Option<&Asset>> = if assets.is_empty() {
        vec![None]
    } else {
        assets.iter().map(Some).collect()
    };
    for asset in scopes {
        for status in statuses {
            let mut list = client
                .findings()
                .list_auto()
                .status(status.clone())
                .per_page(s4e::MAX_PER_PAGE)
                .concurrency(4);
            if let Some(asset) = asset {
                list = list.asset_id(asset.id.clone());
            }
            while let Some(finding) = list.try_next().await? {
                if seen.insert(finding.id.clone()) {
                    findings.push(finding);
                }
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_is_a_name() {
        assert_eq!(category("s4e-prod").unwrap(), "s4e-prod");
        assert_eq!(
            category("s4e/prod/").unwrap(),
            "s4e/prod",
            "the run ID slash is ours"
        );
        assert!(category(" ").is_err());
        assert!(category("a\nb").is_err());
    }
}
