//! The signals between one instance and its supervisor: the stop request,
//! readiness and heartbeats, and the waker of the instance's watcher.
//!
//! A stop request is a flag and a [`Notify`] inside the instance's context,
//! not a [`CancellationToken`]: a token is a separate allocation with a
//! lock, and most children never ask for one. The token is made on the
//! first call to [`ChildContext::cancellation_token`](super::ChildContext::cancellation_token)
//! (or by a nested supervisor, which stops on it), and cancelled with the
//! flag from then on.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Mutex, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering, fence},
    },
    task::{Context, Poll, Waker},
    time::Duration,
};

use tokio::{sync::Notify, sync::futures::Notified, time::Instant};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

/// The stop request of one instance.
#[derive(Debug)]
pub(crate) struct StopSignal {
    requested: AtomicBool,
    /// Futures from `ChildContext::cancelled`, woken all at once.
    waiters: Notify,
    /// Made when first asked for; cancelled with `requested` from then on.
    token: OnceLock<CancellationToken>,
    /// A context outside any supervisor follows a token of its user's:
    /// the request is that token's cancellation.
    external: bool,
}

impl StopSignal {
    /// A signal that only [`StopSignal::request`] raises.
    pub(crate) fn new() -> Self {
        StopSignal {
            requested: AtomicBool::new(false),
            waiters: Notify::new(),
            token: OnceLock::new(),
            external: false,
        }
    }

    /// A signal raised when `token` is cancelled.
    pub(crate) fn following(token: CancellationToken) -> Self {
        StopSignal {
            token: OnceLock::from(token),
            external: true,
            ..StopSignal::new()
        }
    }

    pub(crate) fn is_requested(&self) -> bool {
        self.requested.load(Ordering::Acquire)
            || (self.external
                && self
                    .token
                    .get()
                    .is_some_and(CancellationToken::is_cancelled))
    }

    /// Raises the request: wakes every waiter and cancels the token if one
    /// was made. Returns whether this call raised it.
    pub(crate) fn request(&self) -> bool {
        if self.requested.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.waiters.notify_waiters();
        // Each side writes, then reads what the other writes (the flag here,
        // the token in `token`): with a sequentially consistent fence on
        // both, one of the two sees the other's write and cancels the token.
        fence(Ordering::SeqCst);
        if let Some(token) = self.token.get() {
            token.cancel();
        }
        true
    }

    /// The token that follows this signal, made on first use.
    pub(crate) fn token(&self) -> &CancellationToken {
        let token = self.token.get_or_init(CancellationToken::new);
        fence(Ordering::SeqCst);
        if self.requested.load(Ordering::Acquire) {
            token.cancel();
        }
        token
    }

    /// A future that resolves once the request is raised.
    pub(crate) fn wait(&self) -> Cancelled<'_> {
        let wait = match self.token.get() {
            Some(token) if self.external => Wait::Token {
                cancelled: token.cancelled(),
            },
            // Created before the flag is read, so a request in between is
            // not missed: `notify_waiters` reaches every `Notified` made
            // before it, polled or not.
            _ => Wait::Flag {
                notified: self.waiters.notified(),
            },
        };
        Cancelled { signal: self, wait }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`ChildContext::cancelled`](crate::ChildContext::cancelled):
    /// resolves once the supervisor asks the instance to stop.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Cancelled, CancellationToken, ChildContext};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let token = CancellationToken::new();
    /// let ctx = ChildContext::detached("api", token.clone());
    /// let stop: Cancelled<'_> = ctx.cancelled();
    /// token.cancel();
    /// stop.await; // resolves: the stop was asked for
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping it loses nothing, and a new one resolves at
    /// once if the stop was already asked for.
    #[must_use = "futures do nothing unless polled"]
    pub struct Cancelled<'a> {
        signal: &'a StopSignal,
        #[pin]
        wait: Wait<'a>,
    }
}

pin_project_lite::pin_project! {
    #[project = WaitProj]
    enum Wait<'a> {
        Flag { #[pin] notified: Notified<'a> },
        Token { #[pin] cancelled: WaitForCancellationFuture<'a> },
    }
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        match this.wait.project() {
            WaitProj::Token { cancelled } => cancelled.poll(cx),
            WaitProj::Flag { notified } => {
                if this.signal.is_requested() {
                    return Poll::Ready(());
                }
                // Only a request notifies the waiters.
                notified.poll(cx)
            }
        }
    }
}

impl std::fmt::Debug for Cancelled<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cancelled")
            .field("requested", &self.signal.is_requested())
            .finish_non_exhaustive()
    }
}

/// What the instance's watcher is told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// The supervisor, or a linked helper's panic, asked the instance to stop.
    Stop,
    /// The instance called `ready()`.
    Ready,
}

/// Readiness and heartbeat state of one instance, and the waker of the
/// task that watches it (the instance's own task, around the user's future).
#[derive(Debug)]
pub(crate) struct InstanceSignals {
    pub(crate) stop: StopSignal,
    epoch: Instant,
    ready: AtomicBool,
    last_beat_nanos: AtomicU64,
    /// When the runtime began to stop the instance, in nanoseconds after
    /// `epoch`, plus one; zero until then.
    stop_started_nanos: AtomicU64,
    watcher: Mutex<Option<Waker>>,
}

impl InstanceSignals {
    pub(crate) fn new(stop: StopSignal, epoch: Instant) -> Self {
        InstanceSignals {
            stop,
            epoch,
            ready: AtomicBool::new(false),
            last_beat_nanos: AtomicU64::new(0),
            stop_started_nanos: AtomicU64::new(0),
            watcher: Mutex::new(None),
        }
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// When the instance last sent a heartbeat (its start if it never did).
    pub(crate) fn last_beat(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_beat_nanos.load(Ordering::Acquire))
    }

    pub(crate) fn mark_ready(&self) {
        if !self.ready.swap(true, Ordering::AcqRel) {
            self.wake_watcher();
        }
    }

    pub(crate) fn beat(&self) {
        self.last_beat_nanos
            .fetch_max(self.nanos_since_epoch(), Ordering::AcqRel);
    }

    /// Notes that the runtime begins to stop the instance now: its
    /// helpers' grace is what is left of the instance's from then on.
    pub(crate) fn note_stop_started(&self) {
        let nanos = self.nanos_since_epoch().saturating_add(1);
        let _ =
            self.stop_started_nanos
                .compare_exchange(0, nanos, Ordering::AcqRel, Ordering::Acquire);
    }

    /// When the runtime began to stop the instance, if it did.
    pub(crate) fn stop_started(&self) -> Option<Instant> {
        match self.stop_started_nanos.load(Ordering::Acquire) {
            0 => None,
            nanos => Some(self.epoch + Duration::from_nanos(nanos - 1)),
        }
    }

    fn nanos_since_epoch(&self) -> u64 {
        let since = Instant::now().saturating_duration_since(self.epoch);
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    }

    /// Raises the stop request and wakes the watcher.
    pub(crate) fn request_stop(&self) {
        if self.stop.request() {
            self.wake_watcher();
        }
    }

    /// The next signal for the watcher: a stop request, or readiness unless
    /// `ready_seen`. Registers the watcher's waker when there is none yet.
    ///
    /// One task watches an instance; a second caller would take the first
    /// one's place.
    pub(crate) fn poll_signal(&self, cx: &mut Context<'_>, ready_seen: bool) -> Poll<Signal> {
        if let Some(signal) = self.pending_signal(ready_seen) {
            return Poll::Ready(signal);
        }
        {
            let mut watcher = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
            match &mut *watcher {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                slot => *slot = Some(cx.waker().clone()),
            }
        }
        // Raised between the first look and the registration: seen now.
        match self.pending_signal(ready_seen) {
            Some(signal) => Poll::Ready(signal),
            None => Poll::Pending,
        }
    }

    /// [`InstanceSignals::poll_signal`] as a future.
    pub(crate) fn next_signal(&self, ready_seen: bool) -> impl Future<Output = Signal> + '_ {
        std::future::poll_fn(move |cx| self.poll_signal(cx, ready_seen))
    }

    fn pending_signal(&self, ready_seen: bool) -> Option<Signal> {
        if self.stop.is_requested() {
            Some(Signal::Stop)
        } else if !ready_seen && self.is_ready() {
            Some(Signal::Ready)
        } else {
            None
        }
    }

    fn wake_watcher(&self) {
        let waker = self
            .watcher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;

    use super::*;
    use crate::counting_waker::counting;

    fn signals() -> InstanceSignals {
        InstanceSignals::new(StopSignal::new(), Instant::now())
    }

    #[test]
    fn a_request_wakes_a_waiter_made_before_it_and_resolves_one_made_after() {
        let stop = StopSignal::new();
        let (woken, waker) = counting();
        let mut cx = Context::from_waker(&waker);
        let mut before = pin!(stop.wait());
        assert!(before.as_mut().poll(&mut cx).is_pending());
        assert!(stop.request());
        assert_eq!(woken.count(), 1);
        assert!(before.poll(&mut cx).is_ready());
        assert!(pin!(stop.wait()).poll(&mut cx).is_ready());
        assert!(!stop.request(), "a second request raises nothing");
    }

    #[test]
    fn a_token_made_before_or_after_the_request_is_cancelled() {
        let early = StopSignal::new();
        let token = early.token().clone();
        early.request();
        assert!(token.is_cancelled());
        let late = StopSignal::new();
        late.request();
        assert!(late.token().is_cancelled());
    }

    #[test]
    fn a_signal_following_a_token_is_raised_by_its_cancellation() {
        let token = CancellationToken::new();
        let stop = StopSignal::following(token.clone());
        let (_, waker) = counting();
        let mut cx = Context::from_waker(&waker);
        let mut wait = pin!(stop.wait());
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        token.cancel();
        assert!(stop.is_requested());
        assert!(wait.poll(&mut cx).is_ready());
    }

    #[test]
    fn the_watcher_is_woken_once_per_signal_and_sees_stop_before_ready() {
        let signals = signals();
        let (woken, waker) = counting();
        let mut cx = Context::from_waker(&waker);
        assert!(signals.poll_signal(&mut cx, false).is_pending());
        signals.mark_ready();
        assert_eq!(woken.count(), 1);
        assert_eq!(
            signals.poll_signal(&mut cx, false),
            Poll::Ready(Signal::Ready)
        );
        assert!(signals.poll_signal(&mut cx, true).is_pending());
        signals.request_stop();
        signals.request_stop();
        assert_eq!(woken.count(), 2);
        assert_eq!(
            signals.poll_signal(&mut cx, false),
            Poll::Ready(Signal::Stop)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_start_of_a_stop_is_kept_once() {
        let signals = signals();
        assert_eq!(signals.stop_started(), None);
        tokio::time::advance(Duration::from_millis(30)).await;
        let first = Instant::now();
        signals.note_stop_started();
        tokio::time::advance(Duration::from_millis(30)).await;
        signals.note_stop_started();
        assert_eq!(signals.stop_started(), Some(first));
    }
}
