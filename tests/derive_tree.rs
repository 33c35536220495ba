//! `#[derive(Supervisor)]`: field order is start order, fields are
//! `#[supervised]` children or nested trees, `#[child]` overrides go through
//! the builder, and `#[supervisor]` sets the tree's own policy.

use std::time::Duration;

use supervisor::prelude::*;

#[supervised(role = "job")]
async fn migrate() -> Result<(), std::io::Error> {
    Ok(())
}

#[supervised(role = "service", shutdown = "5s", heartbeat = "10s")]
async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

#[supervised(role = "sidecar", primary = api)]
async fn metrics_pusher(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised]
async fn parser(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(id = "writer")]
async fn sink(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Ingest {
    parser: parser,
    sink: sink,
}

#[derive(Supervisor)]
#[supervisor(strategy = "rest_for_one", restart_limit(max = 5, within = "30s"))]
struct App {
    migrate: migrate,
    api: api,
    metrics: metrics_pusher,
    #[child(restart = "transient")]
    ingest: Ingest,
}

fn ids(spec: &SupervisorSpec) -> Vec<&str> {
    spec.children
        .iter()
        .map(|child| child.id.as_str())
        .collect()
}

#[test]
fn field_order_is_start_order_and_ids_come_from_the_children() {
    let app = App::spec();
    assert_eq!(app.id, "app");
    assert_eq!(ids(&app), ["migrate", "api", "metrics_pusher", "ingest"]);
    assert_eq!(app.strategy, Strategy::RestForOne);
    assert_eq!(
        app.restart_limit,
        RestartLimit::new(5, Duration::from_secs(30))
    );
    assert_eq!(app.auto_shutdown, AutoShutdown::Never);
    if let Err(error) = app.validate() {
        panic!("{error}");
    }
}

#[test]
fn a_nested_tree_runs_as_a_supervisor_child_with_its_overrides() {
    let app = App::spec();
    let ingest = &app.children[3];
    assert_eq!(ingest.role, TaskRole::Supervisor);
    assert_eq!(ingest.restart, Some(RestartPolicy::Transient));
    assert!(ingest.task_factory().is_none());
    let tree = ingest.tree.as_deref().unwrap();
    assert_eq!(tree.id, "ingest");
    assert_eq!(ids(tree), ["parser", "writer"]);
}

#[test]
fn each_child_spec_is_the_one_its_declaration_gives() {
    let app = App::spec();
    assert_eq!(
        format!("{:?}", app.children[1]),
        format!("{:?}", api::spec())
    );
    let nested = App::spec().children.remove(3);
    let expected = ChildSpec::supervisor(Ingest::spec()).restart(RestartPolicy::Transient);
    assert_eq!(format!("{nested:?}"), format!("{expected:?}"));
}

#[test]
fn a_tree_is_a_child_whose_id_is_the_tree_id() {
    assert_eq!(<Ingest as supervisor::Child>::ID, "ingest");
    assert_eq!(<Ingest as supervisor::Child>::ROLE, TaskRole::Supervisor);
    assert_eq!(<Ingest as SupervisorTree>::ID, "ingest");
    assert_eq!(
        <Ingest as supervisor::ChildOf<()>>::child_spec(&()).id,
        "ingest"
    );
}

#[supervised]
async fn worker(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(
    id = "pool",
    strategy = "one_for_all",
    auto_shutdown = "all_significant"
)]
struct WorkerPool {
    #[child(id = "worker-1", significant = true, restart = "transient")]
    first: worker,
    #[child(
        id = "worker-2",
        backoff(initial = "1s", max = "10s"),
        restart_limit(max = 2, within = "1m"),
        shutdown = "brutal",
        timeout = "5m",
        ready_timeout = "3s",
        heartbeat = "1s",
        severity = "optional"
    )]
    second: worker,
}

#[test]
fn child_overrides_set_every_key_through_the_builder() {
    let pool = WorkerPool::spec();
    assert_eq!(pool.id, "pool");
    assert_eq!(pool.strategy, Strategy::OneForAll);
    assert_eq!(pool.auto_shutdown, AutoShutdown::AllSignificant);
    assert_eq!(ids(&pool), ["worker-1", "worker-2"]);
    let first = &pool.children[0];
    assert_eq!(first.significant, Some(true));
    assert_eq!(first.restart, Some(RestartPolicy::Transient));
    let second = &pool.children[1];
    let backoff = BackoffPolicy::DEFAULT
        .initial(Duration::from_secs(1))
        .max(Duration::from_secs(10));
    assert_eq!(second.backoff, Some(backoff));
    let limit = RestartLimit::new(2, Duration::from_secs(60));
    assert_eq!(second.restart_limit, Some(limit));
    assert_eq!(second.shutdown, Some(ShutdownPolicy::Brutal));
    assert_eq!(second.timeout, Some(Duration::from_secs(300)));
    assert_eq!(second.ready_timeout, Some(Duration::from_secs(3)));
    assert_eq!(second.heartbeat, Some(Duration::from_secs(1)));
    assert_eq!(second.severity, Some(Severity::Optional));
    assert!(pool.validate().is_ok());
}

#[derive(Supervisor)]
struct Outer {
    #[child(id = "inner-pool")]
    pool: WorkerPool,
    app: App,
}

#[test]
fn trees_nest_to_any_depth_and_an_id_override_renames_the_nested_tree() {
    let outer = Outer::spec();
    assert_eq!(ids(&outer), ["inner-pool", "app"]);
    let pool = outer.children[0].tree.as_deref().unwrap();
    assert_eq!(pool.id, "inner-pool");
    let app = outer.children[1].tree.as_deref().unwrap();
    let ingest = app.children[3].tree.as_deref().unwrap();
    assert_eq!(ids(ingest), ["parser", "writer"]);
    assert!(outer.validate().is_ok());
}

#[derive(Supervisor)]
struct Pair(parser, sink);

#[derive(Supervisor)]
struct Empty;

#[test]
fn tuple_and_unit_structs_are_trees_too() {
    assert_eq!(ids(&Pair::spec()), ["parser", "writer"]);
    assert_eq!(Pair::spec().id, "pair");
    assert!(Empty::spec().children.is_empty());
    assert!(Empty::spec().validate().is_ok());
}

#[test]
fn two_trees_with_one_child_each_hold_independent_specs() {
    let (a, b) = (Ingest::spec(), Ingest::spec());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}
