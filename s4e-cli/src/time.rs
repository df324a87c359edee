//! Points in time given on the command line: RFC 3339, a date (midnight
//! UTC), or an age (`90m`, `36h`, `7d`, `2w` before now).

use s4e::chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Parses `--since` / `--until`.
pub(crate) fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    use s4e::chrono::SubsecRound;
    instant_at(text, Utc::now().trunc_subsecs(0))
}

fn instant_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(midnight) = date.and_hms_opt(0, 0, 0) {
            return Ok(midnight.and_utc());
        }
    }
    let unit_at = text.len().saturating_sub(1);
    let (number, unit) = text.split_at(unit_at);
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => 0,
    };
    let age = number
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0 && seconds_per_unit > 0)
        .and_then(|n| n.checked_mul(seconds_per_unit))
        .and_then(TimeDelta::try_seconds)
        .and_then(|age| now.checked_sub_signed(age));
    age.ok_or_else(|| {
        format!("`{text}`: give RFC 3339 (2026-12-01T08:00:00Z), a date (2026-12-01) or an age (36h, 7d)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms_and_a_clear_refusal() {
        let now = DateTime::parse_from_rfc3339("2026-12-08T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            instant_at("2026-12-01T08:00:00+01:00", now).unwrap(),
            at("2026-12-01T07:00:00Z")
        );
        assert_eq!(
            instant_at("2026-12-01", now).unwrap(),
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(instant_at("7d", now).unwrap(), at("2026-12-01T12:00:00Z"));
        assert_eq!(instant_at("36h", now).unwrap(), at("2026-12-07T00:00:00Z"));
        for bad in ["yesterday", "7", "-3d", "d", ""] {
            assert!(instant_at(bad, now).is_err(), "{bad}");
        }
    }
}
