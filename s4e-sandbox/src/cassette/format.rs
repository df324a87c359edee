//! The cassette file: `DIR/cassette.json`, pretty JSON with a stable layout.
//!
//! Interactions are ordered by request identity (method, path, sorted
//! query, body) and then by sequence, never by arrival time, so recording
//! the same scenario twice (even with requests in flight at once) writes the
//! same bytes. Header names are lower case and sorted; volatile headers are
//! left out (see [`super::scrub`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CassetteError;
use super::json::OrderedJson;

/// The layout version this crate writes and reads.
pub(crate) const FORMAT: u32 = 1;

/// The file inside a cassette directory.
pub(crate) const FILE_NAME: &str = "cassette.json";

/// A whole cassette.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CassetteFile {
    pub(crate) format: u32,
    /// The UTC day of the (oldest) recording; a day is as fine as
    /// `--max-age` needs, and a finer time would make two recordings of the
    /// same scenario differ.
    pub(crate) recorded_on: NaiveDate,
    /// The API the interactions were recorded against, without credentials.
    pub(crate) base_url: String,
    pub(crate) interactions: Vec<Interaction>,
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Interaction {
    pub(crate) request: RecordedRequest,
    /// 1 for the first time this request was made, 2 for the second, ...
    pub(crate) sequence: u32,
    pub(crate) response: RecordedResponse,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) query: BTreeMap<String, Values>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<String, Values>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<Body>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordedResponse {
    pub(crate) status: u16,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<String, Values>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<Body>,
}

/// One value, or several for a repeated name (sorted for a query, in
/// arrival order for a header).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Values {
    One(String),
    Many(Vec<String>),
}

impl Values {
    pub(crate) fn from_vec(mut values: Vec<String>) -> Values {
        if values.len() == 1 {
            Values::One(values.remove(0))
        } else {
            Values::Many(values)
        }
    }

    pub(crate) fn as_slice(&self) -> &[String] {
        match self {
            Values::One(one) => std::slice::from_ref(one),
            Values::Many(many) => many,
        }
    }
}

/// A body: JSON when its compact form is exactly the bytes that came (so it
/// replays byte for byte and still reads as a tree), text when it is UTF-8,
/// hex otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Body {
    Json(OrderedJson),
    Text(String),
    Hex(String),
}

impl Body {
    /// The stored form of `bytes`; `None` for an empty body.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Body> {
        if bytes.is_empty() {
            return None;
        }
        if let Some(json) = OrderedJson::parse(bytes) {
            if json.to_compact() == bytes {
                return Some(Body::Json(json));
            }
        }
        Some(match std::str::from_utf8(bytes) {
            Ok(text) => Body::Text(text.to_owned()),
            Err(_) => Body::Hex(hex::encode(bytes)),
        })
    }

    /// The bytes to send.
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Body::Json(json) => Ok(json.to_compact()),
            Body::Text(text) => Ok(text.clone().into_bytes()),
            Body::Hex(hex) => hex::decode(hex).map_err(|e| format!("a hex body is not hex: {e}")),
        }
    }

    /// The body as JSON, when it is JSON.
    pub(crate) fn json(&self) -> Option<serde_json::Value> {
        match self {
            Body::Json(json) => Some(json.to_value()),
            Body::Text(text) => serde_json::from_str(text).ok(),
            Body::Hex(_) => None,
        }
    }
}

pub(crate) fn file_path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

impl CassetteFile {
    pub(crate) fn load(dir: &Path) -> Result<CassetteFile, CassetteError> {
        let path = file_path(dir);
        let text = std::fs::read(&path).map_err(|source| CassetteError::Read {
            path: path.clone(),
            source,
        })?;
        let file: CassetteFile =
            serde_json::from_slice(&text).map_err(|e| CassetteError::Invalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
        if file.format != FORMAT {
            return Err(CassetteError::Invalid {
                path,
                message: format!(
                    "format {} is not the format this version reads ({FORMAT})",
                    file.format
                ),
            });
        }
        for (index, interaction) in file.interactions.iter().enumerate() {
            if let Some(body) = &interaction.response.body {
                body.to_bytes().map_err(|message| CassetteError::Invalid {
                    path: path.clone(),
                    message: format!("interaction {}: {message}", index + 1),
                })?;
            }
        }
        Ok(file)
    }

    /// Sorts the interactions into their canonical order and writes the
    /// file atomically (a temporary file renamed over the old one), so a
    /// recorder stopped mid-write leaves the previous cassette intact.
    pub(crate) fn save(&mut self, dir: &Path) -> Result<(), CassetteError> {
        self.interactions
            .sort_by_cached_key(|i| (super::matcher::Identity::of(&i.request), i.sequence));
        let mut text = serde_json::to_vec_pretty(self).map_err(|e| CassetteError::Invalid {
            path: file_path(dir),
            message: e.to_string(),
        })?;
        text.push(b'\n');
        let write = |path: &Path| -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            let temp = dir.join(format!(".{FILE_NAME}.partial"));
            std::fs::write(&temp, &text)?;
            std::fs::rename(&temp, path)
        };
        let path = file_path(dir);
        write(&path).map_err(|source| CassetteError::Write { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_pick_the_form_that_replays_the_same_bytes() {
        let compact = br#"{"b":1,"a":"x"}"#;
        assert!(matches!(Body::from_bytes(compact), Some(Body::Json(_))));
        assert_eq!(
            Body::from_bytes(compact).unwrap().to_bytes().unwrap(),
            compact
        );
        let spaced = b"{ \"a\": 1 }";
        assert!(matches!(Body::from_bytes(spaced), Some(Body::Text(_))));
        let csv = b"id,title\nf-1,\"x\"\n";
        assert_eq!(Body::from_bytes(csv).unwrap().to_bytes().unwrap(), csv);
        let binary = [0xff, 0x00, 0x10];
        assert_eq!(Body::from_bytes(&binary), Some(Body::Hex("ff0010".into())));
        assert_eq!(Body::from_bytes(b""), None);
    }
}
