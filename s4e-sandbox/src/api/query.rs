//! The query string as `application/x-www-form-urlencoded` pairs (`+` and
//! `%XX` decoded by `form_urlencoded`), keeping repeats.

#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        // Axum's `Query` extractor would decode the same way, but into a
        // struct: the handlers need repeats (`severity=a&severity=b`) and
        // the raw text of bad values for their error details.
        let pairs = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
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
        assert_eq!(Query::parse(Some("p=%2B1+2&&flag")).get("p"), Some("+1 2"));
        assert_eq!(Query::parse(Some("p=1&&flag")).get("flag"), Some(""));
        assert!(Query::parse(None).list("a").is_empty());
    }
}
