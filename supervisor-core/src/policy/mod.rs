//! The policy engine: pure decisions about exits, restarts and backoff.
//!
//! Nothing here spawns a task, reads a clock or touches a channel: the
//! runtime passes the time in, so every decision is tested without a runtime.

mod backoff;
mod decision;
mod intensity;
mod jitter;

pub use backoff::BackoffState;
pub use decision::{
    ChildExit, ChildHistory, Decision, EscalationReason, ExitReason, StopReason, decide,
};
pub use intensity::{LimitExceeded, RestartWindow};
pub use jitter::JitterRng;
