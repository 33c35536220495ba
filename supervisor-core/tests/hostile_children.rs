//! Children that misbehave in ways a supervisor must survive: panicking in
//! `Drop`, panicking factories, blocking their worker thread, and failing
//! with helpers still running.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, ShutdownPolicy, StopOutcome, SupervisorSpec,
    TaskFactory, TaskRole,
    policy::{ChildExit, ExitReason},
    testing::{EventPattern, TestTree},
};
use tokio::time::sleep;

fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// Panics when dropped.
struct Landmine;

impl Drop for Landmine {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("landmine went off in drop");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_future_that_panics_in_drop_while_being_stopped_is_contained() {
    quiet_panics();
    let mined = ChildSpec::new("mined", TaskRole::Service, |ctx: ChildContext| async move {
        let _mine = Landmine;
        ctx.cancelled().await;
        sleep(Duration::from_secs(3600)).await;
    })
    .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(1)));
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(mined));
    tree.run_for(Duration::from_secs(1)).await;
    let done = tree.shutdown().await;
    assert_eq!(done.report.children[0].outcome, StopOutcome::Aborted);
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_future_that_panics_in_drop_as_it_completes_counts_as_a_panic_and_restarts() {
    quiet_panics();
    let mined = ChildSpec::new("mined", TaskRole::Service, |ctx: ChildContext| async move {
        let _mine = Landmine;
        if ctx.generation() > 1 {
            ctx.cancelled().await;
        }
    })
    .backoff(BackoffPolicy::NONE);
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(mined));
    tree.run_until(&EventPattern::started("app/mined").generation(2))
        .await;
    let done = tree.shutdown().await;
    let exit = done
        .trace
        .matching(&EventPattern::exited("app/mined").generation(1))
        .next()
        .map(|event| event.kind.clone());
    assert_eq!(
        exit,
        Some(supervisor_core::EventKind::Exited {
            exit: ChildExit::Panicked("landmine went off in drop".into())
        })
    );
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_factory_that_panics_before_returning_a_future_is_a_failed_start() {
    quiet_panics();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let factory = TaskFactory::new(move |ctx: ChildContext| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("could not build the client");
        }
        async move { ctx.cancelled().await }
    });
    let child = ChildSpec::declared("client", TaskRole::Service)
        .with_factory(factory)
        .backoff(BackoffPolicy::NONE);
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(child));
    tree.run_until(&EventPattern::started("app/client").generation(2))
        .await;
    let done = tree.shutdown().await;
    let exits = done.trace.exits_by_reason("app/client");
    assert_eq!(exits.get(&ExitReason::Panicked), Some(&1));
    let text = done.trace.to_string();
    assert!(
        text.contains("task factory panicked: could not build the client"),
        "{text}"
    );
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn helpers_of_a_failing_child_are_stopped_with_it() {
    let helpers_alive = Arc::new(AtomicUsize::new(0));
    let alive = Arc::clone(&helpers_alive);
    let spawner = ChildSpec::new("spawner", TaskRole::Worker, move |ctx: ChildContext| {
        let alive = Arc::clone(&alive);
        async move {
            for _ in 0..3 {
                let alive = Arc::clone(&alive);
                alive.fetch_add(1, Ordering::SeqCst);
                ctx.spawn(async move {
                    let _done = Decrement(alive);
                    sleep(Duration::from_secs(3600)).await;
                });
            }
            sleep(Duration::from_millis(10)).await;
            Err::<(), _>("failed with helpers running")
        }
    })
    .shutdown(ShutdownPolicy::Timeout(Duration::from_millis(100)))
    .backoff(
        BackoffPolicy::DEFAULT
            .initial(Duration::from_secs(60))
            .max(Duration::from_secs(60)),
    );
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(spawner));
    let exit = tree
        .run_until(&EventPattern::exited("app/spawner").reason(ExitReason::Failed))
        .await;
    assert_eq!(exit.generation, 1);
    assert_eq!(
        helpers_alive.load(Ordering::SeqCst),
        0,
        "helpers outlived their instance"
    );
    tree.run_until(&EventPattern::aborted("app/spawner")).await;
    let done = tree.shutdown().await;
    done.assert_no_orphans();
}

struct Decrement(Arc<AtomicUsize>);

impl Drop for Decrement {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_that_blocks_its_worker_thread_does_not_stop_the_supervisor() {
    let restarts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&restarts);
    let blocker = ChildSpec::without_context("blocker", TaskRole::Worker, || async {
        std::thread::sleep(Duration::from_millis(300));
        Err::<(), _>("blocked, then failed")
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(supervisor_core::RestartLimit::UNLIMITED);
    let flapper = ChildSpec::without_context("flapper", TaskRole::Worker, move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async {
            sleep(Duration::from_millis(5)).await;
            Err::<(), _>("flap")
        }
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(supervisor_core::RestartLimit::UNLIMITED);
    let spec = SupervisorSpec::new("app")
        .restart_limit(supervisor_core::RestartLimit::UNLIMITED)
        .child(blocker)
        .child(flapper);
    let mut tree = TestTree::start(spec);
    // While `blocker` holds one worker thread for 300 ms at a time, the
    // supervisor keeps restarting `flapper` on the other: wait for its
    // sixth start, bounded (this test needs the real clock: a blocked
    // thread does not block the paused one).
    let sixth = EventPattern::started("app/flapper").generation(6);
    tree.run_until_within(&sixth, Duration::from_secs(30)).await;
    assert!(
        restarts.load(Ordering::SeqCst) >= 5,
        "five runs ended before the sixth start"
    );
    let done = tree.shutdown().await;
    assert!(done.outcome.is_ok());
    done.assert_no_orphans();
}
