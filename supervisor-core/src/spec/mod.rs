//! The spec model: plain data that declares a supervision tree.
//!
//! A [`SupervisorSpec`] holds [`ChildSpec`]s in start order. Each child has a
//! [`TaskRole`] whose defaults fill every policy the child does not set. All
//! of it serializes (durations as humantime text such as `"50ms"`) and, with
//! the `schema` feature, has a JSON schema; only the tasks themselves are not
//! data.

mod backoff;
mod child;
mod config_error;
mod configured;
pub(crate) mod duration;
mod effective;
#[cfg(any(feature = "json", feature = "toml"))]
mod load;
mod overrides;
mod restart;
mod role;
mod shutdown;
mod suggest;
mod tree;

pub use backoff::BackoffPolicy;
pub use child::ChildSpec;
pub use config_error::ConfigError;
pub use effective::{EffectivePolicy, PolicySource, Sourced};
#[cfg(any(feature = "json", feature = "toml"))]
pub use load::LoadError;
pub use overrides::{BackoffOverrides, ChildOverrides, SpecOverrides};
pub use restart::{RestartLimit, RestartPolicy, Severity};
pub use role::{RoleDefaults, TaskRole};
pub use shutdown::{ParseShutdownPolicyError, ShutdownPolicy};
pub use tree::{AutoShutdown, Strategy, SupervisorSpec};
