//! Printing results as a table, JSON, NDJSON or CSV.
//!
//! Lists are streamed: JSON, NDJSON and CSV print each item as it arrives
//! (an `--all` listing never holds more than the page in flight). A table
//! needs every width first, so it holds its rows; it is meant for a person
//! at a terminal, where `--limit` keeps it short.

use std::io::Write;

use s4e::Severity;
use s4e::chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Failure;

/// One column's value.
pub(crate) enum Cell {
    Text(String),
    /// Coloured by severity on a terminal.
    Severity(Severity),
    /// Relative on a terminal ("3h ago"), RFC 3339 in CSV.
    Time(Option<DateTime<Utc>>),
}

impl Cell {
    pub(crate) fn text(value: impl ToString) -> Cell {
        Cell::Text(value.to_string())
    }

    pub(crate) fn opt(value: Option<impl ToString>) -> Cell {
        Cell::Text(value.map_or_else(|| "-".to_owned(), |v| v.to_string()))
    }

    fn plain(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Severity(severity) => severity.to_string(),
            // RFC 3339 in UTC with `Z`, as the API writes times.
            Cell::Time(time) => time.map_or_else(String::new, |t| {
                t.to_rfc3339_opts(s4e::chrono::SecondsFormat::AutoSi, true)
            }),
        }
    }

    fn for_table(&self, now: DateTime<Utc>) -> String {
        match self {
            Cell::Time(Some(time)) => relative(*time, now),
            Cell::Time(None) => "-".to_owned(),
            other => other.plain(),
        }
    }
}

/// A model that prints as a row.
pub(crate) trait Row: Serialize {
    /// Column names, upper case as `gh` prints them.
    const HEADERS: &'static [&'static str];
    /// The same columns in CSV: the JSON field names where the columns
    /// are fields (the default: the headers in lower case).
    fn csv_headers() -> Vec<String> {
        Self::HEADERS
            .iter()
            .map(|h| h.to_lowercase().replace(' ', "_"))
            .collect()
    }
    /// The cells, in the order of [`Row::HEADERS`].
    fn cells(&self) -> Vec<Cell>;
    /// The cells of [`Row::csv_headers`] (the default: the table's).
    fn csv_cells(&self) -> Vec<Cell> {
        self.cells()
    }
}

/// Prints the items of a list in the chosen format, as they arrive. Nothing
/// is written before the first page arrived (a CSV header included), so a
/// failed call leaves no half-empty table or file.
pub(crate) struct ListPrinter<T: Row> {
    format: OutputFormat,
    color: bool,
    out: std::io::BufWriter<std::io::Stdout>,
    count: usize,
    rows: Vec<Vec<Cell>>,
    /// `--jq`: every item, filtered as one array at the end.
    jq: Option<(crate::jq::Filter, Vec<serde_json::Value>)>,
    _item: std::marker::PhantomData<fn(&T)>,
}

impl<T: Row> ListPrinter<T> {
    pub(crate) fn new(ctx: &Context) -> Result<Self, Failure> {
        Ok(ListPrinter {
            format: ctx.output,
            color: ctx.color,
            out: std::io::BufWriter::new(std::io::stdout()),
            count: 0,
            rows: Vec::new(),
            jq: ctx.jq.clone().map(|filter| (filter, Vec::new())),
            _item: std::marker::PhantomData,
        })
    }

    /// Called once the first page arrived: the CSV header.
    pub(crate) fn start(&mut self) -> Result<(), Failure> {
        if self.format == OutputFormat::Csv && self.jq.is_none() {
            let header = csv_line(T::csv_headers());
            self.write(header.as_bytes())?;
        }
        Ok(())
    }

    pub(crate) fn push(&mut self, item: &T) -> Result<(), Failure> {
        if let Some((_, items)) = &mut self.jq {
            items.push(to_value(item)?);
            return Ok(());
        }
        let text = match self.format {
            OutputFormat::Table => {
                self.rows.push(item.cells());
                return Ok(());
            }
            OutputFormat::Json => {
                let separator = if self.count == 0 { "[\n" } else { ",\n" };
                format!("{separator}{}", indent(&to_json_pretty(item)?))
            }
            OutputFormat::Ndjson => format!("{}\n", to_json_line(item)?),
            OutputFormat::Csv => csv_line(item.csv_cells().iter().map(Cell::plain)),
        };
        self.count += 1;
        self.write(text.as_bytes())
    }

    /// Sends what was printed so far (after each page).
    pub(crate) fn flush(&mut self) -> Result<(), Failure> {
        self.out.flush().map_err(stdout_failure)
    }

    pub(crate) fn finish(mut self) -> Result<(), Failure> {
        if let Some((filter, items)) = self.jq.take() {
            let text = jq_text(&filter, &serde_json::Value::Array(items), self.format)?;
            self.write(text.as_bytes())?;
            return self.flush();
        }
        match self.format {
            OutputFormat::Table => {
                let table = render_table(T::HEADERS, &self.rows, self.color, Utc::now());
                self.write(table.as_bytes())?;
            }
            OutputFormat::Json if self.count == 0 => self.write(b"[]\n")?,
            OutputFormat::Json => self.write(b"\n]\n")?,
            OutputFormat::Ndjson | OutputFormat::Csv => {}
        }
        self.flush()
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.out.write_all(bytes).map_err(stdout_failure)
    }
}

/// Prints one item: in a table as `field  value` lines, otherwise as a
/// one-item document.
pub(crate) fn print_one<T: Row>(ctx: &Context, item: &T) -> Result<(), Failure> {
    if let Some(filter) = &ctx.jq {
        return write_stdout(&jq_text(filter, &to_value(item)?, ctx.output)?);
    }
    let text = match ctx.output {
        OutputFormat::Table => render_fields(item)?,
        OutputFormat::Json => format!("{}\n", to_json_pretty(item)?),
        OutputFormat::Ndjson => format!("{}\n", to_json_line(item)?),
        OutputFormat::Csv => {
            let header = csv_line(T::csv_headers());
            header + &csv_line(item.csv_cells().iter().map(Cell::plain))
        }
    };
    write_stdout(&text)
}

/// Writes `text` to standard output; a closed pipe ends quietly.
pub(crate) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failure)
}

/// Prints any serialisable value as JSON (pretty, or one line for NDJSON),
/// through `--jq` when given.
pub(crate) fn print_json<T: Serialize>(ctx: &Context, value: &T) -> Result<(), Failure> {
    if let Some(filter) = &ctx.jq {
        return write_stdout(&jq_text(filter, &to_value(value)?, ctx.output)?);
    }
    let text = match ctx.output {
        OutputFormat::Ndjson => to_json_line(value)?,
        _ => to_json_pretty(value)?,
    };
    write_stdout(&format!("{text}\n"))
}

/// The outputs of `filter` on `input`: one JSON document each, pretty (one
/// line each for NDJSON); a string output prints raw, as `jq -r` would not,
/// but as `gh --jq` does.
fn jq_text(
    filter: &crate::jq::Filter,
    input: &serde_json::Value,
    format: OutputFormat,
) -> Result<String, Failure> {
    let mut text = String::new();
    for output in filter.run(input)? {
        match (&output, format) {
            (serde_json::Value::String(s), _) => text.push_str(s),
            (_, OutputFormat::Ndjson) => text.push_str(&to_json_line(&output)?),
            _ => text.push_str(&to_json_pretty(&output)?),
        }
        text.push('\n');
    }
    Ok(text)
}

fn to_value<T: Serialize>(item: &T) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(item).map_err(|e| Failure::file("encoding JSON", e.into()))
}

/// `850 ms`, `1 s`, `1.5 s`, `58 s`, `2 min 5 s`, `1 h 3 min`.
pub(crate) fn duration(duration: std::time::Duration) -> String {
    let millis = duration.as_millis();
    match millis {
        m if m < 1_000 => format!("{m} ms"),
        m if m < 60_000 => {
            let tenths = (m + 50) / 100;
            if tenths % 10 == 0 {
                format!("{} s", tenths / 10)
            } else {
                format!("{}.{} s", tenths / 10, tenths % 10)
            }
        }
        m if m < 3_600_000 => {
            let seconds = (m + 500) / 1_000;
            format!("{} min {} s", seconds / 60, seconds % 60)
        }
        m => {
            let minutes = (m + 30_000) / 60_000;
            format!("{} h {} min", minutes / 60, minutes % 60)
        }
    }
}

/// The terminal's width for tables; 0 or unknown counts as 80.
pub(crate) fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|text| text.trim().parse::<u16>().ok())
        .or_else(|| crossterm::terminal::size().ok().map(|(width, _)| width))
        .filter(|width| *width > 0)
        .unwrap_or(80)
}

fn stdout_failure(error: std::io::Error) -> Failure {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::file("writing to standard output", error)
    }
}

fn to_json_pretty<T: Serialize>(item: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(item).map_err(|e| Failure::file("encoding JSON", e.into()))
}

fn to_json_line<T: Serialize>(item: &T) -> Result<String, Failure> {
    serde_json::to_string(item).map_err(|e| Failure::file("encoding JSON", e.into()))
}

fn indent(json: &str) -> String {
    json.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A vertical view of one object's fields, from its JSON form: `id` first,
/// nested objects as indented sub-tables, durations with their unit.
fn render_fields<T: Serialize>(item: &T) -> Result<String, Failure> {
    let value = to_value(item)?;
    let serde_json::Value::Object(fields) = value else {
        return Ok(format!("{value}\n"));
    };
    let mut text = String::new();
    write_fields(&mut text, &fields, 0);
    Ok(text)
}

fn write_fields(
    text: &mut String,
    fields: &serde_json::Map<String, serde_json::Value>,
    depth: usize,
) {
    use serde_json::Value;
    let width = fields.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    let indent = "  ".repeat(depth);
    // `id` (or the first `*_id`) leads.
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort_by_key(|key| match key.as_str() {
        "id" => 0,
        key if key.ends_with("_id") && depth == 0 => 1,
        _ => 2,
    });
    for key in keys {
        let value = &fields[key];
        match value {
            Value::Object(nested) if !nested.is_empty() => {
                text.push_str(&format!("{indent}{key}\n"));
                write_fields(text, nested, depth + 1);
                continue;
            }
            _ => {}
        }
        let shown = match value {
            Value::Null => "-".to_owned(),
            Value::String(s) => s.clone(),
            Value::Number(n) if key.ends_with("_minutes") => format!("{n} min"),
            Value::Number(n) if key.ends_with("_seconds") => format!("{n} s"),
            Value::Number(n) if key.ends_with("_ms") => format!("{n} ms"),
            // The API gives durations in seconds (`estimated_duration`).
            Value::Number(n) if key.ends_with("duration") => n.as_u64().map_or_else(
                || n.to_string(),
                |s| duration(std::time::Duration::from_secs(s)),
            ),
            Value::Array(items) if items.iter().all(|v| v.is_string()) => items
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        text.push_str(&format!("{indent}{key:<width$}  {shown}\n"));
    }
}

/// Columns separated by two spaces, as `gh` prints them: no borders, widths
/// by displayed width, wrapped to the terminal's width when stdout is one.
/// Colour is applied to the cell, so it never shifts a column.
pub(crate) fn render_table(
    headers: &[&str],
    rows: &[Vec<Cell>],
    color: bool,
    now: DateTime<Utc>,
) -> String {
    render_table_within(headers, rows, color, now, terminal_width())
}

/// [`render_table`] within `width` columns.
fn render_table_within(
    headers: &[&str],
    rows: &[Vec<Cell>],
    color: bool,
    now: DateTime<Utc>,
    width: u16,
) -> String {
    use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
    let mut table = Table::new();
    // One line per row: a cell too long for the width is cut with `…`.
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_truncation_indicator("…")
        .set_header(headers.iter().map(comfy_table::Cell::new));
    if color {
        // Colour was decided for this stream already (terminal, --no-color,
        // NO_COLOR): the table must not decide again.
        table.enforce_styling();
    }
    for row in rows {
        let mut cells = comfy_table::Row::from(row.iter().map(|cell| {
            let text = comfy_table::Cell::new(cell.for_table(now));
            match cell {
                Cell::Severity(severity) if color => match severity_color(severity) {
                    Some(color) => text.fg(color).set_alignment(CellAlignment::Left),
                    None => text,
                },
                _ => text,
            }
        }));
        cells.max_height(1);
        table.add_row(cells);
    }
    let last = headers.len().saturating_sub(1);
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if index == last { 0 } else { 2 }));
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn severity_color(severity: &Severity) -> Option<comfy_table::Color> {
    use comfy_table::Color;
    match severity {
        Severity::Critical => Some(Color::Red),
        Severity::High => Some(Color::DarkRed),
        Severity::Medium => Some(Color::Yellow),
        Severity::Low => Some(Color::Cyan),
        _ => None,
    }
}

/// `3m ago`, `2h ago`, `5d ago`; a date for anything older than 30 days or
/// in the future.
fn relative(time: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - time).num_seconds();
    match seconds {
        s if s < 0 => time.format("%Y-%m-%d %H:%M").to_string(),
        s if s < 60 => "just now".to_owned(),
        s if s < 3_600 => format!("{}m ago", s / 60),
        s if s < 86_400 => format!("{}h ago", s / 3_600),
        s if s < 30 * 86_400 => format!("{}d ago", s / 86_400),
        _ => time.format("%Y-%m-%d").to_string(),
    }
}

/// One CSV record (RFC 4180): a field with a comma, quote or line break is
/// quoted, and its quotes doubled. A field starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is prefixed with `'` so that a spreadsheet
/// does not run it as a formula (finding titles come from scanned sites).
pub(crate) fn csv_line(fields: impl IntoIterator<Item = String>) -> String {
    let mut line = fields
        .into_iter()
        .map(|field| {
            let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field != "-" {
                format!("'{field}")
            } else {
                field
            };
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it_and_defuses_formulas() {
        assert_eq!(
            csv_line(["a".into(), "b,c".into(), "say \"hi\"".into(), "x\ny".into()]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
        assert_eq!(csv_line(["=1+1".into(), "-".into()]), "'=1+1,-\r\n");
        assert_eq!(
            csv_line(["\t=cmd".into(), "\r=cmd".into()]),
            "'\t=cmd,\"'\r=cmd\"\r\n"
        );
    }

    #[test]
    fn tables_align_and_colour_without_shifting_columns() {
        let rows = vec![
            vec![Cell::text("f-1"), Cell::Severity(Severity::Critical)],
            vec![Cell::text("f-22"), Cell::Severity(Severity::Info)],
        ];
        let now = Utc::now();
        let plain = render_table_within(&["ID", "SEVERITY"], &rows, false, now, 80);
        assert_eq!(plain, "ID    SEVERITY\nf-1   critical\nf-22  info\n");
        let coloured = render_table_within(&["ID", "SEVERITY"], &rows, true, now, 80);
        let critical = coloured.lines().nth(1).unwrap();
        assert!(critical.starts_with("f-1   \x1b["), "{critical:?}");
        assert!(critical.contains("critical\x1b["), "{critical:?}");
        assert!(coloured.ends_with("f-22  info\n"), "info is not coloured");
    }

    #[test]
    fn tables_measure_displayed_width() {
        let rows = vec![
            vec![Cell::text("漏洞"), Cell::text("x")],
            vec![Cell::text("ab"), Cell::text("y")],
        ];
        let plain = render_table_within(&["T", "V"], &rows, false, Utc::now(), 80);
        // Two wide characters take four columns, like "ab" padded to four.
        assert_eq!(plain, "T     V\n漏洞  x\nab    y\n");
    }

    #[test]
    fn long_cells_are_cut_to_fit_the_width() {
        let rows = vec![vec![Cell::text("f-1"), Cell::text("x".repeat(200))]];
        let table = render_table_within(&["ID", "TITLE"], &rows, false, Utc::now(), 40);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2, "one line per row: {table}");
        assert!(lines[1].ends_with('…'), "{table}");
        assert!(
            lines.iter().all(|line| line.chars().count() <= 40),
            "{table}"
        );
    }

    #[test]
    fn durations_have_units() {
        use std::time::Duration;
        assert_eq!(duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(duration(Duration::from_secs(1)), "1 s");
        assert_eq!(duration(Duration::from_millis(1_500)), "1.5 s");
        assert_eq!(duration(Duration::from_secs(58)), "58 s");
        assert_eq!(duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(duration(Duration::from_secs(3_780)), "1 h 3 min");
    }

    #[test]
    fn a_detail_view_puts_the_id_first_and_indents_nested_objects() {
        let item = serde_json::json!({
            "name": "shop", "id": "a-1", "metadata": {"registrar": "R"}, "timeout_minutes": 30
        });
        let text = render_fields(&item).unwrap();
        assert!(text.starts_with("id "), "{text}");
        assert!(text.contains("metadata\n  registrar  R\n"), "{text}");
        assert!(text.contains("30 min"), "{text}");
    }

    #[test]
    fn times_are_relative_on_a_terminal() {
        let now = DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(relative(at("2026-12-02T11:59:30Z"), now), "just now");
        assert_eq!(relative(at("2026-12-02T11:15:00Z"), now), "45m ago");
        assert_eq!(relative(at("2026-12-01T09:00:00Z"), now), "1d ago");
        assert_eq!(relative(at("2026-01-01T00:00:00Z"), now), "2026-01-01");
    }
}
