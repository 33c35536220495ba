//! A stuck supervisor loop, on purpose, for testing what watches liveness.

use std::time::Duration;

use crate::runtime::SupervisorHandle;

/// Keeps the supervisor's loop busy for `period` (on tokio's clock), as a
/// loop stuck in a long await would be: meanwhile it handles no exit, timer
/// or request, and [`SupervisorHandle::is_live`] answers `false`. For
/// testing a liveness probe or a watchdog; returns at once.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use supervisor_core::{Supervisor, SupervisorSpec, testing::stall_loop};
///
/// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
/// stall_loop(&handle, Duration::from_secs(60));
/// assert!(!handle.is_live(Duration::from_secs(1)).await);
/// tokio::time::sleep(Duration::from_secs(60)).await;
/// assert!(handle.is_live(Duration::from_secs(1)).await);
/// # handle.shutdown().await;
/// # }
/// ```
pub fn stall_loop(handle: &SupervisorHandle, period: Duration) {
    handle.stall(period);
}
