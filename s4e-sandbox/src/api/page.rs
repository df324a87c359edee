//! Page-number pagination and sorting (API.md §2).

use std::cmp::Ordering;

use super::check::Check;
use super::query::Query;
use crate::enums::SortOrder;

pub(crate) const DEFAULT_PER_PAGE: u64 = 20;
pub(crate) const MAX_PER_PAGE: u64 = 100;
/// The contract's integers are 32-bit: `page` is at most `2^31 - 1`.
pub(crate) const MAX_PAGE: u64 = i32::MAX as u64;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Paging {
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

impl Paging {
    /// Reads `page` (1..=2^31-1) and `per_page` (1..=100); a bad one is a field detail.
    pub(crate) fn read(query: &Query, check: &mut Check) -> Paging {
        let page = match query.get("page") {
            None => 1,
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => {
                    check.fail(
                        "page",
                        format!("must be an integer between 1 and {MAX_PAGE}, got `{raw}`"),
                    );
                    1
                }
            },
        };
        let per_page = match query.get("per_page") {
            None => DEFAULT_PER_PAGE,
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
                _ => {
                    check.fail(
                        "per_page",
                        format!("must be an integer between 1 and {MAX_PER_PAGE}, got `{raw}`"),
                    );
                    DEFAULT_PER_PAGE
                }
            },
        };
        Paging { page, per_page }
    }

    /// Only the items of this page, for callers that render items lazily.
    pub(crate) fn slice<T>(self, items: &[T]) -> &[T] {
        let start = usize::try_from((self.page - 1).saturating_mul(self.per_page))
            .unwrap_or(usize::MAX)
            .min(items.len());
        let end = start
            .saturating_add(self.per_page as usize)
            .min(items.len());
        &items[start..end]
    }

    /// Walks `items` (already in the answer's order) once: how many there
    /// are, and those of this page. Nothing is sorted or copied but the page.
    pub(crate) fn select<T>(self, items: impl Iterator<Item = T>) -> (usize, Vec<T>) {
        let start =
            usize::try_from((self.page - 1).saturating_mul(self.per_page)).unwrap_or(usize::MAX);
        let per_page = self.per_page as usize;
        let mut page = Vec::with_capacity(per_page);
        let mut total = 0;
        for item in items {
            if total >= start && page.len() < per_page {
                page.push(item);
            }
            total += 1;
        }
        (total, page)
    }
}

/// `sort_order`, default `desc`.
pub(crate) fn sort_order(query: &Query, check: &mut Check) -> SortOrder {
    check
        .query_enum::<SortOrder>(query, "sort_order")
        .unwrap_or(SortOrder::Desc)
}

/// Applies `order` to an ascending comparison.
pub(crate) fn directed(ordering: Ordering, order: SortOrder) -> Ordering {
    match order {
        SortOrder::Asc => ordering,
        SortOrder::Desc => ordering.reverse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::envelope::Meta;

    fn paging(raw: &str) -> Result<Paging, Vec<String>> {
        let q = Query::parse(Some(raw));
        let mut check = Check::default();
        let p = Paging::read(&q, &mut check);
        check.finish().map(|()| p).map_err(|e| {
            format!("{e:?}")
                .split("field: \"")
                .skip(1)
                .map(|s| s.split('"').next().unwrap_or_default().to_string())
                .collect()
        })
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            paging("").unwrap(),
            Paging {
                page: 1,
                per_page: 20
            }
        );
        assert_eq!(
            paging("page=3&per_page=100").unwrap(),
            Paging {
                page: 3,
                per_page: 100
            }
        );
        assert_eq!(paging("per_page=101").unwrap_err(), vec!["per_page"]);
        assert_eq!(paging("page=2147483647").unwrap().page, 2147483647);
        assert_eq!(paging("page=2147483648").unwrap_err(), vec!["page"]);
        assert_eq!(
            paging("page=&per_page=").unwrap_err(),
            vec!["page", "per_page"]
        );
        assert_eq!(paging("per_page=0").unwrap_err(), vec!["per_page"]);
        assert_eq!(
            paging("page=0&per_page=x").unwrap_err(),
            vec!["page", "per_page"]
        );
    }

    #[test]
    fn meta_counts_pages() {
        let paging = Paging {
            page: 3,
            per_page: 20,
        };
        let (total, page) = paging.select(0..45);
        assert_eq!((total, page), (45, (40..45).collect()));
        assert_eq!(
            serde_json::to_string(&Meta::new(paging, total)).unwrap(),
            r#"{"page":3,"per_page":20,"total":45,"total_pages":3}"#
        );
    }

    #[test]
    fn select_counts_everything_and_keeps_one_page() {
        for (page, per_page, wanted) in [(1, 2, vec![0, 1]), (3, 2, vec![4]), (4, 2, vec![])] {
            let paging = Paging { page, per_page };
            assert_eq!(paging.select(0..5), (5, wanted.clone()), "{paging:?}");
            assert_eq!(paging.slice(&[0, 1, 2, 3, 4]), &wanted[..], "{paging:?}");
        }
    }

    #[test]
    fn slice_stays_in_bounds() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(
            Paging {
                page: 2,
                per_page: 2
            }
            .slice(&items),
            &[3, 4]
        );
        assert_eq!(
            Paging {
                page: 4,
                per_page: 2
            }
            .slice(&items),
            &[] as &[i32]
        );
    }
}
