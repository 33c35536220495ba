//! The rule table: every contradiction a spec can hold, judged the same way
//! wherever a spec comes from (the builder, a file, the macros).
//!
//! The table itself is the `supervisor-rules` crate, re-exported here: each
//! [`Rule`] has a stable [`name`](Rule::name), the field it concerns, a
//! message, a fix and a `const fn` predicate over a child's [`Facts`]. The
//! macros judge a declaration with the same predicates at compile time.
//! [`SupervisorSpec::validate`](crate::SupervisorSpec::validate) walks a
//! whole tree and returns every [`Violation`] at once in a [`SpecError`].
//!
//! # Examples
//!
//! ```
//! use supervisor_core::{ChildSpec, RestartPolicy, SupervisorSpec, TaskRole, rules};
//!
//! let migrate = ChildSpec::without_context("migrate", TaskRole::Job, || async {})
//!     .restart(RestartPolicy::Permanent);
//! let error = SupervisorSpec::new("app").child(migrate).validate().unwrap_err();
//! assert!(error.breaks(&rules::JOB_PERMANENT));
//! assert!(error.to_string().ends_with(&format!("fix: {} [job_permanent]", rules::JOB_PERMANENT.fix)));
//! ```

mod detail;
mod error;
mod facts;
mod judge;

pub use supervisor_rules::*;

pub use self::error::{SpecError, Violation};
pub(crate) use self::judge::{check_addition, check_tree};
