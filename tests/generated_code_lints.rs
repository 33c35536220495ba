//! The code the macros emit passes clippy's `pedantic` and `nursery` groups
//! in the user's crate, whatever attributes the fn carries. CI lints this
//! file with `cargo clippy --all-targets -- -D warnings`; the UI pass case
//! `tests/ui/pass/lints_of_the_user_crate.rs` holds rustc's own lints.

#![deny(warnings, clippy::pedantic, clippy::nursery)]

use supervisor::prelude::*;

#[deprecated(note = "use `api`")]
#[supervised(role = "service")]
async fn legacy_api(ctx: ChildContext) {
    ctx.cancelled().await;
}

#[must_use = "a task does nothing until the supervisor runs it"]
#[supervised(role = "service", heartbeat = "10s")]
async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.heartbeat();
    ctx.cancelled().await;
    Ok(())
}

#[inline]
#[supervised(role = "sidecar", primary = api, backoff(initial = "1s", max = "1m"))]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await;
}

#[doc(hidden)]
#[cold]
#[supervised(role = "job", restart_limit(max = 2, within = "1m 30s"))]
async fn migrate() -> Result<(), String> {
    Ok(())
}

#[derive(Supervisor)]
#[supervisor(strategy = "one_for_all")]
struct Pool(
    #[child(id = "migrate-1")] migrate,
    #[child(id = "migrate-2")] migrate,
);

#[derive(Supervisor)]
#[supervisor(strategy = "rest_for_one", restart_limit(max = 5, within = "30s"))]
struct App {
    migrate: migrate,
    api: api,
    metrics: metrics,
    legacy: legacy_api,
    #[child(restart = "transient", shutdown = "infinity")]
    pool: Pool,
}

#[derive(Clone, Default)]
struct AppState {
    name: String,
}

struct Name(String);

impl FromState<AppState> for Name {
    fn from_state(state: &AppState) -> Self {
        Self(state.name.clone())
    }
}

#[deprecated(note = "use `api`")]
#[supervised(role = "service", heartbeat = "10s")]
async fn greeter(ctx: ChildContext, State(Name(name)): State<Name>, State(app): State<AppState>) {
    let _ = (name, app);
    ctx.heartbeat();
    ctx.cancelled().await;
}

#[must_use = "a task does nothing until the supervisor runs it"]
#[supervised(role = "job")]
async fn loader(State(name): State<Name>) -> Result<(), String> {
    if name.0.is_empty() {
        Err("no name".to_owned())
    } else {
        Ok(())
    }
}

#[derive(Supervisor)]
struct Greeters {
    greeter: greeter,
}

#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct Stateful {
    loader: loader,
    greeters: Greeters,
    #[child(restart = "transient")]
    app: App,
}

#[test]
fn a_crate_under_clippy_pedantic_and_nursery_declares_a_tree_with_state() {
    let spec = Stateful::spec_with(AppState::default());
    spec.validate().unwrap();
    assert_eq!(spec.children.len(), 3);
}

#[test]
fn a_crate_under_clippy_pedantic_and_nursery_declares_its_tree() {
    let app = App::spec();
    app.validate().unwrap();
    assert_eq!(app.children.len(), 5);
}
