//! Cassette ages as people write them: `30d`, `2w`, `12h`.

use std::time::Duration;

/// Parses an age such as `30d` (days), `2w` (weeks) or `12h` (hours).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(s4e_sandbox::cassette::parse_age("30d"), Ok(Duration::from_secs(30 * 86_400)));
/// assert!(s4e_sandbox::cassette::parse_age("30").is_err());
/// ```
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || format!("`{text}` is not an age such as 30d, 2w or 12h");
    let unit = text.chars().last().ok_or_else(invalid)?;
    let seconds = match unit {
        'h' => 3_600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return Err(invalid()),
    };
    let count: u64 = text[..text.len() - 1].parse().map_err(|_| invalid())?;
    count
        .checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(invalid)
}

/// The age in the largest whole unit, for messages.
pub(crate) fn display(age: Duration) -> String {
    let seconds = age.as_secs();
    if seconds % 86_400 == 0 {
        format!("{}d", seconds / 86_400)
    } else {
        format!("{}h", seconds / 3_600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_age("12h"), Ok(Duration::from_secs(12 * 3_600)));
        assert!(parse_age("d").is_err());
        assert!(parse_age("-1d").is_err());
        assert!(parse_age("99999999999999999w").is_err());
        assert_eq!(display(Duration::from_secs(30 * 86_400)), "30d");
    }
}
