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

#[path = "shared/idle_children.rs"]
mod idle_children;

use std::{
    alloc::System,
    collections::BTreeMap,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicIsize, Ordering},
    },
};

use supervisor::Supervisor;
use tokio_util::sync::CancellationToken;
use tracking_allocator::{AllocationGroupId, AllocationRegistry, AllocationTracker, Allocator};

use idle_children::{
    FirstPolls, bare_task, floor_task, spawn_tracked, stop_tracked, supervised_tree,
};

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

/// Live heap per child while `polls.n` idle tasks made by `make` wait on a
/// tracker.
async fn tracked<F>(make: impl FnMut(u64, CancellationToken, Arc<FirstPolls>) -> F) -> PerChild
where
    F: Future<Output = ()> + Send + 'static,
{
    let polls = FirstPolls::new(CHILDREN);
    let token = CancellationToken::new();
    let before = census();
    let tracker = spawn_tracked(&polls, &token, make);
    polls.all().await;
    let figures = per_child(&before, &census());
    stop_tracked(&token, tracker).await;
    figures
}

async fn supervised() -> PerChild {
    let polls = FirstPolls::new(CHILDREN);
    let before = census();
    let handle = Supervisor::start(supervised_tree(&polls)).expect("a valid spec");
    polls.all().await;
    let figures = per_child(&before, &census());
    handle.shutdown().await;
    figures
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
    let bare = tracked(|_, token, polls| bare_task(token, polls));
    let bare = runtime.block_on(async { tokio::spawn(bare).await.expect("the bare arm") });
    let floor = runtime.block_on(async {
        tokio::spawn(tracked(floor_task))
            .await
            .expect("the floor arm")
    });
    let ours = runtime.block_on(async { tokio::spawn(supervised()).await.expect("our arm") });
    println!("{CHILDREN} idle children, heap live per child after all have started\n");
    print("bare tokio (TaskTracker)", &bare);
    print("bare tokio + the API's allocations", &floor);
    print("supervised", &ours);
}
