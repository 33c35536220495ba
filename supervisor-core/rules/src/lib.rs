//! The rule table of [`supervisor`](https://docs.rs/supervisor): every
//! contradiction a child's declaration can hold, each as one predicate and
//! one text.
//!
//! A [`Rule`] has a stable [`name`](Rule::name), the field it points at, a
//! message, a fix, and a `const fn` predicate over [`Facts`]: a few plain
//! values about one child (its role, its restart policy, whether it takes a
//! `ChildContext`, its backoff numbers, where its primary is among its
//! siblings, ...). Each judge gathers the facts it can see and walks
//! [`RULES`]:
//!
//! - the `#[supervised]` and `#[derive(Supervisor)]` macros, at expansion,
//!   from the attributes;
//! - a derived tree's `const` checks, from its children's declarations;
//! - `SupervisorSpec::validate` and `add_child`, at run time, from the spec.
//!
//! So a compile error and a `SpecError` for one mistake come from the same
//! predicate and end with the same `[name]`. A judge that does not know a
//! fact (a `#[child(...)]` override sees one key, not the child's role)
//! skips the rules that read it: [`Rule::can_judge`].
//!
//! Use it through `supervisor::rules` (or `supervisor_core::rules`).
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use supervisor_rules::{Facts, Keys, Role, Runs, broken};
//!
//! let mut poller = Facts::new("poller", Role::Worker, Runs::Task { context: false });
//! poller.heartbeat = Some(Duration::from_secs(10));
//! for (rule, field) in broken(&poller, Keys::DECLARATION) {
//!     println!("{field}: {}", rule.explain(rule.message));
//! }
//! let names: Vec<_> = broken(&poller, Keys::DECLARATION).map(|(rule, _)| rule.name).collect();
//! assert_eq!(names, ["heartbeat_without_context"]);
//! ```
#![no_std]

mod facts;
mod key;
mod rule;
mod table;

pub use facts::{
    Backoff, Facts, Limit, PrimarySibling, Restart, Role, Runs, Siblings, is_valid_id,
};
pub use key::{Key, Keys};
pub use rule::{Blame, Explained, Rule, broken, find, str_eq};
pub use table::*;
