//! Shared helpers of the runtime tests: every wait is bounded and fails
//! with the events it saw.
#![allow(dead_code, unreachable_pub)]

use std::{fmt::Write, time::Duration};

use supervisor_core::{
    EventKind, EventStream, EventStreamError, SupervisorEvent, testing::TestTree,
};

/// Reads events until one matches, and returns it. Waits at most
/// [`TestTree::PATIENCE`] (simulated time on the paused clock) and fails
/// with every event it read, as it does when events were lost or the tree
/// stopped first.
pub async fn wait_for(
    events: &mut EventStream,
    matches: impl FnMut(&SupervisorEvent) -> bool,
) -> SupervisorEvent {
    wait_for_within(events, matches, TestTree::PATIENCE).await
}

/// [`wait_for`] with its own bound.
pub async fn wait_for_within(
    events: &mut EventStream,
    mut matches: impl FnMut(&SupervisorEvent) -> bool,
    limit: Duration,
) -> SupervisorEvent {
    let mut seen = Vec::new();
    let wait = async {
        loop {
            match events.recv().await {
                Ok(event) if matches(&event) => return Ok(event),
                Ok(event) => seen.push(event),
                Err(EventStreamError::Lagged(n)) => return Err(format!("lost {n} events")),
                Err(EventStreamError::Closed) => {
                    return Err("the tree stopped before the awaited event".to_owned());
                }
            }
        }
    };
    let outcome = tokio::time::timeout(limit, wait)
        .await
        .unwrap_or_else(|_| Err(format!("no awaited event within {limit:?}")));
    outcome.unwrap_or_else(|why| panic!("{why}; events read:\n{}", trace(&seen)))
}

/// Reads every event until the tree's root stops, within
/// [`TestTree::PATIENCE`].
pub async fn drain(events: &mut EventStream) -> Vec<SupervisorEvent> {
    let mut all = Vec::new();
    let wait = async {
        loop {
            match events.recv().await {
                Ok(event) => all.push(event),
                Err(EventStreamError::Lagged(n)) => return Err(format!("lost {n} events")),
                Err(EventStreamError::Closed) => return Ok(()),
            }
        }
    };
    let outcome = tokio::time::timeout(TestTree::PATIENCE, wait)
        .await
        .unwrap_or_else(|_| Err("the tree did not stop".to_owned()));
    if let Err(why) = outcome {
        panic!("{why}; events read:\n{}", trace(&all));
    }
    all
}

fn trace(events: &[SupervisorEvent]) -> String {
    let mut text = String::new();
    for event in events {
        let _ = writeln!(
            text,
            "  #{:<5} {:>10.3?} {} gen {}: {:?}",
            event.seq, event.elapsed, event.path, event.generation, event.kind
        );
    }
    text
}

pub fn is(path: &'static str, kind: EventKind) -> impl FnMut(&SupervisorEvent) -> bool {
    move |event| &*event.path == path && event.kind == kind
}

pub fn started(path: &'static str) -> impl FnMut(&SupervisorEvent) -> bool {
    is(path, EventKind::Started)
}

/// Lets every task run until the runtime is idle (on the paused clock, one
/// millisecond passes).
pub async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
}
