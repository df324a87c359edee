//! One module per resource of API.md §4: the model, its JSON views and the
//! handlers.

pub(crate) mod actions;
pub(crate) mod assets;
pub(crate) mod findings;
pub(crate) mod ordered;
pub(crate) mod playbooks;
pub(crate) mod scans;
pub(crate) mod webhooks;

/// Readable ids from names (`act-block-ip`, `pb-tls-expiry`).
// Not the `slug` crate: ids keep ASCII letters and digits only (no
// transliteration, which would make ids depend on a Unicode table's
// version), capped at 40 characters, with a fallback and a prefix.
pub(crate) mod slug {
    /// `prefix-` and the lowercased name with runs of other characters as `-`.
    pub(crate) fn of(prefix: &str, name: &str) -> String {
        let mut s = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with('-') && !s.is_empty() {
                s.push('-');
            }
        }
        let s: String = s.trim_end_matches('-').chars().take(40).collect();
        let s = s.trim_end_matches('-');
        if s.is_empty() {
            format!("{prefix}-item")
        } else {
            format!("{prefix}-{s}")
        }
    }

    /// [`of`], with `-2`, `-3`, ... appended while `taken` says so.
    pub(crate) fn unique(prefix: &str, name: &str, taken: impl Fn(&str) -> bool) -> String {
        let base = of(prefix, name);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|id| !taken(id))
            .unwrap_or(base)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn slugs() {
            assert_eq!(of("act", "Block IP!"), "act-block-ip");
            assert_eq!(of("pb", "  TLS -- expiry  "), "pb-tls-expiry");
            assert_eq!(of("pb", "!!!"), "pb-item");
            assert_eq!(
                unique("act", "x", |id| id == "act-x" || id == "act-x-2"),
                "act-x-3"
            );
        }
    }
}
