//! The Prometheus recorder (feature `metrics`): installed when the program
//! has none, and rendered in the text exposition format. It is the
//! process's global recorder, so it has this test binary to itself.

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, Runner, SupervisorSpec, TaskRole,
    metrics::{install_prometheus, render_prometheus},
    testing::{FaultScript, Step},
};

#[tokio::test(start_paused = true)]
async fn the_prometheus_text_has_the_names_types_labels_and_buckets() {
    assert_eq!(render_prometheus(), None, "nothing installed yet");
    assert!(install_prometheus());
    assert!(install_prometheus(), "installed once, and still in place");

    // `api` fails once, restarts after 50 ms, then runs until the stop.
    let api = FaultScript::new()
        .on_attempt(1, Step::fail("refused"))
        .then(Step::Run)
        .child("api", TaskRole::Service)
        .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
    let summary = Runner::new(SupervisorSpec::new("prom").child(api))
        .without_config()
        .stop_on(tokio::time::sleep(Duration::from_secs(5)))
        .run_summary()
        .await;
    assert!(summary.is_success());

    let text = render_prometheus().expect("the recorder renders");
    for line in [
        "# TYPE supervisor_child_starts_total counter",
        "# HELP supervisor_child_starts_total Child instances started.",
        r#"supervisor_child_starts_total{path="prom/api"} 2"#,
        r#"supervisor_child_exits_total{path="prom/api",reason="failed"} 1"#,
        r#"supervisor_child_exits_total{path="prom/api",reason="cancelled"} 1"#,
        r#"supervisor_child_restarts_total{path="prom/api"} 1"#,
        "# TYPE supervisor_children gauge",
        r#"supervisor_children{path="prom",state="stopped"} 1"#,
        r#"supervisor_children{path="prom",state="running"} 0"#,
        "# TYPE supervisor_restart_delay_seconds histogram",
        r#"supervisor_restart_delay_seconds_bucket{path="prom/api",le="0.01"} 0"#,
        r#"supervisor_restart_delay_seconds_bucket{path="prom/api",le="0.05"} 1"#,
        r#"supervisor_restart_delay_seconds_bucket{path="prom/api",le="+Inf"} 1"#,
        r#"supervisor_restart_delay_seconds_sum{path="prom/api"} 0.05"#,
        r#"supervisor_restart_delay_seconds_count{path="prom/api"} 1"#,
    ] {
        assert!(
            text.lines().any(|rendered| rendered == line),
            "no line `{line}` in:\n{text}"
        );
    }
}
