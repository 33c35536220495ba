//! Runtime of [`supervisor`](https://docs.rs/supervisor): the spec model, the
//! rule table, the policy engine and the supervision runtime.
//!
//! Most users depend on the `supervisor` facade, which re-exports this crate
//! and adds the `#[supervised]` and `#[derive(Supervisor)]` macros. This crate
//! is complete without them: the macros expand to the builder API below.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use supervisor_core::{ChildContext, ChildSpec, ShutdownPolicy, Strategy, SupervisorSpec, TaskRole};
//!
//! async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
//!     ctx.ready();
//!     ctx.cancelled().await;
//!     Ok(())
//! }
//!
//! let app = SupervisorSpec::new("app")
//!     .strategy(Strategy::OneForOne)
//!     .child(ChildSpec::new("api", TaskRole::Service, api).shutdown(ShutdownPolicy::Timeout(Duration::from_secs(5))));
//! app.validate()?;
//! println!("{}", app.children[0].effective_policy());
//! # Ok::<(), supervisor_core::SpecError>(())
//! ```
//!
//! # Cargo features
//!
//! - `json` (off here, on in the `supervisor` facade): `SupervisorSpec::from_json_str`.
//! - `toml` (off here, on in the facade): `SupervisorSpec::from_toml_str`.
//! - `schema` (off): derives `schemars::JsonSchema` for the spec types.
//! - `systemd` (off): under `run*`, systemd notifications when
//!   `NOTIFY_SOCKET` is set; see `Runner::systemd`.
//! - `metrics` (off): the tree's metrics through the `metrics` facade and a
//!   Prometheus recorder; see `metrics`.
//! - `http` (off): the admin server, `admin` (axum): probes, snapshot,
//!   events, a live page and control routes.

#[cfg(feature = "http")]
pub mod admin;
mod context;
#[cfg(test)]
mod counting_waker;
mod declare;
mod event;
pub mod inbox;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod policy;
mod readiness;
#[cfg(any(feature = "systemd", feature = "metrics"))]
mod refresh;
pub mod rules;
mod run;
mod runner;
mod runtime;
mod shutdown_report;
mod snapshot;
pub mod spec;
mod state;
#[cfg(feature = "systemd")]
mod systemd;
mod task;
pub mod testing;

pub use context::{Cancelled, ChildContext};
pub use declare::{__macro_support, Child, ChildOf, StatefulTree, Supervised, SupervisorTree};
pub use event::{EventKind, EventStream, EventStreamError, SupervisorEvent};
pub use inbox::Inbox;
pub use readiness::{NotReady, NotReadyReason, Readiness};
pub use rules::{SpecError, Violation};
pub use run::{RunFailure, RunSummary, run, run_spec, run_until, run_with};
pub use runner::{CONFIG_ENV, Runner};
pub use runtime::{ControlError, Supervisor, SupervisorHandle, TreeError};
pub use shutdown_report::{ChildShutdown, ShutdownReport, StopOutcome};
pub use snapshot::{ChildSnapshot, ChildState, TreeSnapshot};
pub use spec::*;
pub use state::{FromState, State};
pub use task::{BoxError, TaskFactory, TaskFuture, TaskOutput, TaskResult};
pub use tokio_util::sync::CancellationToken;
