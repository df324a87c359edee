//! The ignore file (`.s4e-ignore.toml`): findings a team has decided to live
//! with, each with a reason and a date after which it counts again.
//!
//! ```toml
//! [[ignore]]
//! finding = "f-70012"
//! reason = "false positive: the WAF blocks this path"
//! expires = 2027-01-31
//!
//! [[ignore]]
//! rule = "s4e/tls-1-0-enabled"
//! asset = "legacy.example.com"   # optional: the asset's ID or name
//! reason = "retired in Q1"
//! expires = "2027-03-31"
//! ```

use std::path::{Path, PathBuf};

use s4e::Finding;
use s4e::chrono::NaiveDate;
use serde::Deserialize;

use crate::exit::Failure;

/// The file the gate reads when `--ignore-file` is not given and it exists.
pub(crate) const DEFAULT_FILE: &str = ".s4e-ignore.toml";

/// A parsed ignore file.
#[derive(Debug)]
pub(crate) struct IgnoreFile {
    pub(crate) path: PathBuf,
    pub(crate) entries: Vec<IgnoreEntry>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IgnoreEntry {
    /// Its position in the file, from 1.
    pub(crate) number: usize,
    pub(crate) target: Target,
    pub(crate) reason: String,
    /// The last day on which it suppresses.
    pub(crate) expires: NaiveDate,
}

/// What an entry ignores.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// One finding, by ID.
    Finding(String),
    /// Every finding of a rule, on one asset (ID or name) or on all.
    Rule { rule: String, asset: Option<String> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    finding: Option<String>,
    rule: Option<String>,
    asset: Option<String>,
    reason: Option<String>,
    expires: Option<toml::Value>,
}

impl IgnoreFile {
    /// Reads `path`. A file that is not valid TOML, or an entry without a
    /// target, a reason or an expiry date, is a usage error naming the entry.
    pub(crate) fn load(path: &Path) -> Result<IgnoreFile, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::file(format!("reading {}", path.display()), e))?;
        IgnoreFile::parse(path, &text)
    }

    pub(crate) fn parse(path: &Path, text: &str) -> Result<IgnoreFile, Failure> {
        let name = path.display();
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| Failure::Usage(format!("ignore file {name}: {}", e.message())))?;
        let entries = raw
            .ignore
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                entry
                    .validate(index + 1)
                    .map_err(|problem| Failure::Usage(format!("ignore file {name}: {problem}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(IgnoreFile {
            path: path.to_owned(),
            entries,
        })
    }
}

impl RawEntry {
    fn validate(self, number: usize) -> Result<IgnoreEntry, String> {
        let target = match (self.finding, self.rule) {
            (Some(id), None) if self.asset.is_none() => Target::Finding(id),
            (Some(_), None) => {
                return Err(format!(
                    "[[ignore]] entry {number} names a finding and an asset; \
                     `asset` goes with `rule` (a finding ID is already on one asset)"
                ));
            }
            (None, Some(rule)) => Target::Rule {
                rule: normalise_rule(&rule),
                asset: self.asset,
            },
            (Some(_), Some(_)) => {
                return Err(format!(
                    "[[ignore]] entry {number} names both a `finding` and a `rule`; give one"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "[[ignore]] entry {number} names neither a `finding` ID nor a `rule` ID"
                ));
            }
        };
        let described = describe(number, &target);
        let reason = self
            .reason
            .filter(|reason| !reason.trim().is_empty())
            .ok_or_else(|| format!("{described} has no `reason`; say why it is ignored"))?;
        let expires = match self.expires {
            None => {
                return Err(format!(
                    "{described} has no `expires` date (for example expires = 2027-01-31)"
                ));
            }
            Some(value) => date(&value).ok_or_else(|| {
                format!(
                    "{described}: `expires` = {} is not a date such as 2027-01-31",
                    shown(&value)
                )
            })?,
        };
        Ok(IgnoreEntry {
            number,
            target,
            reason,
            expires,
        })
    }
}

/// A TOML date (`2027-01-31`) or a string holding one.
fn date(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::Datetime(datetime) if datetime.time.is_none() => {
            let day = datetime.date?;
            NaiveDate::from_ymd_opt(
                i32::from(day.year),
                u32::from(day.month),
                u32::from(day.day),
            )
        }
        toml::Value::String(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// A value as the file wrote it, for a message.
fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("{text:?}"),
        toml::Value::Datetime(datetime) => datetime.to_string(),
        other => format!("a {}", other.type_str()),
    }
}

/// Rule IDs are written as SARIF shows them (`s4e/old-tls`); the prefix may
/// be left out.
fn normalise_rule(rule: &str) -> String {
    let rule = rule.trim();
    if rule.starts_with("s4e/") {
        rule.to_owned()
    } else {
        format!("s4e/{rule}")
    }
}

fn describe(number: usize, target: &Target) -> String {
    match target {
        Target::Finding(id) => format!("[[ignore]] entry {number} (finding {id})"),
        Target::Rule { rule, asset: None } => format!("[[ignore]] entry {number} (rule {rule})"),
        Target::Rule {
            rule,
            asset: Some(asset),
        } => format!("[[ignore]] entry {number} (rule {rule} on {asset})"),
    }
}

impl IgnoreEntry {
    /// `[[ignore]] entry 2 (rule s4e/old-tls on a-1001)`.
    pub(crate) fn describe(&self) -> String {
        describe(self.number, &self.target)
    }

    /// Past its `expires` day: it no longer suppresses.
    pub(crate) fn is_expired(&self, today: NaiveDate) -> bool {
        today > self.expires
    }

    pub(crate) fn matches(&self, finding: &Finding, rule_id: &str) -> bool {
        match &self.target {
            Target::Finding(id) => finding.id.as_str() == id,
            Target::Rule { rule, asset } => {
                rule == rule_id
                    && asset.as_ref().is_none_or(|wanted| {
                        finding.asset.as_ref().is_some_and(|asset| {
                            asset.id.as_str() == wanted
                                || asset
                                    .domain
                                    .as_deref()
                                    .is_some_and(|name| name.eq_ignore_ascii_case(wanted))
                        })
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::finding;
    use serde_json::json;

    fn parse(text: &str) -> Result<IgnoreFile, String> {
        IgnoreFile::parse(Path::new("ignore.toml"), text).map_err(|e| e.message())
    }

    #[test]
    fn entries_name_a_finding_or_a_rule_with_a_reason_and_a_date() {
        let file = parse(
            r#"
            [[ignore]]
            finding = "f-1"
            reason = "false positive"
            expires = 2027-01-31

            [[ignore]]
            rule = "old-tls"
            asset = "Shop.Example.com"
            reason = "retired soon"
            expires = "2027-03-01"
            "#,
        )
        .unwrap();
        assert_eq!(file.entries.len(), 2);
        assert_eq!(file.entries[0].target, Target::Finding("f-1".into()));
        assert_eq!(
            file.entries[1].target,
            Target::Rule {
                rule: "s4e/old-tls".into(),
                asset: Some("Shop.Example.com".into())
            }
        );
        assert_eq!(
            file.entries[1].expires,
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
        );
        assert!(parse("").unwrap().entries.is_empty());
    }

    #[test]
    fn a_missing_reason_or_date_is_an_error_naming_the_entry() {
        let no_reason = parse(
            "[[ignore]]\nfinding = \"f-1\"\nreason = \"ok\"\nexpires = 2027-01-01\n\
             [[ignore]]\nrule = \"s4e/x\"\nexpires = 2027-01-01\n",
        )
        .unwrap_err();
        assert_eq!(
            no_reason,
            "ignore file ignore.toml: [[ignore]] entry 2 (rule s4e/x) has no `reason`; say why it is ignored"
        );
        let no_date = parse("[[ignore]]\nfinding = \"f-9\"\nreason = \"x\"\n").unwrap_err();
        assert!(
            no_date.contains("entry 1 (finding f-9) has no `expires` date"),
            "{no_date}"
        );
        let blank = parse("[[ignore]]\nfinding = \"f-9\"\nreason = \" \"\nexpires = 2027-01-01\n")
            .unwrap_err();
        assert!(blank.contains("has no `reason`"), "{blank}");
        let bad_date = parse("[[ignore]]\nfinding = \"f-9\"\nreason = \"x\"\nexpires = \"soon\"\n")
            .unwrap_err();
        assert!(bad_date.contains("is not a date"), "{bad_date}");
        let time = parse(
            "[[ignore]]\nfinding = \"f-9\"\nreason = \"x\"\nexpires = 2027-01-01T10:00:00Z\n",
        )
        .unwrap_err();
        assert!(time.contains("is not a date"), "{time}");
        let neither = parse("[[ignore]]\nreason = \"x\"\nexpires = 2027-01-01\n").unwrap_err();
        assert!(neither.contains("neither"), "{neither}");
        let typo = parse("[[ignore]]\nfinding = \"f-1\"\nreason = \"x\"\nexpire = 2027-01-01\n")
            .unwrap_err();
        assert!(typo.contains("expire"), "{typo}");
        let finding_with_asset = parse(
            "[[ignore]]\nfinding = \"f-1\"\nasset = \"a-1\"\nreason = \"x\"\nexpires = 2027-01-01\n",
        )
        .unwrap_err();
        assert!(
            finding_with_asset.contains("goes with `rule`"),
            "{finding_with_asset}"
        );
    }

    #[test]
    fn matching_and_expiry() {
        let file = parse(
            "[[ignore]]\nrule = \"s4e/xss\"\nasset = \"shop.example.com\"\nreason = \"x\"\nexpires = 2027-01-31\n\
             [[ignore]]\nrule = \"s4e/xss\"\nreason = \"x\"\nexpires = 2027-01-31\n\
             [[ignore]]\nfinding = \"f-2\"\nreason = \"x\"\nexpires = 2027-01-31\n",
        )
        .unwrap();
        let on_shop = finding(json!({"id": "f-1", "severity": "high",
            "asset": {"id": "a-1", "name": "SHOP.example.com"}}));
        let elsewhere = finding(json!({"id": "f-2", "severity": "high", "asset": {"id": "a-2"}}));
        let [by_asset, by_rule, by_id] = &file.entries[..] else {
            panic!("three entries")
        };
        assert!(by_asset.matches(&on_shop, "s4e/xss"));
        assert!(!by_asset.matches(&on_shop, "s4e/sqli"));
        assert!(!by_asset.matches(&elsewhere, "s4e/xss"));
        assert!(by_rule.matches(&elsewhere, "s4e/xss"));
        assert!(by_id.matches(&elsewhere, "s4e/anything"));
        assert!(!by_id.matches(&on_shop, "s4e/xss"));
        let last_day = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert!(
            !by_id.is_expired(last_day),
            "it suppresses through its last day"
        );
        assert!(by_id.is_expired(last_day.succ_opt().unwrap()));
    }
}
