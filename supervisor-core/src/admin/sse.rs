//! `GET /events`: the tree's events as server-sent events, `id:` = seq,
//! resumable from `Last-Event-ID` while the events are buffered;
//! `?replay=buffered` starts with every buffered event.

use std::{convert::Infallible, sync::Arc};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::Stream;
use tokio::sync::{
    OwnedSemaphorePermit,
    broadcast::error::{RecvError, TryRecvError},
};
use tokio_util::sync::CancellationToken;

use super::{
    AdminConfig,
    hub::{Frame, Resume, Subscription},
    problem::Problem,
    router::AdminState,
};

/// Opens a stream, if one of the bounded number of slots is free.
pub(crate) async fn events(
    State(admin): State<Arc<AdminState>>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let from = match last_event_id(&headers)? {
        Some(seq) => Resume::After(seq),
        None if wants_buffered(&uri) => Resume::Buffered,
        None => Resume::Now,
    };
    let permit = Arc::clone(&admin.streams)
        .try_acquire_owned()
        .map_err(|_| too_many_streams())?;
    let feed = Feed {
        subscription: admin.hub.subscribe(from),
        stop: admin.stop.clone(),
        ended: false,
        _permit: permit,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let event = feed.next().await?;
        Some((Ok(event), feed))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(AdminConfig::KEEP_ALIVE)))
}

/// The sequence number in `Last-Event-ID`, if the client sent one.
fn last_event_id(headers: &HeaderMap) -> Result<Option<u64>, Problem> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad_last_event_id",
            format!("`Last-Event-ID` must be an event's sequence number, not `{text}`"),
        )
    })
}

/// Whether the query asks for every buffered event first
/// (`?replay=buffered`): for a client's first connection, which has no
/// `Last-Event-ID` yet.
fn wants_buffered(uri: &Uri) -> bool {
    uri.query()
        .is_some_and(|query| query.split('&').any(|pair| pair == "replay=buffered"))
}

fn too_many_streams() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_streams",
        "every /events stream slot is taken; try again later",
    )
}

/// One client's stream: what it missed, the replay, then live events,
/// until the server stops or the client falls too far behind.
struct Feed {
    subscription: Subscription,
    stop: CancellationToken,
    ended: bool,
    /// The stream's slot, freed when the client goes.
    _permit: OwnedSemaphorePermit,
}

impl Feed {
    async fn next(&mut self) -> Option<Event> {
        if self.ended {
            return None;
        }
        let subscription = &mut self.subscription;
        if subscription.missed > 0 {
            return Some(lagged(std::mem::take(&mut subscription.missed)));
        }
        if let Some(frame) = subscription.replay.pop_front() {
            return Some(event_of(&frame));
        }
        if self.stop.is_cancelled() {
            return self.drain();
        }
        // The events first: while they keep coming, the token's waiter
        // list is not touched for each one.
        let received = tokio::select! {
            biased;
            received = self.subscription.live.recv() => received,
            () = self.stop.cancelled() => return self.drain(),
        };
        match received {
            Ok(frame) => Some(event_of(&frame)),
            Err(RecvError::Lagged(missed)) => Some(self.lagged(missed)),
            Err(RecvError::Closed) => None,
        }
    }

    /// Once the server stops: the events already queued for this client,
    /// then the end.
    fn drain(&mut self) -> Option<Event> {
        match self.subscription.live.try_recv() {
            Ok(frame) => Some(event_of(&frame)),
            Err(TryRecvError::Lagged(missed)) => Some(self.lagged(missed)),
            Err(TryRecvError::Empty | TryRecvError::Closed) => None,
        }
    }

    /// The client fell `missed` events behind: it is told, and its stream
    /// ends; it reconnects with `Last-Event-ID` and resumes from the
    /// buffer.
    fn lagged(&mut self, missed: u64) -> Event {
        self.ended = true;
        lagged(missed)
    }
}

fn event_of(frame: &Frame) -> Event {
    Event::default().id(frame.seq.to_string()).data(&frame.json)
}

/// Tells the client that `missed` events are gone for it.
fn lagged(missed: u64) -> Event {
    Event::default()
        .event("lagged")
        .data(format!("{{\"missed\":{missed}}}"))
}
