//! What a child needs from its tree beyond a task: asking the whole tree to
//! stop (`ChildContext::request_shutdown`) and a queue that survives its
//! restarts (`inbox`).

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use supervisor_core::{
    BackoffPolicy, CancellationToken, ChildContext, ChildSpec, EventKind, RestartLimit,
    ShutdownPolicy, StopOutcome, SupervisorSpec, TaskRole,
    inbox::{self, Inbox},
    run_until,
    testing::{EventPattern, TestTree},
};
use tokio::time::{sleep, timeout};

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

/// A service that asks for the tree's shutdown after `after`, then waits
/// for its own cancellation like any child.
fn quitter(after: Duration) -> ChildSpec {
    ChildSpec::new(
        "quitter",
        TaskRole::Service,
        move |ctx: ChildContext| async move {
            sleep(after).await;
            ctx.request_shutdown();
            ctx.cancelled().await;
        },
    )
    .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(30)))
}

#[tokio::test(start_paused = true)]
async fn a_child_that_requests_shutdown_stops_the_tree_in_order_without_using_its_grace() {
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("db", TaskRole::Service, idle))
        .child(quitter(Duration::from_secs(1)))
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    let ended = timeout(TestTree::PATIENCE, tree.wait()).await;
    assert!(
        matches!(ended, Ok(Ok(()))),
        "the tree did not end cleanly: {ended:?}\n{}",
        tree.trace()
    );
    let done = tree.shutdown().await;
    done.trace.assert_in_order(&[
        EventPattern::exited("app/api"),
        EventPattern::exited("app/quitter"),
        EventPattern::exited("app/db"),
        EventPattern::supervisor_stopped("app"),
    ]);
    let quitter = done.report.find("app/quitter").unwrap();
    assert_eq!(quitter.outcome, StopOutcome::ExitedInTime);
    assert_eq!(done.report.took, Duration::ZERO, "{}", done.trace);
    assert_eq!(done.trace.count(&EventPattern::started("app/quitter")), 1);
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_child_of_a_nested_tree_stops_the_whole_tree() {
    let ingest = SupervisorSpec::new("ingest").child(quitter(Duration::from_secs(2)));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(ChildSpec::supervisor(ingest));
    let mut tree = TestTree::start(spec);
    let ended = timeout(TestTree::PATIENCE, tree.wait()).await;
    assert!(matches!(ended, Ok(Ok(()))), "{ended:?}\n{}", tree.trace());
    let done = tree.shutdown().await;
    done.trace.assert_in_order(&[
        EventPattern::exited("app/ingest/quitter"),
        EventPattern::exited("app/api"),
        EventPattern::supervisor_stopped("app"),
    ]);
    assert!(done.report.is_clean(), "{:?}", done.report);
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn run_until_reports_success_when_a_child_requests_shutdown() {
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("db", TaskRole::Service, idle))
        .child(quitter(Duration::from_secs(1)));
    let summary = timeout(TestTree::PATIENCE, run_until(spec, std::future::pending()))
        .await
        .expect("run_until did not return after request_shutdown");
    assert!(summary.is_success(), "{summary}");
    assert_eq!(summary.report.map(|report| report.children.len()), Some(2));
}

#[test]
fn a_detached_context_cancels_its_token_on_request_shutdown() {
    let token = CancellationToken::new();
    let ctx = ChildContext::detached("job", token.clone());
    ctx.request_shutdown();
    assert!(token.is_cancelled());
    assert!(ctx.is_cancelled());
}

/// A detached context follows its user's token: what waits on it before
/// or after the cancellation sees it, tokens handed out before or after are
/// cancelled with it, and a helper's panic cancels the user's token.
#[tokio::test(start_paused = true)]
async fn a_detached_context_follows_its_users_token_both_ways() {
    let token = CancellationToken::new();
    let ctx = ChildContext::detached("job", token.clone());
    let early = ctx.cancellation_token();
    let waiting = tokio::spawn({
        let ctx = ctx.clone();
        async move { ctx.cancelled().await }
    });
    tokio::task::yield_now().await;
    assert!(!ctx.is_cancelled() && !early.is_cancelled());
    token.cancel();
    timeout(Duration::from_secs(1), waiting)
        .await
        .expect("a wait made before the cancellation ends")
        .unwrap();
    assert!(ctx.is_cancelled() && early.is_cancelled());
    assert!(ctx.cancellation_token().is_cancelled());
    timeout(Duration::from_secs(1), ctx.cancelled())
        .await
        .expect("a wait made after the cancellation ends at once");

    std::panic::set_hook(Box::new(|_| {}));
    let user = CancellationToken::new();
    let linked = ChildContext::detached("job", user.clone());
    linked.spawn(async { panic!("helper bug") });
    timeout(Duration::from_secs(1), user.cancelled())
        .await
        .expect("a helper's panic cancels the user's token");
    let _ = std::panic::take_hook();
    assert!(linked.is_cancelled());
}

/// The reader of the inbox test: takes the inbox, records what it
/// receives, and fails after every `batch` messages. It asks the tree to
/// stop once it has seen `total` messages.
fn reader(inbox: Inbox<u32>, seen: Arc<Mutex<Vec<u32>>>, batch: usize, total: usize) -> ChildSpec {
    ChildSpec::new("reader", TaskRole::Worker, move |ctx: ChildContext| {
        let (inbox, seen) = (inbox.clone(), Arc::clone(&seen));
        async move {
            let mut receiver = inbox.lock().await;
            for _ in 0..batch {
                let Some(message) = receiver.recv().await else {
                    return Ok(());
                };
                let mut seen = seen.lock().unwrap();
                seen.push(message);
                if seen.len() == total {
                    ctx.request_shutdown();
                    return Ok(());
                }
            }
            Err("batch done: fail on purpose")
        }
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::UNLIMITED)
}

#[tokio::test(start_paused = true)]
async fn an_inbox_keeps_every_unreceived_message_across_a_hundred_restarts() {
    const TOTAL: usize = 1_000;
    let (sender, inbox) = inbox::channel::<u32>(16);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let feeder = ChildSpec::new("feeder", TaskRole::Service, move |ctx: ChildContext| {
        let sender = sender.clone();
        async move {
            for n in 0..TOTAL as u32 {
                tokio::select! {
                    _ = ctx.cancelled() => return,
                    sent = sender.send(n) => sent.expect("the inbox outlives its readers"),
                }
            }
            ctx.cancelled().await;
        }
    });
    let spec = SupervisorSpec::new("app")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(reader(inbox, Arc::clone(&seen), 7, TOTAL))
        .child(feeder);
    let mut tree = TestTree::start(spec);
    let ended = timeout(TestTree::PATIENCE, tree.wait()).await;
    assert!(matches!(ended, Ok(Ok(()))), "{ended:?}\n{}", tree.trace());
    let done = tree.shutdown().await;

    let seen = seen.lock().unwrap().clone();
    let distinct: BTreeSet<u32> = seen.iter().copied().collect();
    assert_eq!(seen.len(), TOTAL, "a message was delivered twice or lost");
    assert_eq!(distinct, (0..TOTAL as u32).collect(), "messages were lost");
    assert_eq!(seen, (0..TOTAL as u32).collect::<Vec<_>>(), "out of order");
    let restarts = done
        .trace
        .events()
        .iter()
        .filter(|event| &*event.path == "app/reader")
        .filter(|event| matches!(event.kind, EventKind::RestartScheduled { .. }))
        .count();
    assert!(restarts >= 100, "only {restarts} restarts:\n{}", done.trace);
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn one_holder_at_a_time_receives_from_an_inbox() {
    let (sender, inbox) = inbox::channel::<u32>(4);
    let other = inbox.clone();
    sender.send(1).await.unwrap();
    let held = inbox.lock().await;
    let waiting = timeout(Duration::from_secs(60), other.recv()).await;
    assert!(
        waiting.is_err(),
        "received while another holder had the inbox"
    );
    drop(held);
    let received = timeout(Duration::from_secs(60), other.recv()).await;
    assert_eq!(
        received,
        Ok(Some(1)),
        "the message was lost with the holder"
    );
}

#[tokio::test(start_paused = true)]
async fn senders_stay_open_while_the_reader_restarts() {
    let (sender, inbox) = inbox::channel::<u32>(4);
    let reader = ChildSpec::new("reader", TaskRole::Worker, move |_ctx: ChildContext| {
        let inbox = inbox.clone();
        async move {
            let _held = inbox.lock().await;
            Err::<(), _>("fails at once")
        }
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::UNLIMITED);
    let spec = SupervisorSpec::new("app")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(reader);
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/reader").generation(5))
        .await;
    assert!(!sender.is_closed(), "the channel closed with an instance");
    sender.try_send(9).unwrap();
    tree.shutdown().await.assert_no_orphans();
}
