//! Overhead of supervision against bare tokio: restarts, panics, starting
//! and stopping many idle children, events, and memory under churn.
//!
//! `cargo bench --bench overhead` runs every scenario; arguments after `--`
//! pick scenarios by name (`cargo bench --bench overhead -- restart idle-10k`)
//! and `--reps N` sets the repetitions (default 11). Each repetition of each
//! arm runs in a fresh process (this binary, re-run with `--child`), on a
//! multi-thread runtime with two workers; arms alternate within a
//! repetition so that both see the same load. The table gives medians and
//! the median of the per-repetition ratios. With `--features http`, the
//! scenario `restart-admin` measures S1 with the admin server and one
//! `/events` client.

#[cfg(feature = "http")]
mod admin;
#[path = "../shared/idle_children.rs"]
mod idle_children;
mod scenarios;

use std::{collections::BTreeMap, env, process::Command};

use scenarios::{Arm, Exit, Figures};

/// Restart counts at which the restart scenarios read the RSS.
const ONE_RUN: &[(&str, u64)] = &[("rss_end", 100_000)];
const PANIC_RUN: &[(&str, u64)] = &[("rss_end", 10_000)];
const CHURN_RUN: &[(&str, u64)] = &[("rss_100k", 100_000), ("rss_1m", 1_000_000)];

/// One scenario: its name on the command line and the arms it compares.
struct Scenario {
    name: &'static str,
    arms: &'static [Arm],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "restart",
        arms: &[
            Arm::Base,
            Arm::Ours,
            Arm::OursEvents,
            Arm::Floor,
            Arm::BaseEvents,
        ],
    },
    Scenario {
        name: "panic",
        arms: &[Arm::Base, Arm::Ours],
    },
    Scenario {
        name: "idle-10k",
        arms: &[Arm::Base, Arm::Ours, Arm::BaseOrdered, Arm::Floor],
    },
    Scenario {
        name: "idle-100k",
        arms: &[Arm::Base, Arm::Ours, Arm::BaseOrdered, Arm::Floor],
    },
    Scenario {
        name: "churn",
        arms: &[Arm::Base, Arm::Ours],
    },
    Scenario {
        name: "add-remove",
        arms: &[Arm::Base, Arm::Ours],
    },
    #[cfg(feature = "http")]
    Scenario {
        name: "restart-admin",
        arms: &[Arm::Ours, Arm::OursAdmin],
    },
];

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|arg| arg == "--child") {
        let (scenario, arm) = (&args[at + 1], &args[at + 2]);
        let arm = Arm::parse(arm).expect("an arm name");
        for (name, value) in run_child(scenario, arm) {
            println!("{name} {value}");
        }
        return;
    }
    let mut reps = 11;
    let mut picked = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--reps" => reps = rest.next().and_then(|n| n.parse().ok()).expect("--reps N"),
            "--bench" => {}
            name => picked.push(name.to_owned()),
        }
    }
    let results: BTreeMap<&str, Samples> = SCENARIOS
        .iter()
        .filter(|scenario| picked.is_empty() || picked.iter().any(|name| name == scenario.name))
        .map(|scenario| (scenario.name, measure(scenario, reps)))
        .collect();
    report::print(&results, reps);
}

fn run_child(scenario: &str, arm: Arm) -> Figures {
    match scenario {
        "restart" => scenarios::on_runtime(scenarios::restarts(arm, Exit::Error, ONE_RUN)),
        "panic" => {
            std::panic::set_hook(Box::new(|_| {}));
            scenarios::on_runtime(scenarios::restarts(arm, Exit::Panic, PANIC_RUN))
        }
        "idle-10k" => scenarios::on_runtime(scenarios::idle(arm, 10_000)),
        "idle-100k" => scenarios::on_runtime(scenarios::idle(arm, 100_000)),
        "churn" => scenarios::on_runtime(scenarios::restarts(arm, Exit::Error, CHURN_RUN)),
        "add-remove" => scenarios::on_runtime(scenarios::add_remove(arm, CHURN_RUN)),
        #[cfg(feature = "http")]
        "restart-admin" => scenarios::on_runtime(admin::restarts(arm)),
        other => panic!("unknown scenario {other}"),
    }
}

/// Every repetition's figures, by arm, then by figure name.
type Samples = BTreeMap<&'static str, BTreeMap<String, Vec<f64>>>;

fn measure(scenario: &Scenario, reps: usize) -> Samples {
    let exe = env::current_exe().expect("the bench binary");
    let mut samples = Samples::new();
    for rep in 0..reps {
        let mut arms = scenario.arms.to_vec();
        let turn = rep % arms.len();
        arms.rotate_left(turn);
        for arm in arms {
            let output = Command::new(&exe)
                .args(["--child", scenario.name, arm.name()])
                .output()
                .expect("a child run");
            assert!(
                output.status.success(),
                "{} {} failed: {}",
                scenario.name,
                arm.name(),
                String::from_utf8_lossy(&output.stderr)
            );
            let figures = samples.entry(arm.name()).or_default();
            for line in String::from_utf8_lossy(&output.stdout).lines() {
                if let Some((name, value)) = line.split_once(' ') {
                    let value = value.parse().expect("a number");
                    figures.entry(name.to_owned()).or_default().push(value);
                }
            }
        }
        eprintln!("{}: repetition {}/{reps} done", scenario.name, rep + 1);
    }
    samples
}

mod report;
