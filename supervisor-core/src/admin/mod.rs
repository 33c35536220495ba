//! The admin server (feature `http`): probes for Kubernetes, the tree as
//! JSON, its events as server-sent events, a live page, and control routes
//! behind a token.
//!
//! | route | answer |
//! |---|---|
//! | `GET /livez` | `200 {"live":true}` while the root runs and its loop answers within [`AdminConfig::ANSWER_BOUND`]; `503 {"live":false,"reason":...}` after an escalation or while the loop is stuck |
//! | `GET /readyz` | `200` once the start order is done and every critical child runs; `503` otherwise; the body is the [`Readiness`](crate::Readiness), whose `not_ready` lists what holds the tree back |
//! | `GET /snapshot` | the [`TreeSnapshot`](crate::TreeSnapshot) as JSON |
//! | `GET /events` | server-sent events, one [`SupervisorEvent`](crate::SupervisorEvent) as JSON per `data:`, `id:` its `seq`; new events only, or, with `Last-Event-ID: n`, the events after `n` still buffered first (a `lagged` event says how many are gone); `?replay=buffered`: every buffered event first |
//! | `GET /metrics` | Prometheus text from [`AdminConfig::metrics`]; `404` without |
//! | `GET /` | the live page: the tree, updated from `/events` |
//! | `POST /children/{path}/restart`, `/stop`, `/start` | with a token only, `Authorization: Bearer <token>` (`401` otherwise); `202` once done, `404` for an unknown path, `409` when the tree has stopped or the child already runs |
//!
//! Every error is a status with a JSON body `{"error": NAME, "message":
//! TEXT}`, unknown routes and methods included.
//!
//! # Security
//!
//! - The server binds the address it is given; [`AdminConfig::loopback`]
//!   and a bare port in [`ADMIN_ADDR_ENV`] mean `127.0.0.1`.
//! - Without a token the control routes do not exist. The token is
//!   compared in constant time and never printed.
//! - Bounds: [`AdminConfig::MAX_CONNECTIONS`] connections, each closed
//!   after [`AdminConfig::DEFAULT_IDLE_TIMEOUT`] without a byte moved;
//!   [`AdminConfig::DEFAULT_MAX_EVENT_STREAMS`] `/events` streams;
//!   [`AdminConfig::MAX_BODY_BYTES`] of request body;
//!   [`AdminConfig::EVENT_BUFFER`] buffered events, shared by all clients.
//! - The tree never waits for the server: the server reads the events like
//!   any subscriber (lagging, never blocking), and a client that does not
//!   read falls behind by at most [`AdminConfig::STREAM_LAG`] events before
//!   its stream ends; once its socket is full it idles and is closed.
//!
//! # Examples
//!
//! Under `run*`, the environment turns it on:
//!
//! ```sh
//! SUPERVISOR_ADMIN_ADDR=127.0.0.1:9090 SUPERVISOR_ADMIN_TOKEN=s3cret ./app
//! curl -s localhost:9090/readyz
//! curl -s -X POST -H 'Authorization: Bearer s3cret' localhost:9090/children/app/api/restart
//! ```
//!
//! With [`Runner`](crate::Runner):
//!
//! ```no_run
//! use supervisor_core::{ChildSpec, Runner, SupervisorSpec, TaskRole};
//! use supervisor_core::admin::AdminConfig;
//!
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     let spec = SupervisorSpec::new("app")
//!         .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
//!     Runner::new(spec)
//!         .admin(AdminConfig::loopback(9090).token("s3cret"))
//!         .run()
//!         .await
//! }
//! ```

mod auth;
mod config;
mod control;
mod hub;
mod listener;
mod page;
mod probes;
mod problem;
mod prometheus;
mod router;
mod server;
mod shell;
mod snapshot;
mod sse;

#[cfg(test)]
mod tests;

pub use config::{ADMIN_ADDR_ENV, ADMIN_TOKEN_ENV, AdminConfig};
pub use server::{AdminError, AdminServer};

pub(crate) use server::BoundAdmin;
pub(crate) use shell::AdminSource;
