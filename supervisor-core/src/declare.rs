//! What a declared child or tree is: the traits that `#[supervised]` and
//! `#[derive(Supervisor)]` implement.
//!
//! - [`Supervised`]: a child declared on an async fn that takes nothing
//!   from its tree's state; its marker type (the fn's name, in the type
//!   namespace) gives the [`ChildSpec`].
//! - [`SupervisorTree`]: a tree declared on a struct, whose children take
//!   nothing from a state (or take it from `()`); the struct gives the
//!   [`SupervisorSpec`].
//! - [`StatefulTree`]: a tree with a state (`#[supervisor(state = ...)]`),
//!   whose spec is built from a value of it.
//! - [`Child`] and [`ChildOf`]: what a field of a declared tree may be,
//!   and its spec from the tree's state.
//!
//! The macros expand to the builder API and nothing else, so these traits can
//! be implemented by hand as well.

mod macro_support;
mod state_check;
mod tree_check;

use self::tree_check::ChildFacts;
use crate::{spec::ChildSpec, spec::SupervisorSpec, spec::TaskRole};

/// A child declared once, whose spec is known from its type: what
/// `#[supervised]` implements for the marker type named after the fn.
///
/// Every `Supervised` type is also a [`Child`], which has constants of the
/// same names: where both traits are in scope, write `<Self as Supervised>::ID`
/// rather than `Self::ID`. It is a [`ChildOf<S>`](ChildOf) for every state
/// `S`: it takes nothing from its tree's state.
///
/// A child that takes from its tree's state has no spec without that state,
/// so it is not `Supervised`: `#[supervised]` on a fn with `State<T>`
/// arguments implements [`Child`] and [`ChildOf`] instead, and so does a
/// child written by hand (see [`ChildOf`] for an example).
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
/// `#[derive(Supervisor)]` implements for a struct without
/// `#[supervisor(state = ...)]`, when its children take nothing from a
/// state but `()`.
///
/// A tree with a state implements [`StatefulTree`] instead, whose
/// `spec_with` takes the state's value.
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

/// A supervision tree whose children take from a state: what
/// `#[derive(Supervisor)]` implements for a struct with
/// `#[supervisor(state = ...)]`. `App::spec_with(state)` gives the spec,
/// and [`run_with`](crate::run_with) runs it as the body of `main`.
///
/// Each child's factory keeps a clone of the state and extracts what the
/// child takes ([`FromState`](crate::FromState)) at each of its starts.
///
/// # Examples
///
/// By hand: the tree's children capture clones of the state.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
/// use supervisor_core::{ChildSpec, StatefulTree, SupervisorSpec, TaskRole};
///
/// #[derive(Clone, Default)]
/// struct AppState {
///     served: Arc<AtomicU64>,
/// }
///
/// struct App;
///
/// impl StatefulTree for App {
///     type State = AppState;
///
///     fn spec_with(state: AppState) -> SupervisorSpec {
///         SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, move |ctx| {
///             let served = state.served.clone();
///             async move {
///                 served.fetch_add(1, Ordering::Relaxed);
///                 ctx.cancelled().await
///             }
///         }))
///     }
/// }
///
/// let spec = App::spec_with(AppState::default());
/// assert_eq!(spec.children[0].id, "api");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supervision tree with a state",
    label = "not declared with `#[derive(Supervisor)]` and `#[supervisor(state = ...)]`",
    note = "declare the tree's state with `#[supervisor(state = AppState)]` on a `#[derive(Supervisor)]` struct; a tree without a state runs with `spec()` and `run`"
)]
pub trait StatefulTree {
    /// The state the tree's children take from.
    type State;

    /// The tree's spec, each child holding a clone of `state`.
    fn spec_with(state: Self::State) -> SupervisorSpec;
}

/// What a field of a `#[derive(Supervisor)]` struct may be: a
/// [`Supervised`] child, the marker of a `#[supervised]` fn that takes
/// state, or a nested tree. Its constants are what the compile-time checks
/// of a tree read; the spec comes from [`ChildOf`].
///
/// Every [`Supervised`] type is a `Child`; `#[supervised]` on a fn that
/// takes `State<T>` arguments and `#[derive(Supervisor)]` implement it for
/// their types.
///
/// # Examples
///
/// ```
/// use supervisor_core::{Child, ChildOf, ChildSpec, Supervised, TaskRole};
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
/// assert_eq!(<Cleaner as ChildOf<()>>::child_spec(&()).role, TaskRole::Worker);
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
}

/// A child that can run in a tree whose state is `S`: it gives its spec
/// from that state. Every `ChildOf<S>` is a [`Child`] too, whose constants
/// a tree's compile-time checks read.
///
/// A child that takes nothing from the state (every [`Supervised`] type) is
/// a `ChildOf<S>` for every `S`. The marker of a `#[supervised]` fn that
/// takes `State<T>` arguments is a `ChildOf<S>` for the states `S` that
/// provide each `T` ([`FromState`](crate::FromState)); a derived tree, for
/// the states that provide what its children take.
///
/// # Examples
///
/// A child written by hand that takes a part of its tree's state: the
/// factory keeps a clone of the state and extracts the part at each start.
///
/// ```
/// use supervisor_core::{Child, ChildContext, ChildOf, ChildSpec, FromState, SupervisorSpec, TaskRole};
///
/// #[derive(Clone)]
/// struct Db(&'static str);
///
/// async fn report(ctx: ChildContext, db: Db) -> Result<(), String> {
///     let _ = db.0;
///     ctx.cancelled().await;
///     Ok(())
/// }
///
/// struct Reporter;
///
/// impl Child for Reporter {
///     const ID: &'static str = "reporter";
///     const ROLE: TaskRole = TaskRole::Worker;
///     const PRIMARY: Option<&'static str> = None;
/// }
///
/// impl<S> ChildOf<S> for Reporter
/// where
///     S: Clone + Send + Sync + 'static,
///     Db: FromState<S>,
/// {
///     fn child_spec(state: &S) -> ChildSpec {
///         let state = state.clone();
///         ChildSpec::new(<Self as Child>::ID, <Self as Child>::ROLE, move |ctx| {
///             report(ctx, Db::from_state(&state))
///         })
///     }
/// }
///
/// #[derive(Clone)]
/// struct AppState {
///     db: Db,
/// }
///
/// impl FromState<AppState> for Db {
///     fn from_state(state: &AppState) -> Self {
///         state.db.clone()
///     }
/// }
///
/// let state = AppState { db: Db("postgres://") };
/// let app = SupervisorSpec::new("app").child(Reporter::child_spec(&state));
/// app.validate()?;
/// # Ok::<(), supervisor_core::SpecError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a child of a tree whose state is `{S}`",
    label = "not a child that can take what it needs from `{S}`",
    note = "a field of a `#[derive(Supervisor)]` struct names the marker of a `#[supervised]` async fn, or another `#[derive(Supervisor)]` struct; each `State<T>` it takes needs `T: FromState<{S}>`",
    note = "a state `()` is that of a tree without `#[supervisor(state = ...)]` run as the root: give the tree its state with `#[supervisor(state = YourState)]` and start it with `spec_with` or `run_with`"
)]
pub trait ChildOf<S> {
    /// The spec of the child as a tree whose state is `state` holds it.
    fn child_spec(state: &S) -> ChildSpec;
}

impl<T: Supervised> Child for T {
    const ID: &'static str = T::ID;
    const ROLE: TaskRole = T::ROLE;
    const PRIMARY: Option<&'static str> = T::PRIMARY;
    const FACTS: ChildFacts = T::FACTS;
}

impl<S, T: Supervised> ChildOf<S> for T {
    fn child_spec(_state: &S) -> ChildSpec {
        T::spec()
    }
}

/// What the macros' generated code names, through the facade's `__private`
/// module. Not public API.
#[doc(hidden)]
pub mod __macro_support {
    pub use core::{clone::Clone, fmt::Debug, marker::Copy, option::Option, panic, time::Duration};

    pub use crate::state::{FromState, State};

    pub use super::macro_support::{
        ContextArgument, declaration_has_errors, nested_tree, task_with_context,
        task_without_context, with_id,
    };
    pub use super::state_check::{ChildSpecIn, NestedState, StateArgument, TreeSpec, TreeState};
    pub use super::tree_check::{ChildFacts, Defect, TaskShape, TreeCheck};
    pub use super::{Child, ChildOf, StatefulTree, Supervised, SupervisorTree};
    pub use crate::rules::Key;
    pub use crate::{
        spec::AutoShutdown, spec::BackoffPolicy, spec::ChildSpec, spec::RestartLimit,
        spec::RestartPolicy, spec::Severity, spec::ShutdownPolicy, spec::Strategy,
        spec::SupervisorSpec, spec::TaskRole,
    };
}
