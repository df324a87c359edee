//! The body of a webhook delivery, typed by event name.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::EventType;
use super::signature::Signed;
use crate::ids::{EventId, FindingId};
use crate::resources::actions::ActionExecution;
use crate::resources::assets::Asset;
use crate::resources::findings::{Finding, FindingStatus};
use crate::resources::playbooks::PlaybookRun;
use crate::resources::scans::Scan;

/// One event, as delivered: `{"id", "event", "timestamp", "data"}` (the SIEM
/// guide's deliveries have no `id`).
///
/// Only the envelope is decoded up front, so a delivery whose `data` has a
/// shape this SDK does not expect is still accepted: [`data`](Event::data)
/// keeps it raw, and [`payload`](Event::payload) decodes it by event name.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The signature it arrived with, when it came through verification.
    #[serde(skip)]
    pub(crate) signed: Option<Signed>,
}

// Two events are equal when what they say is: how each arrived (the
// signature it was verified with) is not part of it.
impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.event_type == other.event_type
            && self.timestamp == other.timestamp
            && self.data == other.data
    }
}

/// The data of an [`Event`], decoded according to its name; from
/// [`Event::payload`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `scan.created`, `scan.completed`, `scan.failed`: the scan.
    Scan(Box<Scan>),
    /// `finding.new`: the finding.
    Finding(Box<Finding>),
    /// `finding.status_changed`: which finding moved from which status to
    /// which.
    FindingStatusChanged(Box<FindingStatusChange>),
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
            EventType::FindingNew => EventData::Finding(self.decode()?),
            EventType::FindingStatusChanged => {
                EventData::FindingStatusChanged(Box::new(FindingStatusChange::decode(&self.data)?))
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

/// The data of `finding.status_changed`: `{"finding_id", "old_status",
/// "new_status"}`, as the event stream documents it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FindingStatusChange {
    /// The finding whose status changed.
    pub finding_id: FindingId,
    /// Its status before.
    pub old_status: FindingStatus,
    /// Its status now.
    pub new_status: FindingStatus,
    /// The whole finding, when the delivery also carries its fields (the
    /// sandbox's do; the documented shape does not).
    pub finding: Option<Box<Finding>>,
}

impl FindingStatusChange {
    fn decode(data: &serde_json::Value) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct Wire {
            finding_id: FindingId,
            old_status: FindingStatus,
            new_status: FindingStatus,
        }
        let wire = Wire::deserialize(data)?;
        // A finding's one required field beyond its ID tells a delivery that
        // carries the finding from one that only names it.
        let finding = match data.get("severity") {
            Some(_) => Some(Box::new(Finding::deserialize(data)?)),
            None => None,
        };
        Ok(FindingStatusChange {
            finding_id: wire.finding_id,
            old_status: wire.old_status,
            new_status: wire.new_status,
            finding,
        })
    }
}
