//! What the runtime keeps does not grow with history: the heap is counted by
//! a global allocator around add/remove cycles and around failures with
//! huge error texts.
//!
//! Run with `--nocapture` for the figures.

use std::{alloc::System, sync::Mutex, time::Duration};

use cap::Cap;

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, EventKind, RestartLimit, Supervisor, SupervisorHandle,
    SupervisorSpec, TaskRole,
    policy::{ChildExit, MAX_EXIT_TEXT},
    testing::footprint,
};

/// Counts the bytes live on the heap, and the bytes ever allocated.
#[global_allocator]
static COUNTING: Cap<System> = Cap::new(System, usize::MAX);

/// One measurement at a time: the counters are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

fn live() -> isize {
    COUNTING.allocated() as isize
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

async fn add_remove(handle: &SupervisorHandle, cycles: usize) {
    for _ in 0..cycles {
        let spec = ChildSpec::new("s", TaskRole::Worker, idle);
        handle.add_child(spec).await.unwrap();
        handle.remove_child("s").await.unwrap();
    }
}

/// Bytes one snapshot of `handle` allocates, and how many it keeps.
async fn snapshot_cost(handle: &SupervisorHandle) -> (usize, isize) {
    let (allocated, before) = (COUNTING.total_allocated(), live());
    let snapshot = handle.snapshot().await.unwrap();
    let cost = (COUNTING.total_allocated() - allocated, live() - before);
    drop(snapshot);
    cost
}

#[test]
fn twenty_thousand_add_remove_cycles_keep_memory_and_snapshot_cost_flat() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let root = SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, idle));
        let handle = Supervisor::start(root).unwrap();
        add_remove(&handle, 1_000).await;
        let (warm, warm_snapshot) = (live(), snapshot_cost(&handle).await);
        add_remove(&handle, 20_000).await;
        let (after, after_snapshot) = (live(), snapshot_cost(&handle).await);
        let growth = after - warm;
        eprintln!(
            "add/remove: {growth} bytes of growth over 20,000 cycles ({:.2} bytes a cycle); \
             snapshot {warm_snapshot:?} -> {after_snapshot:?} (bytes allocated, bytes kept)",
            growth as f64 / 20_000.0
        );
        assert!(growth < 16 * 1024, "{growth} bytes kept over 20,000 cycles");
        assert_eq!(
            warm_snapshot, after_snapshot,
            "a snapshot costs more after the cycles"
        );
        let footprint = footprint(&handle).await.unwrap();
        footprint.assert_follows_children();
        assert_eq!(
            (footprint.children, footprint.slots),
            (1, 1),
            "{footprint:?}"
        );
        handle.shutdown().await;
    });
}

#[test]
fn huge_error_texts_are_kept_bounded_in_events_and_snapshots() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let flaky = ChildSpec::without_context("flaky", TaskRole::Worker, || async {
            Err::<(), _>("x".repeat(1 << 20))
        })
        .backoff(
            BackoffPolicy::DEFAULT
                .initial(Duration::from_millis(10))
                .max(Duration::from_millis(10))
                .jitter(0.0),
        )
        .restart_limit(RestartLimit::new(1_000, Duration::from_secs(60)));
        let spec = SupervisorSpec::new("app")
            .restart_limit(RestartLimit::new(1_000, Duration::from_secs(60)))
            .child(flaky);
        let before = live();
        let (handle, mut unread) = Supervisor::builder().launch_with_events(spec).unwrap();
        // 300 failures, 10 ms apart; the subscriber reads none until the end.
        tokio::time::sleep(Duration::from_millis(300 * 10 - 5)).await;
        let kept = live() - before;
        let snapshot = handle.snapshot().await.unwrap();
        let generation = snapshot.find("app/flaky").unwrap().generation;
        eprintln!(
            "huge errors: {kept} bytes kept after {generation} failures of 1 MiB each \
             with an unread subscriber ({} a failure)",
            kept / generation as isize
        );
        assert!(generation >= 300, "{generation}");
        assert!(
            kept < 8 << 20,
            "{kept} bytes kept for {generation} failures"
        );
        let Some(ChildExit::Failed(text)) = &snapshot.find("app/flaky").unwrap().last_exit else {
            panic!("no failure in the snapshot");
        };
        assert!(text.len() <= MAX_EXIT_TEXT + 64 && text.ends_with("bytes cut]"));
        let exited = loop {
            let event = unread.recv().await.unwrap();
            if let EventKind::Exited { exit } = event.kind {
                break exit;
            }
        };
        assert!(matches!(exited, ChildExit::Failed(text) if text.len() <= MAX_EXIT_TEXT + 64));
        let report = handle.shutdown().await;
        assert!(report.is_clean());
    });
}
