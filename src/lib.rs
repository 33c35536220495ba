#![doc = include_str!("../README.md")]
//!
//! # The facade
//!
//! Erlang/OTP-style supervision trees for tokio services.
//!
//! Declare long-running tasks, jobs and sidecars; a tree of supervisors keeps
//! them running, restarts them by policy with backoff and intensity limits,
//! escalates when restarts stop helping, and shuts everything down in order.
//!
//! This crate is the facade: it re-exports the runtime
//! ([`supervisor_core`]) and, for the usual imports, has a [`prelude`].
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use supervisor::prelude::*;
//!
//! async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
//!     ctx.ready();
//!     ctx.cancelled().await;
//!     Ok(())
//! }
//!
//! let app = SupervisorSpec::new("app")
//!     .child(ChildSpec::new("api", TaskRole::Service, api).heartbeat(Duration::from_secs(10)));
//! app.validate()?;
//! # Ok::<(), supervisor::SpecError>(())
//! ```
//!
//! The same tree declared with the macros, checked at compile time:
//!
//! ```
//! use supervisor::prelude::*;
//!
//! #[supervised(role = "service", heartbeat = "10s")]
//! async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
//!     ctx.ready();
//!     ctx.cancelled().await;
//!     Ok(())
//! }
//!
//! #[derive(Supervisor)]
//! struct App {
//!     api: api,
//! }
//!
//! App::spec().validate()?;
//! # Ok::<(), supervisor::SpecError>(())
//! ```
//!
//! Children take what they need from their tree's state, as `State<T>`
//! arguments ([`State`], [`FromState`]); the compiler checks that the tree
//! can provide each of them:
//!
//! ```
//! use std::sync::Arc;
//! use supervisor::prelude::*;
//!
//! #[derive(Clone)]
//! struct AppState {
//!     greeting: Arc<str>,
//! }
//!
//! #[supervised(role = "service")]
//! async fn api(ctx: ChildContext, State(app): State<AppState>) {
//!     println!("{}", app.greeting);
//!     ctx.cancelled().await
//! }
//!
//! #[derive(Supervisor)]
//! #[supervisor(state = AppState)]
//! struct App {
//!     api: api,
//! }
//!
//! // In `main`: supervisor::run_with::<App>(state).await
//! App::spec_with(AppState { greeting: "hello".into() }).validate()?;
//! # Ok::<(), supervisor::SpecError>(())
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `json` | on | [`SupervisorSpec::from_json_str`] (pulls `serde_json`) |
//! | `toml` | on | [`SupervisorSpec::from_toml_str`] (pulls `toml`) |
//! | `http` | off | `supervisor::admin`: the admin server (axum) with `/livez`, `/readyz`, `/snapshot`, `/events`, a live page and, with a token, control routes; `Runner::admin` and `SUPERVISOR_ADMIN_ADDR` turn it on (pulls `axum`, `hyper`, `tower`) |
//! | `schema` | off | `schemars::JsonSchema` for the spec types, so a config file can be checked against `schemars::schema_for!(SupervisorSpec)` (pulls `schemars`) |
//! | `systemd` | off | under `run*`, `READY=1`, `STATUS=`, `WATCHDOG=1` and `STOPPING=1` to systemd when `NOTIFY_SOCKET` is set; `Runner::systemd` (pulls `sd-notify`) |
//! | `metrics` | off | the tree's metrics through the `metrics` facade, and a Prometheus recorder: the `metrics` module, `Runner::metrics` (pulls `metrics`, `metrics-exporter-prometheus`) |

pub use supervisor_core::*;
pub use supervisor_macros::{Supervisor, supervised};

/// The names most programs need: `use supervisor::prelude::*;`.
pub mod prelude {
    pub use supervisor_core::{
        AutoShutdown, BackoffPolicy, ChildContext, ChildSpec, ChildState, ControlError, EventKind,
        FromState, Inbox, RestartLimit, RestartPolicy, Runner, Severity, ShutdownPolicy,
        ShutdownReport, SpecError, State, StatefulTree, StopOutcome, Strategy, Supervised,
        Supervisor, SupervisorEvent, SupervisorHandle, SupervisorSpec, SupervisorTree, TaskRole,
        TreeError, inbox,
        policy::{ChildExit, ExitReason},
    };
    pub use supervisor_macros::{Supervisor, supervised};
}

/// Paths the macros' generated code goes through. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use supervisor_core;
    pub use supervisor_core::__macro_support::*;
}
