//! The idle children the `overhead` and `heap_per_child` benches start: under
//! a supervisor, as bare tokio tasks, and as bare tokio tasks that also make
//! what the public API makes per child (the floor).

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use supervisor::{ChildContext, ChildSpec, SupervisorSpec, TaskRole};
use tokio::sync::Notify;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// Counts the children's first polls; the last of `n` wakes [`FirstPolls::all`].
pub(crate) struct FirstPolls {
    n: u64,
    polled: AtomicU64,
    all: Notify,
}

impl FirstPolls {
    pub(crate) fn new(n: u64) -> Arc<Self> {
        Arc::new(FirstPolls {
            n,
            polled: AtomicU64::new(0),
            all: Notify::new(),
        })
    }

    fn polled(&self) {
        if self.polled.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            self.all.notify_one();
        }
    }

    /// Resolves once every child has been polled.
    pub(crate) async fn all(&self) {
        self.all.notified().await;
    }
}

/// A tree of `n` idle workers, `c0` to `c{n-1}`, each counting its first poll.
pub(crate) fn supervised_tree(polls: &Arc<FirstPolls>) -> SupervisorSpec {
    let children = (0..polls.n).map(|i| {
        let polls = Arc::clone(polls);
        ChildSpec::new(
            format!("c{i}"),
            TaskRole::Worker,
            move |ctx: ChildContext| {
                let polls = Arc::clone(&polls);
                async move {
                    polls.polled();
                    ctx.cancelled().await;
                    Ok::<(), io::Error>(())
                }
            },
        )
    });
    SupervisorSpec::new("bench").children(children)
}

/// A bare tokio task that waits for `token`.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would hold its arguments twice, and the bare task must be as small as the code it stands for"
)]
pub(crate) fn bare_task(
    token: CancellationToken,
    polls: Arc<FirstPolls>,
) -> impl Future<Output = ()> + Send + 'static {
    async move {
        polls.polled();
        token.cancelled().await;
    }
}

/// The task of child `i` as the API makes it: a `ChildContext` with its
/// path, following `token`, and the future boxed as a `TaskFactory` returns
/// it.
pub(crate) fn floor_task(
    i: u64,
    token: CancellationToken,
    polls: Arc<FirstPolls>,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let ctx = ChildContext::detached(format!("bench/c{i}"), token);
    Box::pin(async move {
        polls.polled();
        ctx.cancelled().await;
    })
}

/// Spawns `polls.n` tasks made by `make` (from each index and a clone of
/// `token`) on a new tracker.
pub(crate) fn spawn_tracked<F>(
    polls: &Arc<FirstPolls>,
    token: &CancellationToken,
    mut make: impl FnMut(u64, CancellationToken, Arc<FirstPolls>) -> F,
) -> TaskTracker
where
    F: Future<Output = ()> + Send + 'static,
{
    let tracker = TaskTracker::new();
    for i in 0..polls.n {
        tracker.spawn(make(i, token.clone(), Arc::clone(polls)));
    }
    tracker
}

/// Cancels `token` and waits for every task of `tracker`.
pub(crate) async fn stop_tracked(token: &CancellationToken, tracker: TaskTracker) {
    token.cancel();
    tracker.close();
    tracker.wait().await;
}
