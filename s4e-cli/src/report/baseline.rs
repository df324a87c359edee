//! A baseline: the SARIF file of an earlier `s4e gate --sarif` (for example
//! the main branch's). Its results are known; only the others can fail the
//! gate, and the ones that are gone are reported as `absent`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::FINGERPRINT_KEY;
use crate::exit::Failure;

/// The findings of an earlier run, by fingerprint.
#[derive(Debug)]
pub(crate) struct Baseline {
    pub(crate) path: PathBuf,
    /// Each fingerprint once, with the first result that carried it.
    results: BTreeMap<String, Value>,
    /// The rules of the baseline, by ID, for the results that are gone.
    rules: BTreeMap<String, Value>,
}

impl Baseline {
    pub(crate) fn load(path: &Path) -> Result<Baseline, Failure> {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::file(format!("reading {}", path.display()), e))?;
        let log: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Failure::Usage(format!("--baseline {}: not JSON: {e}", path.display())))?;
        Baseline::from_log(path, &log)
            .map_err(|problem| Failure::Usage(format!("--baseline {}: {problem}", path.display())))
    }

    pub(crate) fn from_log(path: &Path, log: &Value) -> Result<Baseline, String> {
        if log["version"] != "2.1.0" {
            return Err("not a SARIF 2.1.0 log".to_owned());
        }
        let runs = log["runs"].as_array().ok_or("a SARIF log without `runs`")?;
        let mut baseline = Baseline {
            path: path.to_owned(),
            results: BTreeMap::new(),
            rules: BTreeMap::new(),
        };
        for run in runs {
            if run["tool"]["driver"]["name"] != "s4e" {
                return Err(format!(
                    "a run of {} (expected a SARIF file written by `s4e gate --sarif`)",
                    run["tool"]["driver"]["name"]
                ));
            }
            for rule in run["tool"]["driver"]["rules"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(id) = rule["id"].as_str() {
                    baseline.rules.entry(id.to_owned()).or_insert(rule.clone());
                }
            }
            for (index, result) in run["results"].as_array().into_iter().flatten().enumerate() {
                // Gone already when that baseline was written.
                if result["baselineState"] == "absent" {
                    continue;
                }
                let fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
                    .as_str()
                    .ok_or_else(|| {
                        format!(
                            "result {index} has no `{FINGERPRINT_KEY}` fingerprint; \
                             write the baseline with this version of `s4e gate --sarif`"
                        )
                    })?;
                baseline
                    .results
                    .entry(fingerprint.to_owned())
                    .or_insert_with(|| result.clone());
            }
        }
        Ok(baseline)
    }

    pub(crate) fn contains(&self, fingerprint: &str) -> bool {
        self.results.contains_key(fingerprint)
    }

    /// The baseline's results whose fingerprint is not in `current`, in
    /// fingerprint order.
    pub(crate) fn gone<'a>(&'a self, current: &HashSet<&str>) -> Vec<&'a Value> {
        self.results
            .iter()
            .filter(|(fingerprint, _)| !current.contains(fingerprint.as_str()))
            .map(|(_, result)| result)
            .collect()
    }

    /// The baseline's definition of a rule.
    pub(crate) fn rule(&self, id: &str) -> Option<&Value> {
        self.rules.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(results: Value) -> Value {
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "s4e",
            "rules": [{"id": "s4e/xss"}]}}, "results": results}]})
    }

    #[test]
    fn reads_fingerprints_and_skips_what_was_already_gone() {
        let baseline = Baseline::from_log(
            Path::new("main.sarif"),
            &log(json!([
                {"ruleId": "s4e/xss", "partialFingerprints": {FINGERPRINT_KEY: "s4e/xss@a-1"}},
                {"ruleId": "s4e/xss", "partialFingerprints": {FINGERPRINT_KEY: "s4e/xss@a-1"}},
                {"ruleId": "s4e/xss", "partialFingerprints": {FINGERPRINT_KEY: "s4e/xss@a-2"}},
                {"ruleId": "s4e/old", "baselineState": "absent",
                 "partialFingerprints": {FINGERPRINT_KEY: "s4e/old@a-1"}},
            ])),
        )
        .unwrap();
        assert_eq!(baseline.gone(&HashSet::new()).len(), 2);
        assert!(baseline.contains("s4e/xss@a-1"));
        assert!(!baseline.contains("s4e/old@a-1"));
        let current = HashSet::from(["s4e/xss@a-1"]);
        let gone = baseline.gone(&current);
        assert_eq!(gone.len(), 1);
        assert_eq!(
            gone[0]["partialFingerprints"][FINGERPRINT_KEY],
            "s4e/xss@a-2"
        );
        assert!(baseline.rule("s4e/xss").is_some());
    }

    #[test]
    fn refuses_what_another_tool_or_version_wrote() {
        let other = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "trivy"}}}]});
        assert!(
            Baseline::from_log(Path::new("x"), &other)
                .unwrap_err()
                .contains("\"trivy\"")
        );
        let old =
            log(json!([{"ruleId": "s4e/xss", "partialFingerprints": {"s4eFindingId/v1": "f-1"}}]));
        assert!(
            Baseline::from_log(Path::new("x"), &old)
                .unwrap_err()
                .contains("has no `s4eFinding/v1` fingerprint")
        );
        assert!(Baseline::from_log(Path::new("x"), &json!({"version": "2.0.0"})).is_err());
        let empty = Baseline::from_log(Path::new("x"), &log(json!([]))).unwrap();
        assert!(empty.gone(&HashSet::new()).is_empty());
    }
}
