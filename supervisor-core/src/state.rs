//! What a child takes from its tree's state: the [`State`] extractor and the
//! [`FromState`] conversion that says which parts of a state a tree can hand
//! out.
//!
//! A tree declared with `#[supervisor(state = AppState)]` holds one value of
//! `AppState`. A child asks for what it needs in its signature, as
//! `State<T>` arguments after its optional `ChildContext`; the tree can give
//! it a `T` when `T: FromState<AppState>`. Every `Clone` state gives itself,
//! and a user impl gives a part of it. Values are extracted afresh at each
//! start of an instance, so a restarted child sees the state as it is then.

use std::ops::{Deref, DerefMut};

/// A value a child takes from its tree's state: the argument
/// `State(db): State<Db>` of a `#[supervised]` fn.
///
/// The supervisor extracts it with [`FromState`] at each start of the
/// child. The fn stays a normal fn: a test calls it with a `State` it builds
/// itself.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildContext, State};
///
/// #[derive(Clone)]
/// struct Db {
///     url: &'static str,
/// }
///
/// async fn migrate(State(db): State<Db>) -> Result<(), String> {
///     assert_eq!(db.url, "postgres://localhost/app");
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let db = Db { url: "postgres://localhost/app" };
/// migrate(State(db)).await.unwrap();
/// # }
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct State<T>(pub T);

impl<T> State<T> {
    /// Extracts a `T` from `state`: what the supervisor does at each start
    /// of a child that takes `State<T>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{FromState, State};
    ///
    /// #[derive(Clone)]
    /// struct AppState {
    ///     port: u16,
    /// }
    ///
    /// struct Port(u16);
    ///
    /// impl FromState<AppState> for Port {
    ///     fn from_state(state: &AppState) -> Self {
    ///         Port(state.port)
    ///     }
    /// }
    ///
    /// let State(Port(port)) = State::<Port>::extract(&AppState { port: 8080 });
    /// assert_eq!(port, 8080);
    /// ```
    pub fn extract<S>(state: &S) -> Self
    where
        T: FromState<S>,
    {
        State(T::from_state(state))
    }
}

impl<T> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for State<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// How a part of a tree's state `S` is taken from it: what lets a child of
/// that tree take `State<Self>`.
///
/// Every `S: Clone` gives itself (`State<AppState>` takes the whole state);
/// implement `FromState<AppState>` for each part a child takes on its own.
/// `from_state` runs at each start of such a child, so a part that reads
/// something that changes (an atomic, a `watch` receiver) reads it anew at
/// each restart. Keep it cheap: clone `Arc`s and handles, not data.
///
/// A nested tree with `#[supervisor(state = Sub)]` takes its `Sub` from its
/// parent's state `P` the same way, through `Sub: FromState<P>`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use supervisor_core::FromState;
///
/// #[derive(Clone)]
/// struct Db(Arc<str>);
///
/// #[derive(Clone)]
/// struct AppState {
///     db: Db,
///     name: Arc<str>,
/// }
///
/// impl FromState<AppState> for Db {
///     fn from_state(state: &AppState) -> Self {
///         state.db.clone()
///     }
/// }
///
/// let state = AppState { db: Db("postgres://".into()), name: "app".into() };
/// assert_eq!(&*Db::from_state(&state).0, "postgres://");
/// assert_eq!(&*AppState::from_state(&state).name, "app");
/// ```
#[diagnostic::on_unimplemented(
    message = "the state `{S}` cannot provide `{Self}`",
    label = "`{Self}` is taken from a state `{S}` here",
    note = "a child takes `State<T>` from its tree's state `S` through `T: FromState<S>`; every `S: Clone` provides itself",
    note = "fix: provide it from the state: `impl FromState<{S}> for {Self} {{ fn from_state(state: &{S}) -> Self {{ ... }} }}`",
    note = "a state `()` is that of a tree without `#[supervisor(state = ...)]` run as the root: give the tree its state with `#[supervisor(state = YourState)]` and start it with `spec_with` or `run_with`"
)]
pub trait FromState<S> {
    /// Takes the value from the state.
    fn from_state(state: &S) -> Self;
}

impl<S: Clone> FromState<S> for S {
    fn from_state(state: &S) -> Self {
        state.clone()
    }
}
