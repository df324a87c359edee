//! The query string, decoded by hand (`+` and `%XX`), keeping repeats.

#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        let pairs = raw
            .unwrap_or_default()
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                (decode(k), decode(v))
            })
            .collect();
        Query { pairs }
    }

    /// The last value of `name`, trimmed. An empty value (`?from=`) is a
    /// value, not an absence, so a typed parameter checks it like any other.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }

    /// Every value of `name`, repeated or comma-joined (`a,b&name=c`).
    pub(crate) fn list(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_splits() {
        let q = Query::parse(Some(
            "severity=critical,high&search=missing+hsts%21&severity=low&x=&bad=%zz%4&u=%e9%",
        ));
        assert_eq!(q.list("severity"), vec!["critical", "high", "low"]);
        assert_eq!(q.get("search"), Some("missing hsts!"));
        assert_eq!(q.get("x"), Some(""));
        assert_eq!(q.get("bad"), Some("%zz%4"));
        assert_eq!(q.get("nope"), None);
    }

    #[test]
    fn utf8_and_empty() {
        assert_eq!(Query::parse(Some("n=%C3%A9t%C3%A9")).get("n"), Some("été"));
        assert!(Query::parse(None).list("a").is_empty());
    }
}
