//! That a tree can give each child what it takes from the tree's state,
//! checked by the type system where the generated code names the user's
//! tokens.
//!
//! Each trait here holds exactly when [`FromState`] (or `Clone + Send +
//! Sync + 'static`) does, through one blanket impl. The generated code
//! requires them rather than `FromState` itself, with the child as a type
//! parameter, so that a missing impl is reported with their
//! `on_unimplemented` text: the child, the type it takes and the tree's
//! state, with the fix. rustc reports the outer trait's text when the
//! failing `FromState` bound is about the same type, which it is.
//!
//! A `#[supervised]` fn that takes state gets an inherent
//! `supervisor_child_spec::<S>` that requires [`StateArgument`] for each of
//! its arguments; a tree with a state calls it, at the field's tokens, for
//! each child. Every other child is reached through [`ChildSpecIn`], whose
//! method of the same name an inherent one shadows.

use crate::{
    declare::ChildOf,
    spec::{ChildSpec, SupervisorSpec},
    state::FromState,
};

/// What a tree's state must be: each child's factory keeps a clone of it,
/// on any thread, for as long as the tree runs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tree's state: it must be `Clone + Send + Sync + 'static`",
    label = "each child keeps a clone of this state, on any thread",
    note = "fix: derive `Clone` for the state and keep what it shares behind `Arc`s, such as `#[derive(Clone)] struct AppState {{ db: Arc<Db> }}`"
)]
pub trait TreeState: Clone + Send + Sync + 'static {}

impl<S: Clone + Send + Sync + 'static> TreeState for S {}

/// `T: StateArgument<S, C>`: child `C` takes `State<T>`, and a state `S`
/// provides it.
#[diagnostic::on_unimplemented(
    message = "child `{C}` takes `State<{Self}>`, which its tree's state `{S}` cannot provide",
    label = "`{C}` takes `State<{Self}>`, and this tree's state is `{S}`",
    note = "a child takes `State<T>` from its tree's state `S` through `T: FromState<S>`; every `S: Clone` provides itself",
    note = "fix: provide it from the state: `impl FromState<{S}> for {Self} {{ fn from_state(state: &{S}) -> Self {{ ... }} }}`, or give the tree a state that holds one with `#[supervisor(state = ...)]`"
)]
pub trait StateArgument<S, C>: FromState<S> {}

impl<S, C, T: FromState<S>> StateArgument<S, C> for T {}

/// `Sub: NestedState<P, C>`: the nested tree `C` has the state `Sub`, and
/// its parent's state `P` provides it.
#[diagnostic::on_unimplemented(
    message = "nested tree `{C}` has the state `{Self}`, which its parent's state `{S}` cannot provide",
    label = "`{C}` runs with the state `{Self}`, and this tree's state is `{S}`",
    note = "a tree with `#[supervisor(state = Sub)]` nests under a parent whose state `P` has `Sub: FromState<P>`",
    note = "fix: provide it from the parent's state: `impl FromState<{S}> for {Self} {{ fn from_state(state: &{S}) -> Self {{ ... }} }}`"
)]
pub trait NestedState<S, C>: FromState<S> {}

impl<S, C, T: FromState<S>> NestedState<S, C> for T {}

/// The spec of any child of a tree whose state is `S`: the fallback of the
/// inherent `supervisor_child_spec` that a `#[supervised]` fn taking state,
/// and a tree with a state, have.
pub trait ChildSpecIn {
    /// The child's spec, from the tree's state.
    fn supervisor_child_spec<S>(state: &S) -> ChildSpec
    where
        Self: ChildOf<S>;
}

impl<T: ?Sized> ChildSpecIn for T {
    fn supervisor_child_spec<S>(state: &S) -> ChildSpec
    where
        Self: ChildOf<S>,
    {
        <T as ChildOf<S>>::child_spec(state)
    }
}

/// The spec of a derived tree from the state its children take from: for
/// a tree without a state of its own, any state that provides what they
/// take.
pub trait TreeSpec<S> {
    /// The tree's spec, each child holding what it needs of `state`.
    fn tree_spec(state: &S) -> SupervisorSpec;
}
