//! Shared helpers of the ops features' tests: a tree run by `Runner` as
//! `main` runs it, stopped when the test says so.
#![allow(dead_code, unreachable_pub)]

use supervisor_core::{RunSummary, Runner, SupervisorHandle};
use tokio::{sync::oneshot, task::JoinHandle};

/// A tree run by a `Runner` until [`stop`](Self::stop), with its handle.
pub struct Running {
    /// Sending (or dropping) it stops the tree.
    pub stop: oneshot::Sender<()>,
    pub handle: SupervisorHandle,
    /// The run, to its summary.
    pub run: JoinHandle<RunSummary>,
}

/// Runs `runner` (without a config file) on a task of its own, until
/// [`Running::stop`].
pub async fn run(runner: Runner) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let (started, handle) = oneshot::channel();
    let runner = runner
        .without_config()
        .on_start(move |handle| {
            let _ = started.send(handle);
        })
        .stop_on(async move {
            let _ = stopped.await;
        });
    let run = tokio::spawn(runner.run_summary());
    Running {
        stop,
        handle: handle.await.expect("the tree started"),
        run,
    }
}

impl Running {
    /// Stops the tree and waits for the run's end.
    pub async fn stop(self) -> RunSummary {
        let _ = self.stop.send(());
        self.run.await.unwrap()
    }
}
