//! A small HTTP/1 client over hyper for the admin server's tests: one
//! connection per request, every wait bounded.

#![allow(dead_code, unreachable_pub)]

use std::{net::SocketAddr, time::Duration};

use http_body_util::{BodyExt, Full};
use hyper::{
    Request, StatusCode,
    body::{Bytes, Incoming},
    header::HeaderMap,
};
use hyper_util::rt::TokioIo;

/// How long one request may take on a loaded CI machine.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// An answer: its status, headers and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The body as JSON; fails with the body when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }
}

/// Sends `request` on a fresh connection and returns the response head.
async fn send(addr: SocketAddr, request: Request<Full<Bytes>>) -> hyper::Response<Incoming> {
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        sender.send_request(request).await.unwrap()
    };
    tokio::time::timeout(PATIENCE, exchange)
        .await
        .expect("the admin server did not answer in time")
}

/// `method path` with `headers` and `body`; the whole answer.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = send(addr, builder.body(Full::new(Bytes::from(body))).unwrap()).await;
    let (parts, body) = response.into_parts();
    let body = tokio::time::timeout(PATIENCE, body.collect())
        .await
        .expect("the body did not end in time")
        .unwrap()
        .to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, &[], Vec::new()).await
}

/// `POST path` with `Authorization: Bearer token` when there is a token.
pub async fn post(addr: SocketAddr, path: &str, token: Option<&str>) -> Answer {
    let bearer = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    request(addr, "POST", path, &headers, Vec::new()).await
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub id: Option<u64>,
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

/// An open `/events` stream.
pub struct EventsClient {
    body: Incoming,
    pending: String,
    pub status: StatusCode,
}

impl EventsClient {
    /// `GET /events`, with `Last-Event-ID` when given.
    pub async fn open(addr: SocketAddr, last_event_id: Option<u64>) -> Self {
        EventsClient::open_at(addr, "/events", last_event_id).await
    }

    /// `GET uri` (`/events` with a query), with `Last-Event-ID` when given.
    pub async fn open_at(addr: SocketAddr, uri: &str, last_event_id: Option<u64>) -> Self {
        let mut builder = Request::builder()
            .uri(uri)
            .header("host", addr.to_string())
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            builder = builder.header("last-event-id", id.to_string());
        }
        let response = send(addr, builder.body(Full::new(Bytes::new())).unwrap()).await;
        let status = response.status();
        EventsClient {
            body: response.into_body(),
            pending: String::new(),
            status,
        }
    }

    /// The next event (keep-alive comments skipped); `None` when the
    /// stream ends. Fails when none comes within [`PATIENCE`].
    pub async fn next(&mut self) -> Option<SseEvent> {
        tokio::time::timeout(PATIENCE, self.next_unbounded())
            .await
            .unwrap_or_else(|_| panic!("no event within {PATIENCE:?}; partial: {:?}", self.pending))
    }

    async fn next_unbounded(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
                continue;
            }
            let frame = self.body.frame().await?.ok()?;
            if let Ok(data) = frame.into_data() {
                self.pending.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }

    /// Reads events until one matches; fails with what it saw.
    pub async fn until(&mut self, wanted: impl Fn(&SseEvent) -> bool) -> SseEvent {
        let mut seen = Vec::new();
        loop {
            match self.next().await {
                Some(event) if wanted(&event) => return event,
                Some(event) => seen.push(event),
                None => panic!("the stream ended; saw {seen:#?}"),
            }
        }
    }
}

/// An event block's fields; `None` for a comment-only block.
fn parse(block: &str) -> Option<SseEvent> {
    let mut event = SseEvent {
        id: None,
        event: None,
        data: String::new(),
    };
    let mut any = false;
    for line in block.lines() {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => event.id = value.parse().ok(),
            "event" => event.event = Some(value.to_owned()),
            "data" => event.data.push_str(value),
            _ => continue,
        }
        any = true;
    }
    any.then_some(event)
}

/// Polls `check` until it holds, for at most [`PATIENCE`]; fails with the
/// last thing it saw.
pub async fn eventually<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    mut probe: impl FnMut() -> F,
    check: impl Fn(&T) -> bool,
) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let seen = probe().await;
        if check(&seen) {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {PATIENCE:?}; last saw {seen:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
