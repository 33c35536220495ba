//! Typed events a supervision tree emits, and the subscription that reads them.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime},
};

use serde::{Deserialize, Serialize};
use tokio::{sync::broadcast, time::Instant};

use crate::policy::{ChildExit, EscalationReason, StopReason};

/// Something that happened in a supervision tree.
///
/// Serializable; every event has a sequence number unique and increasing
/// across the whole tree, the path of the child (or supervisor) it concerns,
/// and the generation of the instance.
///
/// # Examples
///
/// In JSON, `timestamp` is RFC 3339 text in UTC with nanoseconds and
/// `elapsed_seconds` a number, so that log pipelines can sort and plot
/// events without parsing durations.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use supervisor_core::{EventKind, SupervisorEvent};
///
/// let event = SupervisorEvent {
///     seq: 7,
///     path: "app/api".into(),
///     generation: 2,
///     elapsed: Duration::from_millis(1_500),
///     timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000),
///     kind: EventKind::Started,
/// };
/// let json = serde_json::to_string(&event).unwrap();
/// assert!(json.contains(r#""path":"app/api""#));
/// assert!(json.contains(r#""elapsed_seconds":1.5"#));
/// assert!(json.contains(r#""timestamp":"2026-11-30T00:53:20.000000000Z""#));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupervisorEvent {
    /// Position in the tree's event sequence, from 0.
    pub seq: u64,
    /// The child or supervisor concerned, such as `app/ingest/parser`.
    pub path: Arc<str>,
    /// The instance concerned: 1 for a child's first start. For events about
    /// a supervisor itself, the generation of the instance running it.
    pub generation: u64,
    /// Time since the root supervisor started, on tokio's clock (paused
    /// in tests). Serialized as `elapsed_seconds`, a number of seconds.
    #[serde(rename = "elapsed_seconds", with = "seconds")]
    pub elapsed: Duration,
    /// Wall-clock time of the event: the system time when the root
    /// supervisor started plus `elapsed`, so that timestamps never go
    /// backwards along the sequence even when the system clock is set back.
    /// Serialized as RFC 3339 text in UTC.
    #[serde(with = "rfc3339")]
    pub timestamp: SystemTime,
    /// What happened.
    pub kind: EventKind,
}

/// What an event reports.
///
/// # Examples
///
/// ```
/// use supervisor_core::{EventKind, policy::ChildExit};
///
/// fn describe(kind: &EventKind) -> String {
///     match kind {
///         EventKind::Started => "started".to_owned(),
///         EventKind::Exited { exit } => format!("exited: {exit}"),
///         EventKind::RestartScheduled { delay } => format!("restarts in {delay:?}"),
///         other => format!("{other:?}"),
///     }
/// }
/// let kind = EventKind::Exited { exit: ChildExit::Failed("refused".into()) };
/// assert_eq!(describe(&kind), "exited: failed: refused");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// An instance of the child was started.
    Started,
    /// The instance called `ready()`.
    Ready,
    /// The instance ended.
    Exited {
        /// How it ended.
        exit: ChildExit,
    },
    /// The instance ignored cancellation past its grace and was aborted.
    Aborted,
    /// The child will start again after `delay`.
    RestartScheduled {
        /// How long it waits first.
        #[serde(with = "crate::spec::duration")]
        delay: Duration,
    },
    /// The child stays stopped.
    Stopped {
        /// Why it is not restarted.
        reason: StopReason,
    },
    /// The supervisor gave up: it stops its children and fails.
    Escalated {
        /// The child whose exit made it give up.
        child: Arc<str>,
        /// What made it give up.
        reason: EscalationReason,
    },
    /// The supervisor began shutting down.
    ShutdownStarted,
    /// The supervisor stopped (after shutdown, escalation or auto-shutdown).
    SupervisorStopped {
        /// Whether it stopped cleanly (not by escalating).
        clean: bool,
    },
    /// A child was added at run time.
    ChildAdded,
    /// A child was removed at run time.
    ChildRemoved,
    /// New policies were applied to the supervisor and its children
    /// ([`SupervisorHandle::reconfigure`](crate::SupervisorHandle::reconfigure),
    /// a config reload): they govern the decisions from now on.
    Reconfigured,
    /// A config reload was refused; the policies in force stay.
    ReconfigureRejected {
        /// Why, with the path of the mistake in the file.
        reason: String,
    },
}

/// Error returned by [`EventStream::recv`].
///
/// # Examples
///
/// ```
/// use supervisor_core::EventStreamError;
///
/// assert_eq!(EventStreamError::Lagged(3).to_string(), "subscriber lagged behind and missed 3 events");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStreamError {
    /// The subscriber fell behind and this many events were dropped for it.
    /// The next `recv` continues with the oldest event still kept.
    Lagged(u64),
    /// The tree has stopped and every event has been read.
    Closed,
}

impl std::fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventStreamError::Lagged(n) => {
                write!(f, "subscriber lagged behind and missed {n} events")
            }
            EventStreamError::Closed => f.write_str("event stream closed"),
        }
    }
}

impl std::error::Error for EventStreamError {}

/// A subscription to a tree's events, from [`SupervisorHandle::events`].
///
/// Reading is up to the subscriber: one that falls behind by more than the
/// tree's event capacity loses the oldest events and is told how many, but
/// never slows or blocks the supervisor.
///
/// [`SupervisorHandle::events`]: crate::SupervisorHandle::events
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, EventKind, Supervisor, SupervisorSpec, TaskRole};
///
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
/// let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
/// let started = events.recv().await.unwrap();
/// assert_eq!((&*started.path, started.generation, started.kind), ("app/api", 1, EventKind::Started));
/// # handle.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct EventStream {
    receiver: broadcast::Receiver<SupervisorEvent>,
    _subscription: Subscription,
}

/// Counts a live [`EventStream`] in its tree's [`EventBus`] until dropped.
#[derive(Debug)]
struct Subscription {
    subscribers: Option<Arc<AtomicUsize>>,
}

impl Subscription {
    fn new(subscribers: &Arc<AtomicUsize>) -> Self {
        subscribers.fetch_add(1, Ordering::AcqRel);
        Subscription {
            subscribers: Some(Arc::clone(subscribers)),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(subscribers) = &self.subscribers {
            subscribers.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl EventStream {
    /// The next event.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, EventKind, EventStreamError, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app").child(ChildSpec::without_context("once", TaskRole::Job, || async {}));
    /// let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    /// handle.shutdown().await; // the stream closes once the tree has stopped
    /// let mut kinds = Vec::new();
    /// loop {
    ///     match events.recv().await {
    ///         Ok(event) => kinds.push(event.kind),
    ///         Err(EventStreamError::Lagged(missed)) => eprintln!("missed {missed} events"),
    ///         Err(EventStreamError::Closed) => break,
    ///     }
    /// }
    /// assert_eq!(kinds.first(), Some(&EventKind::Started));
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`EventStreamError::Lagged`] when events were dropped for this
    /// subscriber, [`EventStreamError::Closed`] once the tree has stopped
    /// and every event has been read.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no event is lost if the future is dropped before it
    /// completes.
    pub async fn recv(&mut self) -> Result<SupervisorEvent, EventStreamError> {
        self.receiver.recv().await.map_err(|error| match error {
            broadcast::error::RecvError::Lagged(n) => EventStreamError::Lagged(n),
            broadcast::error::RecvError::Closed => EventStreamError::Closed,
        })
    }

    /// The next event if one is waiting, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// let mut events = handle.events();
    /// assert!(events.try_recv().unwrap().is_none()); // nothing happened yet
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv); `Ok(None)` when no event is waiting.
    pub fn try_recv(&mut self) -> Result<Option<SupervisorEvent>, EventStreamError> {
        match self.receiver.try_recv() {
            Ok(event) => Ok(Some(event)),
            Err(broadcast::error::TryRecvError::Empty) => Ok(None),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Err(EventStreamError::Lagged(n)),
            Err(broadcast::error::TryRecvError::Closed) => Err(EventStreamError::Closed),
        }
    }
}

/// Where handles subscribe from, without keeping the tree's events open.
#[derive(Debug, Clone)]
pub(crate) struct EventSource {
    sender: broadcast::WeakSender<SupervisorEvent>,
    subscribers: Arc<AtomicUsize>,
}

impl EventSource {
    pub(crate) fn subscribe(&self) -> EventStream {
        match self.sender.upgrade() {
            Some(sender) => EventStream {
                _subscription: Subscription::new(&self.subscribers),
                receiver: sender.subscribe(),
            },
            None => EventStream {
                receiver: broadcast::channel(1).1,
                _subscription: Subscription { subscribers: None },
            },
        }
    }
}

/// The number of the next event, and the time of the last one sent.
#[derive(Debug, Default)]
struct Sequence {
    next: u64,
    last: Duration,
}

/// The sending side, shared by every supervisor of one tree.
#[derive(Debug)]
pub(crate) struct EventBus {
    epoch: Instant,
    /// The system time at `epoch`.
    wall_epoch: SystemTime,
    sender: broadcast::Sender<SupervisorEvent>,
    sequence: Mutex<Sequence>,
    /// Live [`EventStream`]s: read by every emit, so that a tree nobody
    /// watches never takes the channel's lock.
    subscribers: Arc<AtomicUsize>,
}

impl EventBus {
    pub(crate) fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        EventBus {
            epoch: Instant::now(),
            wall_epoch: SystemTime::now(),
            sender,
            sequence: Mutex::new(Sequence::default()),
            subscribers: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub(crate) fn subscribe(&self) -> EventStream {
        EventStream {
            _subscription: Subscription::new(&self.subscribers),
            receiver: self.sender.subscribe(),
        }
    }

    /// A way to subscribe that does not keep the stream open: once every
    /// supervisor of the tree has stopped, the bus is dropped and its
    /// streams end.
    pub(crate) fn source(&self) -> EventSource {
        EventSource {
            sender: self.sender.downgrade(),
            subscribers: Arc::clone(&self.subscribers),
        }
    }

    /// Whether anyone listens; callers skip building events when not.
    pub(crate) fn is_observed(&self) -> bool {
        self.subscribers.load(Ordering::Acquire) > 0
    }

    /// Sends an event if anyone listens. Numbering and sending happen under
    /// one lock so that sequence numbers arrive in order.
    pub(crate) fn emit(&self, path: &Arc<str>, generation: u64, kind: EventKind) {
        if self.is_observed() {
            self.emit_at(path, generation, kind, Instant::now());
        }
    }

    /// [`emit`](Self::emit) for an event that happened `at`, an instant the
    /// caller has already read: the hot paths read the clock once for the
    /// decision and the events it leads to. Times never go backwards along
    /// the sequence.
    pub(crate) fn emit_at(&self, path: &Arc<str>, generation: u64, kind: EventKind, at: Instant) {
        if !self.is_observed() {
            return;
        }
        let mut sequence = self.sequence.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = at.saturating_duration_since(self.epoch).max(sequence.last);
        let event = SupervisorEvent {
            seq: sequence.next,
            path: Arc::clone(path),
            generation,
            elapsed,
            timestamp: self.wall_epoch + elapsed,
            kind,
        };
        if self.sender.send(event).is_ok() {
            sequence.next += 1;
            sequence.last = elapsed;
        }
    }
}

/// `Duration` as a number of seconds.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(
        duration: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(duration.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Duration::try_from_secs_f64(seconds).map_err(D::Error::custom)
    }
}

/// `SystemTime` as RFC 3339 text in UTC, to the nanosecond.
mod rfc3339 {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(
        time: &SystemTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_rfc3339_nanos(*time))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SystemTime, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        humantime::parse_rfc3339_weak(&text).map_err(D::Error::custom)
    }
}
