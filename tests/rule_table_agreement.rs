//! Every rule the macros can meet is met by them, and by the runtime alike.
//!
//! The texts and predicates come from one table (`supervisor::rules`), so
//! what is left to check is coverage: walking `rules::RULES`, every rule a
//! macro input can break has a compile-fail case `tests/ui/rule_<name>.rs`
//! whose checked-in `.stderr` reports that rule and no other, and the same
//! declaration built at run time fails `validate()` with that rule and no
//! other. The rules no macro input can break are listed with the reason.

use std::{collections::BTreeSet, path::PathBuf, time::Duration};

use supervisor::{prelude::*, rules};

/// Rules that no `#[supervised]` or `#[derive(Supervisor)]` input can break.
const NOT_FROM_MACROS: &[(&str, &str)] = &[
    (
        "no_task",
        "#[supervised] always gives its fn as the task, and a derived tree always adds its nested tree",
    ),
    (
        "task_and_tree",
        "a field is either a #[supervised] fn (a task) or a #[derive(Supervisor)] struct (a tree), never both",
    ),
    (
        "tree_role",
        "a derived tree is always nested with role \"supervisor\", and #[child] cannot change a role",
    ),
];

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(id = "cache")]
async fn warm_cache(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(id = "cache")]
async fn evict_cache(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "service")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "worker")]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "sidecar", primary = api)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "sidecar", primary = metrics)]
async fn log_shipper(ctx: ChildContext) {
    ctx.cancelled().await
}

fn app(children: impl IntoIterator<Item = ChildSpec>) -> SupervisorSpec {
    SupervisorSpec::new("app").children(children)
}

fn with_context(id: &str, role: TaskRole) -> ChildSpec {
    ChildSpec::new(id, role, idle)
}

fn without_context(id: &str, role: TaskRole) -> ChildSpec {
    ChildSpec::without_context(id, role, || async {})
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The declaration of `tests/ui/rule_<rule>.rs`, built at run time: with the
/// builder where the macro refuses to compile it, and with the macro's own
/// children where only their placement in a tree is wrong.
fn runtime_case(rule: &str) -> SupervisorSpec {
    use supervisor::Supervised as _;
    let worker = || with_context("indexer", TaskRole::Worker);
    let warm = || without_context("warm_cache", TaskRole::Worker);
    let backoff = |b: BackoffPolicy| worker().backoff(b);
    let limit = |max, within| worker().restart_limit(RestartLimit::new(max, within));
    let one = |child: ChildSpec| app([child]);
    match rule {
        "invalid_child_id" => one(with_context("api/v1", TaskRole::Worker)),
        "duplicate_child_id" => app([warm_cache::spec(), evict_cache::spec()]),
        "job_permanent" => {
            one(without_context("migrate", TaskRole::Job).restart(RestartPolicy::Permanent))
        }
        "sidecar_without_primary" => one(with_context("metrics", TaskRole::Sidecar)),
        "primary_without_sidecar" => app([
            api::spec(),
            with_context("metrics", TaskRole::Worker).primary("api"),
        ]),
        "primary_is_sidecar" => app([api::spec(), metrics::spec(), log_shipper::spec()]),
        "primary_not_in_tree" => app([indexer::spec(), metrics::spec()]),
        "primary_starts_after" => app([metrics::spec(), api::spec()]),
        "significant_permanent" => one(with_context("api", TaskRole::Service).significant(true)),
        "temporary_with_backoff" => one(warm()
            .restart(RestartPolicy::Temporary)
            .backoff(BackoffPolicy::DEFAULT.initial(secs(1)))),
        "temporary_with_restart_limit" => one(warm()
            .restart(RestartPolicy::Temporary)
            .restart_limit(RestartLimit::new(3, secs(60)))),
        "backoff_initial_above_max" => one(backoff(
            BackoffPolicy::DEFAULT.initial(secs(10)).max(secs(5)),
        )),
        "backoff_jitter_out_of_range" => one(backoff(BackoffPolicy::DEFAULT.jitter(1.5))),
        "backoff_multiplier_below_one" => one(backoff(BackoffPolicy::DEFAULT.multiplier(0.5))),
        "restart_limit_zero_max" => one(limit(0, secs(60))),
        "restart_limit_zero_window" => one(limit(3, Duration::ZERO)),
        "zero_deadline" => one(worker().timeout(Duration::ZERO)),
        "heartbeat_without_context" => {
            one(without_context("api", TaskRole::Service).heartbeat(secs(10)))
        }
        "heartbeat_on_tree" => {
            let pool = SupervisorSpec::new("pool").child(indexer::spec());
            one(ChildSpec::supervisor(pool).heartbeat(secs(10)))
        }
        "ready_timeout_without_context" => {
            one(without_context("api", TaskRole::Service).ready_timeout(secs(10)))
        }
        "every_not_job" => one(with_context("api", TaskRole::Service).every(secs(300))),
        "every_temporary" => one(without_context("report", TaskRole::Job)
            .restart(RestartPolicy::Temporary)
            .every(secs(300))),
        other => panic!("no runtime case for rule `{other}`: add one beside its UI test"),
    }
}

fn ui_case(rule: &str, extension: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/ui")
        .join(format!("rule_{rule}.{extension}"))
}

fn from_macros() -> impl Iterator<Item = &'static rules::Rule> {
    let excluded: BTreeSet<&str> = NOT_FROM_MACROS.iter().map(|(name, _)| *name).collect();
    rules::RULES
        .iter()
        .filter(move |rule| !excluded.contains(rule.name))
}

/// The names in `[...]` at the end of each error line of a `.stderr`.
fn bracketed_rules(stderr: &str) -> BTreeSet<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("error"))
        .filter_map(|line| {
            line.strip_suffix(']')?
                .rsplit_once('[')
                .map(|(_, name)| name)
        })
        .collect()
}

#[test]
fn every_rule_the_macros_can_meet_has_a_compile_fail_case_that_reports_it_alone() {
    for rule in from_macros() {
        let source = ui_case(rule.name, "rs");
        assert!(
            source.exists(),
            "{} has no UI test at {}",
            rule.name,
            source.display()
        );
        let stderr = std::fs::read_to_string(ui_case(rule.name, "stderr"))
            .unwrap_or_else(|_| panic!("{} has no checked-in .stderr", rule.name));
        assert_eq!(
            bracketed_rules(&stderr),
            BTreeSet::from([rule.name]),
            "{stderr}"
        );
    }
}

#[test]
fn the_same_declaration_built_at_run_time_breaks_the_same_rule_and_no_other() {
    for rule in from_macros() {
        let error = runtime_case(rule.name)
            .validate()
            .expect_err(&format!("{}: the runtime accepts it", rule.name));
        let broken: Vec<_> = error.violations().iter().map(|v| v.rule.name).collect();
        assert_eq!(broken, [rule.name], "{error}");
    }
}

#[test]
fn the_rules_left_out_are_in_the_table_and_say_why() {
    for (name, reason) in NOT_FROM_MACROS {
        assert!(
            rules::find(name).is_some(),
            "`{name}` is not a rule of the table"
        );
        assert!(!reason.is_empty());
        assert!(
            !ui_case(name, "rs").exists(),
            "`{name}` has a UI test after all"
        );
    }
}

#[test]
fn every_rule_case_names_a_rule_of_the_table() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(rule) = name
            .strip_prefix("rule_")
            .and_then(|n| n.strip_suffix(".rs"))
        {
            assert!(
                rules::find(rule).is_some(),
                "{name} names no rule of the table"
            );
        }
    }
}
