//! The policy engine: pure decisions about exits, restarts and backoff.
//!
//! Nothing here spawns a task, reads a clock or touches a channel: the
//! runtime passes the time in, so every decision is tested without a runtime.

mod backoff;
mod bounded_text;
mod decision;
mod exit_policy;
mod group;
mod intensity;
mod jitter;

pub use backoff::BackoffState;
pub use bounded_text::MAX_EXIT_TEXT;
pub(crate) use bounded_text::bounded;
pub use decision::{
    ChildExit, ChildHistory, Decision, EscalationReason, ExitReason, StopReason, decide,
};
pub use exit_policy::ExitPolicy;
pub use group::restart_group;
pub use intensity::{LimitExceeded, RestartWindow};
pub use jitter::JitterRng;
