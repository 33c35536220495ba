//! The admin server's copy of the tree's events: a bounded buffer of the
//! recent ones for clients that resume, and a bounded fan-out to the
//! clients connected now.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::event::{EventStream, EventStreamError, SupervisorEvent};

/// Where a new `/events` client starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resume {
    /// With the events to come.
    Now,
    /// With every event still buffered.
    Buffered,
    /// After the event with this seq (its `Last-Event-ID`).
    After(u64),
}

/// One event as `/events` sends it: its sequence number and its JSON.
#[derive(Debug)]
pub(crate) struct Frame {
    pub(crate) seq: u64,
    pub(crate) json: String,
}

/// What a new `/events` client gets: the buffered events after the one it
/// last saw, how many it missed before those, and the live events to come.
pub(crate) struct Subscription {
    pub(crate) replay: VecDeque<Arc<Frame>>,
    pub(crate) missed: u64,
    pub(crate) live: broadcast::Receiver<Arc<Frame>>,
}

/// Recent events, bounded, and the channel that carries new ones.
pub(crate) struct EventHub {
    recent: Mutex<VecDeque<Arc<Frame>>>,
    capacity: usize,
    live: broadcast::Sender<Arc<Frame>>,
}

impl EventHub {
    /// A hub that keeps `capacity` events and lets a connected client fall
    /// `lag` events behind.
    pub(crate) fn new(capacity: usize, lag: usize) -> Self {
        EventHub {
            recent: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity: capacity.max(1),
            live: broadcast::channel(lag.max(1)).0,
        }
    }

    /// Reads `events` into the hub until the tree's last event, or until
    /// `stop`, after taking in the events already sent.
    pub(crate) async fn feed(self: Arc<Self>, mut events: EventStream, stop: CancellationToken) {
        loop {
            // The stream first: while events keep coming, the token's
            // waiter list is not touched for each one.
            let next = tokio::select! {
                biased;
                next = events.recv() => next,
                () = stop.cancelled() => break,
            };
            if !self.take(next) {
                return;
            }
        }
        while let Ok(Some(event)) = events.try_recv() {
            self.push(&event);
        }
    }

    /// Takes in what the tree's stream gave; `false` once it has closed.
    fn take(&self, next: Result<SupervisorEvent, EventStreamError>) -> bool {
        match next {
            Ok(event) => self.push(&event),
            Err(EventStreamError::Lagged(missed)) => {
                tracing::warn!(missed, "the admin server fell behind the tree's events");
            }
            Err(EventStreamError::Closed) => return false,
        }
        true
    }

    /// Keeps `event` (dropping the oldest past the capacity) and sends it to
    /// the connected clients. Under one lock with [`subscribe`](Self::subscribe),
    /// so a client sees every event once, in order.
    pub(crate) fn push(&self, event: &SupervisorEvent) {
        let json = match serde_json::to_string(event) {
            Ok(json) => json,
            Err(error) => {
                tracing::warn!(%error, "an event could not be serialized for /events");
                return;
            }
        };
        let frame = Arc::new(Frame {
            seq: event.seq,
            json,
        });
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() == self.capacity {
            recent.pop_front();
        }
        recent.push_back(Arc::clone(&frame));
        let _ = self.live.send(frame);
    }

    /// A new client's view: the buffered events it asks for, then the
    /// events to come.
    pub(crate) fn subscribe(&self, from: Resume) -> Subscription {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let live = self.live.subscribe();
        let after = match from {
            Resume::Now => None,
            Resume::Buffered => Some(None),
            Resume::After(seq) => Some(Some(seq)),
        };
        let Some(after) = after else {
            return Subscription {
                replay: VecDeque::new(),
                missed: 0,
                live,
            };
        };
        let replay: VecDeque<_> = recent
            .iter()
            .filter(|frame| after.is_none_or(|after| frame.seq > after))
            .cloned()
            .collect();
        let missed = match (after, replay.front()) {
            (Some(after), Some(first)) => first.seq.saturating_sub(after + 1),
            _ => 0,
        };
        Subscription {
            replay,
            missed,
            live,
        }
    }

    /// How many events the hub holds now, buffered and queued for clients:
    /// never more than its capacity plus its lag.
    #[cfg(test)]
    pub(crate) fn held(&self) -> (usize, usize) {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner()).len();
        (recent, self.live.len())
    }
}
