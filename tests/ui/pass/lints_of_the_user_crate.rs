//! The code the macros emit is clean under the user's own lints, whatever
//! attributes the fn carries: a crate that denies every warning and the
//! stricter allow-by-default lints, with fns that are deprecated, hidden,
//! `must_use`, `inline`, `cold`, `cfg`-gated and documented, in trees that
//! name them.

#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    missing_copy_implementations,
    unreachable_pub,
    unused_qualifications,
    unused_results,
    unused_lifetimes,
    single_use_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    rust_2018_idioms,
    unused_import_braces,
    let_underscore_drop,
    unit_bindings,
    unnameable_types,
    variant_size_differences,
    non_ascii_idents,
    unsafe_code
)]

use supervisor::prelude::*;

/// The first API, kept while callers move.
#[deprecated(since = "0.2.0", note = "use `api`")]
#[supervised(role = "service")]
pub async fn legacy_api(ctx: ChildContext) {
    ctx.cancelled().await;
}

/// The API.
///
/// # Errors
///
/// When the listener fails.
#[must_use = "a task does nothing until the supervisor runs it"]
#[supervised(role = "service", heartbeat = "10s")]
pub async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.heartbeat();
    ctx.cancelled().await;
    Ok(())
}

/// Pushes the API's metrics.
#[inline]
#[doc(alias = "stats")]
#[supervised(role = "sidecar", primary = api)]
pub async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await;
}

#[doc(hidden)]
#[cold]
#[supervised(role = "job")]
pub async fn migrate() -> Result<(), String> {
    Ok(())
}

/// A probe compiled out, its `cfg` before the macro.
#[cfg(any())]
#[supervised]
pub async fn probe() {}

/// Another compiled out, its `cfg` after the macro.
#[supervised]
#[cfg(any())]
pub async fn tracer() {}

/// A task whose own lints are the user's to set.
#[allow(clippy::unused_async)]
#[expect(unused_variables)]
#[supervised]
pub(crate) async fn idle(ctx: ChildContext) {}

/// The pool.
#[derive(Debug, Clone, Copy, Supervisor)]
#[supervisor(strategy = "one_for_all")]
pub struct Pool(idle, #[child(id = "idle-2")] idle);

/// The application.
#[derive(Debug, Clone, Copy, Supervisor)]
pub struct App {
    migrate: migrate,
    api: api,
    metrics: metrics,
    legacy: legacy_api,
    #[child(restart = "transient")]
    pool: Pool,
}

/// The state of [`Stateful`].
#[derive(Debug, Clone, Default)]
pub struct AppState {
    name: String,
}

/// A part of [`AppState`].
#[derive(Debug)]
pub struct Name(pub String);

impl FromState<AppState> for Name {
    fn from_state(state: &AppState) -> Self {
        Name(state.name.clone())
    }
}

/// Greets, from the tree's state.
#[deprecated(since = "0.2.0", note = "use `api`")]
#[must_use = "a task does nothing until the supervisor runs it"]
#[supervised(role = "service")]
pub async fn greeter(
    ctx: ChildContext,
    State(Name(name)): State<Name>,
    State(app): State<AppState>,
) {
    drop((name, app));
    ctx.cancelled().await;
}

/// Loads, from the tree's state.
#[supervised(role = "job")]
pub(crate) async fn loader(State(_name): State<Name>) {}

/// A nested tree that takes its parent's state.
#[derive(Debug, Clone, Copy, Supervisor)]
pub struct Greeters {
    greeter: greeter,
}

/// A tree with a state.
#[derive(Debug, Clone, Copy, Supervisor)]
#[supervisor(state = AppState)]
pub struct Stateful {
    loader: loader,
    greeters: Greeters,
    app: App,
}

fn main() {
    App::spec().validate().unwrap();
    Stateful::spec_with(AppState::default()).validate().unwrap();
}
