//! Where the CPU time went, by side, from `/proc/self/task/*/` (Linux):
//! `schedstat` has the nanoseconds each thread ran and waited runnable for a
//! core, `status` its context switches. Wall time against the sandbox is
//! mostly the sandbox's; the client's own CPU time per call shows the SDK's
//! overhead without it, the waiting time shows when the two sides queued for
//! the 2 cores, and the context switches show hand-offs between threads.

use std::collections::HashMap;

struct Thread {
    name: String,
    ran: u64,
    waited: u64,
    switches: u64,
}

/// The process's threads by id.
pub(crate) struct Snapshot(HashMap<String, Thread>);

pub(crate) fn snapshot() -> Snapshot {
    let mut threads = HashMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Snapshot(threads);
    };
    for task in tasks.flatten() {
        let dir = task.path();
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        let schedstat = read("schedstat");
        let mut fields = schedstat
            .split_whitespace()
            .map(|f| f.parse::<u64>().unwrap_or(0));
        let (ran, waited) = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        // `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches`.
        let switches = read("status")
            .lines()
            .filter(|line| line.contains("ctxt_switches:"))
            .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        threads.insert(
            task.file_name().to_string_lossy().into_owned(),
            Thread {
                name: read("comm").trim().to_owned(),
                ran,
                waited,
                switches,
            },
        );
    }
    Snapshot(threads)
}

/// Per operation, by side.
#[derive(Clone, Copy, Default)]
pub(crate) struct Use {
    /// Seconds on a core of the client's threads: the main thread and
    /// `s4e-blocking`.
    pub(crate) client: f64,
    /// Of which the threads other than the main one (`s4e-blocking`).
    pub(crate) client_helpers: f64,
    /// Context switches of the client's threads.
    pub(crate) client_switches: f64,
    /// Seconds on a core of the sandbox's threads.
    pub(crate) server: f64,
    /// Seconds both sides' threads were runnable but waited for a core.
    pub(crate) waited: f64,
}

impl Use {
    /// The median of each field.
    pub(crate) fn median(uses: &[Use]) -> Use {
        let field = |f: fn(&Use) -> f64| {
            let values: Vec<f64> = uses.iter().map(f).collect();
            crate::harness::median(&values)
        };
        Use {
            client: field(|u| u.client),
            client_helpers: field(|u| u.client_helpers),
            client_switches: field(|u| u.client_switches),
            server: field(|u| u.server),
            waited: field(|u| u.waited),
        }
    }
}

impl Snapshot {
    /// What the threads used between `earlier` and this snapshot, per
    /// operation; threads that ended in between are not counted.
    pub(crate) fn since(&self, earlier: &Snapshot, ops: usize) -> Use {
        let mut total = Use::default();
        let main = std::process::id().to_string();
        for (tid, now) in &self.0 {
            let then = earlier.0.get(tid);
            let delta = |f: fn(&Thread) -> u64| {
                f(now).saturating_sub(then.map_or(0, f)) as f64 / ops as f64
            };
            let ran = delta(|t| t.ran) / 1e9;
            if now.name.starts_with("sandbox") {
                total.server += ran;
            } else {
                total.client += ran;
                total.client_switches += delta(|t| t.switches);
                if *tid != main {
                    total.client_helpers += ran;
                }
            }
            total.waited += delta(|t| t.waited) / 1e9;
        }
        total
    }
}
