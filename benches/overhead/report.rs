//! The table of medians and ratios, with each target.

use std::{collections::BTreeMap, process::Command};

use super::Samples;

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn range(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// A quantity measured in both arms of a repetition.
struct Pair {
    base: Vec<f64>,
    ours: Vec<f64>,
}

impl Pair {
    fn of(samples: &Samples, base: (&str, &str), ours: (&str, &str), scale: f64) -> Option<Pair> {
        let get = |(arm, figure): (&str, &str)| -> Option<Vec<f64>> {
            let values = samples.get(arm)?.get(figure)?;
            Some(values.iter().map(|value| value * scale).collect())
        };
        Some(Pair {
            base: get(base)?,
            ours: get(ours)?,
        })
    }

    /// What `plus` adds to `to` in each repetition: `base` is what bare
    /// tokio's `plus` adds to its `to`, `ours` the same for the supervisor.
    fn added(
        samples: &Samples,
        to: [&str; 2],
        plus: [&str; 2],
        figure: &str,
        scale: f64,
    ) -> Option<Pair> {
        let get = |arm: &str| -> Option<&Vec<f64>> { samples.get(arm)?.get(figure) };
        let difference = |plus: &str, to: &str| -> Option<Vec<f64>> {
            let (plus, to) = (get(plus)?, get(to)?);
            Some(plus.iter().zip(to).map(|(p, t)| (p - t) * scale).collect())
        };
        Some(Pair {
            base: difference(plus[0], to[0])?,
            ours: difference(plus[1], to[1])?,
        })
    }

    /// The ratio of each repetition (ours over base).
    fn ratios(&self) -> Vec<f64> {
        self.base
            .iter()
            .zip(&self.ours)
            .map(|(base, ours)| ours / base)
            .collect()
    }
}

/// How a figure is shown.
#[derive(Clone, Copy)]
enum Unit {
    Nanos,
    Millis,
    Bytes,
    Mebibytes,
}

impl Unit {
    fn show(self, value: f64) -> String {
        match self {
            Unit::Nanos if value >= 10_000.0 => format!("{:.1} µs", value / 1000.0),
            Unit::Nanos => format!("{value:.0} ns"),
            Unit::Millis => format!("{:.1} ms", value * 1000.0),
            Unit::Bytes => format!("{value:.0} B"),
            Unit::Mebibytes => format!("{:.1} MiB", value / (1024.0 * 1024.0)),
        }
    }
}

struct Table {
    rows: Vec<String>,
}

impl Table {
    fn row(
        &mut self,
        what: &str,
        measure: &str,
        pair: Option<Pair>,
        unit: Unit,
        target: Option<f64>,
    ) {
        let Some(pair) = pair else {
            return;
        };
        let ratios = pair.ratios();
        let ratio = median(&ratios);
        let (low, high) = range(&ratios);
        let verdict = match target {
            Some(target) if ratio <= target => format!("≤ {target}x: met"),
            Some(target) => format!("≤ {target}x: **missed**"),
            None => "reported".to_owned(),
        };
        self.rows.push(format!(
            "| {what} | {measure} | {} | {} | {ratio:.2}x | {low:.2}–{high:.2} | {verdict} |",
            unit.show(median(&pair.base)),
            unit.show(median(&pair.ours)),
        ));
    }
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map_or("unknown CPU", |rest| {
            rest.trim_start_matches([' ', '\t', ':'])
        });
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{model}, {cpus} CPUs, Linux {}, {rustc}", kernel.trim())
}

pub(super) fn print(results: &BTreeMap<&str, Samples>, reps: usize) {
    let mut table = Table { rows: Vec::new() };
    let none = Samples::new();
    let scenario = |name: &str| results.get(name).unwrap_or(&none);

    let restart = scenario("restart");
    let per_restart = 1e9 / 100_000.0;
    table.row(
        "S1 restart, 100,000",
        "time per restart",
        Pair::of(restart, ("base", "secs"), ("ours", "secs"), per_restart),
        Unit::Nanos,
        Some(2.0),
    );
    table.row(
        "S1 with events drained",
        "time per restart, vs events off",
        Pair::of(restart, ("ours", "secs"), ("events", "secs"), per_restart),
        Unit::Nanos,
        Some(1.2),
    );
    table.row(
        "S1 with events drained",
        "time per restart, vs bare tokio",
        Pair::of(restart, ("base", "secs"), ("events", "secs"), per_restart),
        Unit::Nanos,
        None,
    );
    table.row(
        "S1 evidence: bare tokio + the API's allocations",
        "time per restart, vs bare tokio",
        Pair::of(restart, ("base", "secs"), ("floor", "secs"), per_restart),
        Unit::Nanos,
        None,
    );
    table.row(
        "S1 evidence: ours vs that floor",
        "time per restart",
        Pair::of(restart, ("floor", "secs"), ("ours", "secs"), per_restart),
        Unit::Nanos,
        None,
    );
    table.row(
        "Events evidence: bare tokio sending the same events",
        "time a draining subscriber adds per restart",
        Pair::added(
            restart,
            ["base", "ours"],
            ["base-events", "events"],
            "secs",
            per_restart,
        ),
        Unit::Nanos,
        None,
    );
    let panic = scenario("panic");
    table.row(
        "S4 panic restart, 10,000",
        "time per restart",
        Pair::of(panic, ("base", "secs"), ("ours", "secs"), 1e9 / 10_000.0),
        Unit::Nanos,
        Some(1.2),
    );
    for (name, n) in [("idle-10k", 10_000.0), ("idle-100k", 100_000.0)] {
        let idle = scenario(name);
        let label = |s: &str| format!("{s} {} idle children", thousands(n));
        table.row(
            &label("S2 start"),
            "until all started",
            Pair::of(idle, ("base", "start_secs"), ("ours", "start_secs"), 1.0),
            Unit::Millis,
            Some(2.0),
        );
        table.row(
            &label("S2 start"),
            "RSS per child",
            Pair::of(
                idle,
                ("base", "rss_per_child"),
                ("ours", "rss_per_child"),
                1.0,
            ),
            Unit::Bytes,
            Some(2.0),
        );
        table.row(
            &label("S2 evidence: bare tokio + the API's allocations,"),
            "RSS per child",
            Pair::of(
                idle,
                ("base", "rss_per_child"),
                ("floor", "rss_per_child"),
                1.0,
            ),
            Unit::Bytes,
            None,
        );
        table.row(
            &label("S2 evidence: ours vs that floor,"),
            "RSS per child",
            Pair::of(
                idle,
                ("floor", "rss_per_child"),
                ("ours", "rss_per_child"),
                1.0,
            ),
            Unit::Bytes,
            None,
        );
        table.row(
            &label("S2 evidence: ours vs that floor,"),
            "until all started",
            Pair::of(idle, ("floor", "start_secs"), ("ours", "start_secs"), 1.0),
            Unit::Millis,
            None,
        );
        table.row(
            &label("S3 shutdown"),
            "until shutdown returns",
            Pair::of(
                idle,
                ("base", "shutdown_secs"),
                ("ours", "shutdown_secs"),
                1.0,
            ),
            Unit::Millis,
            Some(2.0),
        );
        table.row(
            &label("S3 evidence: bare tokio stopping in order,"),
            "a token per task, each awaited before the next, vs one token",
            Pair::of(
                idle,
                ("base", "shutdown_secs"),
                ("base-ordered", "shutdown_secs"),
                1.0,
            ),
            Unit::Millis,
            None,
        );
        table.row(
            &label("S3 evidence: ours vs that ordered stop,"),
            "until shutdown returns",
            Pair::of(
                idle,
                ("base-ordered", "shutdown_secs"),
                ("ours", "shutdown_secs"),
                1.0,
            ),
            Unit::Millis,
            None,
        );
    }
    let small = scenario("idle-10k");
    let large = scenario("idle-100k");
    for arm in ["base", "ours"] {
        let per_child = |samples: &Samples, n: f64| {
            samples
                .get(arm)
                .and_then(|figures| figures.get("shutdown_secs"))
                .map(|values| values.iter().map(|secs| secs * 1e9 / n).collect::<Vec<_>>())
        };
        if let (Some(base), Some(ours)) = (per_child(small, 10_000.0), per_child(large, 100_000.0))
        {
            table.row(
                &format!("S3 linearity ({arm})"),
                "stop time per child: 10,000 → 100,000",
                Some(Pair { base, ours }),
                Unit::Nanos,
                (arm == "ours").then_some(1.5),
            );
        }
    }
    for (name, label, unit) in [
        ("churn", "Churn", "restarts"),
        ("add-remove", "Add/remove", "cycles"),
    ] {
        let samples = scenario(name);
        for arm in ["base", "ours"] {
            table.row(
                &format!("{label} ({arm})"),
                &format!("RSS after 100,000 → 1,000,000 {unit}"),
                Pair::of(samples, (arm, "rss_100k"), (arm, "rss_1m"), 1.0),
                Unit::Mebibytes,
                (arm == "ours").then_some(1.1),
            );
        }
        table.row(
            &format!("{label}, 1,000,000"),
            &format!("time per {}", unit.trim_end_matches('s')),
            Pair::of(
                samples,
                ("base", "secs"),
                ("ours", "secs"),
                1e9 / 1_000_000.0,
            ),
            Unit::Nanos,
            None,
        );
    }

    table.row(
        "S1 with the admin server and one /events client",
        "time per restart, vs without them",
        Pair::of(
            scenario("restart-admin"),
            ("ours", "secs"),
            ("admin", "secs"),
            per_restart,
        ),
        Unit::Nanos,
        None,
    );

    println!("Machine: {}", machine());
    println!(
        "Repetitions: {reps} per arm, each in a fresh process; medians; ratio = median of per-repetition ratios."
    );
    println!();
    println!("| scenario | measure | baseline | ours | ratio | ratio range | target |");
    println!("|---|---|---|---|---|---|---|");
    for row in &table.rows {
        println!("{row}");
    }
    if let Some(events) = restart.get("events") {
        let seen = events.get("events_seen").map_or(f64::NAN, |v| median(v));
        let lost = events.get("events_lost").map_or(f64::NAN, |v| median(v));
        println!();
        println!("Events drained in S1: {seen:.0} received, {lost:.0} lost to lag (medians).");
    }
}

fn thousands(n: f64) -> String {
    let digits = format!("{n:.0}");
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
