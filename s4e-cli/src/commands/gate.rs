//! `s4e gate`: the CI gate. Optionally scans each asset and waits, reads the
//! matching findings, writes SARIF and JUnit reports, prints a summary, and
//! exits 1 when a finding is at or above `--fail-on`.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use s4e::assets::Asset;
use s4e::findings::{Finding, FindingStatus, Severity};
use s4e::scans::{ScanStatus, ScanType};
use serde::Serialize;

use crate::cli::{OutputFormat, WaitOptions};
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::files::AtomicFile;
use crate::output::{Cell, ListPrinter, Row, render_table};
use crate::report::{junit, rank, sarif};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  s4e gate --fail-on high --sarif s4e.sarif
  s4e gate --asset shop.example.com --scan quick --fail-on critical --junit s4e-junit.xml

Exits 1 when a matching finding is at or above --fail-on, 0 otherwise; 4 when an
--asset matches nothing; 5 when a scan does not complete. Without --asset, the
gate reads the findings of every asset. A severity this version of s4e does not
know ranks below low.")]
pub(crate) struct GateArgs {
    /// An asset's ID or name (repeatable); every asset when not given.
    #[arg(long = "asset", value_name = "ID_OR_NAME")]
    assets: Vec<String>,
    /// Start a scan of this type on each asset and wait for it first.
    #[arg(long, value_name = "TYPE")]
    scan: Option<ScanType>,
    /// Fail on findings of this severity or worse.
    #[arg(long, value_enum, default_value_t = Threshold::High)]
    fail_on: Threshold,
    /// Which finding statuses count (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "open,confirmed")]
    status: Vec<FindingStatus>,
    /// Write a SARIF 2.1.0 report (for GitHub code scanning) to this file.
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Write a JUnit XML report (one test case per finding) to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    #[command(flatten)]
    wait_options: WaitOptions,
}

/// The `--fail-on` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Threshold {
    Critical,
    High,
    Medium,
    Low,
}

impl Threshold {
    fn severity(self) -> Severity {
        match self {
            Threshold::Critical => Severity::Critical,
            Threshold::High => Severity::High,
            Threshold::Medium => Severity::Medium,
            Threshold::Low => Severity::Low,
        }
    }
}

/// What the gate prints with `-o json`/`ndjson`.
#[derive(Debug, Serialize)]
struct Summary {
    passed: bool,
    fail_on: Threshold,
    statuses: Vec<FindingStatus>,
    assets: Vec<String>,
    total: usize,
    failing: usize,
    by_severity: BTreeMap<String, usize>,
    failing_findings: Vec<Finding>,
}

/// One line of the summary table.
#[derive(Serialize)]
struct SeverityCount {
    severity: Severity,
    findings: usize,
    fails: bool,
}

impl Row for SeverityCount {
    const HEADERS: &'static [&'static str] = &["SEVERITY", "FINDINGS", "FAILS GATE"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Severity(self.severity.clone()),
            Cell::text(self.findings),
            Cell::text(if self.fails { "yes" } else { "no" }),
        ]
    }
}

pub(crate) async fn run(
    ctx: &Context,
    client: &s4e::Client,
    args: GateArgs,
) -> Result<u8, Failure> {
    let mut assets = Vec::new();
    for wanted in &args.assets {
        assets.push(resolve(client, wanted).await?);
    }
    if let Some(scan_type) = &args.scan {
        if assets.is_empty() {
            return Err(Failure::Usage("--scan needs at least one --asset".into()));
        }
        for asset in &assets {
            let scan = client
                .scans()
                .create(asset.id.clone(), scan_type.clone())
                .await?;
            ctx.note(format!("scanning {} ({})", asset.domain, scan.id));
            let done = super::scans::wait_for(ctx, client, &scan, args.wait_options).await?;
            if done.status != Some(ScanStatus::Completed) {
                return Err(Failure::Other {
                    code: exit::API_ERROR,
                    message: format!(
                        "scan {} of {} ended {}",
                        done.id,
                        asset.domain,
                        done.status
                            .as_ref()
                            .map_or("without a status", |s| s.as_str())
                    ),
                });
            }
        }
    }

    let findings = collect(client, &assets, &args.status).await?;
    let threshold = rank(&args.fail_on.severity());
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| rank(&f.severity) >= threshold)
        .collect();
    let threshold_name = args.fail_on.severity().to_string();

    if let Some(path) = &args.sarif {
        if findings.len() > sarif::GITHUB_MAX_RESULTS {
            ctx.note(format!(
                "warning: {} results; GitHub code scanning refuses a SARIF run with more than {}",
                findings.len(),
                sarif::GITHUB_MAX_RESULTS
            ));
        }
        let log = sarif::render(&findings);
        let text = serde_json::to_vec_pretty(&log)
            .map_err(|e| Failure::file("encoding SARIF", e.into()))?;
        AtomicFile::create(path)?.write_all(&text)?;
        ctx.note(format!("wrote SARIF to {}", path.display()));
    }
    if let Some(path) = &args.junit {
        let xml = junit::render(&findings, threshold, &threshold_name);
        AtomicFile::create(path)?.write_all(xml.as_bytes())?;
        ctx.note(format!("wrote JUnit XML to {}", path.display()));
    }

    let mut by_severity = BTreeMap::new();
    for finding in &findings {
        *by_severity.entry(finding.severity.to_string()).or_insert(0) += 1;
    }
    let passed = failing.is_empty();
    match ctx.output {
        OutputFormat::Table | OutputFormat::Csv => {
            let rows: Vec<SeverityCount> = [
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Info,
            ]
            .into_iter()
            .map(|severity| SeverityCount {
                findings: by_severity.get(severity.as_str()).copied().unwrap_or(0),
                fails: rank(&severity) >= threshold,
                severity,
            })
            .collect();
            let mut printer = ListPrinter::<SeverityCount>::new(ctx)?;
            for row in &rows {
                printer.push(row)?;
            }
            printer.finish()?;
            if ctx.output == OutputFormat::Table && !failing.is_empty() {
                let rows: Vec<Vec<Cell>> = failing.iter().map(|f| f.cells()).collect();
                print!(
                    "\n{}",
                    render_table(Finding::HEADERS, &rows, ctx.color, s4e::chrono::Utc::now())
                );
            }
        }
        OutputFormat::Json | OutputFormat::Ndjson => {
            let summary = Summary {
                passed,
                fail_on: args.fail_on,
                statuses: args.status.clone(),
                assets: assets.iter().map(|a| a.id.to_string()).collect(),
                total: findings.len(),
                failing: failing.len(),
                by_severity,
                failing_findings: failing.iter().map(|f| (*f).clone()).collect(),
            };
            crate::output::print_json(ctx, &summary)?;
        }
    }
    if passed {
        ctx.note(format!(
            "gate passed: no finding at or above {threshold_name} ({} checked)",
            findings.len()
        ));
        Ok(exit::OK)
    } else {
        ctx.note(format!(
            "gate failed: {} finding(s) at or above {threshold_name}",
            failing.len()
        ));
        Ok(exit::GATE_FAILED)
    }
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
