//! Drift: how a live API and the contract differ from a cassette.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use serde_json::Value;

use super::CassetteError;
use super::format::{CassetteFile, Interaction, file_path};
use super::schema::{Spec, type_name};
use super::upstream::Upstream;

/// What [`verify`] checks.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), s4e_sandbox::cassette::CassetteError> {
/// use s4e_sandbox::cassette::{VerifyOptions, verify};
///
/// let report = verify(
///     &VerifyOptions::new("tests/cassettes/triage")
///         .against("https://api.s4e.io/v1", std::env::var("S4E_API_KEY").ok())
///         .spec("spec/s4e-v1.yaml"),
/// )
/// .await?;
/// print!("{report}");
/// assert!(!report.has_errors());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct VerifyOptions {
    cassette: PathBuf,
    against: Option<(String, Option<String>)>,
    spec: Option<PathBuf>,
    include_writes: bool,
}

impl VerifyOptions {
    /// Checks the cassette in `dir` (nothing else until more is asked).
    pub fn new(dir: impl Into<PathBuf>) -> VerifyOptions {
        VerifyOptions {
            cassette: dir.into(),
            against: None,
            spec: None,
            include_writes: false,
        }
    }

    /// Re-sends the recorded safe requests (`GET`, `HEAD`) to the API at
    /// `base_url`, with `api_key` as `Authorization: Bearer`, and compares
    /// the answers' fields with the recorded ones.
    pub fn against(mut self, base_url: impl Into<String>, api_key: Option<String>) -> Self {
        self.against = Some((base_url.into(), api_key));
        self
    }

    /// Also re-sends the recorded writes (with a fresh `Idempotency-Key`):
    /// they change the live API's data. Requests go in the cassette's order
    /// (by path, method, query and body, then sequence), not in the order
    /// they were recorded.
    pub fn include_writes(mut self, yes: bool) -> Self {
        self.include_writes = yes;
        self
    }

    /// Checks every recorded answer against this OpenAPI 3.0 document.
    pub fn spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.spec = Some(path.into());
        self
    }
}

/// How serious a [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; a client keeps working (a field was added).
    Info,
    /// A client that relies on the recording may break.
    Error,
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// The live answer has a field the recording does not.
    Added,
    /// The recording has a field the live answer does not.
    Removed,
    /// The field's JSON type differs.
    Retyped,
    /// The live API answered another status.
    Status,
    /// The live API did not answer.
    Unreachable,
    /// A recorded answer breaks the spec.
    SpecViolation,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// How serious.
    pub severity: Severity,
    /// What kind.
    pub kind: ChangeKind,
    /// The field, as a path such as `data[].severity`, when one is concerned.
    pub field: Option<String>,
    /// What differs, in words.
    pub message: String,
}

/// The changes of one operation (`GET /assets/{id}` when the spec knows it,
/// the recorded method and path otherwise).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OperationReport {
    /// The operation.
    pub operation: String,
    /// Its changes, errors first.
    pub changes: Vec<Change>,
}

/// What [`verify`] found. Its `Display` is the report for people; it also
/// serializes to JSON for machines.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct VerifyReport {
    /// The cassette file.
    pub cassette: String,
    /// When it was recorded.
    pub recorded_on: String,
    /// Against which API.
    pub recorded_against: String,
    /// The live API compared with, if any.
    pub against: Option<String>,
    /// The spec checked against, if any.
    pub spec: Option<String>,
    /// How many recorded interactions were checked.
    pub interactions: usize,
    /// Every operation with at least one change, by name.
    pub operations: Vec<OperationReport>,
}

impl VerifyReport {
    /// Whether any change is an error (the CLI exits 1 then).
    pub fn has_errors(&self) -> bool {
        self.operations
            .iter()
            .flat_map(|o| &o.changes)
            .any(|c| c.severity == Severity::Error)
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "cassette {} (recorded on {} against {}), {} interactions",
            self.cassette, self.recorded_on, self.recorded_against, self.interactions
        )?;
        if let Some(against) = &self.against {
            writeln!(f, "compared with {against}")?;
        }
        if let Some(spec) = &self.spec {
            writeln!(f, "checked against {spec}")?;
        }
        if self.operations.is_empty() {
            return writeln!(f, "no drift");
        }
        for operation in &self.operations {
            writeln!(f, "{}", operation.operation)?;
            for change in &operation.changes {
                let severity = match change.severity {
                    Severity::Info => "info ",
                    Severity::Error => "error",
                };
                writeln!(f, "  {severity} {}", change.message)?;
            }
        }
        let errors = self
            .operations
            .iter()
            .flat_map(|o| &o.changes)
            .filter(|c| c.severity == Severity::Error)
            .count();
        writeln!(f, "{errors} error(s)")
    }
}

/// Every field path of `value` with the JSON types seen there (`number` for
/// integers too, so `1` and `1.5` are one type).
fn shape(value: &Value, at: &str, out: &mut BTreeMap<String, BTreeSet<&'static str>>) {
    out.entry(at.to_owned())
        .or_default()
        .insert(type_name(value));
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                shape(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                shape(item, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

/// The object that holds `path` (`None` for an array item: an empty array
/// says nothing about its items).
fn parent(path: &str) -> Option<&str> {
    if path.ends_with("[]") {
        return None;
    }
    Some(path.rfind('.').map_or("", |at| &path[..at]))
}

/// The fields added, removed and retyped between two answers.
fn compare(recorded: &Value, live: &Value) -> Vec<Change> {
    let (mut was, mut now) = (BTreeMap::new(), BTreeMap::new());
    shape(recorded, "", &mut was);
    shape(live, "", &mut now);
    let is_object = |shapes: &BTreeMap<String, BTreeSet<&str>>, path: &str| {
        shapes.get(path).is_some_and(|t| t.contains("object"))
    };
    let mut changes = Vec::new();
    for (path, types) in &was {
        match now.get(path) {
            None => {
                if parent(path).is_some_and(|p| is_object(&now, p)) {
                    changes.push(Change {
                        severity: Severity::Error,
                        kind: ChangeKind::Removed,
                        field: Some(path.clone()),
                        message: format!("`{path}` was removed"),
                    });
                }
            }
            Some(live_types) => {
                let known = |t: &BTreeSet<&'static str>| -> BTreeSet<&'static str> {
                    t.iter().copied().filter(|t| *t != "null").collect()
                };
                let (a, b) = (known(types), known(live_types));
                if !a.is_empty() && !b.is_empty() && a != b {
                    let list = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join("|");
                    changes.push(Change {
                        severity: Severity::Error,
                        kind: ChangeKind::Retyped,
                        field: Some(path.clone()),
                        message: format!(
                            "`{path}` changed type: recorded {}, live {}",
                            list(&a),
                            list(&b)
                        ),
                    });
                }
            }
        }
    }
    for path in now.keys() {
        if !was.contains_key(path) && parent(path).is_some_and(|p| is_object(&was, p)) {
            changes.push(Change {
                severity: Severity::Info,
                kind: ChangeKind::Added,
                field: Some(path.clone()),
                message: format!("`{path}` was added"),
            });
        }
    }
    changes
}

/// The recorded request's path relative to `base_path`.
fn relative<'a>(path: &'a str, base_path: &str) -> &'a str {
    path.strip_prefix(base_path)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .unwrap_or(path)
}

fn content_type(interaction: &Interaction) -> Option<&str> {
    interaction
        .response
        .headers
        .get("content-type")
        .and_then(|v| v.as_slice().first())
        .map(String::as_str)
}

/// Re-sends one recorded request to the live API.
async fn resend(
    upstream: &Upstream,
    recorded_base: &str,
    api_key: Option<&str>,
    interaction: &Interaction,
) -> Result<(u16, Option<Value>), String> {
    let request = &interaction.request;
    let mut path_and_query = format!(
        "{}{}",
        upstream.base_path(),
        relative(&request.path, recorded_base)
    );
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, values) in &request.query {
        for value in values.as_slice() {
            query.append_pair(key, value);
        }
    }
    let query = query.finish();
    if !query.is_empty() {
        path_and_query.push('?');
        path_and_query.push_str(&query);
    }
    let mut headers = HeaderMap::new();
    for (name, values) in &request.headers {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        for value in values.as_slice() {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.append(name.clone(), value);
            }
        }
    }
    if let Some(key) = api_key {
        let value = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| "the API key is not a valid header value".to_owned())?;
        headers.insert("authorization", value);
    }
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|_| format!("`{}` is not an HTTP method", request.method))?;
    if !matches!(method, Method::GET | Method::HEAD) {
        let key =
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).map_err(|e| e.to_string())?;
        headers.insert("idempotency-key", key);
    }
    let body = match &request.body {
        Some(body) => body.to_bytes()?.into(),
        None => bytes::Bytes::new(),
    };
    let answer = upstream
        .send(method, &path_and_query, &headers, body)
        .await?;
    Ok((answer.status, serde_json::from_slice(&answer.body).ok()))
}

/// Checks a cassette against a live API and/or a spec.
pub async fn verify(options: &VerifyOptions) -> Result<VerifyReport, CassetteError> {
    let file = CassetteFile::load(&options.cassette)?;
    let spec = match &options.spec {
        Some(path) => Some(Spec::load(path).map_err(CassetteError::Option)?),
        None => None,
    };
    let recorded_base = super::upstream::base_path_of(&file.base_url);
    let spec_base = spec.as_ref().map(Spec::base_path).unwrap_or_default();
    let name_of = |interaction: &Interaction| -> String {
        let request = &interaction.request;
        let path = relative(&request.path, &recorded_base);
        spec.as_ref()
            .and_then(|s| s.operation(&request.method, relative(path, &spec_base)))
            .map_or_else(|| format!("{} {path}", request.method), |op| op.name())
    };
    let mut found: BTreeMap<String, BTreeSet<Change>> = BTreeMap::new();

    if let Some(spec) = &spec {
        for interaction in &file.interactions {
            let request = &interaction.request;
            let path = relative(relative(&request.path, &recorded_base), &spec_base);
            let problems = match spec.operation(&request.method, path) {
                None => vec![format!(
                    "{} {path} is not an operation of the spec",
                    request.method
                )],
                Some(op) => {
                    let body = interaction.response.body.as_ref().and_then(|b| b.json());
                    spec.check(
                        op,
                        interaction.response.status,
                        content_type(interaction),
                        body.as_ref(),
                    )
                }
            };
            for problem in problems {
                found
                    .entry(name_of(interaction))
                    .or_default()
                    .insert(Change {
                        severity: Severity::Error,
                        kind: ChangeKind::SpecViolation,
                        field: None,
                        message: format!(
                            "recorded {} answer: {problem}",
                            interaction.response.status
                        ),
                    });
            }
        }
    }

    if let Some((url, api_key)) = &options.against {
        let upstream = Upstream::new(url)?;
        for interaction in &file.interactions {
            let safe = matches!(interaction.request.method.as_str(), "GET" | "HEAD");
            // Polling repeats a request; its first answer stands for all.
            if interaction.sequence != 1 || !(safe || options.include_writes) {
                continue;
            }
            let changes =
                match resend(&upstream, &recorded_base, api_key.as_deref(), interaction).await {
                    Err(message) => vec![Change {
                        severity: Severity::Error,
                        kind: ChangeKind::Unreachable,
                        field: None,
                        message: format!("the live API did not answer: {message}"),
                    }],
                    Ok((status, _)) if status != interaction.response.status => vec![Change {
                        severity: Severity::Error,
                        kind: ChangeKind::Status,
                        field: None,
                        message: format!(
                            "answered {status}, recorded {}",
                            interaction.response.status
                        ),
                    }],
                    Ok((_, live)) => {
                        let recorded = interaction.response.body.as_ref().and_then(|b| b.json());
                        match (recorded, live) {
                            (Some(recorded), Some(live)) => compare(&recorded, &live),
                            _ => Vec::new(),
                        }
                    }
                };
            if !changes.is_empty() {
                found
                    .entry(name_of(interaction))
                    .or_default()
                    .extend(changes);
            }
        }
    }

    let mut operations: Vec<OperationReport> = found
        .into_iter()
        .map(|(operation, changes)| {
            let mut changes: Vec<Change> = changes.into_iter().collect();
            changes.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.cmp(b)));
            OperationReport { operation, changes }
        })
        .collect();
    operations.sort_by(|a, b| a.operation.cmp(&b.operation));
    Ok(VerifyReport {
        cassette: display(&file_path(&options.cassette)),
        recorded_on: file.recorded_on.to_string(),
        recorded_against: file.base_url.clone(),
        against: options
            .against
            .as_ref()
            .map(|(url, _)| super::upstream::redacted_url(url)),
        spec: options.spec.as_deref().map(display),
        interactions: file.interactions.len(),
        operations,
    })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_added_removed_and_retyped() {
        let recorded = json!({"data": [{"id": "a", "score": 1, "gone": true, "note": null}], "meta": {"page": 1}});
        let live = json!({"data": [{"id": "a", "score": "high", "new": 2, "note": "x"}], "meta": {"page": 1.5}});
        let changes: Vec<(ChangeKind, String)> = compare(&recorded, &live)
            .into_iter()
            .map(|c| (c.kind, c.field.unwrap_or_default()))
            .collect();
        assert_eq!(
            changes,
            [
                (ChangeKind::Removed, "data[].gone".into()),
                (ChangeKind::Retyped, "data[].score".into()),
                (ChangeKind::Added, "data[].new".into()),
            ]
        );
        // An empty list says nothing about its items.
        assert!(compare(&recorded, &json!({"data": [], "meta": {"page": 2}})).is_empty());
    }
}
