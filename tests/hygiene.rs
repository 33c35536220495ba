//! Generated code names everything by absolute path through the facade: it
//! compiles beside user items that shadow prelude and std names, without the
//! implicit prelude, and with the facade reached by another path
//! (`crate = "..."`).

#![allow(dead_code, non_camel_case_types)]

use supervisor::prelude::*;

struct Result;
struct Option;
struct Box;
struct Some;
struct None;
struct Duration;
struct Vec;
struct String;
mod std {}
mod core {}

#[supervised(
    role = "service",
    shutdown = "5s",
    heartbeat = "10s",
    backoff(initial = "10ms")
)]
async fn api(ctx: ChildContext) -> ::std::result::Result<(), ::std::io::Error> {
    ctx.cancelled().await;
    ::std::result::Result::Ok(())
}

#[supervised(role = "sidecar", primary = api, restart_limit(max = 3, within = "1m"))]
async fn metrics() {}

#[derive(Supervisor)]
#[supervisor(strategy = "one_for_all", restart_limit(max = 1, within = "1s"))]
struct App {
    api: api,
    #[child(timeout = "1s")]
    metrics: metrics,
}

#[test]
fn generated_code_ignores_shadowed_prelude_and_std_names() {
    let app = App::spec();
    assert_eq!(app.children.len(), 2);
    assert!(app.validate().is_ok());
}

#[no_implicit_prelude]
mod without_prelude {
    use ::supervisor::prelude::*;

    #[supervised(role = "job", timeout = "1m")]
    async fn migrate() {}

    #[derive(Supervisor)]
    pub(super) struct Jobs {
        migrate: migrate,
        #[child(id = "again")]
        again: migrate,
    }
}

#[test]
fn generated_code_needs_no_implicit_prelude() {
    let jobs = <without_prelude::Jobs as SupervisorTree>::spec();
    assert_eq!(jobs.children[1].id, "again");
}

mod renamed {
    pub(crate) use ::supervisor as sup;
}

#[renamed::sup::supervised(crate = "crate::renamed::sup", role = "worker")]
async fn elsewhere(ctx: renamed::sup::ChildContext) {
    ctx.cancelled().await
}

#[derive(renamed::sup::Supervisor)]
#[supervisor(crate = "crate::renamed::sup")]
struct Renamed {
    elsewhere: elsewhere,
}

#[test]
fn crate_names_the_facade_by_another_path() {
    let spec = <Renamed as renamed::sup::SupervisorTree>::spec();
    assert_eq!(spec.children[0].id, "elsewhere");
}

/// A user type named like the generated code's own names.
#[derive(Clone)]
struct S;

#[derive(Clone)]
struct SharedState {
    s: S,
}

impl FromState<SharedState> for S {
    fn from_state(state: &SharedState) -> Self {
        state.s.clone()
    }
}

/// A fn named like the local that holds the state.
#[supervised(role = "job")]
async fn state(State(_s): State<S>, State(_shared): State<SharedState>) {}

/// A fn named like the context's closure argument.
#[supervised]
async fn ctx(ctx: ChildContext, State(_s): State<S>) {
    ctx.cancelled().await;
}

#[derive(Supervisor)]
struct Nested {
    ctx: ctx,
}

#[derive(Supervisor)]
#[supervisor(state = SharedState)]
struct WithState {
    state: state,
    ctx: ctx,
    nested: Nested,
}

#[test]
fn generated_state_code_ignores_user_names_for_its_own() {
    let spec = WithState::spec_with(SharedState { s: S });
    assert_eq!(spec.children.len(), 3);
    assert!(spec.validate().is_ok());
}

#[no_implicit_prelude]
mod state_without_prelude {
    use ::supervisor::prelude::*;

    #[derive(Clone)]
    pub(super) struct Config;

    #[supervised(role = "job")]
    async fn load(State(_config): State<Config>) {}

    #[derive(Supervisor)]
    #[supervisor(state = Config)]
    pub(super) struct Loader {
        load: load,
    }
}

#[test]
fn generated_state_code_needs_no_implicit_prelude() {
    use supervisor::StatefulTree as _;
    let spec = state_without_prelude::Loader::spec_with(state_without_prelude::Config);
    assert_eq!(spec.children[0].id, "load");
}
