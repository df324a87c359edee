//! One page of a list, decoded tolerantly (`docs/API.md` §2).

use crate::meta::{ResponseMeta, SharedMeta};

/// The API's page size when the caller sets none.
pub const DEFAULT_PER_PAGE: u32 = 20;

/// The largest page size the API accepts.
pub const MAX_PER_PAGE: u32 = 100;

/// Which page a paginated request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page; `None` leaves the server default (20).
    pub per_page: Option<u32>,
}

impl PageRequest {
    /// Page `page` with the server's page size.
    ///
    /// ```
    /// let request = s4e::PageRequest::new(2, Some(50));
    /// assert_eq!((request.page, request.per_page), (2, Some(50)));
    /// ```
    pub fn new(page: u32, per_page: Option<u32>) -> Self {
        PageRequest { page, per_page }
    }
}

/// One page of a list, with what the server said about the rest.
///
/// Iterate it by reference or by value:
///
/// ```
/// # fn demo(page: s4e::Page<s4e::Finding>) {
/// for finding in &page {
///     println!("{}", finding.title);
/// }
/// let all: Vec<s4e::Finding> = page.into_iter().collect();
/// # }
/// ```
///
/// Two pages are equal when their items and numbers are: the
/// [`meta`](Page::meta) of the answers they came from is not compared.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items the whole list holds, when the server said.
    pub total: Option<u64>,
    /// This page's number (1-based).
    pub current_page: u32,
    /// The number of the last page, when known (from `total_pages`, or
    /// computed from `total`, or because this short page ends the list).
    pub last_page: Option<u32>,
    /// The page size.
    pub per_page: u32,
    /// The answer's metadata, for pages that a walk fetched.
    pub(crate) meta: SharedMeta,
}

impl<T: PartialEq> PartialEq for Page<T> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
            && self.total == other.total
            && self.current_page == other.current_page
            && self.last_page == other.last_page
            && self.per_page == other.per_page
    }
}

impl<T> Page<T> {
    /// Builds a page and works out `last_page` from what is known.
    pub(crate) fn assemble(
        items: Vec<T>,
        total: Option<u64>,
        current_page: u32,
        per_page: u32,
        total_pages: Option<u32>,
        has_meta: bool,
    ) -> Self {
        let last_page = total_pages
            .or_else(|| {
                let total = total?;
                let per = u64::from(per_page.max(1));
                u32::try_from(total.div_ceil(per).max(1)).ok()
            })
            .or_else(|| {
                // Without meta a short page is the end of the list.
                (!has_meta || total.is_none())
                    .then_some(())
                    .filter(|()| items.len() < per_page as usize)
                    .map(|()| current_page)
            });
        Page {
            items,
            total,
            current_page,
            last_page,
            per_page,
            meta: None,
        }
    }

    /// The status, request id, rate-limit state and headers of the answer
    /// this page came from, for pages of a walk
    /// ([`Paginator::pages`](crate::Paginator::pages), on both clients).
    /// `None` for a page returned by a single list call: its metadata is in
    /// the [`Response`](crate::Response) of
    /// [`send_with_meta`](crate::Request::send_with_meta).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut pages = client.findings().list_auto().pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     let meta = page.meta().expect("a walked page has its metadata");
    ///     println!("page {}: request {:?}", page.current_page, meta.request_id());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.meta.as_deref()
    }

    /// Whether no page follows this one: it is empty, it is the last page the
    /// server announced, or it is short.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.findings().list().per_page(100).await?;
    /// if page.is_last() {
    ///     println!("every finding fits on one page: {}", page.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_last(&self) -> bool {
        self.items.is_empty()
            || match self.last_page {
                Some(last) => self.current_page >= last,
                None => self.items.len() < self.per_page as usize,
            }
    }

    /// The number of the next page, if there is one.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let mut page = client.findings().list().await?;
    /// while let Some(next) = page.next_page() {
    ///     page = client.findings().list().page(next).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_page(&self) -> Option<u32> {
        if self.is_last() {
            None
        } else {
            self.current_page.checked_add(1)
        }
    }

    /// The number of items on this page.
    ///
    /// ```
    /// # fn demo(page: s4e::Page<s4e::Finding>) {
    /// println!("{} findings here, {:?} in all", page.len(), page.total);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether this page holds no items.
    ///
    /// ```
    /// # fn demo(page: s4e::Page<s4e::Finding>) {
    /// if page.is_empty() {
    ///     println!("no finding matches the filters");
    /// }
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Iterates the items by reference.
    ///
    /// ```
    /// # fn demo(page: s4e::Page<s4e::Finding>) {
    /// use s4e::Severity;
    /// let critical = page.iter().filter(|f| f.severity == Severity::Critical).count();
    /// # }
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_page_from_total_pages_or_total() {
        let p = Page::assemble(vec![1; 20], Some(156), 2, 20, Some(8), true);
        assert_eq!(p.last_page, Some(8));
        assert_eq!(p.next_page(), Some(3));
        let p = Page::assemble(vec![1; 20], Some(156), 8, 20, None, true);
        assert_eq!(p.last_page, Some(8));
        assert!(p.is_last());
        let p = Page::assemble(Vec::<u8>::new(), Some(0), 1, 20, None, true);
        assert!(p.is_last());
    }

    #[test]
    fn without_meta_a_short_page_is_last_and_a_full_one_is_unknown() {
        let p = Page::assemble(vec![1; 5], None, 3, 20, None, false);
        assert_eq!(p.last_page, Some(3));
        assert!(p.is_last());
        let p = Page::assemble(vec![1; 20], None, 3, 20, None, false);
        assert_eq!(p.last_page, None);
        assert_eq!(p.next_page(), Some(4));
        let p = Page::assemble(Vec::<u8>::new(), None, 4, 20, None, false);
        assert!(p.is_last());
    }
}
