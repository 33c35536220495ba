//! The spec model: plain data that declares a supervision tree.
//!
//! A [`SupervisorSpec`] holds [`ChildSpec`]s in start order. Each child has a
//! [`TaskRole`] whose defaults fill every policy the child does not set. All
//! of it serializes (durations as humantime text such as `"50ms"`) and, with
//! the `schema` feature, has a JSON schema; only the tasks themselves are not
//! data.

mod backoff;
mod child;
pub(crate) mod duration;
mod effective;
#[cfg(any(feature = "json", feature = "toml"))]
mod load;
mod restart;
mod role;
mod shutdown;
mod tree;

pub use backoff::BackoffPolicy;
pub use child::ChildSpec;
pub use effective::{EffectivePolicy, PolicySource, Sourced};
#[cfg(any(feature = "json", feature = "toml"))]
pub use load::LoadError;
pub use restart::{RestartLimit, RestartPolicy, Severity};
pub use role::{RoleDefaults, TaskRole};
pub use shutdown::{ParseShutdownPolicyError, ShutdownPolicy};
pub use tree::{AutoShutdown, Strategy, SupervisorSpec};
