//! Actions: remediation and notification units of work (`docs/API.md` §4.4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::endpoint;
use crate::enums::string_enum;
use crate::http::paginate::Paginator;
use crate::http::poll::{Finished, LongRunning, Wait};
use crate::http::request::{Async, Request};
use crate::resources::set_parameter;
use crate::{Client, Result};

pub use crate::ids::{ActionId, ExecutionId};

string_enum!(
    /// What an action does.
    ActionType {
        /// Sends a notification.
        Notification = "notification",
        /// Changes something to fix a problem.
        Remediation = "remediation",
        /// Calls a webhook.
        Webhook = "webhook",
        /// Runs a script.
        Script = "script",
        /// Waits for a person's approval.
        Approval = "approval",
    }
);

string_enum!(
    /// Where an action runs.
    Executor {
        /// On the S4E platform.
        Local = "local",
        /// On a remote runner.
        Remote = "remote",
        /// On an OpServant agent.
        Opservant = "opservant",
        /// By calling a webhook.
        Webhook = "webhook",
    }
);

string_enum!(
    /// The type of an action parameter.
    ParameterType {
        /// Text.
        String = "string",
        /// A whole number.
        Integer = "integer",
        /// `true` or `false`.
        Boolean = "boolean",
        /// One of a fixed set of values.
        Enum = "enum",
        /// Text that is never shown back.
        Secret = "secret",
    }
);

string_enum!(
    /// Where an execution of an action stands.
    ExecutionStatus {
        /// Waiting to start.
        Queued = "queued",
        /// In progress.
        Running = "running",
        /// Finished successfully.
        Completed = "completed",
        /// Finished with an error.
        Failed = "failed",
    }
);

impl ExecutionStatus {
    /// Whether the execution will not change any more: `completed` or
    /// `failed`. A status this SDK does not know counts as not final.
    ///
    /// ```
    /// use s4e::actions::ExecutionStatus;
    /// assert!(ExecutionStatus::Failed.is_final());
    /// assert!(!ExecutionStatus::Queued.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, ExecutionStatus::Completed | ExecutionStatus::Failed)
    }
}

/// A remediation or notification unit of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Action {
    /// The action's ID.
    pub id: ActionId,
    /// Its name.
    pub name: String,
    /// What it does (the API's `type`).
    #[serde(rename = "type")]
    pub action_type: ActionType,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// Its version (a number from some deployments, kept as text).
    #[serde(default, deserialize_with = "text_or_number")]
    pub version: Option<String>,
    /// Where it runs.
    #[serde(default)]
    pub executor: Option<Executor>,
    /// The parameters a trigger may pass.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub parameters: Vec<ActionParameter>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// One parameter an action takes; decoded from an [`Action`] and sent by
/// [`create`](Actions::create) and [`update`](Actions::update).
///
/// ```
/// use s4e::actions::{ActionParameter, ParameterType};
/// let parameter = ActionParameter::new("duration_minutes", ParameterType::Integer)
///     .required(true)
///     .default_value(60);
/// assert_eq!(
///     serde_json::to_value(&parameter).unwrap(),
///     serde_json::json!({ "name": "duration_minutes", "type": "integer", "required": true, "default": 60 }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActionParameter {
    /// The parameter's name.
    pub name: String,
    /// Its type (the API's `type`).
    #[serde(rename = "type")]
    pub parameter_type: ParameterType,
    /// Whether a trigger must pass it.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub required: bool,
    /// The value used when a trigger leaves it out (`Some(Value::Null)`
    /// when the default is `null`, `None` when there is none).
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<Value>,
}

impl ActionParameter {
    /// An optional parameter without a default.
    ///
    /// ```
    /// use s4e::actions::{ActionParameter, ParameterType};
    /// let parameter = ActionParameter::new("ip", ParameterType::String);
    /// assert!(!parameter.required);
    /// assert_eq!(parameter.default, None);
    /// ```
    pub fn new(name: impl Into<String>, parameter_type: ParameterType) -> Self {
        ActionParameter {
            name: name.into(),
            parameter_type,
            required: false,
            default: None,
        }
    }

    /// Sets whether a trigger must pass it (`required`).
    ///
    /// ```
    /// use s4e::actions::{ActionParameter, ParameterType};
    /// let parameter = ActionParameter::new("ip", ParameterType::String).required(true);
    /// assert!(parameter.required);
    /// ```
    #[must_use]
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// Sets the value used when a trigger leaves it out (`default`; named so as
    /// not to read as [`Default`]).
    ///
    /// ```
    /// use s4e::actions::{ActionParameter, ParameterType};
    /// let parameter = ActionParameter::new("notify", ParameterType::Boolean).default_value(false);
    /// assert_eq!(parameter.default, Some(serde_json::Value::Bool(false)));
    /// ```
    #[must_use]
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }
}

/// One execution of an action, from [`trigger`](Actions::trigger),
/// [`execution_status`](Actions::execution_status) or
/// [`wait_execution`](Actions::wait_execution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ActionExecutionWire")]
#[non_exhaustive]
pub struct ActionExecution {
    /// The execution's ID (`execution_id` on the wire; some pages send `id`).
    #[serde(rename = "execution_id")]
    pub id: ExecutionId,
    /// The action executed.
    pub action_id: Option<ActionId>,
    /// Where it stands (`None` when the answer leaves it out); see
    /// [`ExecutionStatus::is_final`].
    pub status: Option<ExecutionStatus>,
    /// Whether it ran in the sandbox, changing nothing.
    pub sandbox: bool,
    /// What the action reported.
    pub output: Option<Value>,
    /// What a sandboxed run would have done (`intercepted_calls`,
    /// `commands_executed`, `output`), as sent.
    pub sandbox_report: Option<Value>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished, whether completed or failed (`None` until then;
    /// `finished_at` on the wire, also read from `completed_at`).
    pub finished_at: Option<DateTime<Utc>>,
}

// The two spellings of the ID are separate wire fields, not serde aliases: an
// answer that sends both must still decode.
#[derive(Deserialize)]
struct ActionExecutionWire {
    #[serde(default)]
    execution_id: Option<ExecutionId>,
    #[serde(default)]
    id: Option<ExecutionId>,
    #[serde(default)]
    action_id: Option<ActionId>,
    #[serde(default)]
    status: Option<ExecutionStatus>,
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    sandbox: bool,
    #[serde(default)]
    output: Option<Value>,
    #[serde(default)]
    sandbox_report: Option<Value>,
    #[serde(default)]
    started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    finished_at: Option<DateTime<Utc>>,
    /// The scans' spelling of the end time.
    #[serde(default)]
    completed_at: Option<DateTime<Utc>>,
}

impl TryFrom<ActionExecutionWire> for ActionExecution {
    type Error = &'static str;

    fn try_from(wire: ActionExecutionWire) -> std::result::Result<Self, Self::Error> {
        Ok(ActionExecution {
            id: wire
                .execution_id
                .or(wire.id)
                .ok_or("missing field `execution_id` (or `id`)")?,
            action_id: wire.action_id,
            status: wire.status,
            sandbox: wire.sandbox,
            output: wire.output,
            sandbox_report: wire.sandbox_report,
            started_at: wire.started_at,
            finished_at: wire.finished_at.or(wire.completed_at),
        })
    }
}

/// What [`validate`](Actions::validate) found in an action definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ValidationReport {
    /// Whether the definition can be created as it is.
    pub valid: bool,
    /// Problems that do not prevent creating it.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub warnings: Vec<String>,
    /// Problems that do.
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub errors: Vec<ValidationIssue>,
}

/// One error in an action definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ValidationIssue {
    /// Where in the definition (`parameters[0].type`).
    #[serde(default, deserialize_with = "crate::de::null_as_default")]
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// `"1.2"` or `2` (kept as `"2"`), or nothing.
fn text_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(serde::de::Error::invalid_type(
            match &other {
                Value::Bool(b) => serde::de::Unexpected::Bool(*b),
                Value::Array(_) => serde::de::Unexpected::Seq,
                _ => serde::de::Unexpected::Map,
            },
            &"a version as a string or a number",
        )),
    }
}

/// `GET /actions`: one page of actions.
///
/// Every field is a filter with a setter of the same name, here and on the
/// request and paginator that [`Actions::list`] and [`Actions::list_auto`]
/// return.
#[endpoint(GET, "/actions", paginated, response = Action, crate = crate)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListActions {
    /// Only actions of this type (the API's `type`).
    #[query(rename = "type")]
    pub action_type: Option<ActionType>,
    /// Only actions matching this free-text search.
    pub search: Option<String>,
}

/// `GET /actions/{id}`: one action.
#[endpoint(GET, "/actions/{id}", response = Action, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetAction {
    /// The action to read.
    pub id: ActionId,
}

/// `POST /actions`: defines an action.
#[endpoint(POST, "/actions", response = Action, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateAction {
    /// Its name.
    pub name: String,
    /// What it does (the API's `type`).
    #[body(rename = "type")]
    pub action_type: ActionType,
    /// A description of what the action does.
    pub description: Option<String>,
    /// Where it runs (the API default when not set).
    pub executor: Option<Executor>,
    /// What it acts on, in the form its executor expects (any JSON).
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// use s4e::actions::ActionType;
    /// let create = client
    ///     .actions()
    ///     .create("Block IP", ActionType::Remediation)
    ///     .target(serde_json::json!({ "firewall": "edge-1", "zone": "dmz" }));
    /// # }
    /// ```
    pub target: Option<Value>,
    /// The parameters a trigger may pass, each an [`ActionParameter`].
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// use s4e::actions::{ActionParameter, ActionType, ParameterType};
    /// let create = client.actions().create("Block IP", ActionType::Remediation).parameters([
    ///     ActionParameter::new("ip", ParameterType::String).required(true),
    ///     ActionParameter::new("duration_minutes", ParameterType::Integer).default_value(60),
    /// ]);
    /// # }
    /// ```
    pub parameters: Option<Vec<ActionParameter>>,
    /// Executor-specific settings, a JSON object (`{"firewall": "edge-1"}`).
    pub config: Option<Value>,
    /// When the action applies, a JSON object as the API defines it.
    pub conditions: Option<Value>,
}

/// `PATCH /actions/{id}`: changes any field of an action.
#[endpoint(PATCH, "/actions/{id}", response = Action, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateAction {
    /// The action to change.
    pub id: ActionId,
    /// Renames it.
    pub name: Option<String>,
    /// Changes its type (the API's `type`).
    #[body(rename = "type")]
    pub action_type: Option<ActionType>,
    /// Replaces the description.
    pub description: Option<String>,
    /// Moves it to another executor.
    pub executor: Option<Executor>,
    /// Replaces what it acts on (any JSON).
    pub target: Option<Value>,
    /// Replaces the parameters.
    pub parameters: Option<Vec<ActionParameter>>,
    /// Replaces the executor settings.
    pub config: Option<Value>,
    /// Replaces the conditions.
    pub conditions: Option<Value>,
}

/// `DELETE /actions/{id}`: removes an action.
#[endpoint(DELETE, "/actions/{id}", crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeleteAction {
    /// The action to remove.
    pub id: ActionId,
}

/// `POST /actions/validate`: checks an action definition without creating
/// anything. Read-only, so safe to repeat.
#[endpoint(POST, "/actions/validate", idempotent, response = ValidationReport, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidateAction {
    /// The definition, a JSON object with the fields of a create; sent as
    /// the body.
    #[body(flatten)]
    pub definition: Value,
}

/// `POST /actions/{id}/trigger`: runs an action now.
#[endpoint(POST, "/actions/{id}/trigger", response = ActionExecution, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TriggerAction {
    /// The action to run.
    pub id: ActionId,
    /// What to run it on, in the form the action's executor expects (any JSON:
    /// a string converts).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let execution = client.actions().trigger("act-block-ip").target("203.0.113.7").await?;
    /// # Ok(()) }
    /// ```
    pub target: Option<Value>,
    /// Sets every parameter value at once, a JSON object keyed by parameter name
    /// (replacing those set before); `parameter(name, value)` sets one.
    pub parameters: Option<Value>,
    /// Runs it in the sandbox, changing nothing (`false` by default).
    pub sandbox: Option<bool>,
}

impl TriggerAction {
    /// Sets one parameter value, keeping the others.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let trigger = client.actions().trigger("act-block-ip").endpoint().clone();
    /// let trigger = trigger.parameter("ip", "203.0.113.7").parameter("duration_minutes", 60);
    /// let expected = serde_json::json!({ "ip": "203.0.113.7", "duration_minutes": 60 });
    /// assert_eq!(trigger.parameters, Some(expected));
    /// // then send it with `client.execute(trigger)`
    /// # }
    /// ```
    #[must_use]
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        set_parameter(&mut self.parameters, name.into(), value.into());
        self
    }
}

impl<M> Request<TriggerAction, M> {
    /// Sets one parameter value, keeping those already set (with
    /// `parameters` or earlier calls). A `parameters` value that is not an
    /// object is replaced.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let execution = client
    ///     .actions()
    ///     .trigger("act-block-ip")
    ///     .parameter("ip", "203.0.113.7")
    ///     .parameter("duration_minutes", 60)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        set_parameter(
            &mut self.endpoint_mut().parameters,
            name.into(),
            value.into(),
        );
        self
    }
}

/// `GET /actions/{id}/executions/{execution_id}`: one execution of an action.
#[endpoint(GET, "/actions/{id}/executions/{execution_id}", response = ActionExecution, crate = crate)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetExecution {
    /// The action.
    pub id: ActionId,
    /// The execution to read.
    pub execution_id: ExecutionId,
}

/// The action operations; from [`Client::actions`] or
/// [`blocking::Client::actions`](crate::blocking::Client::actions).
#[derive(Debug, Clone)]
pub struct Actions<M = Async> {
    client: Client,
    mode: M,
}

impl<M: Clone> Actions<M> {
    pub(crate) fn new(client: Client, mode: M) -> Self {
        Actions { client, mode }
    }

    fn request<E>(&self, endpoint: E) -> Request<E, M> {
        Request::new(self.client.clone(), self.mode.clone(), endpoint)
    }

    /// One page of actions, narrowed by the filter setters of [`ListActions`]
    /// (one per field, the same on the returned request):
    /// [`action_type`](method@ListActions::action_type) and
    /// [`search`](method@ListActions::search) (`action_type` is the API's
    /// `type`).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::actions::ActionType;
    /// let page = client.actions().list().action_type(ActionType::Remediation).search("ip").await?;
    /// for action in &page {
    ///     println!("{} {}", action.id, action.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<ListActions, M> {
        self.request(ListActions::default())
    }

    /// Every action matching the filters, as a lazy stream (an iterator on the
    /// blocking client). The filter setters are those of [`ListActions`], as on
    /// [`list`](Actions::list):
    /// [`action_type`](method@ListActions::action_type) and
    /// [`search`](method@ListActions::search).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::actions::Action;
    /// let all: Vec<Action> = client.actions().list_auto().per_page(100).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_auto(&self) -> Paginator<ListActions, M> {
        Paginator::new(
            self.client.clone(),
            self.mode.clone(),
            ListActions::default(),
        )
    }

    /// One action.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let action = client.actions().get("act-block-ip").await?;
    /// for parameter in &action.parameters {
    ///     println!("{}: {} (required: {})", parameter.name, parameter.parameter_type, parameter.required);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<ActionId>) -> Request<GetAction, M> {
        self.request(GetAction { id: id.into() })
    }

    /// Defines an action (`action_type` is the API's `type`).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use s4e::actions::{ActionParameter, ActionType, Executor, ParameterType};
    /// use serde_json::json;
    /// let action = client
    ///     .actions()
    ///     .create("Block IP", ActionType::Remediation)
    ///     .description("Blocks an address at the edge firewall")
    ///     .executor(Executor::Remote)
    ///     .parameters([ActionParameter::new("ip", ParameterType::String).required(true)])
    ///     .config(json!({ "firewall": "edge-1" }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        name: impl Into<String>,
        action_type: ActionType,
    ) -> Request<CreateAction, M> {
        self.request(CreateAction {
            name: name.into(),
            action_type,
            description: None,
            executor: None,
            target: None,
            parameters: None,
            config: None,
            conditions: None,
        })
    }

    /// Changes any field of an action; only the fields set are sent.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let action = client
    ///     .actions()
    ///     .update("act-block-ip")
    ///     .description("Blocks an address for an hour")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<ActionId>) -> Request<UpdateAction, M> {
        self.request(UpdateAction {
            id: id.into(),
            name: None,
            action_type: None,
            description: None,
            executor: None,
            target: None,
            parameters: None,
            config: None,
            conditions: None,
        })
    }

    /// Removes an action.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// client.actions().delete("act-block-ip").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<ActionId>) -> Request<DeleteAction, M> {
        self.request(DeleteAction { id: id.into() })
    }

    /// Checks an action definition (a JSON object with the fields of a
    /// create, for example read from a file) without creating anything. A
    /// definition that is not an object is refused before sending, with
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest).
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use serde_json::json;
    /// let report = client
    ///     .actions()
    ///     .validate(json!({ "name": "Block IP", "type": "remediation", "executor": "remote" }))
    ///     .await?;
    /// for error in &report.errors {
    ///     println!("{}: {}", error.path, error.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn validate(&self, definition: impl Into<Value>) -> Request<ValidateAction, M> {
        self.request(ValidateAction {
            definition: definition.into(),
        })
    }

    /// Runs an action now; the answer is its execution, usually `queued`.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use serde_json::json;
    /// let execution = client
    ///     .actions()
    ///     .trigger("act-block-ip")
    ///     .target("203.0.113.7")
    ///     .parameters(json!({ "duration_minutes": 60 }))
    ///     .sandbox(true)
    ///     .await?;
    /// println!("{} {:?}", execution.id, execution.status);
    /// # Ok(()) }
    /// ```
    pub fn trigger(&self, id: impl Into<ActionId>) -> Request<TriggerAction, M> {
        self.request(TriggerAction {
            id: id.into(),
            target: None,
            parameters: None,
            sandbox: None,
        })
    }

    /// Where an execution of an action stands now.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// let execution = client.actions().execution_status("act-block-ip", "exec-7781").await?;
    /// println!("{:?} {:?}", execution.status, execution.output);
    /// # Ok(()) }
    /// ```
    pub fn execution_status(
        &self,
        id: impl Into<ActionId>,
        execution_id: impl Into<ExecutionId>,
    ) -> Request<GetExecution, M> {
        self.request(GetExecution {
            id: id.into(),
            execution_id: execution_id.into(),
        })
    }

    /// Waits for an execution to finish: polls
    /// [`execution_status`](Actions::execution_status) every
    /// [`interval`](Wait::interval) (10 s unless set) until the
    /// execution is `completed` or `failed`, and returns it.
    /// [`on_progress`](Wait::on_progress) sees every execution
    /// polled.
    ///
    /// It waits at most [`timeout`](Wait::timeout)
    /// ([`DEFAULT_WAIT_TIMEOUT`](crate::DEFAULT_WAIT_TIMEOUT), 2 h, unless
    /// set). A failed execution is returned, not an error: check its
    /// [`status`](ActionExecution::status). Errors of the polling calls
    /// (after the client's usual retries) end the wait.
    ///
    /// ```no_run
    /// # async fn demo(client: s4e::Client) -> s4e::Result<()> {
    /// use std::time::Duration;
    /// use s4e::actions::ExecutionStatus;
    /// let actions = client.actions();
    /// let execution = actions.trigger("act-block-ip").parameter("ip", "203.0.113.7").await?;
    /// let execution = actions
    ///     .wait_execution("act-block-ip", execution.id)
    ///     .interval(Duration::from_secs(2))
    ///     .timeout(Duration::from_secs(300))
    ///     .on_progress(|execution| println!("{:?}", execution.status))
    ///     .await?;
    /// if execution.status == Some(ExecutionStatus::Completed) {
    ///     println!("{:?}", execution.output);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_execution(
        &self,
        id: impl Into<ActionId>,
        execution_id: impl Into<ExecutionId>,
    ) -> ExecutionWait<M> {
        let status = GetExecution {
            id: id.into(),
            execution_id: execution_id.into(),
        };
        Wait::new(self.client.clone(), self.mode.clone(), status)
    }
}

/// A wait for an action execution to finish, from
/// [`Actions::wait_execution`]: its progress and value are the
/// [`ActionExecution`] polled; `.await` it (or `.send()` it on the blocking
/// client).
pub type ExecutionWait<M = Async> = Wait<ActionExecution, M>;

impl LongRunning for ActionExecution {
    type Progress = ActionExecution;
    type Status = GetExecution;
    type Fetch = GetExecution;

    fn is_final(execution: &ActionExecution) -> bool {
        execution
            .status
            .as_ref()
            .is_some_and(ExecutionStatus::is_final)
    }

    fn finish(_status: &GetExecution, last: ActionExecution) -> Finished<ActionExecution> {
        Finished::Value(last)
    }
}

impl<M> ExecutionWait<M> {
    /// The action whose execution is waited for.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let wait = client.actions().wait_execution("act-block-ip", "exec-7781");
    /// assert_eq!(wait.action_id(), "act-block-ip");
    /// # }
    /// ```
    pub fn action_id(&self) -> &ActionId {
        &self.status().id
    }

    /// The execution waited for.
    ///
    /// ```
    /// # fn demo(client: s4e::Client) {
    /// let wait = client.actions().wait_execution("act-block-ip", "exec-7781");
    /// assert_eq!(wait.execution_id(), "exec-7781");
    /// # }
    /// ```
    pub fn execution_id(&self) -> &ExecutionId {
        &self.status().execution_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_execution_takes_both_id_spellings_at_once() {
        let execution: ActionExecution =
            serde_json::from_str(r#"{"execution_id":"exec-1","id":"exec-1","status":"running"}"#)
                .unwrap();
        assert_eq!(execution.id, "exec-1");
        let execution: ActionExecution =
            serde_json::from_str(r#"{"id":"exec-2","status":"queued"}"#).unwrap();
        assert_eq!(execution.id, "exec-2");
        let missing = serde_json::from_str::<ActionExecution>(r#"{"status":"queued"}"#);
        assert!(missing.unwrap_err().to_string().contains("`execution_id`"));
    }

    #[test]
    fn an_execution_reads_either_end_time_and_may_lack_a_status() {
        let execution: ActionExecution = serde_json::from_str(
            r#"{"execution_id":"exec-1","finished_at":"2026-05-03T10:07:04Z","completed_at":"2026-05-03T10:07:05Z"}"#,
        )
        .unwrap();
        assert_eq!(execution.status, None);
        assert_eq!(
            execution.finished_at.unwrap().to_rfc3339(),
            "2026-05-03T10:07:04+00:00"
        );
        let execution: ActionExecution = serde_json::from_str(
            r#"{"execution_id":"exec-1","status":"failed","completed_at":"2026-05-03T10:07:05Z"}"#,
        )
        .unwrap();
        assert_eq!(execution.status, Some(ExecutionStatus::Failed));
        assert_eq!(
            execution.finished_at.unwrap().to_rfc3339(),
            "2026-05-03T10:07:05+00:00"
        );
    }
}
