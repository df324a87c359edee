//! CI reports of `s4e gate`: SARIF 2.1.0 for code scanning, JUnit XML for
//! test dashboards.

pub(crate) mod junit;
pub(crate) mod sarif;

use s4e::Finding;
use s4e::findings::Severity;

/// Severities ranked for the gate: info 0 to critical 4. A severity this
/// version does not know ranks as info (it cannot be placed).
pub(crate) fn rank(severity: &Severity) -> u8 {
    match severity {
        Severity::Critical => 4,
        Severity::High => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
        _ => 0,
    }
}

/// What a report says about the asset a finding is on: its name, else its ID.
pub(crate) fn asset_label(finding: &Finding) -> String {
    finding
        .asset
        .as_ref()
        .map(|asset| asset.domain.clone().unwrap_or_else(|| asset.id.to_string()))
        .unwrap_or_else(|| "unknown-asset".to_owned())
}

#[cfg(test)]
pub(crate) fn finding(json: serde_json::Value) -> Finding {
    serde_json::from_value(json).expect("a finding")
}
