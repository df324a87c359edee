//! Generated code raises no warning under strict lints, keeps the user's own
//! attributes (docs, derives, serde) and works with `#[derive]` on either side
//! of `#[endpoint]`.
#![deny(warnings, missing_docs, unreachable_pub, rust_2018_idioms, unused)]

use s4e::endpoint;
use serde::{Deserialize, Serialize};

/// The endpoints, in a module.
pub mod api {
    use super::endpoint;

    /// A finding.
    #[derive(Debug, serde::Deserialize)]
    pub struct Finding {}

    /// Lists findings.
    #[derive(Debug, Default, Clone, serde::Serialize)]
    #[endpoint(GET, "/findings", paginated, response = Finding)]
    #[non_exhaustive]
    pub struct ListFindings {
        /// Only this status.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<String>,
        /// Only these tags.
        #[query(rename = "tag")]
        #[serde(rename = "tag")]
        pub tags: Option<Vec<String>>,
        // Private: its setter is private too, and unused.
        search: Option<String>,
        pub(crate) cursor: Option<String>,
    }
}

/// Sets a note.
#[endpoint(PATCH, "/findings/{id}", response = api::Finding)]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpdateFinding {
    /// The finding.
    pub id: String,
    /// The note.
    #[body(rename = "comment")]
    #[serde(rename = "comment")]
    pub note: Option<String>,
}

#[test]
fn generated_code_is_lint_clean() {
    let list = api::ListFindings::default().status("open").tags(["a", "b"]);
    let json = serde_json::to_string(&list).unwrap();
    assert_eq!(
        json,
        r#"{"status":"open","tag":["a","b"],"search":null,"cursor":null}"#
    );

    let update = UpdateFinding {
        id: "f1".into(),
        note: None,
    }
    .note("hi");
    let json = serde_json::to_string(&update).unwrap();
    let back: UpdateFinding = serde_json::from_str(&json).unwrap();
    assert_eq!(back, update);
    assert_eq!(<UpdateFinding as s4e::Endpoint>::PATH, "/findings/{id}");
}
