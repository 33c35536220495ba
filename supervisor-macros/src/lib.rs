//! Procedural macros of the `supervisor` crate: `#[supervised]` declares a
//! child on an async fn, `#[derive(Supervisor)]` declares a tree on a
//! struct. Use them through the `supervisor` facade, which re-exports them.
//!
//! Both expand to the runtime's builder API (`ChildSpec`, `SupervisorSpec`)
//! and to nothing else, and judge at compile time, with the predicates and
//! texts of the one rule table (`supervisor-rules`), the rules the runtime
//! judges at run time: every compile error for a rule ends with the rule's
//! name in brackets (`[job_permanent]`), the same name a `SpecError` gives
//! for a spec built by hand.

mod choice;
mod duration;
mod errors;
#[cfg(test)]
mod expansion;
mod facade;
mod judge;
mod names;
mod policy;
mod spans;
mod suggest;
mod supervised;
mod tree;
mod value;

use proc_macro::TokenStream;

/// Declares a supervised child on an async fn.
///
/// The fn stays a normal fn that tests can call. Beside it the macro adds a
/// marker type of the same name (in the type namespace only, so the fn keeps
/// its name as a value) that implements `Supervised`: `api::spec()` is the
/// child's `ChildSpec`, and a `#[derive(Supervisor)]` struct names the child
/// by that type.
///
/// ```
/// use supervisor::prelude::*;
///
/// #[supervised(role = "service", shutdown = "5s", heartbeat = "10s")]
/// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
///     ctx.ready();
///     loop {
///         tokio::select! {
///             _ = ctx.cancelled() => return Ok(()),
///             _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => ctx.heartbeat(),
///         }
///     }
/// }
///
/// let spec = api::spec();
/// assert_eq!(spec.id, "api");
/// assert_eq!(spec.role, TaskRole::Service);
/// assert_eq!(spec.heartbeat, Some(std::time::Duration::from_secs(10)));
/// ```
///
/// # Signature
///
/// `async fn NAME(ctx: ChildContext, State(a): State<A>, State(b): State<B>, ..) -> R`:
/// the `ChildContext` first, then any number of `State<T>` arguments, each
/// of them optional (`async fn NAME() -> R` is a task too). `R` is `()` or
/// `Result<(), E>` with `E: Into<Box<dyn Error + Send + Sync>>`
/// (`std::io::Error`, `anyhow::Error`, `String`, ...).
///
/// A `State<T>` argument takes a `T` from the state of the tree the child
/// runs in, afresh at each start (see [State](#state) below); its pattern
/// is the fn's own (`State(db)`, `State(Config { port, .. })`, `_`). The
/// fn stays a normal fn: a test calls it with the context and the values
/// it builds, `api(ctx, State(db))`.
///
/// A fn that is not `async`, is generic, takes `self`, takes an argument
/// that is neither the context (first) nor a `State<T>`, or returns another
/// type is a compile error at the offending token, which says how to take
/// the value from the tree's state instead. So is an associated fn of an
/// `impl` block or a `trait`, which has no room for the marker type: the
/// error is at its name (with Rust 1.88 or later, which lets the macro
/// read where the fn sits).
///
/// # Keys
///
/// Every key is optional; durations are humantime text (`"50ms"`, `"5s"`,
/// `"1m 30s"`, `"2h"`, `"500us"`) parsed at compile time.
///
/// | key | values | default |
/// |---|---|---|
/// | `id` | a string without `/` | the fn's name |
/// | `role` | `"service"`, `"worker"`, `"job"`, `"sidecar"`, `"supervisor"` | `"worker"` |
/// | `restart` | `"permanent"`, `"transient"`, `"temporary"` | the role's |
/// | `backoff` | `backoff(initial = .., max = .., multiplier = .., jitter = .., reset_after = ..)` or `"none"` | 50 ms doubling to 5 s, jitter 0.2 |
/// | `restart_limit` | `restart_limit(max = N, within = "..")` | the role's (10, 3, 1, 5 or 3 in 60 s) |
/// | `shutdown` | a duration, `"brutal"` or `"infinity"` | `"5s"` |
/// | `timeout` | a duration: the deadline of one run | none |
/// | `ready_timeout` | a duration: time to call `ctx.ready()` | none |
/// | `heartbeat` | a duration: longest silence between `ctx.heartbeat()` | none |
/// | `every` | a duration: for a `job`, run again this long after each success | none (runs once) |
/// | `primary` | the `#[supervised]` fn a sidecar serves, or its id as a string | none |
/// | `severity` | `"critical"`, `"standard"`, `"optional"` | the role's |
/// | `significant` | `true` or `false` | `false` |
/// | `crate` | the path to the `supervisor` crate, as a string | `"::supervisor"` |
///
/// `id` and `role`:
///
/// ```
/// use supervisor::prelude::*;
///
/// #[supervised(id = "db-migrations", role = "job")]
/// async fn migrate() -> Result<(), String> {
///     Ok(())
/// }
///
/// assert_eq!(migrate::spec().id, "db-migrations");
/// assert_eq!(<migrate as Supervised>::ROLE, TaskRole::Job);
/// ```
///
/// `restart`, `severity` and `significant`:
///
/// ```
/// use supervisor::prelude::*;
///
/// #[supervised(restart = "temporary", severity = "optional", significant = true)]
/// async fn warm_cache() {}
///
/// let spec = warm_cache::spec();
/// assert_eq!(spec.restart, Some(RestartPolicy::Temporary));
/// assert_eq!(spec.severity, Some(Severity::Optional));
/// assert_eq!(spec.significant, Some(true));
/// ```
///
/// `backoff`, in full or as `"none"`:
///
/// ```
/// use std::time::Duration;
/// use supervisor::prelude::*;
///
/// #[supervised(backoff(initial = "100ms", max = "30s", multiplier = 3.0, jitter = 0.1, reset_after = "2m"))]
/// async fn indexer(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[supervised(backoff = "none")]
/// async fn poller(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// let backoff = indexer::spec().backoff.unwrap();
/// assert_eq!(backoff.initial, Duration::from_millis(100));
/// assert_eq!(backoff.max, Duration::from_secs(30));
/// assert_eq!(backoff.multiplier, 3.0);
/// assert_eq!(backoff.jitter, 0.1);
/// assert_eq!(backoff.reset_after(), Duration::from_secs(120));
/// assert_eq!(poller::spec().backoff, Some(BackoffPolicy::NONE));
/// ```
///
/// `restart_limit` and `shutdown`:
///
/// ```
/// use std::time::Duration;
/// use supervisor::prelude::*;
///
/// #[supervised(restart_limit(max = 10, within = "1m 30s"), shutdown = "brutal")]
/// async fn fetcher(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[supervised(shutdown = "infinity")]
/// async fn flusher(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// let spec = fetcher::spec();
/// assert_eq!(spec.restart_limit, Some(RestartLimit::new(10, Duration::from_secs(90))));
/// assert_eq!(spec.shutdown, Some(ShutdownPolicy::Brutal));
/// assert_eq!(flusher::spec().shutdown, Some(ShutdownPolicy::Infinity));
/// ```
///
/// `timeout`, `ready_timeout` and `heartbeat` (the last two need a task that
/// takes its `ChildContext`, to call `ctx.ready()` and `ctx.heartbeat()`):
///
/// ```
/// use std::time::Duration;
/// use supervisor::prelude::*;
///
/// #[supervised(role = "service", timeout = "2h", ready_timeout = "10s", heartbeat = "500ms")]
/// async fn api(ctx: ChildContext) {
///     ctx.ready();
///     ctx.cancelled().await
/// }
///
/// let spec = api::spec();
/// assert_eq!(spec.timeout, Some(Duration::from_secs(7200)));
/// assert_eq!(spec.ready_timeout, Some(Duration::from_secs(10)));
/// assert_eq!(spec.heartbeat, Some(Duration::from_millis(500)));
/// ```
///
/// `every`, for a periodic job: after each success it waits the period and
/// runs again; failures retry with backoff, and only they count toward the
/// restart limit:
///
/// ```
/// use std::time::Duration;
/// use supervisor::prelude::*;
///
/// #[supervised(role = "job", every = "5m")]
/// async fn report() -> Result<(), std::io::Error> {
///     Ok(())
/// }
///
/// assert_eq!(report::spec().every, Some(Duration::from_secs(300)));
/// ```
///
/// `primary`, for a sidecar:
///
/// ```
/// use supervisor::prelude::*;
///
/// #[supervised(role = "service")]
/// async fn api(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[supervised(role = "sidecar", primary = api)]
/// async fn metrics(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// assert_eq!(metrics::spec().primary.as_deref(), Some("api"));
/// assert_eq!(<metrics as Supervised>::PRIMARY, Some("api"));
/// ```
///
/// `crate`, when the facade is reached by another path:
///
/// ```
/// use supervisor as sup;
///
/// #[sup::supervised(crate = "sup")]
/// async fn tick() {}
///
/// assert_eq!(<tick as sup::Supervised>::spec().id, "tick");
/// ```
///
/// # State
///
/// A child takes what it needs from its tree's state
/// (`#[supervisor(state = AppState)]` on the tree): `State<AppState>` is
/// the whole state (every `Clone` state provides itself), and `State<T>`
/// a part of it, given by `impl FromState<AppState> for T`. The marker of
/// such a fn is a `Child` and a `ChildOf<S>` for every state `S` that
/// provides each `T`, rather than `Supervised` (it has no spec without a
/// state); a tree whose state cannot provide a `T` is a compile error at
/// its field, naming the child, `T` and the state, with the fix.
///
/// ```
/// use std::sync::Arc;
/// use supervisor::prelude::*;
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
/// #[supervised(role = "service")]
/// async fn api(ctx: ChildContext, State(db): State<Db>, State(app): State<AppState>) -> Result<(), String> {
///     println!("{} serves from {}", app.name, db.0);
///     ctx.cancelled().await;
///     Ok(())
/// }
///
/// #[supervised(role = "job")]
/// async fn migrate(State(Db(url)): State<Db>) -> Result<(), String> {
///     if url.is_empty() { Err("no database".into()) } else { Ok(()) }
/// }
///
/// #[derive(Supervisor)]
/// #[supervisor(state = AppState)]
/// struct App {
///     migrate: migrate,
///     api: api,
/// }
///
/// let state = AppState { db: Db("postgres://localhost/app".into()), name: "app".into() };
/// let spec = App::spec_with(state.clone());
/// assert_eq!(spec.children[1].id, "api");
///
/// // The fn stays a fn: call it with values of your own.
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert!(migrate(State(state.db.clone())).await.is_ok());
/// # });
/// ```
///
/// # Errors at compile time
///
/// Every rule of the runtime's table that one declaration can break is a
/// compile error at the offending key, with the fix and the rule's name:
///
/// ```compile_fail
/// use supervisor::prelude::*;
///
/// // error: a job cannot have restart = "permanent": ... [job_permanent]
/// #[supervised(role = "job", restart = "permanent")]
/// async fn migrate() {}
/// ```
///
/// So are unknown keys (with a "did you mean"), duplicate keys, malformed
/// durations and signatures that are not a task's. All the errors of one
/// declaration are reported together, and the marker is still emitted so
/// that a tree naming the child reports nothing more.
///
/// # Expansion
///
/// ```text
/// #[supervised(role = "service", shutdown = "5s")]
/// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> { ... }
/// ```
///
/// becomes the fn as written, and:
///
/// ```text
/// #[allow(non_camel_case_types, dead_code)]
/// #[derive(Debug, Clone, Copy)]
/// struct api {}
///
/// #[allow(deprecated)]
/// const _: () = {
///     impl ::supervisor::__private::Supervised for api {
///         const ID: &'static str = "api";
///         const ROLE: TaskRole = TaskRole::Service;
///         const PRIMARY: Option<&'static str> = Option::None;
///         const FACTS: ChildFacts = ChildFacts::task(Self::ID, Self::ROLE, Self::PRIMARY, TaskShape::WithContext);
///
///         fn spec() -> ChildSpec {
///             ChildSpec::declared(Self::ID, Self::ROLE)
///                 .with_factory(task_with_context::<Result<(), std::io::Error>, ChildContext, _, _>(api))
///                 .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(5)))
///         }
///     }
/// };
/// ```
///
/// A fn that takes state:
///
/// ```text
/// #[supervised(role = "service")]
/// async fn api(ctx: ChildContext, State(db): State<Db>) -> Result<(), std::io::Error> { ... }
/// ```
///
/// becomes the fn as written, the same marker, and:
///
/// ```text
/// #[allow(deprecated)]
/// const _: () = {
///     impl Child for api {
///         const ID: &'static str = "api";
///         // ROLE, PRIMARY and FACTS as above
///     }
///
///     impl api {
///         #[doc(hidden)]
///         #[must_use]
///         fn supervisor_child_spec<SupervisorState>(state: &SupervisorState) -> ChildSpec
///         where
///             SupervisorState: TreeState,                  // Clone + Send + Sync + 'static
///             Db: StateArgument<SupervisorState, api>,     // written at `State<Db>`
///         {
///             let state = Clone::clone(state);
///             ChildSpec::declared(Self::ID, Self::ROLE).with_factory(
///                 task_with_context::<Result<(), std::io::Error>, ChildContext, _, _>(move |ctx| {
///                     api(ctx, State(<Db as FromState<SupervisorState>>::from_state(&state)))
///                 }),
///             )
///         }
///     }
///
///     impl<SupervisorState> ChildOf<SupervisorState> for api
///     where
///         SupervisorState: TreeState,
///         Db: StateArgument<SupervisorState, api>,
///     {
///         fn child_spec(state: &SupervisorState) -> ChildSpec {
///             api::supervisor_child_spec(state)
///         }
///     }
/// };
/// ```
///
/// `StateArgument<S, C>` holds when `Db: FromState<S>`; its
/// `#[diagnostic::on_unimplemented]` text names the child `C`, `Db` and the
/// state `S`, so a tree that cannot provide `Db` fails at its field with
/// that text. The factory extracts `Db` at each start of the child.
///
/// (every runtime name is reached through `::supervisor::__private::`).
///
/// The marker carries the fn's `#[cfg(...)]` and `#[doc(hidden)]`, so it
/// exists and hides as the fn does, and the code beside it allows
/// `deprecated`: a `#[deprecated]` fn still runs in its tree, and nothing
/// the macro adds warns under the crate's own lints (`#![deny(warnings)]`,
/// clippy's `pedantic` and `nursery` groups).
#[proc_macro_attribute]
pub fn supervised(args: TokenStream, item: TokenStream) -> TokenStream {
    supervised::expand(args.into(), item.into()).into()
}

/// Declares a supervision tree on a struct whose fields are its children.
///
/// Each field's type is a child: the marker of a `#[supervised]` fn, or
/// another `#[derive(Supervisor)]` struct, which runs as a nested
/// supervisor. Field order is start order; stop order is the reverse. The
/// struct implements `SupervisorTree`: `App::spec()` is the
/// `SupervisorSpec`, and `supervisor::run::<App>()` runs it. A tree with a
/// state (`state = AppState`, see [State](#state)) implements
/// `StatefulTree` instead: `App::spec_with(state)` and
/// `supervisor::run_with::<App>(state)`.
///
/// ```
/// use supervisor::prelude::*;
///
/// #[supervised(role = "job")]
/// async fn migrate() -> Result<(), std::io::Error> {
///     Ok(())
/// }
///
/// #[supervised(role = "service")]
/// async fn api(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[supervised(role = "sidecar", primary = api)]
/// async fn metrics(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[supervised]
/// async fn parser(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[derive(Supervisor)]
/// struct Ingest {
///     parser: parser,
/// }
///
/// #[derive(Supervisor)]
/// #[supervisor(strategy = "rest_for_one", restart_limit(max = 5, within = "30s"))]
/// struct App {
///     migrate: migrate,
///     api: api,
///     metrics: metrics,
///     #[child(restart = "transient")]
///     ingest: Ingest,
/// }
///
/// let app = App::spec();
/// assert_eq!(app.id, "app");
/// let ids: Vec<_> = app.children.iter().map(|c| c.id.as_str()).collect();
/// assert_eq!(ids, ["migrate", "api", "metrics", "ingest"]);
/// assert_eq!(app.children[3].role, TaskRole::Supervisor);
/// assert_eq!(app.children[3].restart, Some(RestartPolicy::Transient));
/// app.validate()?;
/// # Ok::<(), SpecError>(())
/// ```
///
/// # Keys of `#[supervisor(...)]`
///
/// | key | values | default |
/// |---|---|---|
/// | `id` | a string without `/` | the struct's name in snake case (`WorkerPool` is `"worker_pool"`) |
/// | `strategy` | `"one_for_one"`, `"one_for_all"`, `"rest_for_one"` | `"one_for_one"` |
/// | `restart_limit` | `restart_limit(max = N, within = "..")`: the supervisor's own intensity | 10 in 60 s |
/// | `auto_shutdown` | `"never"`, `"any_significant"`, `"all_significant"` | `"never"` |
/// | `state` | the type of the state the children take from (`state = AppState`) | its parent's when nested, `()` at the root |
/// | `crate` | the path to the `supervisor` crate, as a string | `"::supervisor"` |
///
/// ```
/// use std::time::Duration;
/// use supervisor::prelude::*;
///
/// #[supervised(restart = "transient", significant = true)]
/// async fn batch() {}
///
/// #[derive(Supervisor)]
/// #[supervisor(id = "batch-runner", strategy = "one_for_all", auto_shutdown = "any_significant")]
/// #[supervisor(restart_limit(max = 2, within = "10s"))]
/// struct Runner {
///     batch: batch,
/// }
///
/// let spec = Runner::spec();
/// assert_eq!(spec.id, "batch-runner");
/// assert_eq!(spec.strategy, Strategy::OneForAll);
/// assert_eq!(spec.auto_shutdown, AutoShutdown::AnySignificant);
/// assert_eq!(spec.restart_limit, RestartLimit::new(2, Duration::from_secs(10)));
/// ```
///
/// `crate`, when the facade is reached by another path:
///
/// ```
/// use supervisor as sup;
///
/// #[sup::supervised(crate = "sup")]
/// async fn tick() {}
///
/// #[derive(sup::Supervisor)]
/// #[supervisor(crate = "sup")]
/// struct Clock {
///     tick: tick,
/// }
///
/// assert_eq!(<Clock as sup::SupervisorTree>::spec().children[0].id, "tick");
/// ```
///
/// # State
///
/// `state = AppState` gives the tree a state, from which its children take
/// what they ask for as `State<T>` arguments (`T: FromState<AppState>`;
/// every `Clone` state provides itself). The state must be `Clone + Send +
/// Sync + 'static`: each child keeps a clone and extracts from it at each of
/// its starts.
///
/// - At the root, `App::spec_with(state)` gives the spec and
///   `supervisor::run_with::<App>(state)` runs it.
/// - A nested tree without `state = ...` takes its parent's state: its
///   children take from it.
/// - A nested tree with `state = Sub` takes its `Sub` from its parent's
///   state `P` through `Sub: FromState<P>`, once, when the parent's spec is
///   built; its children then extract from that `Sub` at each start.
/// - A tree without `state = ...` at the root has the state `()`: its
///   `App::spec()` and `run::<App>()` stay as they are.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
/// use supervisor::prelude::*;
///
/// #[derive(Clone, Default)]
/// struct AppState {
///     jobs_done: Arc<AtomicU64>,
///     ingest: IngestState,
/// }
///
/// #[derive(Clone, Default)]
/// struct IngestState {
///     batch: usize,
/// }
///
/// impl FromState<AppState> for IngestState {
///     fn from_state(state: &AppState) -> Self {
///         state.ingest.clone()
///     }
/// }
///
/// #[supervised(role = "job")]
/// async fn migrate(State(app): State<AppState>) {
///     app.jobs_done.fetch_add(1, Ordering::Relaxed);
/// }
///
/// #[supervised]
/// async fn parser(ctx: ChildContext, State(ingest): State<IngestState>) {
///     let _ = ingest.batch;
///     ctx.cancelled().await
/// }
///
/// #[supervised]
/// async fn counter(ctx: ChildContext, State(app): State<AppState>) {
///     let _ = app.jobs_done.load(Ordering::Relaxed);
///     ctx.cancelled().await
/// }
///
/// #[derive(Supervisor)]
/// #[supervisor(state = IngestState)]
/// struct Ingest {
///     parser: parser,
/// }
///
/// #[derive(Supervisor)]
/// struct Stats {
///     counter: counter, // takes its parent's state: AppState
/// }
///
/// #[derive(Supervisor)]
/// #[supervisor(state = AppState)]
/// struct App {
///     migrate: migrate,
///     ingest: Ingest,
///     stats: Stats,
/// }
///
/// let app = App::spec_with(AppState::default());
/// let ids: Vec<_> = app.children.iter().map(|c| c.id.as_str()).collect();
/// assert_eq!(ids, ["migrate", "ingest", "stats"]);
/// app.validate()?;
/// # Ok::<(), SpecError>(())
/// ```
///
/// A child asking for a type the tree's state cannot provide is a compile
/// error at the tree's field, naming the child, the type and the state:
///
/// ```compile_fail
/// use supervisor::prelude::*;
///
/// #[derive(Clone)]
/// struct AppState;
/// struct Db;
///
/// #[supervised]
/// async fn api(State(_db): State<Db>) {}
///
/// // error: child `api` takes `State<Db>`, which its tree's state `AppState` cannot provide
/// #[derive(Supervisor)]
/// #[supervisor(state = AppState)]
/// struct App {
///     api: api,
/// }
/// ```
///
/// # Keys of `#[child(...)]`
///
/// A field may override the child's policy with the keys of `#[supervised]`
/// that do not change what the child is: `id`, `restart`, `backoff`,
/// `restart_limit`, `shutdown`, `timeout`, `ready_timeout`, `heartbeat`,
/// `every`, `severity`, `significant`. `role` and `primary` stay the child's
/// own.
///
/// ```
/// use std::time::Duration;
/// use supervisor::prelude::*;
///
/// #[supervised]
/// async fn worker(ctx: ChildContext) {
///     ctx.cancelled().await
/// }
///
/// #[derive(Supervisor)]
/// struct Pool {
///     #[child(id = "worker-1")]
///     first: worker,
///     #[child(id = "worker-2", shutdown = "1s", severity = "optional")]
///     second: worker,
/// }
///
/// let pool = Pool::spec();
/// assert_eq!(pool.children[1].id, "worker-2");
/// assert_eq!(pool.children[1].shutdown, Some(ShutdownPolicy::Timeout(Duration::from_secs(1))));
/// pool.validate()?;
/// # Ok::<(), SpecError>(())
/// ```
///
/// # Errors at compile time
///
/// Besides the attributes' own rules, the tree's rules are checked in const
/// evaluation: two children with one id; a sidecar whose primary is not in
/// the tree (or is, under the id a `#[child(id = ...)]` gave it), starts
/// after it, or is a sidecar itself; a `#[child(...)]` override that breaks
/// a rule with the child's own keys, such as `heartbeat` on a nested tree,
/// which has no task to beat. The error is at the field (or the override's
/// key) and names the children involved:
///
/// ```compile_fail
/// use supervisor::prelude::*;
///
/// #[supervised]
/// async fn one() {}
///
/// #[supervised(id = "one")]
/// async fn other() {}
///
/// // error: children `first` and `second` of `App` have the same id "one" ... [duplicate_child_id]
/// #[derive(Supervisor)]
/// struct App {
///     first: one,
///     second: other,
/// }
/// ```
///
/// # Expansion
///
/// ```text
/// #[derive(Supervisor)]
/// #[supervisor(strategy = "rest_for_one")]
/// struct App {
///     api: api,
///     #[child(restart = "transient")]
///     ingest: Ingest,
/// }
/// ```
///
/// becomes (every runtime name is reached through `::supervisor::__private::`):
///
/// ```text
/// #[allow(deprecated)]
/// const _: () = {
///     // The spec from any state that provides what the children take.
///     impl<SupervisorState> TreeSpec<SupervisorState> for App
///     where
///         api: ChildOf<SupervisorState>,
///         Ingest: ChildOf<SupervisorState>,
///     {
///         fn tree_spec(state: &SupervisorState) -> SupervisorSpec {
///             SupervisorSpec::new(<Self as Child>::ID)
///                 .strategy(Strategy::RestForOne)
///                 .child(<api as ChildOf<SupervisorState>>::child_spec(state))
///                 .child(<Ingest as ChildOf<SupervisorState>>::child_spec(state).restart(RestartPolicy::Transient))
///         }
///     }
///
///     impl Child for App { /* ID "app", ROLE Supervisor, FACTS */ }
///
///     // Nested, the tree takes its parent's state.
///     impl<SupervisorState> ChildOf<SupervisorState> for App where App: TreeSpec<SupervisorState> {
///         fn child_spec(state: &SupervisorState) -> ChildSpec {
///             nested_tree(<App as TreeSpec<SupervisorState>>::tree_spec(state))
///         }
///     }
///
///     // At the root, its state is `()`; the bound is judged where the tree
///     // runs as the root, so a tree whose children take state may be only nested.
///     impl SupervisorTree for App where for<'root> App: TreeSpec<()> {
///         const ID: &'static str = <Self as Child>::ID;
///         fn spec() -> SupervisorSpec { <App as TreeSpec<()>>::tree_spec(&()) }
///     }
///     impl App {
///         fn spec() -> SupervisorSpec where for<'root> App: TreeSpec<()> { /* the same */ }
///     }
///
///     #[allow(dead_code)]
///     fn fields_are_declarations(tree: &App) {
///         let _ = (&tree.api, &tree.ingest);
///     }
///
///     const CHILDREN: [ChildFacts; 2] = [
///         <api as Child>::FACTS,
///         <Ingest as Child>::FACTS.restart(RestartPolicy::Transient),
///     ];
///     const FIELDS: [&str; 2] = ["api", "ingest"];
///     const _: () = if let Option::Some(defect) =
///         TreeCheck::new("duplicate_child_id", Key::Id).run(&CHILDREN, &FIELDS, "App", 1)
///     {
///         panic!("{}", defect.as_str())
///     };
///     // ... one such check per rule among siblings and field, and per override
///     // whose rule also reads the child's own declaration
/// };
/// ```
///
/// With `#[supervisor(state = AppState)]`, the impls are:
///
/// ```text
/// use ChildSpecIn as _;
///
/// impl StatefulTree for App {
///     type State = AppState;
///
///     fn spec_with(state: <App as StatefulTree>::State) -> SupervisorSpec {
///         SupervisorSpec::new(<Self as Child>::ID)
///             // written at the field's tokens: an inherent `supervisor_child_spec` of a
///             // child that takes state, or `ChildSpecIn`'s for any other child
///             .child(<api>::supervisor_child_spec::<<App as StatefulTree>::State>(&state))
///     }
/// }
///
/// impl Child for App { /* as above */ }
///
/// // Nested, the tree takes its own state from its parent's.
/// impl App {
///     #[doc(hidden)]
///     fn supervisor_child_spec<SupervisorState>(state: &SupervisorState) -> ChildSpec
///     where
///         <App as StatefulTree>::State: NestedState<SupervisorState, App>,
///     {
///         let state = <<App as StatefulTree>::State as FromState<SupervisorState>>::from_state(state);
///         nested_tree(<App as StatefulTree>::spec_with(state))
///     }
/// }
/// impl<SupervisorState> ChildOf<SupervisorState> for App
/// where
///     <App as StatefulTree>::State: NestedState<SupervisorState, App>,
/// {
///     fn child_spec(state: &SupervisorState) -> ChildSpec { App::supervisor_child_spec(state) }
/// }
/// ```
#[proc_macro_derive(Supervisor, attributes(supervisor, child))]
pub fn derive_supervisor(input: TokenStream) -> TokenStream {
    tree::expand(input.into()).into()
}
