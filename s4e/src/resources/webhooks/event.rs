//! The body of a webhook delivery, typed by event name.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::EventType;
use crate::ids::EventId;
use crate::resources::actions::ActionExecution;
use crate::resources::assets::Asset;
use crate::resources::findings::Finding;
use crate::resources::playbooks::PlaybookRun;
use crate::resources::scans::Scan;

/// One event, as delivered: `{"id", "event", "timestamp", "data"}` (the SIEM
/// guide's deliveries have no `id`).
///
/// Only the envelope is decoded up front, so a delivery whose `data` has a
/// shape this SDK does not expect is still accepted: [`data`](Event::data)
/// keeps it raw, and [`payload`](Event::payload) decodes it by event name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event's ID (`evt-…`): the same for every redelivery, so use it
    /// to drop duplicates. `None` for a delivery that carries none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EventId>,
    /// What happened (`event` on the wire), typed as [`EventType`] like
    /// `asset_type`, `action_type` and `scan_type` elsewhere.
    #[serde(rename = "event")]
    pub event_type: EventType,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
    /// The event's data, as sent.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The data of an [`Event`], decoded according to its name; from
/// [`Event::payload`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `scan.created`, `scan.completed`, `scan.failed`: the scan.
    Scan(Box<Scan>),
    /// `finding.new`, `finding.status_changed`: the finding.
    Finding(Box<Finding>),
    /// `action.triggered`, `action.completed`, `action.failed`: the action
    /// execution.
    Action(Box<ActionExecution>),
    /// `playbook.started`, `playbook.completed`, `playbook.failed`: the run.
    Playbook(Box<PlaybookRun>),
    /// `asset.created`, `asset.verified`: the asset.
    Asset(Box<Asset>),
    /// `webhook.test`: whatever the test delivery carries.
    Test(serde_json::Value),
    /// An event this version of the SDK does not know: its data as sent.
    Other(serde_json::Value),
}

impl Event {
    /// The data decoded according to [`event_type`](Event::event_type): a
    /// [`Finding`] for `finding.*`, a [`Scan`] for `scan.*`, and so on;
    /// [`EventData::Other`] for an event name this SDK does not know.
    ///
    /// Fails when the data of a known event does not have the expected shape;
    /// [`data`](Event::data) still holds it.
    ///
    /// ```
    /// use s4e::webhooks::{Event, EventData};
    /// let event: Event = serde_json::from_str(
    ///     r#"{"id":"evt-1","event":"asset.verified","data":{"id":"a-1","name":"example.com","type":"domain"}}"#,
    /// )?;
    /// let Ok(EventData::Asset(asset)) = event.payload() else { panic!("an asset event") };
    /// assert_eq!(asset.domain, "example.com");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn payload(&self) -> Result<EventData, serde_json::Error> {
        Ok(match self.event_type {
            EventType::ScanCreated | EventType::ScanCompleted | EventType::ScanFailed => {
                EventData::Scan(self.decode()?)
            }
            EventType::FindingNew | EventType::FindingStatusChanged => {
                EventData::Finding(self.decode()?)
            }
            EventType::ActionTriggered | EventType::ActionCompleted | EventType::ActionFailed => {
                EventData::Action(self.decode()?)
            }
            EventType::PlaybookStarted
            | EventType::PlaybookCompleted
            | EventType::PlaybookFailed => EventData::Playbook(self.decode()?),
            EventType::AssetCreated | EventType::AssetVerified => EventData::Asset(self.decode()?),
            EventType::WebhookTest => EventData::Test(self.data.clone()),
            EventType::Other(_) => EventData::Other(self.data.clone()),
        })
    }

    fn decode<T: DeserializeOwned>(&self) -> Result<Box<T>, serde_json::Error> {
        T::deserialize(&self.data).map(Box::new)
    }
}
