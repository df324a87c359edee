//! Playbooks: automated response workflows (`docs/API.md` §4.5).
//!
//! A playbook is a named, versioned list of steps started by a trigger (an
//! event such as `finding.new`). [`run`](Playbooks::run) starts it against one
//! asset; the run finishes asynchronously, so
//! [`wait_run`](Playbooks::wait_run) polls [`run_status`](Playbooks::run_status)
//! until it completes or fails (as [`scans().wait`](crate::scans::Scans::wait)
//! and [`actions().wait_execution`](crate::actions::Actions::wait_execution)
//! do).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::http::paginate::Paginator;
use crate::http::poll::{Finished, LongRunning, Wait};
use crate::http::request::{Async, Request};
use crate::resources::set_parameter;
use crate::{Client, Result, endpoint};

pub use crate::ids::{AssetId, PlaybookId, RunId};
pub use crate::resources::webhooks::EventType;

string_enum!(
    /// What a playbook does when a step fails.
    OnFailure {
        /// Stop the run; it ends `failed`.
        Abort = "abort",
        /// Go on with the next step.
        Continue = "continue",
    }
);

string_enum!(
    /// Where a playbook run stands.
    RunStatus {
        /// Accepted, not started.
        Pending = "pending",
        /// Steps are executing.
        Running = "running",
        /// Every step finished.
        Completed = "completed",
        /// A step failed and the run stopped.
        Failed = "failed",
    }
);

impl RunStatus {
    /// Whether the run is over (`completed` or `failed`). An unknown status
    /// counts as not final, so a wait goes on until its deadline.
    ///
    /// ```
    /// use s4e::playbooks::RunStatus;
    /// assert!(RunStatus::Failed.is_final());
    /// assert!(!RunStatus::Running.is_final());
    /// assert!(!RunStatus::from("paused").is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, RunStatus::Completed | RunStatus::Failed)
    }
}

string_enum!(
    /// Where one step of a playbook run stands.
    StepStatus {
        /// Not started.
        Pending = "pending",
        /// Executing.
        Running = "running",
        /// Finished.
        Completed = "completed",
        /// Failed.
        Failed = "failed",
        /// Waiting (for an approval, a delay, ...).
        Waiting = "waiting",
        /// Not executed (a condition was false, or an earlier step failed).
        Skipped = "skipped",
    }
);

/// What starts a playbook: an event name and optional conditions on it.
///
/// Decoded in a [`Playbook`] and sent by [`create`](Playbooks::create).
///
/// ```
/// use s4e::playbooks::PlaybookTrigger;
/// use s4e::webhooks::EventType;
/// let trigger = PlaybookTrigger::new(EventType::FindingNew)
///     .conditions(serde_json::json!({ "severity": ["critical", "high"] }));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaybookTrigger {
    /// The event that starts the playbook (`finding.new`, ...).
    pub event: EventType,
    /// Conditions on the event, as the API defines them (free-form JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<serde_json::Value>,
}

impl PlaybookTrigger {
    /// A trigger on `event`, without conditions.
    ///
    /// ```
    /// use s4e::playbooks::PlaybookTrigger;
    /// use s4e::webhooks::EventType;
    /// let trigger = PlaybookTrigger::new("scan.completed");
    /// assert_eq!(trigger.event, EventType::ScanCompleted);
    /// assert_eq!(trigger.conditions, None);
    /// ```
    pub fn new(event: impl Into<EventType>) -> Self {
        PlaybookTrigger {
            event: event.into(),
            conditions: None,
        }
    }

    /// Sets conditions on the event (free-form JSON, as the API defines them).
    ///
    /// ```
    /// use s4e::playbooks::PlaybookTrigger;
    /// use s4e::webhooks::EventType;
    /// let trigger = PlaybookTrigger::new(EventType::FindingNew)
    ///     .conditions(serde_json::json!({ "severity": ["critical"] }));
    /// assert!(trigger.conditions.is_some());
    /// ```
    pub fn conditions(mut self, conditions: serde_json::Value) -> Self {
        self.conditions = Some(conditions);
        self
    }
}

/// One step of a playbook.
///
/// Decoded in a [`Playbook`] and sent by [`create`](Playbooks::create) and
/// [`update`](Playbooks::update). The API's `type` is
/// [`step_type`](PlaybookStep::step_type); every field this model does not
/// name (`parameters`, `condition`, `timeout`, ...) is kept in
/// [`extra`](PlaybookStep::extra) and sent back as it was.
///
/// ```
/// use s4e::playbooks::PlaybookStep;
/// let step = PlaybookStep::new("notify", "action")
///     .name("Tell the on-call")
///     .action_ref("act-slack-notify")
///     .extra("parameters", serde_json::json!({ "channel": "#sec" }));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaybookStep {
    /// The step's ID, unique within the playbook.
    #[serde(default, deserialize_with = "optional_text_or_empty")]
    pub id: String,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What kind of step it is (the API's `type`: `action`, `condition`,
    /// `approval`, ...).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::de::null_as_default"
    )]
    pub step_type: String,
    /// The action it executes (an action ID such as `act-block-ip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_ref: Option<String>,
    /// Every other field of the step, kept as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl PlaybookStep {
    /// A step `id` of type `step_type` (the API's `type`).
    ///
    /// ```
    /// use s4e::playbooks::PlaybookStep;
    /// let step = PlaybookStep::new("approve", "approval");
    /// assert_eq!((step.id.as_str(), step.step_type.as_str()), ("approve", "approval"));
    /// ```
    pub fn new(id: impl Into<String>, step_type: impl Into<String>) -> Self {
        PlaybookStep {
            id: id.into(),
            name: None,
            step_type: step_type.into(),
            action_ref: None,
            extra: serde_json::Map::new(),
        }
    }

    /// Sets the human-readable name.
    ///
    /// ```
    /// use s4e::playbooks::PlaybookStep;
    /// let step = PlaybookStep::new("notify", "action").name("Tell the on-call");
    /// assert_eq!(step.name.as_deref(), Some("Tell the on-call"));
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the action the step executes.
    ///
    /// ```
    /// use s4e::playbooks::PlaybookStep;
    /// let step = PlaybookStep::new("block", "action").action_ref("act-block-ip");
    /// assert_eq!(step.action_ref.as_deref(), Some("act-block-ip"));
    /// ```
    pub fn action_ref(mut self, action_ref: impl Into<String>) -> Self {
        self.action_ref = Some(action_ref.into());
        self
    }

    /// Sets any other field of the step (`parameters`, `condition`, ...).
    ///
    /// ```
    /// use s4e::playbooks::PlaybookStep;
    /// let step = PlaybookStep::new("block", "action").extra("timeout", serde_json::json!(300));
    /// assert_eq!(serde_json::to_value(&step).unwrap()["timeout"], 300);
    /// ```
    pub fn extra(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

/// An automated response workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Playbook {
    /// The playbook's ID.
    pub id: PlaybookId,
    /// Its name.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub name: String,
    /// Its version (`1.2.0`; a number is kept as its text).
    #[serde(default, deserialize_with = "optional_text")]
    pub version: Option<String>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// What starts it.
    #[serde(default)]
    pub trigger: Option<PlaybookTrigger>,
    /// Its steps, in order (lists may leave them out; `get` has them).
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub steps: Vec<PlaybookStep>,
    /// How many steps it has (also when `steps` is left out).
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    pub step_count: Option<u32>,
    /// What a failed step does to the run.
    #[serde(default)]
    pub on_failure: Option<OnFailure>,
    /// How long a run may take.
    #[serde(default, deserialize_with = "crate::de::opt_u32")]
    pub timeout_minutes: Option<u32>,
    /// Free-form labels.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub tags: Vec<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// One run of a playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PlaybookRunWire")]
#[non_exhaustive]
pub struct PlaybookRun {
    /// The run's ID (`run_id` on the wire; some answers call it `id`).
    #[serde(rename = "run_id")]
    pub id: RunId,
    /// The playbook that runs.
    pub playbook_id: Option<PlaybookId>,
    /// The asset it runs against, when the answer says.
    pub target_asset_id: Option<crate::AssetId>,
    /// Where the run stands (`None` when the answer leaves it out); see
    /// [`RunStatus::is_final`].
    pub status: Option<RunStatus>,
    /// Whether this is a rehearsal that changes nothing.
    pub dry_run: bool,
    /// Where each step stands.
    pub steps: Vec<StepRun>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished, whether completed or failed (`None` until then;
    /// `finished_at` on the wire, also read from `completed_at`).
    pub finished_at: Option<DateTime<Utc>>,
}

// The two spellings of the ID are separate wire fields, not serde aliases: an
// answer that sends both must still decode.
#[derive(Deserialize)]
struct PlaybookRunWire {
    #[serde(default)]
    run_id: Option<RunId>,
    #[serde(default)]
    id: Option<RunId>,
    #[serde(default)]
    playbook_id: Option<PlaybookId>,
    #[serde(default)]
    target_asset_id: Option<crate::AssetId>,
    #[serde(default)]
    status: Option<RunStatus>,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    dry_run: bool,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    steps: Vec<StepRun>,
    #[serde(default)]
    started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    finished_at: Option<DateTime<Utc>>,
    /// The scans' spelling of the end time.
    #[serde(default)]
    completed_at: Option<DateTime<Utc>>,
}

impl TryFrom<PlaybookRunWire> for PlaybookRun {
    type Error = &'static str;

    fn try_from(wire: PlaybookRunWire) -> std::result::Result<Self, Self::Error> {
        Ok(PlaybookRun {
            id: wire
                .run_id
                .or(wire.id)
                .ok_or("missing field `run_id` (or `id`)")?,
            playbook_id: wire.playbook_id,
            target_asset_id: wire.target_asset_id,
            status: wire.status,
            dry_run: wire.dry_run,
            steps: wire.steps,
            started_at: wire.started_at,
            finished_at: wire.finished_at.or(wire.completed_at),
        })
    }
}

/// Where one step of a run stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StepRun {
    /// The step's ID in the playbook.
    #[serde(deserialize_with = "crate::ids::string_or_number")]
    pub id: String,
    /// Its status (`None` when the answer leaves it out).
    #[serde(default)]
    pub status: Option<StepStatus>,
}

/// A string or a number kept as its text, or nothing.
fn optional_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "crate::ids::string_or_number")] String);

    Option::<Text>::deserialize(deserializer).map(|text| text.map(|Text(text)| text))
}

/// A string or a number kept as its text; `null` as empty text.
fn optional_text_or_empty<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<String, D::Error> {
    optional_text(deserializer).map(Option::unwrap_or_default)
}

/// `GET /playbooks`: one page of playbooks.
///
/// Every field is a filter with a setter of the same name, here and on the
/// request and paginator that [`Playbooks::list`] and [`Playbooks::list_auto`]
/// return.
#[endpoint(GET, "/playbooks", paginated, response = Playbook, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListPlaybooks {
    /// Only playbooks matching this free-text search.
    pub search: Option<String>,
    /// Only playbooks with this tag.
    pub tag: Option<String>,
}

/// `GET /playbooks/{id}`: one playbook with its steps.
#[endpoint(GET, "/playbooks/{id}", response = Playbook, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetPlaybook {
    /// The playbook to read.
    pub id: PlaybookId,
}

/// `POST /playbooks`: creates a playbook.
#[endpoint(POST, "/playbooks", response = Playbook, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatePlaybook {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// What starts it.
    pub trigger: PlaybookTrigger,
    /// Its steps, in order.
    pub steps: Vec<PlaybookStep>,
    /// A description of what the playbook does.
    pub description: Option<String>,
    /// What a failed step does (`abort` by the server's default).
    pub on_failure: Option<OnFailure>,
    /// The longest a run may take, in minutes.
    pub timeout_minutes: Option<u32>,
    /// Labels the playbook (`.tags(["tls"])`).
    pub tags: Option<Vec<String>>,
}

/// `PATCH /playbooks/{id}`: changes any field of a playbook.
#[endpoint(PATCH, "/playbooks/{id}", response = Playbook, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdatePlaybook {
    /// The playbook to change.
    pub id: PlaybookId,
    /// Renames it.
    pub name: Option<String>,
    /// Sets the version.
    pub version: Option<String>,
    /// Replaces the trigger.
    pub trigger: Option<PlaybookTrigger>,
    /// Replaces the steps.
    pub steps: Option<Vec<PlaybookStep>>,
    /// Replaces the description.
    pub description: Option<String>,
    /// Sets what a failed step does.
    pub on_failure: Option<OnFailure>,
    /// Sets the longest a run may take, in minutes.
    pub timeout_minutes: Option<u32>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
}

/// `DELETE /playbooks/{id}`: removes a playbook.
#[endpoint(DELETE, "/playbooks/{id}", crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeletePlaybook {
    /// The playbook to remove.
    pub id: PlaybookId,
}

/// `POST /playbooks/{id}/run`: starts a run against one asset (answered 202).
#[endpoint(POST, "/playbooks/{id}/run", response = PlaybookRun, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunPlaybook {
    /// The playbook to run.
    pub id: PlaybookId,
    /// The asset it runs against.
    pub target_asset_id: AssetId,
    /// Sets every parameter value at once, a JSON object keyed by parameter name
    /// (replacing those set before); `parameter(name, value)` sets one.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let run = client
    ///     .playbooks()
    ///     .run("pb-tls-expiry", "a-1001")
    ///     .parameters(serde_json::json!({ "notify": "#sec", "max_hosts": 5 }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub parameters: Option<serde_json::Value>,
    /// Rehearses the run without changing anything (`false` by default).
    pub dry_run: Option<bool>,
}

impl RunPlaybook {
    /// Sets one parameter value, keeping the others.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let run = client.playbooks().run("pb-tls-expiry", "a-1001").endpoint().clone();
    /// let run = run.parameter("notify", "#sec").parameter("max_hosts", 5);
    /// let expected = serde_json::json!({ "notify": "#sec", "max_hosts": 5 });
    /// assert_eq!(run.parameters, Some(expected));
    /// // then send it with `client.execute(run)`
    /// # }
    /// ```
    #[must_use]
    pub fn parameter(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        set_parameter(&mut self.parameters, name.into(), value.into());
        self
    }
}

impl<M> Request<RunPlaybook, M> {
    /// Sets one parameter value, keeping those already set (with
    /// `parameters` or earlier calls). A `parameters` value that is not an
    /// object is replaced.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let run = client
    ///     .playbooks()
    ///     .run("pb-tls-expiry", "a-1001")
    ///     .parameter("notify", "#sec")
    ///     .parameter("max_hosts", 5)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn parameter(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        set_parameter(
            &mut self.endpoint_mut().parameters,
            name.into(),
            value.into(),
        );
        self
    }
}

/// `GET /playbooks/{id}/runs/{run_id}`: where a run stands.
#[endpoint(GET, "/playbooks/{id}/runs/{run_id}", response = PlaybookRun, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetRun {
    /// The playbook.
    pub id: PlaybookId,
    /// The run.
    pub run_id: RunId,
}

/// The playbooks operations; from [`Client::playbooks`] or
/// [`blocking::Client::playbooks`](crate::blocking::Client::playbooks).
#[derive(Debug, Clone)]
pub struct Playbooks<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Playbooks<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Playbooks { client, mode }
    }

    fn request<E>(&self, endpoint: E) -> Request<E, M> {
        Request::new(self.client.clone(), self.mode.clone(), endpoint)
    }

    /// One page of playbooks, narrowed by the filter setters of
    /// [`ListPlaybooks`] (one per field, the same on the returned request):
    /// [`search`](method@ListPlaybooks::search) and
    /// [`tag`](method@ListPlaybooks::tag).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let page = client.playbooks().list().tag("tls").search("expiry").await?;
    /// for playbook in &page {
    ///     println!("{} {}", playbook.id, playbook.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<ListPlaybooks, M> {
        self.request(ListPlaybooks::default())
    }

    /// Every playbook matching the filters, as a lazy stream (an iterator on
    /// the blocking client). The filter setters are those of [`ListPlaybooks`],
    /// as on [`list`](Playbooks::list):
    /// [`search`](method@ListPlaybooks::search) and
    /// [`tag`](method@ListPlaybooks::tag).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::playbooks::Playbook;
    /// let all: Vec<Playbook> = client.playbooks().list_auto().per_page(100).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_auto(&self) -> Paginator<ListPlaybooks, M> {
        Paginator::new(
            self.client.clone(),
            self.mode.clone(),
            ListPlaybooks::default(),
        )
    }

    /// One playbook, with its steps.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let playbook = client.playbooks().get("pb-tls-expiry").await?;
    /// for step in &playbook.steps {
    ///     println!("{} {}", step.id, step.step_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<PlaybookId>) -> Request<GetPlaybook, M> {
        self.request(GetPlaybook { id: id.into() })
    }

    /// Creates a playbook from its name, version, trigger and steps; the
    /// setters add the rest.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::playbooks::{OnFailure, PlaybookStep, PlaybookTrigger};
    /// use s4e::webhooks::EventType;
    /// let playbook = client
    ///     .playbooks()
    ///     .create(
    ///         "Renew expiring certificates",
    ///         "1.0.0",
    ///         PlaybookTrigger::new(EventType::FindingNew),
    ///         vec![PlaybookStep::new("renew", "action").action_ref("act-renew-cert")],
    ///     )
    ///     .on_failure(OnFailure::Abort)
    ///     .timeout_minutes(30u32)
    ///     .tags(["tls"])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        name: impl Into<String>,
        version: impl Into<String>,
        trigger: PlaybookTrigger,
        steps: Vec<PlaybookStep>,
    ) -> Request<CreatePlaybook, M> {
        self.request(CreatePlaybook {
            name: name.into(),
            version: version.into(),
            trigger,
            steps,
            description: None,
            on_failure: None,
            timeout_minutes: None,
            tags: None,
        })
    }

    /// Changes a playbook; only the fields set with the setters are sent.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let playbook = client
    ///     .playbooks()
    ///     .update("pb-tls-expiry")
    ///     .version("1.1.0")
    ///     .description("now also pages the on-call")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<PlaybookId>) -> Request<UpdatePlaybook, M> {
        self.request(UpdatePlaybook {
            id: id.into(),
            name: None,
            version: None,
            trigger: None,
            steps: None,
            description: None,
            on_failure: None,
            timeout_minutes: None,
            tags: None,
        })
    }

    /// Removes a playbook.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// client.playbooks().delete("pb-tls-expiry").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<PlaybookId>) -> Request<DeletePlaybook, M> {
        self.request(DeletePlaybook { id: id.into() })
    }

    /// Starts a run of a playbook against one asset. The run goes on after
    /// the answer; follow it with [`run_status`](Playbooks::run_status) or
    /// [`wait_run`](Playbooks::wait_run). Also named
    /// [`execute`](Playbooks::execute), as in the Python SDK.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let run = client
    ///     .playbooks()
    ///     .run("pb-tls-expiry", "a-1001")
    ///     .parameter("notify", "#sec")
    ///     .dry_run(true)
    ///     .await?;
    /// println!("run {} is {:?}", run.id, run.status);
    /// # Ok(()) }
    /// ```
    pub fn run(
        &self,
        id: impl Into<PlaybookId>,
        target_asset_id: impl Into<AssetId>,
    ) -> Request<RunPlaybook, M> {
        self.request(RunPlaybook {
            id: id.into(),
            target_asset_id: target_asset_id.into(),
            parameters: None,
            dry_run: None,
        })
    }

    /// The same as [`run`](Playbooks::run), under the name the Python SDK
    /// uses (`client.playbooks.execute(...)`).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let run = client.playbooks().execute("pb-tls-expiry", "a-1001").dry_run(true).await?;
    /// println!("run {} is {:?}", run.id, run.status);
    /// # Ok(()) }
    /// ```
    pub fn execute(
        &self,
        id: impl Into<PlaybookId>,
        target_asset_id: impl Into<AssetId>,
    ) -> Request<RunPlaybook, M> {
        self.run(id, target_asset_id)
    }

    /// Where a run stands now.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let run = client.playbooks().run_status("pb-tls-expiry", "run-7").await?;
    /// for step in &run.steps {
    ///     let status = step.status.as_ref().map_or("-", |s| s.as_str());
    ///     println!("{} {status}", step.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_status(
        &self,
        id: impl Into<PlaybookId>,
        run_id: impl Into<RunId>,
    ) -> Request<GetRun, M> {
        self.request(GetRun {
            id: id.into(),
            run_id: run_id.into(),
        })
    }

    /// Waits for a run to finish: polls [`run_status`](Playbooks::run_status)
    /// every [`interval`](Wait::interval) (10 s unless set) until the run
    /// is `completed` or `failed`, and returns it.
    /// [`on_progress`](Wait::on_progress) sees every run polled.
    ///
    /// It waits at most [`timeout`](Wait::timeout)
    /// ([`DEFAULT_WAIT_TIMEOUT`](crate::DEFAULT_WAIT_TIMEOUT), 2 h, unless
    /// set). A failed run is returned, not an error: check its
    /// [`status`](PlaybookRun::status). Errors of the polling calls (after
    /// the client's usual retries) end the wait.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// use s4e::playbooks::RunStatus;
    /// let playbooks = client.playbooks();
    /// let run = playbooks.run("pb-tls-expiry", "a-1001").await?;
    /// let run = playbooks
    ///     .wait_run("pb-tls-expiry", run.id)
    ///     .interval(Duration::from_secs(5))
    ///     .timeout(Duration::from_secs(600))
    ///     .on_progress(|run| println!("{} steps", run.steps.len()))
    ///     .await?;
    /// assert!(matches!(run.status, Some(RunStatus::Completed | RunStatus::Failed)));
    /// # Ok(()) }
    /// ```
    pub fn wait_run(&self, id: impl Into<PlaybookId>, run_id: impl Into<RunId>) -> RunWait<M> {
        let status = GetRun {
            id: id.into(),
            run_id: run_id.into(),
        };
        Wait::new(self.client.clone(), self.mode.clone(), status)
    }
}

/// A wait for a playbook run to finish, from [`Playbooks::wait_run`]: its
/// progress and value are the [`PlaybookRun`] polled; `.await` it (or
/// `.send()` it on the blocking client).
pub type RunWait<M = Async> = Wait<PlaybookRun, M>;

impl LongRunning for PlaybookRun {
    type Progress = PlaybookRun;
    type Status = GetRun;
    type Fetch = GetRun;

    fn is_final(run: &PlaybookRun) -> bool {
        run.status.as_ref().is_some_and(RunStatus::is_final)
    }

    fn finish(_status: &GetRun, last: PlaybookRun) -> Finished<PlaybookRun> {
        Finished::Value(last)
    }
}

impl<M> RunWait<M> {
    /// The playbook whose run is waited for.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let wait = client.playbooks().wait_run("pb-tls-expiry", "run-7");
    /// assert_eq!(wait.playbook_id(), "pb-tls-expiry");
    /// # }
    /// ```
    pub fn playbook_id(&self) -> &PlaybookId {
        &self.status().id
    }

    /// The run waited for.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let wait = client.playbooks().wait_run("pb-tls-expiry", "run-7");
    /// assert_eq!(wait.run_id(), "run-7");
    /// # }
    /// ```
    pub fn run_id(&self) -> &RunId {
        &self.status().run_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_completed_and_failed_are_final() {
        assert!(RunStatus::Completed.is_final());
        assert!(RunStatus::Failed.is_final());
        assert!(!RunStatus::Pending.is_final());
        assert!(!RunStatus::Running.is_final());
        assert!(!RunStatus::from("paused").is_final());
    }

    #[test]
    fn a_step_keeps_unknown_fields_and_sends_them_back() {
        let json = serde_json::json!({
            "id": 3, "name": "Block", "type": "action", "action_ref": "act-block-ip",
            "parameters": { "duration": "1h" }, "condition": "severity == 'critical'"
        });
        let step: PlaybookStep = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(step.id, "3");
        assert_eq!(step.step_type, "action");
        assert_eq!(step.extra.len(), 2);
        let mut expected = json;
        expected["id"] = "3".into();
        assert_eq!(serde_json::to_value(&step).unwrap(), expected);
    }

    #[test]
    fn a_new_step_sends_only_what_was_set() {
        let step = PlaybookStep::new("s1", "approval");
        assert_eq!(
            serde_json::to_value(&step).unwrap(),
            serde_json::json!({ "id": "s1", "type": "approval" })
        );
    }

    #[test]
    fn version_accepts_text_numbers_and_null() {
        for (json, expected) in [
            (r#"{"id":"p","version":"1.2.0"}"#, Some("1.2.0")),
            (r#"{"id":"p","version":2}"#, Some("2")),
            (r#"{"id":"p","version":null}"#, None),
            (r#"{"id":"p"}"#, None),
        ] {
            let playbook: Playbook = serde_json::from_str(json).unwrap();
            assert_eq!(playbook.version.as_deref(), expected, "{json}");
        }
    }

    #[test]
    fn a_run_takes_both_id_spellings_at_once() {
        let run: PlaybookRun =
            serde_json::from_str(r#"{"run_id":"run-1","id":"run-1","status":"running"}"#).unwrap();
        assert_eq!(run.id, "run-1");
        let run: PlaybookRun = serde_json::from_str(r#"{"id":7,"status":"pending"}"#).unwrap();
        assert_eq!(run.id, "7");
        let missing = serde_json::from_str::<PlaybookRun>(r#"{"status":"pending"}"#);
        assert!(missing.unwrap_err().to_string().contains("`run_id`"));
    }

    #[test]
    fn a_run_reads_either_end_time_and_may_lack_statuses() {
        let run: PlaybookRun = serde_json::from_str(
            r#"{"run_id":"run-1","steps":[{"id":"s1"}],"completed_at":"2026-05-03T10:09:30Z"}"#,
        )
        .unwrap();
        assert_eq!((run.status, run.steps[0].status.clone()), (None, None));
        assert_eq!(
            run.finished_at.unwrap().to_rfc3339(),
            "2026-05-03T10:09:30+00:00"
        );
    }
}
