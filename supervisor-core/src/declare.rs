//! What a declared child or tree is: the traits that `#[supervised]` and
//! `#[derive(Supervisor)]` implement.
//!
//! - [`Supervised`]: a child declared on an async fn; its marker type (the
//!   fn's name, in the type namespace) gives the [`ChildSpec`].
//! - [`SupervisorTree`]: a tree declared on a struct; the struct gives the
//!   [`SupervisorSpec`].
//! - [`Child`]: what a field of a declared tree may be, either of the two.
//!
//! The macros expand to the builder API and nothing else, so these traits can
//! be implemented by hand as well.

mod macro_support;
mod tree_check;

use self::tree_check::ChildFacts;
use crate::{spec::ChildSpec, spec::SupervisorSpec, spec::TaskRole};

/// A child declared once, whose spec is known from its type: what
/// `#[supervised]` implements for the marker type named after the fn.
///
/// Every `Supervised` type is also a [`Child`], which has constants of the
/// same names: where both traits are in scope, write `<Self as Supervised>::ID`
/// rather than `Self::ID`.
///
/// # Examples
///
/// By hand, for a task the macro cannot see:
///
/// ```
/// use supervisor_core::{ChildSpec, Supervised, TaskRole};
///
/// struct Cleaner;
///
/// impl Supervised for Cleaner {
///     const ID: &'static str = "cleaner";
///     const ROLE: TaskRole = TaskRole::Worker;
///     const PRIMARY: Option<&'static str> = None;
///
///     fn spec() -> ChildSpec {
///         ChildSpec::without_context(Self::ID, Self::ROLE, || async {})
///     }
/// }
///
/// assert_eq!(Cleaner::spec().id, "cleaner");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supervised child",
    label = "not declared with `#[supervised]`",
    note = "declare the child with `#[supervised(...)]` on an `async fn`, or implement `Supervised` for it"
)]
pub trait Supervised {
    /// The child's id, unique among its siblings.
    const ID: &'static str;
    /// The child's role.
    const ROLE: TaskRole;
    /// For a sidecar, the id of the child it serves.
    const PRIMARY: Option<&'static str>;
    /// What the compile-time checks of a tree know about this child. The
    /// default knows only the three constants above, so those checks leave
    /// the rest to [`SupervisorSpec::validate`].
    #[doc(hidden)]
    const FACTS: ChildFacts = ChildFacts::opaque(Self::ID, Self::ROLE, Self::PRIMARY);

    /// The child's spec, its task included.
    fn spec() -> ChildSpec;
}

/// A supervision tree declared once, whose spec is known from its type: what
/// `#[derive(Supervisor)]` implements.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildSpec, SupervisorSpec, SupervisorTree, TaskRole};
///
/// struct App;
///
/// impl SupervisorTree for App {
///     const ID: &'static str = "app";
///
///     fn spec() -> SupervisorSpec {
///         SupervisorSpec::new(Self::ID)
///             .child(ChildSpec::without_context("migrate", TaskRole::Job, || async {}))
///     }
/// }
///
/// assert!(App::spec().validate().is_ok());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supervision tree",
    label = "not declared with `#[derive(Supervisor)]`",
    note = "declare the tree with `#[derive(Supervisor)]` on a struct, or implement `SupervisorTree` for it"
)]
pub trait SupervisorTree {
    /// The tree's id: the first segment of its children's paths, and its id
    /// as a child when it is nested.
    const ID: &'static str;

    /// The tree's spec, nested trees included.
    fn spec() -> SupervisorSpec;
}

/// What a field of a `#[derive(Supervisor)]` struct may be: a
/// [`Supervised`] child or a nested [`SupervisorTree`].
///
/// Every [`Supervised`] type is a `Child`; `#[derive(Supervisor)]` makes the
/// tree one too, as a child that runs the nested tree.
///
/// # Examples
///
/// ```
/// use supervisor_core::{Child, ChildSpec, Supervised, TaskRole};
///
/// struct Cleaner;
///
/// impl Supervised for Cleaner {
///     const ID: &'static str = "cleaner";
///     const ROLE: TaskRole = TaskRole::Worker;
///     const PRIMARY: Option<&'static str> = None;
///
///     fn spec() -> ChildSpec {
///         ChildSpec::without_context(<Self as Supervised>::ID, TaskRole::Worker, || async {})
///     }
/// }
///
/// assert_eq!(<Cleaner as Child>::ID, "cleaner");
/// assert_eq!(Cleaner::child_spec().role, TaskRole::Worker);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a child of a supervision tree",
    label = "neither a `#[supervised]` fn nor a `#[derive(Supervisor)]` tree",
    note = "a field of a `#[derive(Supervisor)]` struct names the marker of a `#[supervised]` async fn, or another `#[derive(Supervisor)]` struct"
)]
pub trait Child {
    /// The child's id, unique among its siblings.
    const ID: &'static str;
    /// The child's role.
    const ROLE: TaskRole;
    /// For a sidecar, the id of the child it serves.
    const PRIMARY: Option<&'static str>;
    /// What the compile-time checks of a tree know about this child; by
    /// default only the three constants above.
    #[doc(hidden)]
    const FACTS: ChildFacts = ChildFacts::opaque(Self::ID, Self::ROLE, Self::PRIMARY);

    /// The spec of the child as a tree holds it.
    fn child_spec() -> ChildSpec;
}

impl<T: Supervised> Child for T {
    const ID: &'static str = T::ID;
    const ROLE: TaskRole = T::ROLE;
    const PRIMARY: Option<&'static str> = T::PRIMARY;
    const FACTS: ChildFacts = T::FACTS;

    fn child_spec() -> ChildSpec {
        T::spec()
    }
}

/// What the macros' generated code names, through the facade's `__private`
/// module. Not public API.
#[doc(hidden)]
pub mod __macro_support {
    pub use core::{clone::Clone, fmt::Debug, marker::Copy, option::Option, panic, time::Duration};

    pub use super::macro_support::{
        ContextArgument, declaration_has_errors, nested_tree, task_with_context,
        task_without_context, with_id,
    };
    pub use super::tree_check::{ChildFacts, Defect, TaskShape, TreeCheck};
    pub use super::{Child, Supervised, SupervisorTree};
    pub use crate::rules::Key;
    pub use crate::{
        spec::AutoShutdown, spec::BackoffPolicy, spec::ChildSpec, spec::RestartLimit,
        spec::RestartPolicy, spec::Severity, spec::ShutdownPolicy, spec::Strategy,
        spec::SupervisorSpec, spec::TaskRole,
    };
}
