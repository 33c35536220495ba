//! A service as it is usually built: an HTTP API (axum) that queues work, a
//! worker that reads the queue through an `Inbox`, and a sidecar that
//! reports what they did, all taking what they need from one state and run
//! by a `Runner` with the three operations features on: the admin server
//! (probes, `/metrics`, the live page), systemd notification (when
//! `NOTIFY_SOCKET` is set) and metrics. It listens on 127.0.0.1 only.
//!
//! ```sh
//! F=--features=http,systemd,metrics
//! cargo run $F --example service                     # ephemeral ports, until ctrl-c
//! SERVICE_PORT=8080 ADMIN_PORT=9090 cargo run $F --example service
//! curl -X POST --data 'resize cat.png' 127.0.0.1:8080/jobs
//! curl 127.0.0.1:8080/stats
//! curl 127.0.0.1:9090/readyz; curl 127.0.0.1:9090/metrics   # and the live page at /
//! cargo run $F --example service -- --demo           # drives itself, then stops
//! ```
//!
//! With `--demo`, a last child sends the API a few jobs, one of them
//! poisoned: the worker fails on it and restarts, and the jobs queued behind
//! it wait in the inbox for the new instance. Then the child asks the tree
//! to shut down, and the process exits 0.

use std::{
    net::{Ipv4Addr, SocketAddr},
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

// axum has an extractor named `State` too: the supervisor's `State` comes
// with the prelude, axum's is renamed.
use axum::{Router, extract::State as HttpState, http::StatusCode, routing};
use supervisor::{admin::AdminConfig, prelude::*};
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::{TcpListener, TcpStream},
    sync::{mpsc, watch},
};

/// One unit of work, as posted to `/jobs`.
#[derive(Debug)]
struct Job(String);

/// What the service counts, shared by every child.
#[derive(Debug, Default)]
struct Counters {
    queued: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
}

/// The service's configuration, read once in `main`.
#[derive(Debug)]
struct Config {
    port: u16,
    demo: bool,
}

/// The tree's state: cheap to clone, everything shared behind an `Arc`.
#[derive(Clone)]
struct AppState {
    config: Arc<Config>,
    counters: Arc<Counters>,
    /// The API's end of the worker's queue.
    jobs: mpsc::Sender<Job>,
    /// The worker's end: it outlives the worker's instances.
    inbox: Inbox<Job>,
    /// Where the API listens, once it does.
    listening: Arc<watch::Sender<Option<SocketAddr>>>,
}

/// What the API's handlers need: axum's state, taken from the tree's.
#[derive(Clone)]
struct Api {
    jobs: mpsc::Sender<Job>,
    counters: Arc<Counters>,
}

impl FromState<AppState> for Api {
    fn from_state(state: &AppState) -> Self {
        Api {
            jobs: state.jobs.clone(),
            counters: state.counters.clone(),
        }
    }
}

impl FromState<AppState> for Arc<Config> {
    fn from_state(state: &AppState) -> Self {
        state.config.clone()
    }
}

impl FromState<AppState> for Arc<Counters> {
    fn from_state(state: &AppState) -> Self {
        state.counters.clone()
    }
}

impl FromState<AppState> for Inbox<Job> {
    fn from_state(state: &AppState) -> Self {
        state.inbox.clone()
    }
}

impl FromState<AppState> for Arc<watch::Sender<Option<SocketAddr>>> {
    fn from_state(state: &AppState) -> Self {
        state.listening.clone()
    }
}

/// Serves `POST /jobs` and `GET /stats` until the tree stops it; ready
/// once it listens.
#[supervised(role = "service", shutdown = "5s", ready_timeout = "5s")]
async fn api(
    ctx: ChildContext,
    State(config): State<Arc<Config>>,
    State(api): State<Api>,
    State(listening): State<Arc<watch::Sender<Option<SocketAddr>>>>,
) -> Result<(), std::io::Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let address = listener.local_addr()?;
    println!("api: listening on http://{address}");
    listening.send_replace(Some(address));
    ctx.ready();
    let routes = Router::new()
        .route("/jobs", routing::post(enqueue))
        .route("/stats", routing::get(stats))
        .with_state(api);
    let stop = ctx.cancellation_token();
    axum::serve(listener, routes)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
}

/// `POST /jobs`: queues the body as a job, or answers 503 when the queue
/// is full.
async fn enqueue(HttpState(api): HttpState<Api>, body: String) -> (StatusCode, &'static str) {
    match api.jobs.try_send(Job(body.trim().to_owned())) {
        Ok(()) => {
            api.counters.queued.fetch_add(1, Ordering::Relaxed);
            (StatusCode::ACCEPTED, "queued\n")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "queue full\n"),
    }
}

/// `GET /stats`: what was queued, done and failed.
async fn stats(HttpState(api): HttpState<Api>) -> String {
    summary(&api.counters)
}

fn summary(counters: &Counters) -> String {
    format!(
        "queued={} done={} failed={}\n",
        counters.queued.load(Ordering::Relaxed),
        counters.done.load(Ordering::Relaxed),
        counters.failed.load(Ordering::Relaxed),
    )
}

/// Works through the queue, one job at a time. A job named "poison" makes
/// it fail: the supervisor restarts it, and the jobs still queued wait in
/// the inbox for the next instance.
#[supervised(role = "worker", shutdown = "2s")]
async fn worker(
    ctx: ChildContext,
    State(inbox): State<Inbox<Job>>,
    State(counters): State<Arc<Counters>>,
) -> Result<(), String> {
    let mut jobs = inbox.lock().await;
    loop {
        let job = tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            job = jobs.recv() => job,
        };
        let Some(Job(name)) = job else {
            return Ok(()); // every sender is gone
        };
        if name == "poison" {
            counters.failed.fetch_add(1, Ordering::Relaxed);
            return Err(format!("job {name:?} cannot be processed"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        counters.done.fetch_add(1, Ordering::Relaxed);
        println!("worker#{}: done {name:?}", ctx.generation());
    }
}

/// Reports the counters every second; restarted with the API, stopped
/// with it.
#[supervised(role = "sidecar", primary = api, backoff = "none", shutdown = "1s")]
async fn reporter(ctx: ChildContext, State(counters): State<Arc<Counters>>) {
    let mut every_second = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = ctx.cancelled() => return,
            _ = every_second.tick() => print!("reporter: {}", summary(&counters)),
        }
    }
}

/// With `--demo`: posts jobs to the API, waits for the worker to finish
/// them, reads `/stats`, and asks the tree to shut down. Otherwise it has
/// nothing to do.
#[supervised(role = "job", timeout = "30s")]
async fn demo(ctx: ChildContext, State(app): State<AppState>) -> Result<(), std::io::Error> {
    if !app.config.demo {
        return Ok(());
    }
    let mut listening = app.listening.subscribe();
    let address = listening
        .wait_for(Option::is_some)
        .await
        .map_err(std::io::Error::other)?
        .ok_or_else(|| std::io::Error::other("the API did not say where it listens"))?;
    for job in ["resize cat.png", "poison", "resize dog.png", "index docs"] {
        let answer = http(address, "POST /jobs", job).await?;
        println!("demo: POST /jobs {job:?}: {}", answer.trim());
    }
    while app.counters.done.load(Ordering::Relaxed) < 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    print!(
        "demo: GET /stats: {}",
        http(address, "GET /stats", "").await?
    );
    ctx.request_shutdown();
    Ok(())
}

/// One HTTP/1.1 request over a fresh connection; the answer's body.
async fn http(address: SocketAddr, request: &str, body: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address).await?;
    let head = format!(
        "{request} HTTP/1.1\r\nhost: {address}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    Ok(answer
        .split_once("\r\n\r\n")
        .map_or(answer.clone(), |(_, body)| body.to_owned()))
}

/// The worker starts first so the queue has a reader; the API then takes
/// requests and its reporter follows it.
#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct Service {
    worker: worker,
    api: api,
    reporter: reporter,
    demo: demo,
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = std::env::var("SERVICE_PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(0);
    let demo = std::env::args().any(|arg| arg == "--demo");
    let (jobs, inbox) = inbox::channel(64);
    let state = AppState {
        config: Arc::new(Config { port, demo }),
        counters: Arc::default(),
        jobs,
        inbox,
        listening: Arc::new(watch::Sender::new(None)),
    };
    let admin_port = std::env::var("ADMIN_PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(0);
    // The admin server says where it listens on stderr; systemd hears from
    // the tree when NOTIFY_SOCKET is set; metrics are recorded and served
    // at /metrics.
    Runner::tree_with::<Service>(state)
        .admin(AdminConfig::loopback(admin_port))
        .run()
        .await
}
