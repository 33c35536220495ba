//! Each rule breaks on its case and holds on the closest case that is
//! fine; and its predicate reads no fact outside the keys it declares,
//! which is what lets a judge that knows only some facts skip it safely.

extern crate std;

use core::time::Duration;
use std::{collections::BTreeSet, vec, vec::Vec};

use crate::*;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn worker() -> Facts<'static> {
    Facts::new("api", Role::Worker, Runs::Task { context: true })
}

fn with(change: impl FnOnce(&mut Facts<'static>)) -> Facts<'static> {
    let mut facts = worker();
    change(&mut facts);
    facts
}

fn backoff(change: impl FnOnce(&mut Backoff)) -> Option<Backoff> {
    let mut curve = Backoff::DEFAULT;
    change(&mut curve);
    Some(curve)
}

fn found(later: bool, sidecar: bool) -> PrimarySibling {
    PrimarySibling::Found { later, sidecar }
}

/// One rule: facts that break it at `at`, and the closest facts that do not.
struct Case {
    rule: &'static Rule,
    at: Key,
    bad: Facts<'static>,
    good: Facts<'static>,
}

fn sidecar(primary: PrimarySibling) -> Facts<'static> {
    with(|f| {
        f.role = Role::Sidecar;
        f.has_primary = true;
        f.siblings.primary = primary;
    })
}

fn cases() -> Vec<Case> {
    let case = |rule, at, bad, good| Case {
        rule,
        at,
        bad,
        good,
    };
    let temporary = |f: &mut Facts<'static>| f.restart = Some(Restart::Temporary);
    vec![
        case(
            &INVALID_CHILD_ID,
            Key::Id,
            with(|f| f.id = "a/b"),
            with(|f| f.id = "a-b"),
        ),
        case(
            &DUPLICATE_CHILD_ID,
            Key::Id,
            with(|f| f.siblings.id_taken = true),
            worker(),
        ),
        case(
            &NO_TASK,
            Key::Task,
            with(|f| f.runs = Runs::Nothing),
            worker(),
        ),
        case(
            &TASK_AND_TREE,
            Key::Tree,
            with(|f| f.runs = Runs::TaskAndTree),
            with(|f| {
                f.runs = Runs::Tree;
                f.role = Role::Supervisor;
            }),
        ),
        case(
            &TREE_ROLE,
            Key::Role,
            with(|f| f.runs = Runs::Tree),
            with(|f| {
                f.runs = Runs::Tree;
                f.role = Role::Supervisor;
            }),
        ),
        case(
            &JOB_PERMANENT,
            Key::Restart,
            with(|f| {
                f.role = Role::Job;
                f.restart = Some(Restart::Permanent);
            }),
            with(|f| {
                f.role = Role::Job;
                f.restart = Some(Restart::Transient);
            }),
        ),
        case(
            &SIDECAR_WITHOUT_PRIMARY,
            Key::Primary,
            with(|f| f.role = Role::Sidecar),
            sidecar(found(false, false)),
        ),
        case(
            &PRIMARY_WITHOUT_SIDECAR,
            Key::Primary,
            with(|f| f.has_primary = true),
            worker(),
        ),
        case(
            &PRIMARY_IS_SIDECAR,
            Key::Primary,
            sidecar(found(false, true)),
            sidecar(found(false, false)),
        ),
        case(
            &PRIMARY_NOT_IN_TREE,
            Key::Primary,
            sidecar(PrimarySibling::Missing),
            sidecar(found(false, false)),
        ),
        case(
            &PRIMARY_STARTS_AFTER,
            Key::Primary,
            sidecar(found(true, false)),
            sidecar(found(false, false)),
        ),
        case(
            &SIGNIFICANT_PERMANENT,
            Key::Significant,
            with(|f| {
                f.role = Role::Service;
                f.significant = Some(true);
            }),
            with(|f| {
                f.role = Role::Service;
                f.significant = Some(true);
                f.restart = Some(Restart::Transient);
            }),
        ),
        case(
            &TEMPORARY_WITH_BACKOFF,
            Key::Backoff,
            with(|f| {
                temporary(f);
                f.backoff = Some(Backoff::DEFAULT);
            }),
            with(temporary),
        ),
        case(
            &TEMPORARY_WITH_RESTART_LIMIT,
            Key::RestartLimit,
            with(|f| {
                temporary(f);
                f.restart_limit = Some(Limit {
                    max: 1,
                    within: secs(1),
                });
            }),
            with(temporary),
        ),
        case(
            &BACKOFF_INITIAL_ABOVE_MAX,
            Key::BackoffInitial,
            with(|f| f.backoff = backoff(|b| b.initial = secs(10))),
            with(|f| f.backoff = backoff(|b| b.initial = secs(5))),
        ),
        case(
            &BACKOFF_JITTER_OUT_OF_RANGE,
            Key::BackoffJitter,
            with(|f| f.backoff = backoff(|b| b.jitter = f64::NAN)),
            with(|f| f.backoff = backoff(|b| b.jitter = 1.0)),
        ),
        case(
            &BACKOFF_MULTIPLIER_BELOW_ONE,
            Key::BackoffMultiplier,
            with(|f| f.backoff = backoff(|b| b.multiplier = 0.5)),
            with(|f| f.backoff = backoff(|b| b.multiplier = 1.0)),
        ),
        case(
            &RESTART_LIMIT_ZERO_MAX,
            Key::RestartLimitMax,
            with(|f| {
                f.restart_limit = Some(Limit {
                    max: 0,
                    within: secs(60),
                })
            }),
            with(|f| {
                f.restart_limit = Some(Limit {
                    max: 1,
                    within: secs(60),
                })
            }),
        ),
        case(
            &RESTART_LIMIT_ZERO_WINDOW,
            Key::RestartLimitWithin,
            with(|f| {
                f.restart_limit = Some(Limit {
                    max: 3,
                    within: Duration::ZERO,
                })
            }),
            with(|f| {
                f.restart_limit = Some(Limit {
                    max: 3,
                    within: Duration::from_nanos(1),
                })
            }),
        ),
        case(
            &ZERO_DEADLINE,
            Key::ReadyTimeout,
            with(|f| f.ready_timeout = Some(Duration::ZERO)),
            with(|f| f.ready_timeout = Some(Duration::from_millis(1))),
        ),
        case(
            &HEARTBEAT_WITHOUT_CONTEXT,
            Key::Heartbeat,
            with(|f| {
                f.heartbeat = Some(secs(10));
                f.runs = Runs::Task { context: false };
            }),
            with(|f| f.heartbeat = Some(secs(10))),
        ),
        case(
            &HEARTBEAT_ON_TREE,
            Key::Heartbeat,
            with(|f| {
                f.heartbeat = Some(secs(10));
                f.runs = Runs::Tree;
                f.role = Role::Supervisor;
            }),
            with(|f| {
                f.runs = Runs::Tree;
                f.role = Role::Supervisor;
            }),
        ),
        case(
            &READY_TIMEOUT_WITHOUT_CONTEXT,
            Key::ReadyTimeout,
            with(|f| {
                f.ready_timeout = Some(secs(10));
                f.runs = Runs::Task { context: false };
            }),
            with(|f| f.ready_timeout = Some(secs(10))),
        ),
        case(
            &EVERY_NOT_JOB,
            Key::Every,
            with(|f| {
                f.role = Role::Service;
                f.every = Some(secs(60));
            }),
            with(|f| {
                f.role = Role::Job;
                f.every = Some(secs(60));
            }),
        ),
        case(
            &EVERY_TEMPORARY,
            Key::Every,
            with(|f| {
                f.role = Role::Job;
                f.restart = Some(Restart::Temporary);
                f.every = Some(secs(60));
            }),
            with(|f| {
                f.role = Role::Job;
                f.restart = Some(Restart::Transient);
                f.every = Some(secs(60));
            }),
        ),
    ]
}

fn names(found: impl Iterator<Item = (&'static Rule, Key)>) -> Vec<(&'static str, Key)> {
    found.map(|(rule, at)| (rule.name, at)).collect()
}

#[test]
fn every_rule_breaks_on_its_case_alone_and_holds_on_its_neighbour() {
    for case in cases() {
        assert_eq!(
            names(broken(&case.bad, Keys::ALL)),
            [(case.rule.name, case.at)],
            "{}",
            case.rule.name
        );
        assert_eq!(
            names(broken(&case.good, Keys::ALL)),
            [],
            "{}",
            case.rule.name
        );
    }
}

#[test]
fn every_rule_of_the_table_has_a_case() {
    let table: BTreeSet<_> = RULES.iter().map(|rule| rule.name).collect();
    let covered: BTreeSet<_> = cases().iter().map(|case| case.rule.name).collect();
    assert_eq!(table, covered);
}

/// Other values of the fact of `key`.
fn variations(key: Key) -> Vec<fn(&mut Facts<'static>)> {
    match key {
        Key::Id => vec![|f| f.id = "", |f| f.id = "a/b", |f| f.id = "db"],
        Key::Role => vec![
            |f| f.role = Role::Service,
            |f| f.role = Role::Worker,
            |f| f.role = Role::Job,
            |f| f.role = Role::Sidecar,
            |f| f.role = Role::Supervisor,
        ],
        Key::Restart => vec![
            |f| f.restart = None,
            |f| f.restart = Some(Restart::Permanent),
            |f| f.restart = Some(Restart::Transient),
            |f| f.restart = Some(Restart::Temporary),
        ],
        Key::Significant => vec![
            |f| f.significant = None,
            |f| f.significant = Some(true),
            |f| f.significant = Some(false),
        ],
        Key::Primary => vec![|f| f.has_primary = true, |f| f.has_primary = false],
        Key::Task => vec![
            |f| f.runs = Runs::Task { context: true },
            |f| f.runs = Runs::Task { context: false },
            |f| f.runs = Runs::Tree,
            |f| f.runs = Runs::Nothing,
            |f| f.runs = Runs::TaskAndTree,
        ],
        Key::Backoff => vec![
            |f| f.backoff = None,
            |f| f.backoff = Some(Backoff::DEFAULT),
            |f| f.backoff = backoff(|b| b.initial = secs(60)),
            |f| f.backoff = backoff(|b| b.jitter = -1.0),
            |f| f.backoff = backoff(|b| b.multiplier = f64::NAN),
        ],
        Key::RestartLimit => vec![
            |f| f.restart_limit = None,
            |f| {
                f.restart_limit = Some(Limit {
                    max: 0,
                    within: secs(1),
                })
            },
            |f| {
                f.restart_limit = Some(Limit {
                    max: 1,
                    within: Duration::ZERO,
                })
            },
            |f| {
                f.restart_limit = Some(Limit {
                    max: 1,
                    within: secs(1),
                })
            },
        ],
        Key::Timeout => vec![|f| f.timeout = None, |f| f.timeout = Some(Duration::ZERO)],
        Key::ReadyTimeout => vec![
            |f| f.ready_timeout = None,
            |f| f.ready_timeout = Some(Duration::ZERO),
            |f| f.ready_timeout = Some(secs(1)),
        ],
        Key::Heartbeat => vec![
            |f| f.heartbeat = None,
            |f| f.heartbeat = Some(Duration::ZERO),
            |f| f.heartbeat = Some(secs(1)),
        ],
        Key::Every => vec![
            |f| f.every = None,
            |f| f.every = Some(Duration::ZERO),
            |f| f.every = Some(secs(60)),
        ],
        Key::Siblings => vec![
            |f| f.siblings = Siblings::NONE,
            |f| f.siblings.id_taken = true,
            |f| f.siblings.primary = PrimarySibling::Missing,
            |f| f.siblings.primary = found(true, true),
            |f| f.siblings.primary = found(false, true),
        ],
        part => panic!("`{part}` is part of `{}`, not a fact", part.whole()),
    }
}

fn facts_keys() -> impl Iterator<Item = Key> {
    Key::ALL.into_iter().filter(|key| key.whole() == *key)
}

#[test]
fn no_predicate_reads_a_fact_outside_its_keys() {
    let samples: Vec<Facts<'static>> = cases()
        .into_iter()
        .flat_map(|case| [case.bad, case.good])
        .collect();
    for rule in RULES {
        let keys = rule.keys();
        for key in facts_keys().filter(|key| !keys.contains(*key)) {
            for sample in &samples {
                for vary in variations(key) {
                    let mut varied = *sample;
                    vary(&mut varied);
                    for &at in rule.at {
                        assert_eq!(
                            rule.is_broken(&varied, at),
                            rule.is_broken(sample, at),
                            "`{}` reads `{key}`, which it does not declare\n{sample:?}",
                            rule.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_rule_has_a_unique_name_its_texts_and_points_at_its_field() {
    let names: BTreeSet<_> = RULES.iter().map(|rule| rule.name).collect();
    assert_eq!(names.len(), RULES.len());
    for rule in RULES {
        assert!(
            !rule.message.is_empty() && !rule.fix.is_empty(),
            "{}",
            rule.name
        );
        assert_eq!(rule.field, rule.at[0].name(), "{}", rule.name);
        assert_eq!(find(rule.name), Some(rule));
        assert!(!rule.at.contains(&Key::Siblings), "{}", rule.name);
    }
}

#[test]
fn a_judge_that_lacks_a_fact_skips_the_rules_that_read_it() {
    let job = with(|f| {
        f.role = Role::Job;
        f.restart = Some(Restart::Permanent);
    });
    let without_role = Keys::DECLARATION;
    assert_eq!(names(broken(&job, without_role)).len(), 1);
    let only_restart = Keys::NONE.with(Key::Restart);
    assert_eq!(names(broken(&job, only_restart)), []);
}
