//! Findings with the async client: get, update, filters checked against the
//! unfiltered list, and the CSV and JSON exports.

use s4e::findings::FindingSortBy;
use s4e::{ExportFormat, Finding, FindingStatus, Severity, SortOrder};

use crate::support::{self, TestResult, ids, sorted};

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

const STATUSES: [FindingStatus; 5] = [
    FindingStatus::Open,
    FindingStatus::Confirmed,
    FindingStatus::Resolved,
    FindingStatus::FalsePositive,
    FindingStatus::AcceptedRisk,
];

fn matching(all: &[Finding], keep: impl Fn(&Finding) -> bool) -> Vec<String> {
    all.iter()
        .filter(|f| keep(f))
        .map(|f| f.id.to_string())
        .collect()
}

#[tokio::test]
async fn get_and_update_a_finding() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);

    let open = client
        .findings()
        .list()
        .status(FindingStatus::Open)
        .per_page(1)
        .await?;
    let listed = open
        .items
        .into_iter()
        .next()
        .expect("the seed has open findings");
    let got = client.findings().get(listed.id.clone()).await?;
    assert_eq!(got.id, listed.id);
    assert_eq!(got.title, listed.title);
    assert_eq!(got.severity, listed.severity);
    assert_eq!(got.scan_id, listed.scan_id);
    assert!(got.cvss_vector.is_some(), "get adds the vector");
    assert!(got.evidence.is_some(), "get adds the evidence");
    assert!(!got.references.is_empty());

    let updated = client
        .findings()
        .update(listed.id.clone())
        .status(FindingStatus::Resolved)
        .note("fixed in the e2e suite")
        .await?;
    assert_eq!(updated.status, Some(FindingStatus::Resolved));
    assert!(updated.updated_at >= listed.updated_at);
    let again = client.findings().get(listed.id.clone()).await?;
    assert_eq!(again.status, Some(FindingStatus::Resolved), "stored");
    let resolved: Vec<Finding> = client
        .findings()
        .list_auto()
        .status(FindingStatus::Resolved)
        .per_page(100)
        .try_collect()
        .await?;
    assert!(resolved.iter().any(|f| f.id == listed.id));

    let accepted = client
        .findings()
        .update(listed.id.clone())
        .status(FindingStatus::AcceptedRisk)
        .await?;
    assert_eq!(accepted.status, Some(FindingStatus::AcceptedRisk));

    support::not_found(client.findings().get("f-1").await);
    support::not_found(
        client
            .findings()
            .update("f-1")
            .status(FindingStatus::Open)
            .await,
    );
    let err = client
        .findings()
        .update(listed.id.clone())
        .status(FindingStatus::Other("fixed-ish".into()))
        .await
        .unwrap_err();
    support::assert_invalid_field(&err, "status");
    Ok(())
}

#[tokio::test]
async fn filters_agree_with_the_unfiltered_list() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);

    let all: Vec<Finding> = client
        .findings()
        .list_auto()
        .per_page(100)
        .try_collect()
        .await?;
    let total = client.findings().list().per_page(1).await?.total;
    assert_eq!(total, Some(all.len() as u64));
    assert!(all.len() >= 200, "the seed has a few hundred findings");

    let mut by_severity = 0;
    let mut non_empty = 0;
    for severity in SEVERITIES {
        let expected = matching(&all, |f| f.severity == severity);
        let got: Vec<Finding> = client
            .findings()
            .list_auto()
            .severity([severity.clone()])
            .per_page(100)
            .try_collect()
            .await?;
        assert!(got.iter().all(|f| f.severity == severity), "{severity}");
        assert_eq!(ids(&got, |f| &f.id), expected, "{severity}");
        let first = client
            .findings()
            .list()
            .severity([severity.clone()])
            .per_page(3)
            .await?;
        assert_eq!(first.total, Some(expected.len() as u64), "{severity}");
        by_severity += expected.len();
        non_empty += usize::from(!expected.is_empty());
    }
    assert_eq!(by_severity, all.len(), "every finding has one severity");
    assert!(non_empty >= 3, "the filters are not vacuous");

    let mut by_status = 0;
    for status in STATUSES {
        let expected = matching(&all, |f| f.status.as_ref() == Some(&status));
        let got: Vec<Finding> = client
            .findings()
            .list_auto()
            .status(status.clone())
            .per_page(100)
            .try_collect()
            .await?;
        assert!(
            got.iter().all(|f| f.status.as_ref() == Some(&status)),
            "{status}"
        );
        assert_eq!(ids(&got, |f| &f.id), expected, "{status}");
        by_status += expected.len();
    }
    assert_eq!(by_status, all.len(), "every finding has one status");

    // Several severities at once, with a status and a CVSS floor.
    let urgent = |f: &Finding| {
        matches!(f.severity, Severity::Critical | Severity::High)
            && f.status == Some(FindingStatus::Open)
            && f.cvss.is_some_and(|c| c >= 7.5)
    };
    let got: Vec<Finding> = client
        .findings()
        .list_auto()
        .severity([Severity::Critical, Severity::High])
        .status(FindingStatus::Open)
        .cvss_min(7.5)
        .per_page(100)
        .try_collect()
        .await?;
    assert!(got.iter().all(urgent));
    let expected = matching(&all, urgent);
    assert!(!expected.is_empty());
    assert_eq!(ids(&got, |f| &f.id), expected);

    // One asset's findings, and a sort the client can check.
    let asset = all[0]
        .asset
        .as_ref()
        .expect("findings name their asset")
        .id
        .clone();
    let got: Vec<Finding> = client
        .findings()
        .list_auto()
        .asset_id(asset.clone())
        .sort_by(FindingSortBy::Cvss)
        .sort_order(SortOrder::Asc)
        .per_page(100)
        .try_collect()
        .await?;
    assert_eq!(
        sorted(ids(&got, |f| &f.id)),
        sorted(matching(&all, |f| f
            .asset
            .as_ref()
            .is_some_and(|a| a.id == asset)))
    );
    let scores: Vec<f64> = got.iter().map(|f| f.cvss.unwrap_or_default()).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    Ok(())
}

#[tokio::test]
async fn exports_stream_csv_and_json_with_every_row() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);

    let all: Vec<Finding> = client
        .findings()
        .list_auto()
        .per_page(100)
        .try_collect()
        .await?;

    let mut csv: Vec<u8> = Vec::new();
    let written = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut csv)
        .await?;
    assert_eq!(written, csv.len() as u64);
    let rows = support::csv_ids(&csv);
    assert_eq!(rows.len(), all.len(), "one row per finding");
    assert_eq!(sorted(rows), sorted(ids(&all, |f| &f.id)));

    let mut json: Vec<u8> = Vec::new();
    let written = client
        .findings()
        .export(ExportFormat::Json)
        .severity([Severity::Critical, Severity::High])
        .status(FindingStatus::Open)
        .write_to(&mut json)
        .await?;
    assert_eq!(written, json.len() as u64);
    let exported: Vec<Finding> = serde_json::from_slice(&json)?;
    let expected = matching(&all, |f| {
        matches!(f.severity, Severity::Critical | Severity::High)
            && f.status == Some(FindingStatus::Open)
    });
    assert!(!expected.is_empty());
    assert_eq!(exported.len(), expected.len());
    assert_eq!(sorted(ids(&exported, |f| &f.id)), sorted(expected));
    for finding in &exported {
        let listed = all.iter().find(|f| f.id == finding.id).expect("listed");
        assert_eq!(finding.title, listed.title);
        assert_eq!(finding.cvss, listed.cvss);
    }

    // A filter that matches nothing gives a header-only CSV and an empty array.
    let mut empty = Vec::new();
    client
        .findings()
        .export(ExportFormat::Csv)
        .search("no finding has this text 6c1d")
        .write_to(&mut empty)
        .await?;
    assert!(support::csv_ids(&empty).is_empty());
    let mut empty = Vec::new();
    client
        .findings()
        .export(ExportFormat::Json)
        .search("no finding has this text 6c1d")
        .write_to(&mut empty)
        .await?;
    assert_eq!(serde_json::from_slice::<Vec<Finding>>(&empty)?.len(), 0);
    Ok(())
}
