//! A point-in-time view of a whole supervision tree.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{
    policy::ChildExit,
    spec::{Severity, TaskRole},
};

/// Where a child is in its life, as a [`ChildSnapshot`] shows it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use supervisor_core::{ChildSpec, ChildState, Supervisor, SupervisorSpec, TaskRole};
///
/// // `db` must call `ready()` within 10 s; `api` waits for it.
/// let db = ChildSpec::new("db", TaskRole::Service, |ctx| async move { ctx.cancelled().await })
///     .ready_timeout(Duration::from_secs(10));
/// let api = ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await });
/// let handle = Supervisor::start(SupervisorSpec::new("app").child(db).child(api)).unwrap();
/// let snapshot = handle.snapshot().await.unwrap();
/// assert_eq!(snapshot.find("app/db").unwrap().state, ChildState::Starting);
/// assert_eq!(snapshot.find("app/api").unwrap().state, ChildState::Pending);
/// # handle.shutdown().await;
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChildState {
    /// Queued to start (behind a sibling that is not ready yet).
    Pending,
    /// Running, and either ready or not asked to be.
    Running,
    /// Running, but has not called `ready()` within its `ready_timeout` yet.
    Starting,
    /// Waiting out a backoff delay (or a periodic job's period) before its
    /// next start.
    BackingOff,
    /// Asked to stop; waiting for it to return.
    Stopping,
    /// Not running and not scheduled to run.
    Stopped,
}

impl ChildState {
    /// The state's name as it serializes, such as `backing_off`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::ChildState;
    ///
    /// assert_eq!(ChildState::BackingOff.as_str(), "backing_off");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            ChildState::Pending => "pending",
            ChildState::Running => "running",
            ChildState::Starting => "starting",
            ChildState::BackingOff => "backing_off",
            ChildState::Stopping => "stopping",
            ChildState::Stopped => "stopped",
        }
    }
}

/// One child in a [`TreeSnapshot`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, ChildState, Supervisor, SupervisorSpec, TaskRole};
///
/// let api = ChildSpec::new("api", TaskRole::Service, |ctx| async move {
///     ctx.ready();
///     ctx.cancelled().await
/// });
/// let handle = Supervisor::start(SupervisorSpec::new("app").child(api)).unwrap();
/// handle.restart_child("api").await.unwrap();
/// tokio::task::yield_now().await; // let the new instance run up to `cancelled()`
/// let snapshot = handle.snapshot().await.unwrap();
/// let api = snapshot.find("app/api").unwrap();
/// assert_eq!((api.state, api.generation, api.restarts), (ChildState::Running, 2, 1));
/// assert!(api.ready);
/// println!("last exit: {:?}", api.last_exit);
/// # handle.shutdown().await;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChildSnapshot {
    /// The child's path, such as `app/api`.
    pub path: Arc<str>,
    /// Its role.
    pub role: TaskRole,
    /// What the child's final failure means to its tree: a `critical`
    /// child must be running for the tree to be ready.
    pub severity: Severity,
    /// Where it is in its life.
    pub state: ChildState,
    /// How many instances have been started (the current one's generation).
    pub generation: u64,
    /// How many times it was started again after its first start, by its
    /// policy, its supervisor's strategy or a `restart_child`/`start_child`
    /// call (the current generation less one).
    pub restarts: u64,
    /// How its last instance ended, if one has.
    pub last_exit: Option<ChildExit>,
    /// Whether the current instance has called `ready()`.
    pub ready: bool,
    /// Whether the child holds back the start of the children after it: it
    /// has a `ready_timeout` and has not been ready since its last start
    /// (it may be starting, or waiting out a backoff after failing to).
    pub holds_later_starts: bool,
    /// For a supervisor child that is running: its own children.
    pub tree: Option<TreeSnapshot>,
}

/// The state of a supervisor and, recursively, of every child under it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
///
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
/// let handle = Supervisor::start(spec).unwrap();
/// let snapshot = handle.snapshot().await.unwrap();
/// assert_eq!(&*snapshot.children[0].path, "app/api");
/// handle.shutdown().await;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TreeSnapshot {
    /// The supervisor's path.
    pub path: Arc<str>,
    /// Its children in start order.
    pub children: Vec<ChildSnapshot>,
}

#[cfg(test)]
impl ChildSnapshot {
    /// A first instance of a standard service at `path` in `state`, for
    /// unit tests to adjust.
    pub(crate) fn example(path: &str, state: ChildState) -> Self {
        ChildSnapshot {
            path: path.into(),
            role: TaskRole::Service,
            severity: Severity::Standard,
            state,
            generation: 1,
            restarts: 0,
            last_exit: None,
            ready: false,
            holds_later_starts: false,
            tree: None,
        }
    }
}

impl TreeSnapshot {
    /// The child at `path` (such as `app/ingest/parser`) anywhere in the
    /// tree, nested trees included; `None` when there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let parser = ChildSpec::new("parser", TaskRole::Worker, |ctx| async move { ctx.cancelled().await });
    /// let ingest = ChildSpec::supervisor(SupervisorSpec::new("ingest").child(parser));
    /// let handle = Supervisor::start(SupervisorSpec::new("app").child(ingest)).unwrap();
    /// tokio::task::yield_now().await; // let the nested tree start its children
    /// let snapshot = handle.snapshot().await.unwrap();
    /// assert_eq!(snapshot.find("app/ingest/parser").unwrap().generation, 1);
    /// assert!(snapshot.find("app/parser").is_none());
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn find(&self, path: &str) -> Option<&ChildSnapshot> {
        self.children.iter().find_map(|child| {
            if &*child.path == path {
                Some(child)
            } else {
                child.tree.as_ref().and_then(|tree| tree.find(path))
            }
        })
    }

    /// Every child in the tree, depth first in start order: a supervisor
    /// child comes just before its own children.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let worker = |id: &str| ChildSpec::new(id, TaskRole::Worker, |ctx| async move { ctx.cancelled().await });
    /// let ingest = SupervisorSpec::new("ingest").child(worker("reader")).child(worker("parser"));
    /// let app = SupervisorSpec::new("app")
    ///     .child(ChildSpec::supervisor(ingest))
    ///     .child(worker("api"));
    /// let handle = Supervisor::start(app).unwrap();
    /// tokio::task::yield_now().await; // let the nested tree start its children
    /// let snapshot = handle.snapshot().await.unwrap();
    /// let paths: Vec<&str> = snapshot.walk().iter().map(|child| &*child.path).collect();
    /// assert_eq!(paths, ["app/ingest", "app/ingest/reader", "app/ingest/parser", "app/api"]);
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn walk(&self) -> Vec<&ChildSnapshot> {
        let mut all = Vec::new();
        for child in &self.children {
            all.push(child);
            if let Some(tree) = &child.tree {
                all.extend(tree.walk());
            }
        }
        all
    }
}
