//! The recording proxy: forwards each request to the upstream unchanged,
//! answers the client with the upstream's answer, and stores the scrubbed
//! interaction, saving the cassette after each one (so a recorder stopped
//! with Ctrl-C keeps everything it answered).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use axum::body::Body as AxumBody;
use axum::http::{StatusCode, request::Parts};
use axum::response::Response;
use bytes::Bytes;

use super::format::{CassetteFile, FORMAT, Interaction};
use super::matcher::Identity;
use super::scrub::Scrubber;
use super::upstream::{HOP_BY_HOP, Upstream};
use super::{CassetteError, error_response};

struct Recording {
    file: CassetteFile,
    /// How many times each request was made so far.
    sequences: HashMap<Identity, u32>,
}

pub(crate) struct Recorder {
    upstream: Upstream,
    scrubber: Scrubber,
    dir: PathBuf,
    recording: Mutex<Recording>,
}

impl Recorder {
    /// A recorder that adds to `existing` (or starts a new cassette) and
    /// writes it to `dir`.
    pub(crate) fn new(
        upstream: Upstream,
        dir: PathBuf,
        scrubber: Scrubber,
        existing: Option<CassetteFile>,
    ) -> Result<Recorder, CassetteError> {
        let mut file = existing.unwrap_or_else(|| CassetteFile {
            format: FORMAT,
            recorded_on: chrono::Utc::now().date_naive(),
            base_url: upstream.display(),
            interactions: Vec::new(),
        });
        let mut sequences = HashMap::new();
        for interaction in &file.interactions {
            let seen = sequences
                .entry(Identity::of(&interaction.request))
                .or_insert(0);
            *seen = (*seen).max(interaction.sequence);
        }
        // The directory exists (with an empty cassette) as soon as recording
        // starts, so a wrong path fails now rather than at the first request.
        file.save(&dir)?;
        Ok(Recorder {
            upstream,
            scrubber,
            dir,
            recording: Mutex::new(Recording { file, sequences }),
        })
    }

    pub(crate) fn base_path(&self) -> String {
        self.upstream.base_path()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recording> {
        self.recording.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forwards the request, records the interaction, answers the client.
    pub(crate) async fn forward(&self, parts: &Parts, body: Bytes) -> Response {
        self.scrubber.learn(&parts.headers, &[&body]);
        let request = self.scrubber.request(
            &parts.method,
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            &body,
        );
        // The sequence is taken on arrival: of two identical requests in
        // flight, the first to arrive is the first recorded.
        let sequence = {
            let mut recording = self.lock();
            let seen = recording
                .sequences
                .entry(Identity::of(&request))
                .or_insert(0);
            *seen += 1;
            *seen
        };
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let answer = match self
            .upstream
            .send(parts.method.clone(), path_and_query, &parts.headers, body)
            .await
        {
            Ok(answer) => answer,
            Err(message) => {
                let message = self.scrubber.text(&message);
                tracing::warn!(%message, "the upstream did not answer; nothing recorded");
                return error_response(
                    StatusCode::BAD_GATEWAY,
                    "cassette_upstream_failed",
                    &format!(
                        "the upstream {} did not answer (nothing was recorded): {message}",
                        self.upstream.display()
                    ),
                );
            }
        };
        self.scrubber.learn(&Default::default(), &[&answer.body]);
        let interaction = Interaction {
            request,
            sequence,
            response: self
                .scrubber
                .response(answer.status, &answer.headers, &answer.body),
        };
        if let Err(e) = self.store(interaction) {
            tracing::error!(error = %e, "cannot save the cassette");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cassette_write_failed",
                &e.to_string(),
            );
        }
        let mut response = Response::new(AxumBody::from(answer.body));
        *response.status_mut() =
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
        for (name, value) in &answer.headers {
            if !HOP_BY_HOP.contains(&name.as_str()) {
                response.headers_mut().append(name.clone(), value.clone());
            }
        }
        response
    }

    fn store(&self, interaction: Interaction) -> Result<(), CassetteError> {
        let mut recording = self.lock();
        recording.file.interactions.push(interaction);
        recording.file.save(&self.dir)
    }
}
