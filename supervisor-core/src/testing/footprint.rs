//! How much one supervisor keeps per child, for leak checks.

use crate::runtime::{ControlError, SupervisorHandle};

/// How many entries each per-child structure of one supervisor holds.
///
/// Every structure a supervisor keeps per child follows its live children:
/// after any number of additions, removals and restarts, no count here is
/// above [`children`](Self::children), but for the children table's free
/// places (reused by the next additions; the table shrinks when most of it
/// is free) and timers of restarts that a later stop made out of date
/// (gone once they fire). Check it with
/// [`Footprint::assert_follows_children`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole, testing::footprint};
///
/// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
/// for _ in 0..100 {
///     let spec = ChildSpec::new("s", TaskRole::Worker, |ctx| async move { ctx.cancelled().await });
///     handle.add_child(spec).await.unwrap();
///     handle.remove_child("s").await.unwrap();
/// }
/// let footprint = footprint(&handle).await.unwrap();
/// assert_eq!(footprint.children, 0);
/// footprint.assert_follows_children();
/// # handle.shutdown().await;
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Footprint {
    /// Live children.
    pub children: usize,
    /// Places in the children table, free ones included.
    pub slots: usize,
    /// Free places in the children table, to be reused.
    pub free_slots: usize,
    /// Entries of the start order.
    pub order: usize,
    /// Entries of the id index.
    pub ids: usize,
    /// Children waiting to start.
    pub pending: usize,
    /// Children holding the start order.
    pub gates: usize,
    /// Restart timers, out-of-date ones included.
    pub timers: usize,
    /// Instance tasks the supervisor waits for.
    pub running: usize,
    /// Instance ends kept for the loop while a stop waited for another.
    pub deferred: usize,
}

impl Footprint {
    /// Panics, naming the structure, if one holds more entries than there
    /// are live children, or a place of the table is neither live nor free
    /// (timers excepted, see the type's docs).
    ///
    /// # Panics
    ///
    /// When a structure outlives the children it was kept for.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole, testing::footprint};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// for n in 0..10 {
    ///     let spec = ChildSpec::new(format!("w{n}"), TaskRole::Worker, |ctx| async move { ctx.cancelled().await });
    ///     handle.add_child(spec).await.unwrap();
    /// }
    /// for n in 0..10 {
    ///     handle.restart_child(&format!("w{n}")).await.unwrap();
    /// }
    /// for n in 0..5 {
    ///     handle.remove_child(&format!("w{n}")).await.unwrap();
    /// }
    /// let after = footprint(&handle).await.unwrap();
    /// assert_eq!(after.children, 5);
    /// after.assert_follows_children(); // nothing kept for the removed five
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn assert_follows_children(&self) {
        let live = self.children;
        let checks = [
            ("slots in use", self.slots - self.free_slots.min(self.slots)),
            ("order", self.order),
            ("ids", self.ids),
            ("pending", self.pending),
            ("gates", self.gates),
            ("running", self.running),
            ("deferred", self.deferred),
        ];
        for (name, size) in checks {
            assert!(
                size <= live,
                "{name} holds {size} entries for {live} live children: {self:?}"
            );
        }
        assert_eq!(
            self.slots,
            live + self.free_slots,
            "a place of the children table is neither live nor free: {self:?}"
        );
    }
}

/// The [`Footprint`] of the supervisor behind `handle` (its own children,
/// not those of nested trees).
///
/// # Errors
///
/// [`ControlError::Stopped`] once the supervisor has stopped.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, ControlError, Supervisor, SupervisorSpec, TaskRole, testing::footprint};
///
/// let api = ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await });
/// let handle = Supervisor::start(SupervisorSpec::new("app").child(api)).unwrap();
/// let now = footprint(&handle).await.unwrap();
/// assert_eq!((now.children, now.running), (1, 1));
///
/// handle.shutdown().await;
/// assert!(matches!(footprint(&handle).await, Err(ControlError::Stopped)));
/// # }
/// ```
pub async fn footprint(handle: &SupervisorHandle) -> Result<Footprint, ControlError> {
    handle.footprint().await
}
