//! Wiremock helpers shared by the `contract` and `resources` binaries, which
//! both include this file (`#[path]`), so that a mock reads as one route,
//! one answer and the calls it must see.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate, Times};

/// A mock of `verb` requests to `url_path`, where most mocks start; further
/// matchers chain on with `.and(..)`.
pub(crate) fn route(verb: &str, url_path: impl Into<String>) -> MockBuilder {
    Mock::given(method(verb)).and(path(url_path))
}

/// Mounting a mock with the number of calls it must see, checked when the
/// server is dropped (or verified).
pub(crate) trait MountExpecting {
    /// `mock.expect(calls).mount(server)`.
    fn mount_expecting(
        self,
        server: &MockServer,
        calls: impl Into<Times>,
    ) -> impl Future<Output = ()>;
}

impl MountExpecting for Mock {
    fn mount_expecting(
        self,
        server: &MockServer,
        calls: impl Into<Times>,
    ) -> impl Future<Output = ()> {
        self.expect(calls).mount(server)
    }
}

/// Answers with each response in turn; the last one repeats.
pub(crate) struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        self.responses[n.min(self.responses.len() - 1)].clone()
    }
}

/// See [`Sequence`].
pub(crate) fn sequence(responses: impl IntoIterator<Item = ResponseTemplate>) -> Sequence {
    let responses: Vec<ResponseTemplate> = responses.into_iter().collect();
    assert!(!responses.is_empty(), "a sequence needs a response");
    Sequence {
        responses,
        next: AtomicUsize::new(0),
    }
}
