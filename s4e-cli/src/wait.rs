//! One wait for every long-running job (scan, action execution, playbook
//! run): a progress display, the SDK's interval unless `--interval`, a
//! timeout that names the job and how to follow it, and an outcome that is
//! never a false success.

use std::future::IntoFuture;
use std::time::Duration;

use indicatif::ProgressBar;
use s4e::actions::{ActionExecution, ExecutionStatus, ExecutionWait};
use s4e::playbooks::{PlaybookRun, RunStatus, RunWait, StepStatus};
use s4e::scans::{Scan, ScanProgress, ScanStatus, ScanWait};

use crate::cli::WaitOptions;
use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output::{Row, print_one};
use crate::progress;

/// What the CLI needs of an SDK wait: the public setters all three share.
pub(crate) trait Job: IntoFuture<Output = s4e::Result<Self::Done>> + Sized {
    /// What each poll reports.
    type Progress;
    /// What the wait ends with.
    type Done: Row + Outcome;
    fn interval(self, interval: Duration) -> Self;
    fn timeout(self, timeout: Duration) -> Self;
    fn on_progress(self, callback: impl FnMut(&Self::Progress) + Send + 'static) -> Self;
    /// A bar for this job, on stderr when progress may be drawn.
    fn bar(ctx: &Context, name: &str) -> ProgressBar;
    /// Moves `bar` to what `progress` says.
    fn show(bar: &ProgressBar, progress: &Self::Progress);
}

/// Whether a finished job ended well.
pub(crate) trait Outcome {
    /// The final status when it is negative (`failed`, `cancelled`).
    fn negative_status(&self) -> Option<String>;
}

/// Which job is waited for, and the command that follows it again.
pub(crate) struct Follow {
    /// `scan sc-44035`.
    pub(crate) name: String,
    /// `s4e scans wait sc-44035`.
    pub(crate) command: String,
}

impl Follow {
    pub(crate) fn scan(id: &str) -> Self {
        Follow {
            name: format!("scan {id}"),
            command: format!("s4e scans wait {id}"),
        }
    }

    pub(crate) fn execution(action_id: &str, execution_id: &str) -> Self {
        Follow {
            name: format!("execution {execution_id} of action {action_id}"),
            command: format!("s4e actions wait {action_id} {execution_id}"),
        }
    }

    pub(crate) fn run(playbook_id: &str, run_id: &str) -> Self {
        Follow {
            name: format!("run {run_id} of playbook {playbook_id}"),
            command: format!("s4e playbooks wait {playbook_id} {run_id}"),
        }
    }
}

/// Waits for `job`, prints what it ended with, and returns the exit code:
/// 0 when it ended well, 1 when it ended `failed` or `cancelled`, and a
/// failure with exit 5 naming the job when the wait timed out.
pub(crate) async fn wait_and_print<J: Job>(
    ctx: &Context,
    follow: &Follow,
    job: J,
    options: WaitOptions,
) -> Result<u8, Failure> {
    let done = wait(ctx, follow, job, options).await?;
    print_one(ctx, &done)?;
    match done.negative_status() {
        Some(status) => Err(Failure::Other {
            code: exit::NEGATIVE_OUTCOME,
            message: format!("{} ended {status}", follow.name),
        }),
        None => Ok(exit::OK),
    }
}

/// Waits for `job`; a timeout is a failure naming the job (exit 5).
pub(crate) async fn wait<J: Job>(
    ctx: &Context,
    follow: &Follow,
    job: J,
    options: WaitOptions,
) -> Result<J::Done, Failure> {
    let bar = J::bar(ctx, &follow.name);
    let shown = bar.clone();
    let mut job = job.on_progress(move |progress| J::show(&shown, progress));
    // Unless given, the SDK's own interval (10 s).
    if let Some(interval) = options.interval() {
        job = job.interval(interval);
    }
    let timeout = options.timeout();
    let result = job.timeout(timeout).into_future().await;
    bar.finish_and_clear();
    match result {
        Err(s4e::Error::Timeout(limit)) if limit == timeout => Err(Failure::Other {
            code: exit::API_ERROR,
            message: timed_out(follow, timeout),
        }),
        other => Ok(other?),
    }
}

fn timed_out(follow: &Follow, waited: Duration) -> String {
    format!(
        "{} is still running after {}; follow it with: {}",
        follow.name,
        crate::output::duration(waited),
        follow.command
    )
}

/// The setters every SDK wait has, handed to its own methods (the SDK's
/// waits share them; a generic `s4e::Wait<T>` will too).
macro_rules! wait_setters {
    ($wait:ident, $progress:ty) => {
        fn interval(self, interval: Duration) -> Self {
            $wait::interval(self, interval)
        }
        fn timeout(self, timeout: Duration) -> Self {
            $wait::timeout(self, timeout)
        }
        fn on_progress(self, callback: impl FnMut(&$progress) + Send + 'static) -> Self {
            $wait::on_progress(self, callback)
        }
    };
}

impl Job for ScanWait {
    type Progress = ScanProgress;
    type Done = Scan;
    wait_setters!(ScanWait, ScanProgress);
    fn bar(ctx: &Context, name: &str) -> ProgressBar {
        progress::percent(ctx, name)
    }
    fn show(bar: &ProgressBar, status: &ScanProgress) {
        bar.set_position(u64::from(status.progress.unwrap_or(0).min(100)));
        if let Some(phase) = &status.current_phase {
            bar.set_message(phase.clone());
        }
    }
}

impl Job for ExecutionWait {
    type Progress = ActionExecution;
    type Done = ActionExecution;
    wait_setters!(ExecutionWait, ActionExecution);
    fn bar(ctx: &Context, name: &str) -> ProgressBar {
        progress::status(ctx, name)
    }
    fn show(bar: &ProgressBar, execution: &ActionExecution) {
        if let Some(status) = &execution.status {
            bar.set_message(status.to_string());
        }
    }
}

impl Job for RunWait {
    type Progress = PlaybookRun;
    type Done = PlaybookRun;
    wait_setters!(RunWait, PlaybookRun);
    fn bar(ctx: &Context, name: &str) -> ProgressBar {
        progress::percent(ctx, name)
    }
    /// The share of finished steps, and the running one.
    fn show(bar: &ProgressBar, run: &PlaybookRun) {
        let done = run
            .steps
            .iter()
            .filter(|step| {
                matches!(
                    step.status,
                    Some(StepStatus::Completed | StepStatus::Failed | StepStatus::Skipped)
                )
            })
            .count();
        if let Some(percent) = (done * 100).checked_div(run.steps.len()) {
            bar.set_position(percent as u64);
        }
        let running = run
            .steps
            .iter()
            .find(|step| step.status == Some(StepStatus::Running));
        if let Some(step) = running {
            bar.set_message(format!("step {}", step.id));
        }
    }
}

impl Outcome for Scan {
    fn negative_status(&self) -> Option<String> {
        match &self.status {
            Some(status @ (ScanStatus::Failed | ScanStatus::Cancelled)) => Some(status.to_string()),
            _ => None,
        }
    }
}

impl Outcome for ActionExecution {
    fn negative_status(&self) -> Option<String> {
        match &self.status {
            Some(status @ ExecutionStatus::Failed) => Some(status.to_string()),
            _ => None,
        }
    }
}

impl Outcome for PlaybookRun {
    fn negative_status(&self) -> Option<String> {
        match &self.status {
            Some(status @ RunStatus::Failed) => Some(status.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_names_the_job_and_the_command_that_follows_it() {
        assert_eq!(
            timed_out(&Follow::scan("sc-44035"), Duration::from_secs(1)),
            "scan sc-44035 is still running after 1 s; follow it with: s4e scans wait sc-44035"
        );
        assert_eq!(
            timed_out(&Follow::run("pb-1", "run-2"), Duration::from_millis(1500)),
            "run run-2 of playbook pb-1 is still running after 1.5 s; \
             follow it with: s4e playbooks wait pb-1 run-2"
        );
    }

    #[test]
    fn failed_and_cancelled_are_negative_outcomes() {
        let scan = |status: &str| -> Scan {
            serde_json::from_value(serde_json::json!({"id": "sc-1", "status": status})).unwrap()
        };
        assert_eq!(scan("failed").negative_status().as_deref(), Some("failed"));
        assert_eq!(
            scan("cancelled").negative_status().as_deref(),
            Some("cancelled")
        );
        assert_eq!(scan("completed").negative_status(), None);
        let run: PlaybookRun =
            serde_json::from_value(serde_json::json!({"run_id": "run-1", "status": "failed"}))
                .unwrap();
        assert_eq!(run.negative_status().as_deref(), Some("failed"));
    }
}
