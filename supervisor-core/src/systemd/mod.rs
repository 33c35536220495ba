//! systemd's service notifications (`sd_notify(3)`) for a tree run by
//! [`Runner`](crate::Runner): `READY=1` once the tree is first ready,
//! `STATUS=` lines as its children change state, `WATCHDOG=1` pings while
//! the root's loop answers, and `STOPPING=1` when shutdown begins.

mod status;
mod watchdog;

use std::time::Duration;

use sd_notify::NotifyState;
use tokio::{task::JoinHandle, time::Instant};
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::{
    event::{EventStream, EventStreamError},
    refresh::Refresh,
    runtime::SupervisorHandle,
};
use status::Announced;
use watchdog::{Watchdog, ping_time};

/// The least time between two snapshots for `STATUS=` lines: a restart
/// storm sends at most one line a second, and the last state is always
/// sent.
const STATUS_INTERVAL: Duration = Duration::from_secs(1);

/// What systemd asked for through the environment of the process.
#[derive(Debug)]
pub(crate) struct Notifier {
    /// `WATCHDOG_USEC`, when the watchdog is on for this process.
    watchdog: Option<Duration>,
}

impl Notifier {
    /// The notifier systemd set up, if `NOTIFY_SOCKET` is set; with the
    /// watchdog when `WATCHDOG_USEC` is set too (and `WATCHDOG_PID`, if
    /// set, is this process).
    pub(crate) fn from_env() -> Option<Self> {
        std::env::var_os("NOTIFY_SOCKET").filter(|socket| !socket.is_empty())?;
        let watchdog = sd_notify::watchdog_enabled().filter(|timeout| !timeout.is_zero());
        Some(Notifier { watchdog })
    }

    /// Starts telling systemd about the tree of `root`, whose `events`
    /// were subscribed to before it started.
    pub(crate) fn start(self, root: SupervisorHandle, events: EventStream) -> Notifying {
        let stop = CancellationToken::new();
        let task = tokio::spawn(notify_until(stop.clone(), root, events, self.watchdog));
        Notifying {
            _stop: stop.drop_guard(),
            task,
        }
    }
}

/// The task that tells systemd about a running tree; it ends when the tree
/// has stopped, or at [`stopping`](Self::stopping), or when dropped.
#[derive(Debug)]
pub(crate) struct Notifying {
    _stop: DropGuard,
    task: JoinHandle<()>,
}

impl Notifying {
    /// Ends the task, then tells systemd that the service is stopping.
    pub(crate) async fn stopping(self) {
        let Notifying { _stop, task } = self;
        drop(_stop);
        let _ = task.await;
        Socket::default().send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
    }
}

async fn notify_until(
    stop: CancellationToken,
    root: SupervisorHandle,
    events: EventStream,
    watchdog: Option<Duration>,
) {
    tokio::select! {
        () = stop.cancelled() => {}
        () = notify(root, events, watchdog) => {}
    }
}

/// Tells systemd about the tree until it has stopped.
async fn notify(root: SupervisorHandle, mut events: EventStream, watchdog: Option<Duration>) {
    let mut socket = Socket::default();
    let mut announced = Announced::default();
    let mut refresh = Refresh::new(STATUS_INTERVAL, Instant::now());
    let mut watchdog = watchdog.map(Watchdog::new);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Err(EventStreamError::Closed) => return,
                Ok(_) | Err(EventStreamError::Lagged(_)) => refresh.changed(Instant::now()),
            },
            () = refresh.wait() => {
                refresh.taken(Instant::now());
                if let Ok(snapshot) = root.snapshot().await {
                    let update = announced.update(&snapshot);
                    let ready = update.ready.then_some(NotifyState::Ready);
                    let status = update.status.map(NotifyState::Status);
                    socket.send(&ready.into_iter().chain(status).collect::<Vec<_>>());
                }
            }
            () = ping_time(&mut watchdog) => {
                if let Some(watchdog) = &watchdog {
                    if watchdog.root_is_live(&root).await {
                        socket.send(&[NotifyState::Watchdog]);
                    }
                }
            }
        }
    }
}

/// The socket systemd named, with the failures to reach it logged once.
#[derive(Debug, Default)]
struct Socket {
    failing: bool,
}

impl Socket {
    /// Sends `states` in one datagram, if there are any.
    fn send(&mut self, states: &[NotifyState<'_>]) {
        if states.is_empty() {
            return;
        }
        match sd_notify::notify(states) {
            Ok(()) if self.failing => {
                self.failing = false;
                tracing::info!("systemd notifications go through again");
            }
            Ok(()) => {}
            Err(error) if !self.failing => {
                self.failing = true;
                tracing::warn!(%error, "systemd notification failed");
            }
            Err(error) => tracing::debug!(%error, "systemd notification failed"),
        }
    }
}
