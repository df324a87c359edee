//! The gate's judgement of each finding: at or above the threshold, in the
//! baseline or new, suppressed by an ignore entry, and so failing or not.
//! Every report reads the same verdict.

use std::collections::HashSet;

use s4e::Finding;
use s4e::chrono::NaiveDate;
use s4e::findings::Severity;
use serde_json::Value;

use super::baseline::Baseline;
use super::ignore::{IgnoreEntry, IgnoreFile};
use super::{fingerprint, rank, rule_id};

/// SARIF's `baselineState` of a current finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaselineState {
    New,
    Unchanged,
}

impl BaselineState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// One finding, judged.
#[derive(Debug)]
pub(crate) struct Judged {
    pub(crate) finding: Finding,
    pub(crate) rule_id: String,
    pub(crate) fingerprint: String,
    /// `None` when there is no baseline.
    pub(crate) state: Option<BaselineState>,
    /// The ignore entry (index into [`Verdict::ignores`]) that suppresses it.
    pub(crate) suppressed_by: Option<usize>,
    /// At or above the threshold.
    pub(crate) at_or_above: bool,
    /// At or above, not suppressed, and not in the baseline.
    pub(crate) fails: bool,
}

/// An ignore entry past its date, and how many findings it would have
/// suppressed.
#[derive(Debug)]
pub(crate) struct Expired<'a> {
    pub(crate) entry: &'a IgnoreEntry,
    pub(crate) would_match: usize,
}

/// The findings of one severity.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SeverityCount {
    pub(crate) severity: Severity,
    pub(crate) findings: usize,
    /// Not in the baseline (all of them without one).
    pub(crate) new: usize,
    pub(crate) suppressed: usize,
    pub(crate) failing: usize,
    /// This severity is at or above the threshold.
    pub(crate) counts: bool,
}

/// What the gate decided.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) threshold: Severity,
    pub(crate) findings: Vec<Judged>,
    pub(crate) baseline: Option<Baseline>,
    pub(crate) ignores: Option<IgnoreFile>,
    pub(crate) today: NaiveDate,
}

impl Verdict {
    pub(crate) fn judge(
        findings: Vec<Finding>,
        threshold: Severity,
        baseline: Option<Baseline>,
        ignores: Option<IgnoreFile>,
        today: NaiveDate,
    ) -> Verdict {
        let bar = rank(&threshold);
        let active: Vec<&IgnoreEntry> = ignores
            .iter()
            .flat_map(|file| &file.entries)
            .filter(|entry| !entry.is_expired(today))
            .collect();
        let judged = findings
            .into_iter()
            .map(|finding| {
                let rule_id = rule_id(&finding.title);
                let asset_id = super::AssetRef::of(&finding).id.to_owned();
                let fingerprint = fingerprint(&rule_id, &asset_id);
                let state = baseline.as_ref().map(|baseline| {
                    if baseline.contains(&fingerprint) {
                        BaselineState::Unchanged
                    } else {
                        BaselineState::New
                    }
                });
                let suppressed_by = active
                    .iter()
                    .find(|entry| entry.matches(&finding, &rule_id))
                    .map(|entry| entry.number - 1);
                let at_or_above = rank(&finding.severity) >= bar;
                let fails = at_or_above
                    && suppressed_by.is_none()
                    && state != Some(BaselineState::Unchanged);
                Judged {
                    finding,
                    rule_id,
                    fingerprint,
                    state,
                    suppressed_by,
                    at_or_above,
                    fails,
                }
            })
            .collect();
        Verdict {
            threshold,
            findings: judged,
            baseline,
            ignores,
            today,
        }
    }

    pub(crate) fn passed(&self) -> bool {
        !self.findings.iter().any(|judged| judged.fails)
    }

    pub(crate) fn failing(&self) -> impl Iterator<Item = &Judged> {
        self.findings.iter().filter(|judged| judged.fails)
    }

    pub(crate) fn suppressed(&self) -> impl Iterator<Item = &Judged> {
        self.findings
            .iter()
            .filter(|judged| judged.suppressed_by.is_some())
    }

    pub(crate) fn count_state(&self, state: BaselineState) -> usize {
        self.findings
            .iter()
            .filter(|judged| judged.state == Some(state))
            .count()
    }

    /// The baseline's results that are gone.
    pub(crate) fn absent(&self) -> Vec<&Value> {
        let Some(baseline) = &self.baseline else {
            return Vec::new();
        };
        let current: HashSet<&str> = self
            .findings
            .iter()
            .map(|judged| judged.fingerprint.as_str())
            .collect();
        baseline.gone(&current)
    }

    /// The entry that suppresses a finding.
    pub(crate) fn entry(&self, judged: &Judged) -> Option<&IgnoreEntry> {
        let index = judged.suppressed_by?;
        self.ignores.as_ref()?.entries.get(index)
    }

    /// The entries past their date, in file order.
    pub(crate) fn expired(&self) -> Vec<Expired<'_>> {
        self.ignores
            .iter()
            .flat_map(|file| &file.entries)
            .filter(|entry| entry.is_expired(self.today))
            .map(|entry| Expired {
                entry,
                would_match: self
                    .findings
                    .iter()
                    .filter(|judged| entry.matches(&judged.finding, &judged.rule_id))
                    .count(),
            })
            .collect()
    }

    /// One sentence: passed or failed, and why.
    pub(crate) fn headline(&self) -> String {
        let threshold = self.threshold.as_str();
        let new = if self.baseline.is_some() { "new " } else { "" };
        let failing = self.failing().count();
        let mut text = if failing == 0 {
            format!(
                "gate passed: no {new}finding at or above {threshold} ({} checked)",
                self.findings.len()
            )
        } else {
            format!(
                "gate failed: {failing} {new}finding{} at or above {threshold}",
                if failing == 1 { "" } else { "s" }
            )
        };
        let known = self
            .findings
            .iter()
            .filter(|j| j.at_or_above && j.state == Some(BaselineState::Unchanged))
            .count();
        let suppressed = self
            .findings
            .iter()
            .filter(|j| j.at_or_above && j.suppressed_by.is_some())
            .count();
        let mut notes = Vec::new();
        if known > 0 {
            notes.push(format!("{known} more in the baseline"));
        }
        if suppressed > 0 {
            notes.push(format!("{suppressed} suppressed by the ignore file"));
        }
        if !notes.is_empty() {
            text.push_str(&format!("; {}", notes.join(", ")));
        }
        text
    }

    /// One line per severity, critical first; a severity this version does
    /// not know counts as info.
    pub(crate) fn by_severity(&self) -> Vec<SeverityCount> {
        let bar = rank(&self.threshold);
        [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ]
        .into_iter()
        .map(|severity| {
            let of: Vec<&Judged> = self
                .findings
                .iter()
                .filter(|judged| rank(&judged.finding.severity) == rank(&severity))
                .collect();
            SeverityCount {
                findings: of.len(),
                new: of
                    .iter()
                    .filter(|j| j.state != Some(BaselineState::Unchanged))
                    .count(),
                suppressed: of.iter().filter(|j| j.suppressed_by.is_some()).count(),
                failing: of.iter().filter(|j| j.fails).count(),
                counts: rank(&severity) >= bar,
                severity,
            }
        })
        .collect()
    }

    /// The findings most worth a reader's attention first: failing ones,
    /// then by severity, then by CVSS; stable otherwise.
    pub(crate) fn most_severe_first(&self) -> Vec<&Judged> {
        let mut ordered: Vec<&Judged> = self.findings.iter().collect();
        ordered.sort_by(|a, b| {
            b.fails
                .cmp(&a.fails)
                .then(rank(&b.finding.severity).cmp(&rank(&a.finding.severity)))
                .then(
                    b.finding
                        .cvss
                        .unwrap_or(0.0)
                        .total_cmp(&a.finding.cvss.unwrap_or(0.0)),
                )
        });
        ordered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{baseline_of, finding, judge, today};
    use serde_json::json;

    #[test]
    fn only_new_unsuppressed_findings_at_or_above_fail() {
        let findings = vec![
            finding(
                json!({"id": "f-1", "title": "XSS", "severity": "high", "asset": {"id": "a-1"}}),
            ),
            finding(
                json!({"id": "f-2", "title": "SQLi", "severity": "critical", "asset": {"id": "a-1"}}),
            ),
            finding(
                json!({"id": "f-3", "title": "Old TLS", "severity": "high", "asset": {"id": "a-2"}}),
            ),
            finding(
                json!({"id": "f-4", "title": "Banner", "severity": "low", "asset": {"id": "a-2"}}),
            ),
            finding(
                json!({"id": "f-5", "title": "CSRF", "severity": "high", "asset": {"id": "a-2"}}),
            ),
        ];
        let verdict = judge(
            findings,
            Some(baseline_of(&["s4e/xss@a-1", "s4e/gone@a-1"])),
            "[[ignore]]\nrule = \"s4e/old-tls\"\nreason = \"x\"\nexpires = 2027-01-31\n\
             [[ignore]]\nfinding = \"f-5\"\nreason = \"x\"\nexpires = 2026-01-31\n",
        );
        let failing: Vec<&str> = verdict.failing().map(|j| j.finding.id.as_str()).collect();
        assert_eq!(
            failing,
            ["f-2", "f-5"],
            "f-1 is in the baseline, f-3 ignored, f-4 low"
        );
        assert!(!verdict.passed());
        let states: Vec<_> = verdict.findings.iter().map(|j| j.state.unwrap()).collect();
        assert_eq!(states[0], BaselineState::Unchanged);
        assert_eq!(verdict.count_state(BaselineState::New), 4);
        let suppressed: Vec<&str> = verdict
            .suppressed()
            .map(|j| j.finding.id.as_str())
            .collect();
        assert_eq!(suppressed, ["f-3"]);
        assert_eq!(verdict.entry(&verdict.findings[2]).unwrap().number, 1);
        let expired = verdict.expired();
        assert_eq!(expired.len(), 1);
        assert_eq!((expired[0].entry.number, expired[0].would_match), (2, 1));
        let absent = verdict.absent();
        assert_eq!(absent.len(), 1);
        assert_eq!(
            absent[0]["partialFingerprints"]["s4eFinding/v1"],
            "s4e/gone@a-1"
        );
        let order: Vec<&str> = verdict
            .most_severe_first()
            .iter()
            .map(|j| j.finding.id.as_str())
            .collect();
        assert_eq!(order, ["f-2", "f-5", "f-1", "f-3", "f-4"]);
        assert_eq!(
            verdict.headline(),
            "gate failed: 2 new findings at or above high; 1 more in the baseline, 1 suppressed by the ignore file"
        );
        let high = &verdict.by_severity()[1];
        assert_eq!(
            high,
            &SeverityCount {
                severity: Severity::High,
                findings: 3,
                new: 2,
                suppressed: 1,
                failing: 1,
                counts: true
            }
        );
        assert!(!verdict.by_severity()[2].counts, "medium is below high");
    }

    #[test]
    fn without_a_baseline_every_finding_at_or_above_fails() {
        let verdict = Verdict::judge(
            vec![finding(
                json!({"id": "f-1", "title": "XSS", "severity": "medium"}),
            )],
            Severity::Medium,
            None,
            None,
            today(),
        );
        assert_eq!(verdict.findings[0].state, None);
        assert!(verdict.findings[0].fails);
        assert!(verdict.absent().is_empty());
        assert_eq!(
            verdict.headline(),
            "gate failed: 1 finding at or above medium"
        );
        assert_eq!(verdict.findings[0].fingerprint, "s4e/xss@unknown-asset");
    }
}
