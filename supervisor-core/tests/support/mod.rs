//! Shared helpers of the runtime tests.
#![allow(dead_code, unreachable_pub)]

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use supervisor_core::{EventKind, EventStream, EventStreamError, SupervisorEvent};
use tokio::time::Instant;

/// Counts live instances per child and remembers the most ever alive at once.
#[derive(Debug, Default)]
pub struct Overlap {
    live: Mutex<HashMap<String, (usize, usize)>>,
    log: Mutex<Vec<(String, &'static str, Instant)>>,
}

/// Held by a running instance; dropping it marks the instance gone.
pub struct Alive {
    overlap: Arc<Overlap>,
    id: String,
}

impl Overlap {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    pub fn enter(self: &Arc<Self>, id: &str) -> Alive {
        let mut live = self.live.lock().unwrap();
        let entry = live.entry(id.to_owned()).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(entry.0);
        self.log
            .lock()
            .unwrap()
            .push((id.to_owned(), "start", Instant::now()));
        Alive {
            overlap: Arc::clone(self),
            id: id.to_owned(),
        }
    }

    /// The most instances of `id` ever alive at once.
    pub fn max_live(&self, id: &str) -> usize {
        self.live.lock().unwrap().get(id).map_or(0, |e| e.1)
    }

    pub fn live(&self, id: &str) -> usize {
        self.live.lock().unwrap().get(id).map_or(0, |e| e.0)
    }

    /// Every start and stop, in order, as "start a", "stop b".
    pub fn log(&self) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter()
            .map(|(id, what, _)| format!("{what} {id}"))
            .collect()
    }

    pub fn started_at(&self, id: &str) -> Vec<Instant> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|(who, what, _)| who == id && *what == "start")
            .map(|(_, _, at)| *at)
            .collect()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        let mut live = self.overlap.live.lock().unwrap();
        if let Some(entry) = live.get_mut(&self.id) {
            entry.0 -= 1;
        }
        self.overlap
            .log
            .lock()
            .unwrap()
            .push((self.id.clone(), "stop", Instant::now()));
    }
}

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

/// Compact "kind path" lines of the events, for asserting on order.
pub fn lines(events: &[SupervisorEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            let kind = match &event.kind {
                EventKind::Exited { exit } => format!("exited({exit})"),
                other => format!("{other:?}").to_lowercase(),
            };
            format!("{kind} {}", event.path)
        })
        .collect()
}

/// Lets every task run until the runtime is idle (on the paused clock, one
/// millisecond passes).
pub async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
}
