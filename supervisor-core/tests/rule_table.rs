//! Every rule of the table rejects its bad case and accepts its good neighbour.

use std::{collections::BTreeSet, time::Duration};

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, RestartLimit, RestartPolicy, SpecError, SupervisorSpec,
    TaskRole, rules,
};

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn task(id: &str, role: TaskRole) -> ChildSpec {
    ChildSpec::new(id, role, idle)
}

fn plain(id: &str, role: TaskRole) -> ChildSpec {
    ChildSpec::without_context(id, role, || async {})
}

fn tree(children: Vec<ChildSpec>) -> SupervisorSpec {
    SupervisorSpec::new("app").children(children)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// One rule: a tree that breaks it and the closest tree that does not.
struct Case {
    rule: &'static str,
    bad: SupervisorSpec,
    good: SupervisorSpec,
}

fn cases() -> Vec<Case> {
    let case = |rule, bad, good| Case { rule, bad, good };
    let one = |child: ChildSpec| tree(vec![child]);
    let api = || task("api", TaskRole::Service);
    let sidecar = |id: &str, primary: &str| task(id, TaskRole::Sidecar).primary(primary);
    let nested = || ChildSpec::supervisor(tree(vec![task("w", TaskRole::Worker)]));
    vec![
        case(
            "invalid_child_id",
            one(task("a/b", TaskRole::Worker)),
            one(task("a-b", TaskRole::Worker)),
        ),
        case(
            "duplicate_child_id",
            tree(vec![api(), task("api", TaskRole::Worker)]),
            tree(vec![api(), task("worker", TaskRole::Worker)]),
        ),
        case(
            "no_task",
            one(ChildSpec::declared("api", TaskRole::Service)),
            one(api()),
        ),
        case("task_and_tree", one(nested().task(idle)), one(nested())),
        case(
            "tree_role",
            one({
                let mut child = nested();
                child.role = TaskRole::Worker;
                child
            }),
            one(nested()),
        ),
        case(
            "job_permanent",
            one(task("migrate", TaskRole::Job).restart(RestartPolicy::Permanent)),
            one(task("migrate", TaskRole::Job).restart(RestartPolicy::Transient)),
        ),
        case(
            "sidecar_without_primary",
            tree(vec![api(), task("metrics", TaskRole::Sidecar)]),
            tree(vec![api(), sidecar("metrics", "api")]),
        ),
        case(
            "primary_without_sidecar",
            tree(vec![
                api(),
                task("metrics", TaskRole::Worker).primary("api"),
            ]),
            tree(vec![api(), task("metrics", TaskRole::Worker)]),
        ),
        case(
            "primary_is_sidecar",
            tree(vec![
                api(),
                sidecar("metrics", "api"),
                sidecar("logs", "metrics"),
            ]),
            tree(vec![
                api(),
                sidecar("metrics", "api"),
                sidecar("logs", "api"),
            ]),
        ),
        case(
            "primary_not_in_tree",
            tree(vec![api(), sidecar("metrics", "db")]),
            tree(vec![api(), sidecar("metrics", "api")]),
        ),
        case(
            "primary_starts_after",
            tree(vec![sidecar("metrics", "api"), api()]),
            tree(vec![api(), sidecar("metrics", "api")]),
        ),
        case(
            "significant_permanent",
            one(api().significant(true)),
            one(api().significant(true).restart(RestartPolicy::Transient)),
        ),
        case(
            "temporary_with_backoff",
            one(api()
                .restart(RestartPolicy::Temporary)
                .backoff(BackoffPolicy::DEFAULT)),
            one(api()
                .restart(RestartPolicy::Transient)
                .backoff(BackoffPolicy::DEFAULT)),
        ),
        case(
            "temporary_with_restart_limit",
            one(api()
                .restart(RestartPolicy::Temporary)
                .restart_limit(RestartLimit::new(1, secs(1)))),
            one(api()
                .restart(RestartPolicy::Transient)
                .restart_limit(RestartLimit::new(1, secs(1)))),
        ),
        case(
            "backoff_initial_above_max",
            one(api().backoff(BackoffPolicy::DEFAULT.initial(secs(10)).max(secs(5)))),
            one(api().backoff(BackoffPolicy::DEFAULT.initial(secs(5)).max(secs(5)))),
        ),
        case(
            "backoff_jitter_out_of_range",
            one(api().backoff(BackoffPolicy::DEFAULT.jitter(1.5))),
            one(api().backoff(BackoffPolicy::DEFAULT.jitter(1.0))),
        ),
        case(
            "backoff_multiplier_below_one",
            one(api().backoff(BackoffPolicy::DEFAULT.multiplier(0.5))),
            one(api().backoff(BackoffPolicy::DEFAULT.multiplier(1.0))),
        ),
        case(
            "restart_limit_zero_max",
            one(api().restart_limit(RestartLimit::new(0, secs(60)))),
            one(api().restart_limit(RestartLimit::new(1, secs(60)))),
        ),
        case(
            "restart_limit_zero_window",
            one(api().restart_limit(RestartLimit::new(3, Duration::ZERO))),
            one(api().restart_limit(RestartLimit::new(3, Duration::from_millis(1)))),
        ),
        case(
            "zero_deadline",
            one(api().timeout(Duration::ZERO)),
            one(api().timeout(Duration::from_millis(1))),
        ),
        case(
            "heartbeat_without_context",
            one(plain("api", TaskRole::Service).heartbeat(secs(10))),
            one(task("api", TaskRole::Service).heartbeat(secs(10))),
        ),
        case(
            "heartbeat_on_tree",
            one(nested().heartbeat(secs(10))),
            one(ChildSpec::supervisor(tree(vec![
                task("w", TaskRole::Worker).heartbeat(secs(10)),
            ]))),
        ),
        case(
            "ready_timeout_without_context",
            one(plain("api", TaskRole::Service).ready_timeout(secs(10))),
            one(task("api", TaskRole::Service).ready_timeout(secs(10))),
        ),
        case(
            "every_not_job",
            one(api().every(secs(60))),
            one(plain("report", TaskRole::Job).every(secs(60))),
        ),
        case(
            "every_temporary",
            one(plain("report", TaskRole::Job)
                .every(secs(60))
                .restart(RestartPolicy::Temporary)),
            one(plain("report", TaskRole::Job).every(secs(60))),
        ),
    ]
}

fn broken_rules(error: &SpecError) -> Vec<&'static str> {
    error.violations().iter().map(|v| v.rule.name).collect()
}

#[test]
fn every_rule_rejects_its_bad_case_and_accepts_its_good_neighbour() {
    for case in cases() {
        let error = case
            .bad
            .validate()
            .expect_err(&format!("{}: bad case was accepted", case.rule));
        assert_eq!(broken_rules(&error), [case.rule], "{}: {error}", case.rule);
        if let Err(error) = case.good.validate() {
            panic!("{}: good neighbour was rejected: {error}", case.rule);
        }
    }
}

#[test]
fn every_rule_of_the_table_has_a_case() {
    let table: BTreeSet<_> = rules::RULES.iter().map(|rule| rule.name).collect();
    let covered: BTreeSet<_> = cases().iter().map(|case| case.rule).collect();
    assert_eq!(table, covered);
}

#[test]
fn rule_names_are_unique_and_every_rule_says_how_to_fix_it() {
    let names: BTreeSet<_> = rules::RULES.iter().map(|rule| rule.name).collect();
    assert_eq!(names.len(), rules::RULES.len());
    for rule in rules::RULES {
        assert!(
            !rule.fix.is_empty() && !rule.message.is_empty(),
            "{}",
            rule.name
        );
    }
}

#[test]
fn violations_name_the_child_path_and_field() {
    let app = tree(vec![api_with_bad_backoff()]);
    let error = app.validate().unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(violation.path, "app/api");
    assert_eq!(violation.field, "backoff.initial");
    assert!(violation.detail.contains("10s") && violation.detail.contains("5s"));
    let text = error.to_string();
    assert!(
        text.contains("`app/api`, field `backoff.initial`"),
        "{text}"
    );
    assert!(
        text.contains("fix: lower `initial` or raise `max`"),
        "{text}"
    );
}

fn api_with_bad_backoff() -> ChildSpec {
    task("api", TaskRole::Service).backoff(BackoffPolicy::DEFAULT.initial(secs(10)).max(secs(5)))
}

#[test]
fn every_violation_in_the_tree_is_reported_at_once() {
    let inner = SupervisorSpec::new("ingest")
        .child(task("parser", TaskRole::Job).restart(RestartPolicy::Permanent))
        .restart_limit(RestartLimit::new(0, secs(1)));
    let app = tree(vec![
        api_with_bad_backoff(),
        ChildSpec::supervisor(inner),
        task("metrics", TaskRole::Sidecar),
    ]);
    let error = app.validate().unwrap_err();
    let found: Vec<_> = error
        .violations()
        .iter()
        .map(|v| (v.path.as_str(), v.rule.name))
        .collect();
    assert_eq!(
        found,
        [
            ("app/api", "backoff_initial_above_max"),
            ("app/ingest", "restart_limit_zero_max"),
            ("app/ingest/parser", "job_permanent"),
            ("app/metrics", "sidecar_without_primary"),
        ]
    );
}

#[test]
fn a_supervisor_with_an_exhausting_own_limit_is_rejected_at_its_own_path() {
    let app = tree(vec![api()]).restart_limit(RestartLimit::new(2, Duration::ZERO));
    let error = app.validate().unwrap_err();
    assert_eq!(broken_rules(&error), ["restart_limit_zero_window"]);
    assert_eq!(error.violations()[0].path, "app");
}

#[test]
fn significant_default_permanent_names_the_role_default_as_source() {
    let error = tree(vec![api().significant(true)]).validate().unwrap_err();
    assert!(
        error.violations()[0]
            .detail
            .contains("default of role \"service\"")
    );
}

fn api() -> ChildSpec {
    task("api", TaskRole::Service)
}

#[test]
fn every_on_a_service_or_a_temporary_job_names_the_path_and_field() {
    let temporary = plain("report", TaskRole::Job)
        .every(secs(300))
        .restart(RestartPolicy::Temporary);
    let app = tree(vec![api().every(secs(300)), temporary]);
    let error = app.validate().unwrap_err();
    let found: Vec<_> = error
        .violations()
        .iter()
        .map(|v| (v.path.as_str(), v.field, v.rule.name))
        .collect();
    assert_eq!(
        found,
        [
            ("app/api", "every", "every_not_job"),
            ("app/report", "every", "every_temporary"),
        ]
    );
    let text = error.to_string();
    assert!(
        text.contains("`app/api`, field `every`: only a job can have `every`"),
        "{text}"
    );
    assert!(text.contains("[every_temporary]"), "{text}");
}

#[test]
fn a_zero_period_is_a_zero_deadline_at_every() {
    let report = plain("report", TaskRole::Job).every(Duration::ZERO);
    let error = tree(vec![report]).validate().unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(
        (violation.rule.name, violation.field),
        ("zero_deadline", "every")
    );
    assert_eq!(violation.detail, "every is 0s");
}

#[test]
fn nan_backoff_values_are_rejected() {
    let app =
        tree(vec![api().backoff(
            BackoffPolicy::DEFAULT.jitter(f64::NAN).multiplier(f64::NAN),
        )]);
    let error = app.validate().unwrap_err();
    assert_eq!(
        broken_rules(&error),
        [
            "backoff_jitter_out_of_range",
            "backoff_multiplier_below_one"
        ]
    );
}
