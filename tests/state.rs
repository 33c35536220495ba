//! Children take what they need from their tree's state: the whole state,
//! a part of it through a user `FromState` impl, several parts beside the
//! context, with patterns, in jobs without a context, in nested trees that
//! inherit the state or project their own; each extracted afresh at every
//! start, so a restarted child sees the state as it is then.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use supervisor::prelude::*;
use supervisor::testing::{EventPattern, TestTree};
use tokio::sync::watch;

/// What the children saw, in the order they started.
type Seen = Arc<Mutex<Vec<String>>>;

#[derive(Clone)]
struct AppState {
    /// Read by the `Epoch` projection at each start.
    epoch: Arc<AtomicU64>,
    /// Read by the `Config` projection at each start.
    config: watch::Receiver<String>,
    seen: Seen,
    ingest: IngestState,
}

/// A part of the state, taken as it is at each start.
struct Epoch(u64);

impl FromState<AppState> for Epoch {
    fn from_state(state: &AppState) -> Self {
        Epoch(state.epoch.load(Ordering::SeqCst))
    }
}

/// Another part, read from a `watch` channel at each start.
struct Config {
    name: String,
}

impl FromState<AppState> for Config {
    fn from_state(state: &AppState) -> Self {
        Config {
            name: state.config.borrow().clone(),
        }
    }
}

impl FromState<AppState> for Seen {
    fn from_state(state: &AppState) -> Self {
        state.seen.clone()
    }
}

/// The state of a nested tree, projected from its parent's.
#[derive(Clone)]
struct IngestState {
    batch: usize,
    seen: Seen,
}

impl FromState<AppState> for IngestState {
    fn from_state(state: &AppState) -> Self {
        state.ingest.clone()
    }
}

fn record(seen: &Seen, what: String) {
    seen.lock().unwrap().push(what);
}

/// A job without a context, taking the whole state.
#[supervised(role = "job")]
async fn migrate(State(app): State<AppState>) -> Result<(), String> {
    record(
        &app.seen,
        format!("migrate epoch={}", app.epoch.load(Ordering::SeqCst)),
    );
    Ok(())
}

/// The context and two parts, one through a pattern; its first instance
/// fails after a second, so it restarts.
#[supervised(role = "service", backoff = "none")]
async fn reader(
    ctx: ChildContext,
    State(Epoch(epoch)): State<Epoch>,
    State(config): State<Config>,
    State(seen): State<Seen>,
) -> Result<(), String> {
    record(
        &seen,
        format!(
            "reader#{} epoch={epoch} config={}",
            ctx.generation(),
            config.name
        ),
    );
    if ctx.generation() == 1 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return Err("connection reset".to_owned());
    }
    ctx.cancelled().await;
    Ok(())
}

/// In a nested tree without a state of its own: takes its parent's.
#[supervised]
async fn counter(ctx: ChildContext, State(Epoch(epoch)): State<Epoch>, State(seen): State<Seen>) {
    record(&seen, format!("counter epoch={epoch}"));
    ctx.cancelled().await
}

/// In a nested tree with its own state, projected from the parent's.
#[supervised]
async fn parser(ctx: ChildContext, State(ingest): State<IngestState>) {
    record(&ingest.seen, format!("parser batch={}", ingest.batch));
    ctx.cancelled().await
}

/// Takes nothing from the state, in a tree that has one.
#[supervised]
async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Stats {
    counter: counter,
    idle: idle,
}

#[derive(Supervisor)]
#[supervisor(state = IngestState)]
struct Ingest {
    parser: parser,
}

#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct App {
    migrate: migrate,
    reader: reader,
    stats: Stats,
    ingest: Ingest,
}

fn state() -> (AppState, watch::Sender<String>) {
    let (config, reader) = watch::channel("v1".to_owned());
    let seen = Seen::default();
    let state = AppState {
        epoch: Arc::new(AtomicU64::new(1)),
        config: reader,
        seen: seen.clone(),
        ingest: IngestState { batch: 64, seen },
    };
    (state, config)
}

fn seen(state: &AppState) -> Vec<String> {
    state.seen.lock().unwrap().clone()
}

#[tokio::test(start_paused = true)]
async fn each_child_takes_what_it_asks_for_from_the_tree_state() {
    let (state, _config) = state();
    let mut tree = TestTree::start(App::spec_with(state.clone()));
    tree.run_until(&EventPattern::started("app/ingest/parser"))
        .await;
    tree.run_for(Duration::from_millis(10)).await;
    assert_eq!(
        seen(&state),
        [
            "migrate epoch=1",
            "reader#1 epoch=1 config=v1",
            "counter epoch=1",
            "parser batch=64",
        ]
    );
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_restarted_child_extracts_the_state_as_it_is_at_its_new_start() {
    let (state, config) = state();
    let mut tree = TestTree::start(App::spec_with(state.clone()));
    tree.run_until(&EventPattern::started("app/reader").generation(1))
        .await;
    state.epoch.store(7, Ordering::SeqCst);
    config.send_replace("v2".to_owned());
    tree.run_until(&EventPattern::started("app/reader").generation(2))
        .await;
    tree.run_for(Duration::from_millis(10)).await;
    let readers: Vec<String> = seen(&state)
        .into_iter()
        .filter(|line| line.starts_with("reader"))
        .collect();
    assert_eq!(
        readers,
        ["reader#1 epoch=1 config=v1", "reader#2 epoch=7 config=v2"]
    );
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_nested_tree_inherits_the_state_or_projects_its_own() {
    let (state, _config) = state();
    let spec = App::spec_with(state);
    let stats = spec.children[2].tree.as_deref().unwrap();
    let ingest = spec.children[3].tree.as_deref().unwrap();
    assert_eq!(stats.children[0].id, "counter");
    assert_eq!(ingest.children[0].id, "parser");
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/stats/counter"))
        .await;
    tree.run_until(&EventPattern::started("app/ingest/parser"))
        .await;
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test]
async fn the_fn_stays_callable_as_written() {
    let (state, _config) = state();
    migrate(State(state.clone())).await.unwrap();
    let cancel = supervisor::CancellationToken::new();
    cancel.cancel();
    let ctx = ChildContext::detached("counter", cancel);
    counter(ctx, State(Epoch(3)), State(state.seen.clone())).await;
    assert_eq!(seen(&state), ["migrate epoch=1", "counter epoch=3"]);
}

/// Asks the tree to stop once it has seen its state.
#[supervised(role = "service")]
async fn quitter(ctx: ChildContext, State(app): State<AppState>) {
    record(&app.seen, "quitter".to_owned());
    ctx.request_shutdown();
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct Quits {
    quitter: quitter,
}

#[tokio::test(start_paused = true)]
async fn run_with_builds_the_spec_from_the_state_and_runs_it() {
    let (state, _config) = state();
    let code = tokio::time::timeout(
        TestTree::PATIENCE,
        supervisor::run_with::<Quits>(state.clone()),
    )
    .await
    .expect("run_with did not return after the child asked for shutdown");
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    assert_eq!(seen(&state), ["quitter"]);
}

#[derive(Supervisor)]
struct Stateless {
    idle: idle,
}

#[test]
fn a_stateless_tree_keeps_spec_and_run() {
    let spec = Stateless::spec();
    assert_eq!(spec.children[0].id, "idle");
    assert_eq!(<Stateless as SupervisorTree>::spec().id, "stateless");
    let _run = supervisor::run::<Stateless>;
}
