//! The admin server's bounds, over real HTTP on 127.0.0.1: concurrent
//! `/events` streams, connections, idle connections, and a stream client
//! that never reads. Linux only: it reads the process's memory from /proc.
#![cfg(target_os = "linux")]

#[path = "admin/client.rs"]
mod client;

use std::{net::SocketAddr, time::Duration};

use client::{EventsClient, PATIENCE, eventually, get};
use hyper::StatusCode;
use supervisor::{
    admin::{AdminConfig, AdminServer},
    prelude::*,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

fn app() -> SupervisorSpec {
    SupervisorSpec::new("app")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move {
            ctx.cancelled().await
        }))
}

/// A worker that fails at once, every time, restarted at once: a flood of
/// events.
fn flood() -> ChildSpec {
    ChildSpec::without_context("flood", TaskRole::Worker, || async {
        Err::<(), _>("fails at once")
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::UNLIMITED)
}

async fn serve(config: AdminConfig) -> (SupervisorHandle, AdminServer, SocketAddr) {
    let handle = Supervisor::start(app()).unwrap();
    let admin = AdminServer::start(handle.clone(), config).await.unwrap();
    let addr = admin.local_addr();
    (handle, admin, addr)
}

/// Sends `GET /events` on a connection with a small receive buffer, reads
/// the response head (a stream is open), and never reads again.
async fn never_reading_client(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let request =
        format!("GET /events HTTP/1.1\r\nhost: {addr}\r\naccept: text/event-stream\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0; 1];
        tokio::time::timeout(PATIENCE, stream.read_exact(&mut byte))
            .await
            .expect("no response head")
            .unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_past_the_bound_are_503_until_one_closes() {
    let (handle, admin, addr) = serve(AdminConfig::loopback(0).max_event_streams(2)).await;
    let first = EventsClient::open(addr, None).await;
    let second = EventsClient::open(addr, None).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::OK, StatusCode::OK)
    );

    let third = get(addr, "/events").await;
    assert_eq!(third.status, StatusCode::SERVICE_UNAVAILABLE, "{third:?}");
    assert_eq!(third.json()["error"], "too_many_streams");
    assert_eq!(third.headers["retry-after"], "1");
    // The probes do not share the streams' bound.
    assert_eq!(get(addr, "/livez").await.status, StatusCode::OK);

    drop(first);
    // The server learns of the closed stream when it next writes to it.
    let reopened = eventually(
        || async {
            handle.restart_child("api").await.unwrap();
            EventsClient::open(addr, None).await.status
        },
        |status| *status == StatusCode::OK,
    )
    .await;
    assert_eq!(reopened, StatusCode::OK);
    admin.shutdown().await;
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_client_that_never_reads_cannot_slow_the_tree_grow_memory_or_keep_its_slot() {
    let config = AdminConfig::loopback(0)
        .max_event_streams(1)
        .idle_timeout(Duration::from_millis(500));
    let (handle, admin, addr) = serve(config).await;
    let stuck = never_reading_client(addr).await;
    // Its stream holds the only slot.
    assert_eq!(
        get_events_status(addr).await,
        StatusCode::SERVICE_UNAVAILABLE
    );

    let before = resident_bytes();
    handle.add_child(flood()).await.unwrap();
    let flooding = tokio::time::Instant::now();
    let mut slowest = Duration::ZERO;
    while flooding.elapsed() < Duration::from_secs(3) {
        let asked = tokio::time::Instant::now();
        assert!(
            handle.is_live(Duration::from_millis(500)).await,
            "the loop stalled"
        );
        slowest = slowest.max(asked.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let restarts = handle
        .snapshot()
        .await
        .unwrap()
        .find("app/flood")
        .unwrap()
        .restarts;
    let grown = resident_bytes().saturating_sub(before);
    println!("{restarts} restarts in 3 s, slowest ping {slowest:?}, RSS grew {grown} bytes");
    assert!(
        restarts > 5_000,
        "the tree was slowed: {restarts} restarts in 3 s"
    );
    // Three events of about 250 bytes per restart: kept, the events of
    // the 20,000 restarts a debug build does here would take 15 MiB.
    assert!(
        grown < 4 << 20,
        "RSS grew {grown} bytes over {restarts} restarts"
    );

    // Its socket is full and idle: the server closed it and freed the slot.
    let reopened = eventually(|| get_events_status(addr), |s| *s == StatusCode::OK).await;
    assert_eq!(reopened, StatusCode::OK);
    handle.remove_child("flood").await.unwrap();
    drop(stuck);
    admin.shutdown().await;
    handle.shutdown().await;
}

async fn get_events_status(addr: SocketAddr) -> StatusCode {
    EventsClient::open(addr, None).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let config = AdminConfig::loopback(0).idle_timeout(Duration::from_millis(300));
    let (handle, admin, addr) = serve(config).await;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let opened = tokio::time::Instant::now();
    let mut buffer = [0; 64];
    let read = tokio::time::timeout(PATIENCE, silent.read(&mut buffer))
        .await
        .expect("the idle connection stayed open");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(
        opened.elapsed() >= Duration::from_millis(250),
        "{:?}",
        opened.elapsed()
    );
    admin.shutdown().await;
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_bound_wait_until_one_closes() {
    let (handle, admin, addr) = serve(AdminConfig::loopback(0)).await;
    let mut held = Vec::new();
    for _ in 0..AdminConfig::MAX_CONNECTIONS {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // Let the server accept them all.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = tokio::spawn(get(addr, "/livez"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a connection past the bound was served"
    );
    held.pop();
    let answer = tokio::time::timeout(PATIENCE, waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.status, StatusCode::OK);
    drop(held);
    admin.shutdown().await;
    handle.shutdown().await;
}
