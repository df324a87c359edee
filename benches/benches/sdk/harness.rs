//! Interleaved A/B sampling, medians, and the results table.
//!
//! Each comparison runs rounds; a round times one batch of side A and one of
//! side B, alternating which goes first (ABBA), so that drift and neighbours'
//! builds on a shared machine land on both sides alike. A sample is the batch
//! time divided by its operations; the result is the ratio of the two medians,
//! with the spread of the per-round ratios beside it.

use std::time::{Duration, Instant};

use crate::cpu;

/// Per round: seconds and CPU use per operation.
pub(crate) struct Samples {
    pub(crate) a: Vec<f64>,
    pub(crate) b: Vec<f64>,
    pub(crate) a_cpu: Vec<cpu::Use>,
    pub(crate) b_cpu: Vec<cpu::Use>,
}

impl Samples {
    pub(crate) fn median_a(&self) -> f64 {
        median(&self.a)
    }

    pub(crate) fn median_b(&self) -> f64 {
        median(&self.b)
    }

    /// The 25th and 75th percentiles of the per-round ratios A/B.
    pub(crate) fn ratio_quartiles(&self) -> (f64, f64) {
        let ratios: Vec<f64> = self.a.iter().zip(&self.b).map(|(a, b)| a / b).collect();
        (percentile(&ratios, 0.25), percentile(&ratios, 0.75))
    }

    pub(crate) fn cpu_a(&self) -> cpu::Use {
        cpu::Use::median(&self.a_cpu)
    }

    pub(crate) fn cpu_b(&self) -> cpu::Use {
        cpu::Use::median(&self.b_cpu)
    }
}

/// One warm-up batch of each side, then `rounds` rounds in ABBA order; each
/// batch does `ops` operations.
pub(crate) fn interleave(
    rounds: usize,
    ops: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> Samples {
    a();
    b();
    let mut samples = Samples {
        a: Vec::with_capacity(rounds),
        b: Vec::with_capacity(rounds),
        a_cpu: Vec::with_capacity(rounds),
        b_cpu: Vec::with_capacity(rounds),
    };
    for round in 0..rounds {
        let (first, second) = if round % 2 == 0 {
            (sample(ops, &mut a), sample(ops, &mut b))
        } else {
            let second = sample(ops, &mut b);
            (sample(ops, &mut a), second)
        };
        samples.a.push(first.0);
        samples.a_cpu.push(first.1);
        samples.b.push(second.0);
        samples.b_cpu.push(second.1);
    }
    samples
}

/// Times one batch; the CPU snapshots stay outside the timed part.
fn sample(ops: usize, batch: &mut impl FnMut()) -> (f64, cpu::Use) {
    let before = cpu::snapshot();
    let start = Instant::now();
    batch();
    let seconds = start.elapsed().as_secs_f64() / ops as f64;
    (seconds, cpu::snapshot().since(&before, ops))
}

/// The batch size (doubling from 1) at which `run(n)` takes at least `target`,
/// so that timer and loop overhead stay negligible.
pub(crate) fn calibrate(target: Duration, mut run: impl FnMut(usize) -> Duration) -> usize {
    let mut n = 1;
    loop {
        if run(n) >= target || n >= 1 << 20 {
            return n;
        }
        n *= 2;
    }
}

pub(crate) fn median(xs: &[f64]) -> f64 {
    percentile(xs, 0.5)
}

/// Linear interpolation between the closest ranks.
fn percentile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

#[derive(Clone, Copy)]
pub(crate) enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn met(self, ratio: f64) -> bool {
        match self {
            Goal::AtMost(limit) => ratio <= limit,
            Goal::AtLeast(limit) => ratio >= limit,
        }
    }

    fn describe(self) -> String {
        match self {
            Goal::AtMost(limit) => format!("<= {limit:.2}"),
            Goal::AtLeast(limit) => format!(">= {limit:.2}"),
        }
    }
}

/// One line of the final table.
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) ratio: f64,
    /// The per-round ratio quartiles, when the ratio comes from samples.
    pub(crate) spread: Option<(f64, f64)>,
    /// `None` for a line that explains another and has no goal of its own.
    pub(crate) goal: Option<Goal>,
}

pub(crate) fn print_table(rows: &[Row]) {
    let header = [
        "benchmark",
        "A (median)",
        "B (median)",
        "ratio",
        "per-round p25-p75",
        "goal",
        "met",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|row| {
            [
                row.name.clone(),
                row.a.clone(),
                row.b.clone(),
                format!("{:.3}", row.ratio),
                row.spread
                    .map_or("-".to_owned(), |(lo, hi)| format!("{lo:.3}-{hi:.3}")),
                row.goal.map_or("-".to_owned(), Goal::describe),
                match row.goal {
                    Some(goal) if goal.met(row.ratio) => "yes",
                    Some(_) => "NO",
                    None => "-",
                }
                .to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.len());
        }
    }
    let render = |line: &[&str]| {
        let padded: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    render(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    println!("|-{}-|", rule.join("-|-"));
    for line in &cells {
        let line: Vec<&str> = line.iter().map(String::as_str).collect();
        render(&line);
    }
}

/// `12.3 µs`, `4.56 ms`, ... for seconds.
pub(crate) fn time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else if seconds >= 1e-6 {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.0} ns", seconds * 1e9)
    }
}

/// `1.23 MiB`, `456.7 KiB`, ... for bytes.
pub(crate) fn bytes(n: f64) -> String {
    if n >= 1024.0 * 1024.0 {
        format!("{:.2} MiB", n / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", n / 1024.0)
    }
}

/// Where the CPU time of one comparison went, per operation.
pub(crate) struct CpuRow {
    pub(crate) name: String,
    pub(crate) sides: [(String, cpu::Use); 2],
}

pub(crate) fn print_cpu_table(rows: &[CpuRow]) {
    println!(
        "| comparison | side | client CPU / op | of which other client threads | client context switches / op | sandbox CPU / op | waiting for a core / op |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        for (label, used) in &row.sides {
            println!(
                "| {} | {label} | {} | {} | {:.2} | {} | {} |",
                row.name,
                time(used.client),
                time(used.client_helpers),
                used.client_switches,
                time(used.server),
                time(used.waited)
            );
        }
    }
}
