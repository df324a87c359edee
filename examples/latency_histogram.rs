//! Records a latency histogram of every request with the client's
//! `on_response` hook, per endpoint, and prints it.
//!
//! Reads `S4E_API_KEY` and optionally `S4E_BASE_URL`; without a key it runs
//! against the embedded sandbox. The hook sees every attempt, retries
//! included, with its status or error, its duration and its request id; the
//! same hook could feed Prometheus or StatsD instead of this table.
//!
//! ```sh
//! cargo run --example latency_histogram
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;

mod logging;
mod support;

/// Upper bounds of the buckets, in milliseconds; the last bucket is open.
const BOUNDS_MS: [u64; 8] = [1, 2, 5, 10, 20, 50, 100, 500];

/// Attempt counts per latency bucket, and failures, for one endpoint.
#[derive(Default)]
struct Histogram {
    buckets: [u64; BOUNDS_MS.len() + 1],
    failures: u64,
    total: Duration,
}

impl Histogram {
    fn record(&mut self, latency: Duration, failed: bool) {
        let ms = latency.as_secs_f64() * 1000.0;
        let bucket = BOUNDS_MS
            .iter()
            .position(|&bound| ms < bound as f64)
            .unwrap_or(BOUNDS_MS.len());
        self.buckets[bucket] += 1;
        self.total += latency;
        if failed {
            self.failures += 1;
        }
    }

    fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// One histogram per `METHOD /url/template`.
type Histograms = Arc<Mutex<BTreeMap<String, Histogram>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    logging::init();
    let histograms = Histograms::default();
    let record = histograms.clone();
    let (client, _guard) = support::client_with(move |builder| {
        builder.on_response(move |outcome| {
            let endpoint = format!("{} {}", outcome.method(), outcome.url_template());
            // A poisoned lock only means another hook call panicked: the
            // counts are still good.
            let mut histograms = record.lock().unwrap_or_else(|p| p.into_inner());
            histograms
                .entry(endpoint)
                .or_default()
                .record(outcome.duration(), !outcome.is_success());
        })
    })
    .await?;

    // Some traffic: a full walk of the findings, every asset one by one
    // (eight at a time), and a few lists.
    let findings: Vec<s4e::Finding> = client
        .findings()
        .list_auto()
        .per_page(25)
        .try_collect()
        .await?;
    let assets: Vec<s4e::Asset> = client.assets().list_auto().try_collect().await?;
    for chunk in assets.chunks(8) {
        let gets = chunk
            .iter()
            .map(|asset| client.assets().get(asset.id.clone()).send());
        for result in join_all(gets).await {
            result?;
        }
    }
    for _ in 0..5 {
        client.scans().list().await?;
    }
    println!(
        "{} findings and {} assets read; latency of every attempt, per endpoint:\n",
        findings.len(),
        assets.len()
    );

    let histograms = histograms.lock().unwrap_or_else(|p| p.into_inner());
    print!("{:<24} {:>6} {:>8}", "endpoint", "count", "mean");
    for bound in BOUNDS_MS {
        print!(" {:>7}", format!("<{bound}ms"));
    }
    println!(" {:>7} {:>6}", "more", "failed");
    for (endpoint, histogram) in histograms.iter() {
        let count = histogram.count();
        let mean = histogram.total / u32::try_from(count.max(1)).unwrap_or(u32::MAX);
        print!("{endpoint:<24} {count:>6} {:>8}", format!("{:.1?}", mean));
        for n in histogram.buckets {
            print!(" {n:>7}");
        }
        println!(" {:>6}", histogram.failures);
    }
    Ok(())
}
