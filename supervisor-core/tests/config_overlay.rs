//! The config overlay: partial overrides merged onto a declared spec, at
//! every nesting level, with errors that name their path and the fix.

use std::time::Duration;

use supervisor_core::{
    AutoShutdown, BackoffPolicy, ChildContext, ChildSpec, ConfigError, PolicySource, RestartLimit,
    RestartPolicy, Severity, ShutdownPolicy, SpecOverrides, Strategy, SupervisorSpec, TaskRole,
};

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// `app [api, db, ingest [reader, migrate]]`.
fn app() -> SupervisorSpec {
    let ingest = SupervisorSpec::new("ingest")
        .child(ChildSpec::new("reader", TaskRole::Worker, idle))
        .child(ChildSpec::new("migrate", TaskRole::Job, idle));
    SupervisorSpec::new("app")
        .child(ChildSpec::new("api", TaskRole::Service, idle).backoff(BackoffPolicy::NONE))
        .child(ChildSpec::new("db", TaskRole::Service, idle))
        .child(ChildSpec::supervisor(ingest))
}

fn child<'a>(spec: &'a SupervisorSpec, id: &str) -> &'a ChildSpec {
    spec.children.iter().find(|c| c.id == id).unwrap()
}

const EVERY_FIELD: &str = r#"
strategy = "one_for_all"
restart_limit = { max = 5, within = "30s" }
auto_shutdown = "any_significant"

[children.api]
restart = "transient"
backoff = { max = "10s", multiplier = 3.0 }
restart_limit = { max = 3, within = "1m" }
shutdown = "brutal"
timeout = "1h"
ready_timeout = "20s"
heartbeat = "15s"
severity = "optional"
significant = true

[children.ingest]
strategy = "rest_for_one"
supervisor_restart_limit = { max = 20, within = "2m" }
auto_shutdown = "all_significant"

[children.ingest.children.reader]
shutdown = "10s"
"#;

#[test]
fn every_field_kind_merges_at_every_level() {
    let overrides = SpecOverrides::from_toml_str(EVERY_FIELD).unwrap();
    let spec = overrides.apply(app()).unwrap();
    assert_eq!(spec.strategy, Strategy::OneForAll);
    assert_eq!(spec.restart_limit, RestartLimit::new(5, secs(30)));
    assert_eq!(spec.auto_shutdown, AutoShutdown::AnySignificant);

    let api = child(&spec, "api").effective_policy();
    assert_eq!(api.restart.value, RestartPolicy::Transient);
    let backoff = api.backoff.value;
    assert_eq!((backoff.max, backoff.multiplier), (secs(10), 3.0));
    assert_eq!(
        backoff.initial,
        BackoffPolicy::NONE.initial,
        "unset fields keep the declared value"
    );
    assert_eq!(api.restart_limit.value, RestartLimit::new(3, secs(60)));
    assert_eq!(api.shutdown.value, ShutdownPolicy::Brutal);
    assert_eq!(api.timeout.value, Some(secs(3600)));
    assert_eq!(api.ready_timeout.value, Some(secs(20)));
    assert_eq!(api.heartbeat.value, Some(secs(15)));
    assert_eq!(api.severity.value, Severity::Optional);
    assert!(api.significant.value);
    for source in [
        api.restart.source,
        api.backoff.source,
        api.restart_limit.source,
        api.shutdown.source,
        api.timeout.source,
        api.ready_timeout.source,
        api.heartbeat.source,
        api.severity.source,
        api.significant.source,
    ] {
        assert_eq!(source, PolicySource::ConfigFile);
    }
    assert!(api.to_string().contains("config file"), "{api}");

    let db = child(&spec, "db").effective_policy();
    assert_eq!(
        db.shutdown.source,
        PolicySource::RoleDefault,
        "untouched child"
    );

    let ingest = child(&spec, "ingest").tree.as_deref().unwrap();
    assert_eq!(ingest.strategy, Strategy::RestForOne);
    assert_eq!(ingest.restart_limit, RestartLimit::new(20, secs(120)));
    assert_eq!(ingest.auto_shutdown, AutoShutdown::AllSignificant);
    let reader = child(ingest, "reader").effective_policy();
    assert_eq!(reader.shutdown.value, ShutdownPolicy::Timeout(secs(10)));
    assert_eq!(reader.shutdown.source, PolicySource::ConfigFile);
}

#[test]
fn json_and_toml_overlays_merge_the_same() {
    let toml = SpecOverrides::from_toml_str(EVERY_FIELD).unwrap();
    let json = serde_json::to_string(&toml).unwrap();
    assert_eq!(SpecOverrides::from_json_str(&json).unwrap(), toml);
}

#[test]
fn a_partial_backoff_merges_onto_the_role_default() {
    let overrides =
        SpecOverrides::from_toml_str("[children.db]\nbackoff = { max = \"1m\" }").unwrap();
    let spec = overrides.apply(app()).unwrap();
    let db = child(&spec, "db").effective_policy();
    let default = TaskRole::Service.defaults().backoff;
    assert_eq!(db.backoff.value.max, secs(60));
    assert_eq!(db.backoff.value.initial, default.initial);
    assert_eq!(db.backoff.value.jitter, default.jitter);
}

fn invalid(error: ConfigError) -> (String, String) {
    match error {
        ConfigError::Invalid { path, message, .. } => (path, message),
        other => panic!("expected an invalid overlay, got {other}"),
    }
}

#[test]
fn an_unknown_child_names_its_path_and_the_closest_id() {
    let overrides =
        SpecOverrides::from_toml_str("[children.ingest.children.redaer]\nshutdown = \"1s\"")
            .unwrap();
    let (path, message) = invalid(overrides.apply(app()).unwrap_err());
    assert_eq!(path, "children.ingest.children.redaer");
    assert_eq!(
        message,
        "no child `redaer` in `ingest`; did you mean `reader`?"
    );

    let overrides = SpecOverrides::from_toml_str("[children.nothing_like_it]").unwrap();
    let (_, message) = invalid(overrides.apply(app()).unwrap_err());
    assert_eq!(message, "no child `nothing_like_it` in `app`");
}

#[test]
fn an_unknown_key_names_its_path_and_the_closest_key() {
    let (path, message) =
        invalid(SpecOverrides::from_toml_str("[children.api]\nshutdwon = \"1s\"").unwrap_err());
    assert_eq!(path, "children.api.shutdwon");
    assert!(
        message.starts_with("line 2: unknown field `shutdwon`"),
        "{message}"
    );
    assert!(message.ends_with("did you mean `shutdown`?"), "{message}");

    let (path, message) = invalid(
        SpecOverrides::from_json_str(r#"{"children":{"api":{"backoff":{"maxx":"1s"}}}}"#)
            .unwrap_err(),
    );
    assert_eq!(path, "children.api.backoff.maxx");
    assert!(message.ends_with("did you mean `max`?"), "{message}");
}

#[test]
fn a_bad_value_names_its_path() {
    let (path, message) = invalid(
        SpecOverrides::from_toml_str("[children.api]\ntimeout = \"5 parsecs\"").unwrap_err(),
    );
    assert_eq!(path, "children.api.timeout");
    assert!(
        message.contains("invalid duration `5 parsecs`"),
        "{message}"
    );
}

#[test]
fn a_tree_key_on_a_task_is_refused() {
    let overrides =
        SpecOverrides::from_toml_str("[children.api]\nstrategy = \"one_for_all\"").unwrap();
    let (path, message) = invalid(overrides.apply(app()).unwrap_err());
    assert_eq!(path, "children.api.strategy");
    assert_eq!(
        message,
        "`api` is not a nested tree, so it has no `strategy`"
    );
}

#[test]
fn a_merged_spec_that_breaks_a_rule_is_refused_by_the_rule_table() {
    let overrides =
        SpecOverrides::from_toml_str("[children.ingest.children.migrate]\nrestart = \"permanent\"")
            .unwrap();
    let error = overrides.apply(app()).unwrap_err();
    let ConfigError::Rules(rules) = &error else {
        panic!("expected a rule violation, got {error}");
    };
    let violation = &rules.violations()[0];
    assert_eq!(violation.rule.name, "job_permanent");
    assert_eq!(violation.path, "app/ingest/migrate");
    assert!(error.to_string().contains("fix:"), "{error}");
}

#[test]
fn the_overlay_has_a_json_schema_an_editor_can_use() {
    let schema = serde_json::to_value(schemars::schema_for!(SpecOverrides)).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for key in ["strategy", "restart_limit", "auto_shutdown", "children"] {
        assert!(properties.contains_key(key), "{key} missing: {schema:#}");
    }
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are errors"
    );
}

#[test]
fn a_backoff_overlay_is_checked_by_the_backoff_rules() {
    let overrides =
        SpecOverrides::from_toml_str("[children.api]\nbackoff = { multiplier = 0.5 }").unwrap();
    let error = overrides.apply(app()).unwrap_err();
    assert!(
        error.to_string().contains("[backoff_multiplier_below_one]"),
        "{error}"
    );
}

/// Runs `app()` under a `Runner` with `overlay` as its config file.
async fn run_with_overlay(overlay: &str) -> supervisor_core::RunSummary {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let file = std::env::temp_dir().join(format!(
        "supervisor-overlay-{}-{}.toml",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&file, overlay).unwrap();
    let summary = supervisor_core::Runner::new(app())
        .config_file(&file)
        .stop_on(async {})
        .run_summary()
        .await;
    let _ = std::fs::remove_file(&file);
    summary
}

#[tokio::test]
async fn every_bad_overlay_stops_the_run_with_exit_78_naming_path_and_fix() {
    let cases = [
        (
            "[children.apii]\n",
            "`children.apii`",
            "did you mean `api`?",
        ),
        (
            "[children.api]\nrestrat = \"transient\"\n",
            "`children.api.restrat`",
            "did you mean `restart`?",
        ),
        (
            "[children.api]\ntimeout = \"soon\"\n",
            "`children.api.timeout`",
            "write it like",
        ),
        (
            "[children.ingest.children.migrate]\nrestart = \"permanent\"\n",
            "`app/ingest/migrate`",
            "fix: remove `restart`",
        ),
    ];
    for (overlay, path, fix) in cases {
        let summary = run_with_overlay(overlay).await;
        let text = summary.to_string();
        assert_eq!(
            summary.exit_code(),
            std::process::ExitCode::from(78),
            "{text}"
        );
        assert!(summary.report.is_none(), "nothing may run: {text}");
        assert!(
            text.contains(path) && text.contains(fix),
            "{overlay}: {text}"
        );
    }
}

#[tokio::test]
async fn a_good_overlay_runs_and_stops_cleanly() {
    let summary = run_with_overlay("[children.api]\nshutdown = \"1s\"\n").await;
    assert!(summary.is_success(), "{summary}");
    assert_eq!(summary.exit_code(), std::process::ExitCode::SUCCESS);
}

#[test]
fn a_job_gets_a_period_from_the_overlay_and_a_service_cannot() {
    let overrides =
        SpecOverrides::from_toml_str("[children.ingest.children.migrate]\nevery = \"5m\"").unwrap();
    let spec = overrides.apply(app()).unwrap();
    let ingest = child(&spec, "ingest").tree.as_deref().unwrap();
    let migrate = child(ingest, "migrate").effective_policy();
    assert_eq!(migrate.every.value, Some(secs(300)));
    assert_eq!(migrate.every.source, PolicySource::ConfigFile);

    let overrides = SpecOverrides::from_toml_str("[children.api]\nevery = \"5m\"").unwrap();
    let error = overrides.apply(app()).unwrap_err();
    assert!(error.to_string().contains("[every_not_job]"), "{error}");
}
