//! The replay server: answers from the cassette and never opens a network
//! connection, unless `record_missing` names an upstream for what the
//! cassette lacks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body as AxumBody;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, request::Parts};
use axum::response::Response;
use bytes::Bytes;

use super::format::{CassetteFile, RecordedRequest};
use super::matcher::{Identity, Ignored, describe, explain_miss};
use super::recorder::Recorder;
use super::scrub::Scrubber;
use super::{CassetteError, Notify, error_response};

/// A recorded answer, ready to send.
struct Prepared {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// The recorded answers to one request, in sequence order, and how many
/// have been served.
struct Slot {
    answers: Vec<usize>,
    served: AtomicUsize,
}

pub(crate) struct Player {
    answers: Vec<Prepared>,
    requests: Vec<RecordedRequest>,
    slots: HashMap<Identity, Slot>,
    ignored: Ignored,
    scrubber: Scrubber,
    allow_repeats: bool,
    record_missing: Option<Recorder>,
    notify: Notify,
}

fn prepare(index: usize, interaction: &super::format::Interaction) -> Result<Prepared, String> {
    let response = &interaction.response;
    let status = StatusCode::from_u16(response.status)
        .map_err(|_| format!("status {} is not an HTTP status", response.status))?;
    let mut headers = HeaderMap::new();
    for (name, values) in &response.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        for value in values.as_slice() {
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("header `{name}` has a value HTTP refuses"))?;
            headers.append(name.clone(), value);
        }
    }
    // Which entry answered, for a reader of a client's logs; the same on
    // every replay.
    headers.insert(
        "x-request-id",
        HeaderValue::from_str(&format!("cassette-{}", index + 1))
            .unwrap_or(HeaderValue::from_static("cassette")),
    );
    let body = match &response.body {
        Some(body) => body.to_bytes()?.into(),
        None => Bytes::new(),
    };
    Ok(Prepared {
        status,
        headers,
        body,
    })
}

impl Player {
    pub(crate) fn new(
        file: CassetteFile,
        path: &std::path::Path,
        ignored: Ignored,
        scrubber: Scrubber,
        allow_repeats: bool,
        record_missing: Option<Recorder>,
        notify: Notify,
    ) -> Result<Player, CassetteError> {
        let mut answers = Vec::with_capacity(file.interactions.len());
        let mut slots: HashMap<Identity, Vec<(u32, usize)>> = HashMap::new();
        for (index, interaction) in file.interactions.iter().enumerate() {
            answers.push(prepare(index, interaction).map_err(|message| {
                CassetteError::Invalid {
                    path: path.to_owned(),
                    message: format!("interaction {}: {message}", index + 1),
                }
            })?);
            slots
                .entry(Identity::ignoring(&interaction.request, &ignored))
                .or_default()
                .push((interaction.sequence, index));
        }
        let slots = slots
            .into_iter()
            .map(|(identity, mut entries)| {
                entries.sort();
                let slot = Slot {
                    answers: entries.into_iter().map(|(_, index)| index).collect(),
                    served: AtomicUsize::new(0),
                };
                (identity, slot)
            })
            .collect();
        Ok(Player {
            answers,
            requests: file.interactions.into_iter().map(|i| i.request).collect(),
            slots,
            ignored,
            scrubber,
            allow_repeats,
            record_missing,
            notify,
        })
    }

    pub(crate) async fn answer(&self, parts: &Parts, body: Bytes) -> Response {
        // The replay's own key is scrubbed like the recording's was, so a key
        // in a path or body matches its recorded `REDACTED`.
        self.scrubber.learn(&parts.headers, &[&body]);
        let asked = self.scrubber.request(
            &parts.method,
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            &body,
        );
        let identity = Identity::ignoring(&asked, &self.ignored);
        let message = match self.slots.get(&identity) {
            Some(slot) => {
                let call = slot.served.fetch_add(1, Ordering::Relaxed);
                match slot.answers.get(call) {
                    Some(index) => return self.send(*index),
                    None if self.allow_repeats => {
                        if let Some(last) = slot.answers.last() {
                            return self.send(*last);
                        }
                        format!("no recorded answer for {}", describe(&asked))
                    }
                    None => format!(
                        "{} was recorded {} time(s) and this is call {}; replay with \
                         --allow-repeats (SandboxBuilder::allow_repeats) to answer the last \
                         recorded one again",
                        describe(&asked),
                        slot.answers.len(),
                        call + 1
                    ),
                }
            }
            None => explain_miss(&asked, &self.requests, &self.ignored),
        };
        if let Some(recorder) = &self.record_missing {
            self.notify
                .send(&format!("{message}; recording it from the upstream"));
            return recorder.forward(parts, body).await;
        }
        self.notify.send(&message);
        error_response(StatusCode::NOT_IMPLEMENTED, "cassette_miss", &message)
    }

    fn send(&self, index: usize) -> Response {
        let prepared = &self.answers[index];
        let mut response = Response::new(AxumBody::from(prepared.body.clone()));
        *response.status_mut() = prepared.status;
        *response.headers_mut() = prepared.headers.clone();
        response
    }
}
