//! Shared helpers of the runtime tests.
#![allow(dead_code, unreachable_pub)]

use supervisor_core::{EventKind, EventStream, EventStreamError, SupervisorEvent};

/// Reads events until one matches, and returns it.
pub async fn wait_for(
    events: &mut EventStream,
    mut matches: impl FnMut(&SupervisorEvent) -> bool,
) -> SupervisorEvent {
    loop {
        match events.recv().await {
            Ok(event) if matches(&event) => return event,
            Ok(_) | Err(EventStreamError::Lagged(_)) => {}
            Err(EventStreamError::Closed) => panic!("events closed before the awaited one"),
        }
    }
}

/// Reads every event until the tree's root stops.
pub async fn drain(events: &mut EventStream) -> Vec<SupervisorEvent> {
    let mut all = Vec::new();
    loop {
        match events.recv().await {
            Ok(event) => all.push(event),
            Err(EventStreamError::Lagged(n)) => panic!("lost {n} events"),
            Err(EventStreamError::Closed) => return all,
        }
    }
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
