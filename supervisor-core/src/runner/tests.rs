//! Config reloads against a running tree, on the paused clock.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use super::reload;
use crate::{
    event::EventKind,
    policy::StopReason,
    spec::{BackoffPolicy, ChildSpec, RestartLimit, SupervisorSpec, TaskRole},
    testing::{EventPattern, TestTree},
};

/// A config file of this test process's own, removed when dropped.
struct ConfigFile(PathBuf);

impl ConfigFile {
    fn new(text: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "supervisor-reload-{}-{}.toml",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, text).unwrap();
        ConfigFile(path)
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `app [flaky]`: flaky fails a second after each start, forever.
fn declared() -> SupervisorSpec {
    let flaky = ChildSpec::without_context("flaky", TaskRole::Worker, || async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        Err::<(), _>("flaky")
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::new(1_000, Duration::from_secs(3600)));
    SupervisorSpec::new("app")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(flaky)
}

#[tokio::test(start_paused = true)]
async fn a_reload_applies_to_the_next_decision() {
    let mut tree = TestTree::start(declared());
    tree.run_until(&EventPattern::started("app/flaky").generation(3))
        .await;
    let overlay =
        "[children.flaky]\nseverity = \"optional\"\nrestart_limit = { max = 1, within = \"1h\" }\n";
    let file = ConfigFile::new(overlay);
    reload(&file.0, &declared(), tree.handle()).await;
    tree.run_until(&EventPattern::reconfigured("app")).await;
    tree.run_until(&EventPattern::stopped("app/flaky").stop_reason(StopReason::GaveUp))
        .await;
    tree.run_for(Duration::from_secs(10)).await;
    let done = tree.shutdown().await;
    assert_eq!(
        done.trace.count(&EventPattern::started("app/flaky")),
        3,
        "restarted past the limit the reload set:\n{}",
        done.trace
    );
}

#[tokio::test(start_paused = true)]
async fn an_invalid_reload_keeps_the_policies_in_force_and_says_why() {
    let mut tree = TestTree::start(declared());
    tree.run_until(&EventPattern::started("app/flaky").generation(2))
        .await;
    for (text, why) in [
        (
            "[children.flaky]\nrestrat = \"temporary\"\n",
            "did you mean `restart`?",
        ),
        (
            "[children.flakey]\nrestart = \"temporary\"\n",
            "did you mean `flaky`?",
        ),
        (
            "[children.flaky]\nbackoff = { multiplier = 0.5 }\n",
            "[backoff_multiplier_below_one]",
        ),
    ] {
        let file = ConfigFile::new(text);
        reload(&file.0, &declared(), tree.handle()).await;
        let rejected = tree
            .run_until(&EventPattern::reconfigure_rejected("app"))
            .await;
        let EventKind::ReconfigureRejected { reason } = rejected.kind else {
            unreachable!()
        };
        assert!(reason.contains(why), "{reason}");
    }
    tree.run_until(&EventPattern::started("app/flaky").generation(6))
        .await;
    let done = tree.shutdown().await;
    assert_eq!(done.trace.count(&EventPattern::reconfigured("app")), 0);
}
