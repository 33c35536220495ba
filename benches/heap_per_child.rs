//! The heap an idle child holds, allocation by allocation.
//!
//! `cargo bench --bench heap_per_child` starts 10,000 idle children under a
//! supervisor, 10,000 idle tasks on a `TaskTracker` (bare tokio), and
//! 10,000 such tasks that also make what the public API makes per child (a
//! `ChildContext`, the task's future boxed), and prints for each the heap bytes and allocations live per child afterwards,
//! grouped by the requested size of each allocation. The global allocator
//! counts every allocation and free by its layout; nothing is sampled.
//!
//! The figures are exact and do not depend on load; RSS (the `overhead`
//! bench) adds what the allocator itself keeps around each allocation.

use std::{
    alloc::System,
    collections::BTreeMap,
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicIsize, AtomicU64, Ordering},
    },
};

use tracking_allocator::{AllocationGroupId, AllocationRegistry, AllocationTracker, Allocator};

use supervisor::{ChildContext, ChildSpec, Supervisor, SupervisorSpec, TaskRole};
use tokio::sync::Notify;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// Allocations are grouped by requested size in steps of this many bytes.
const CLASS: usize = 8;
/// Sizes at or above this land in the last group.
const CLASSES: usize = 512;

static LIVE: [AtomicIsize; CLASSES] = [const { AtomicIsize::new(0) }; CLASSES];
/// Bytes live, of every size.
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

fn class(size: usize) -> usize {
    (size / CLASS).min(CLASSES - 1)
}

/// Counts live allocations per size class of the size the caller asked for
/// (the allocator's own tag around each allocation is left out).
struct BySize;

impl AllocationTracker for BySize {
    fn allocated(&self, _: usize, object_size: usize, _: usize, _: AllocationGroupId) {
        LIVE[class(object_size)].fetch_add(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_add(object_size as isize, Ordering::Relaxed);
    }

    fn deallocated(
        &self,
        _: usize,
        object_size: usize,
        _: usize,
        _: AllocationGroupId,
        _: AllocationGroupId,
    ) {
        LIVE[class(object_size)].fetch_sub(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(object_size as isize, Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Allocator<System> = Allocator::system();

const CHILDREN: u64 = 10_000;

/// The live allocations by size class, and the live bytes.
struct Census {
    classes: [isize; CLASSES],
    bytes: isize,
}

fn census() -> Census {
    Census {
        classes: std::array::from_fn(|i| LIVE[i].load(Ordering::Relaxed)),
        bytes: LIVE_BYTES.load(Ordering::Relaxed),
    }
}

/// What was allocated per child between two censuses.
struct PerChild {
    /// Allocations per child by size class; classes with fewer than one
    /// allocation per 200 children are left out (tables and index nodes,
    /// which `bytes` counts).
    classes: BTreeMap<usize, f64>,
    bytes: f64,
}

fn per_child(before: &Census, after: &Census) -> PerChild {
    let n = CHILDREN as f64;
    PerChild {
        classes: (0..CLASSES)
            .map(|i| (i * CLASS, (after.classes[i] - before.classes[i]) as f64 / n))
            .filter(|&(_, count)| count.abs() >= 0.005)
            .collect(),
        bytes: (after.bytes - before.bytes) as f64 / n,
    }
}

fn print(name: &str, figures: &PerChild) {
    let count: f64 = figures.classes.values().sum();
    println!(
        "{name}: {:.0} B live per child, in {count:.2} allocations of its own and its share of tables:",
        figures.bytes
    );
    for (size, count) in &figures.classes {
        println!(
            "  {size:>5}-{:<5} B  {count:>6.2} per child",
            size + CLASS - 1
        );
    }
}

fn first_poll(started: &AtomicU64, all: &Notify) {
    if started.fetch_add(1, Ordering::AcqRel) + 1 == CHILDREN {
        all.notify_one();
    }
}

async fn bare() -> PerChild {
    let (started, all) = (Arc::new(AtomicU64::new(0)), Arc::new(Notify::new()));
    let token = CancellationToken::new();
    let tracker = TaskTracker::new();
    let before = census();
    for _ in 0..CHILDREN {
        let (token, started, all) = (token.clone(), Arc::clone(&started), Arc::clone(&all));
        tracker.spawn(async move {
            first_poll(&started, &all);
            token.cancelled().await;
        });
    }
    all.notified().await;
    let classes = per_child(&before, &census());
    token.cancel();
    tracker.close();
    tracker.wait().await;
    classes
}

/// Bare tokio with the allocations the public API implies per child: a
/// `ChildContext` with its path, and the task's future boxed as a
/// `TaskFactory` returns it.
async fn floor() -> PerChild {
    let (started, all) = (Arc::new(AtomicU64::new(0)), Arc::new(Notify::new()));
    let token = CancellationToken::new();
    let tracker = TaskTracker::new();
    let before = census();
    for i in 0..CHILDREN {
        let (started, all) = (Arc::clone(&started), Arc::clone(&all));
        let ctx = ChildContext::detached(format!("bench/c{i}"), token.clone());
        let run: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            first_poll(&started, &all);
            ctx.cancelled().await;
        });
        tracker.spawn(run);
    }
    all.notified().await;
    let classes = per_child(&before, &census());
    token.cancel();
    tracker.close();
    tracker.wait().await;
    classes
}

async fn supervised() -> PerChild {
    let (started, all) = (Arc::new(AtomicU64::new(0)), Arc::new(Notify::new()));
    let before = census();
    let children = (0..CHILDREN).map(|i| {
        let (started, all) = (Arc::clone(&started), Arc::clone(&all));
        ChildSpec::new(
            format!("c{i}"),
            TaskRole::Worker,
            move |ctx: ChildContext| {
                let (started, all) = (Arc::clone(&started), Arc::clone(&all));
                async move {
                    first_poll(&started, &all);
                    ctx.cancelled().await;
                    Ok::<(), io::Error>(())
                }
            },
        )
    });
    let handle =
        Supervisor::start(SupervisorSpec::new("bench").children(children)).expect("a valid spec");
    all.notified().await;
    let classes = per_child(&before, &census());
    handle.shutdown().await;
    classes
}

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    AllocationRegistry::set_global_tracker(BySize).expect("no tracker yet");
    AllocationRegistry::enable_tracking();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let bare = runtime.block_on(async { tokio::spawn(bare()).await.expect("the bare arm") });
    let floor = runtime.block_on(async { tokio::spawn(floor()).await.expect("the floor arm") });
    let ours = runtime.block_on(async { tokio::spawn(supervised()).await.expect("our arm") });
    println!("{CHILDREN} idle children, heap live per child after all have started\n");
    print("bare tokio (TaskTracker)", &bare);
    print("bare tokio + the API's allocations", &floor);
    print("supervised", &ours);
}
