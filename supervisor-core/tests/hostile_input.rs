//! Hostile input: mangled spec documents never panic the loader and every
//! error names a path; control calls racing each other and shutdown end in
//! a defined state with typed errors.

use std::time::Duration;

use proptest::prelude::*;
use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, ControlError, RestartLimit, ShutdownPolicy,
    SupervisorSpec, TaskRole,
    testing::{FaultScript, Step, TestTree},
};

const VALID_JSON: &str = r#"{
  "id": "app",
  "strategy": "rest_for_one",
  "restart_limit": { "max": 5, "within": "30s" },
  "auto_shutdown": "never",
  "children": [
    { "id": "migrate", "role": "job", "timeout": "5m" },
    { "id": "api", "role": "service", "shutdown": "5s", "heartbeat": "10s",
      "backoff": { "initial": "50ms", "max": "5s", "multiplier": 2.0, "jitter": 0.2 } },
    { "id": "metrics", "role": "sidecar", "primary": "api", "backoff": "none" },
    { "id": "pool", "role": "supervisor", "tree": { "strategy": "one_for_all",
      "children": [ { "id": "w1", "restart": "transient", "restart_limit": { "max": 3, "within": "1m" } } ] } }
  ]
}"#;

/// Replacement values of every JSON type, valid and not.
fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("-1".to_owned()),
        Just("1e309".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"none\"".to_owned()),
        Just("\"5 fortnights\"".to_owned()),
        Just("\"\\u0000\"".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("{\"unknown\": 1}".to_owned()),
        "[a-z_]{1,12}".prop_map(|s| format!("\"{s}\"")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
    ]
}

/// Ways to damage a document: replace a span, cut it short, or splice in bytes.
#[derive(Debug, Clone)]
enum Damage {
    Replace { at: usize, len: usize, with: String },
    Truncate(usize),
    Insert { at: usize, text: String },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), 0usize..12, json_value()).prop_map(|(at, len, with)| Damage::Replace {
            at,
            len,
            with
        }),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), "[\\x00-\\x7f]{1,8}").prop_map(|(at, text)| Damage::Insert { at, text }),
    ]
}

fn apply(text: &str, damage: &Damage) -> String {
    let boundary = |at: usize| {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match damage {
        Damage::Replace { at, len, with } => {
            let start = boundary(*at);
            let end = boundary((start + len).min(text.len()));
            format!("{}{with}{}", &text[..start], &text[end.max(start)..])
        }
        Damage::Truncate(at) => text[..boundary(*at)].to_owned(),
        Damage::Insert { at, text: insert } => {
            let at = boundary(*at);
            format!("{}{insert}{}", &text[..at], &text[at..])
        }
    }
}

/// Replaces the value of one key (chosen by `pick`) with `value`.
fn replace_value(text: &str, pick: usize, value: &str) -> String {
    let keys: Vec<usize> = text.match_indices("\": ").map(|(at, _)| at + 3).collect();
    let start = keys[pick % keys.len()];
    let rest = &text[start..];
    let end = rest
        .find([',', '}', '\n'])
        .map_or(text.len(), |offset| start + offset);
    format!("{}{value}{}", &text[..start], &text[end..])
}

fn check_load(
    result: Result<SupervisorSpec, supervisor_core::LoadError>,
) -> Result<(), TestCaseError> {
    match result {
        Ok(spec) => {
            let _ = spec.validate();
        }
        Err(error) => {
            prop_assert!(!error.path().is_empty(), "error without a path: {error}");
            prop_assert!(!error.message().is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn damaged_json_never_panics_and_errors_name_a_path(damages in proptest::collection::vec(damage(), 1..4)) {
        let text = damages.iter().fold(VALID_JSON.to_owned(), |text, d| apply(&text, d));
        check_load(SupervisorSpec::from_json_str(&text))?;
    }

    #[test]
    fn a_bad_value_in_json_is_reported_at_its_key(pick in any::<usize>(), value in json_value()) {
        let text = replace_value(VALID_JSON, pick, &value);
        if let Err(error) = SupervisorSpec::from_json_str(&text) {
            prop_assert_ne!(error.path(), ".", "a value error must name its field: {}", error);
        }
    }

    #[test]
    fn damaged_toml_never_panics_and_errors_name_a_path(damages in proptest::collection::vec(damage(), 1..4)) {
        let valid = toml::to_string(&SupervisorSpec::from_json_str(VALID_JSON).unwrap()).unwrap();
        let text = damages.iter().fold(valid, |text, d| apply(&text, d));
        check_load(SupervisorSpec::from_toml_str(&text))?;
    }

    #[test]
    fn arbitrary_text_never_panics_the_loaders(text in "\\PC{0,200}") {
        check_load(SupervisorSpec::from_json_str(&text))?;
        check_load(SupervisorSpec::from_toml_str(&text))?;
    }
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn racing_tree() -> SupervisorSpec {
    let slow_stop = ChildSpec::new("slow", TaskRole::Service, |ctx: ChildContext| async move {
        ctx.cancelled().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    })
    .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(1)));
    let flaky = FaultScript::new()
        .then(Step::fail_after(Duration::from_millis(20), "flaky"))
        .child("flaky", TaskRole::Worker)
        .backoff(BackoffPolicy::NONE)
        .restart_limit(RestartLimit::UNLIMITED);
    SupervisorSpec::new("app")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(slow_stop)
        .child(flaky)
}

fn defined(result: Result<(), ControlError>) -> bool {
    matches!(
        result,
        Ok(()) | Err(ControlError::Stopped) | Err(ControlError::UnknownChild { .. })
    )
}

#[tokio::test(start_paused = true)]
async fn restart_during_shutdown_ends_in_a_defined_state() {
    let tree = TestTree::start(racing_tree());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let handle = tree.handle().clone();
    let (report, restarted, stopped) = tokio::join!(
        handle.shutdown(),
        handle.restart_child("slow"),
        handle.stop_child("api"),
    );
    assert!(defined(restarted.clone()), "{restarted:?}");
    assert!(defined(stopped.clone()), "{stopped:?}");
    assert_eq!(report.children.len(), 3);
    assert_eq!(
        handle.restart_child("slow").await,
        Err(ControlError::Stopped)
    );
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn remove_during_restart_ends_in_a_defined_state() {
    let tree = TestTree::start(racing_tree());
    let handle = tree.handle().clone();
    for _ in 0..20 {
        let (restarted, removed) =
            tokio::join!(handle.restart_child("slow"), handle.remove_child("slow"));
        assert!(defined(restarted.clone()), "{restarted:?}");
        assert!(defined(removed.clone()), "{removed:?}");
        let snapshot = handle.snapshot().await.unwrap();
        assert!(
            snapshot.find("app/slow").is_none(),
            "removed child still listed"
        );
        handle
            .add_child(racing_tree().children.remove(1))
            .await
            .unwrap();
    }
    let done = tree.shutdown().await;
    assert!(done.report.is_clean());
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn shutdown_twice_while_children_flap_gets_one_report() {
    let tree = TestTree::start(racing_tree());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let handle = tree.handle().clone();
    let (first, second) = tokio::join!(handle.shutdown(), handle.shutdown());
    assert_eq!(first, second);
    let done = tree.shutdown().await;
    assert_eq!(done.report, first);
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn calls_from_many_tasks_at_once_all_get_an_answer() {
    let tree = TestTree::start(racing_tree());
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..50 {
        let handle = tree.handle().clone();
        calls.spawn(async move {
            match n % 5 {
                0 => handle.restart_child("api").await,
                1 => handle.stop_child("flaky").await,
                2 => handle.start_child("flaky").await.or_else(|e| match e {
                    ControlError::AlreadyRunning { .. } => Ok(()),
                    other => Err(other),
                }),
                3 => handle.snapshot().await.map(|_| ()),
                _ => handle.restart_child("nope").await.or_else(|e| match e {
                    ControlError::UnknownChild { .. } => Ok(()),
                    other => Err(other),
                }),
            }
        });
    }
    while let Some(result) = calls.join_next().await {
        assert_eq!(result.unwrap(), Ok(()));
    }
    tree.shutdown().await.assert_no_orphans();
}
