//! Every route of the admin server over real HTTP on 127.0.0.1, with the
//! status codes it answers. Each test serves its own tree on a port the
//! system picks and stops what it started.

#[path = "admin/client.rs"]
mod client;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use client::{EventsClient, PATIENCE, eventually, get, post, request};
use hyper::StatusCode;
use supervisor::{
    admin::{AdminConfig, AdminServer},
    prelude::*,
};
use tokio::sync::Notify;

const TOKEN: &str = "s3cret-token";

fn idle(id: &str, role: TaskRole) -> ChildSpec {
    ChildSpec::new(id, role, |ctx| async move { ctx.cancelled().await })
}

/// `app`: a service `api` and a nested tree `ingest` with a `parser`.
fn app() -> SupervisorSpec {
    SupervisorSpec::new("app")
        .child(idle("api", TaskRole::Service))
        .child(ChildSpec::supervisor(
            SupervisorSpec::new("ingest").child(idle("parser", TaskRole::Worker)),
        ))
}

struct Served {
    handle: SupervisorHandle,
    admin: Option<AdminServer>,
    addr: SocketAddr,
}

impl Served {
    async fn start(spec: SupervisorSpec, config: AdminConfig) -> Self {
        let handle = Supervisor::start(spec).unwrap();
        let admin = AdminServer::start(handle.clone(), config).await.unwrap();
        let addr = admin.local_addr();
        Served {
            handle,
            admin: Some(admin),
            addr,
        }
    }

    async fn with_token(spec: SupervisorSpec) -> Self {
        Served::start(spec, AdminConfig::loopback(0).token(TOKEN)).await
    }

    async fn generation(&self, path: &str) -> u64 {
        let snapshot = self.handle.snapshot().await.unwrap();
        snapshot.find(path).unwrap().generation
    }

    async fn stop(mut self) {
        if let Some(admin) = self.admin.take() {
            admin.shutdown().await;
        }
        self.handle.shutdown().await;
    }
}

fn assert_error(answer: &client::Answer, status: StatusCode, error: &str) {
    assert_eq!(answer.status, status, "{answer:?}");
    assert_eq!(answer.json()["error"], error, "{answer:?}");
    assert!(answer.json()["message"].is_string(), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn livez_is_200_while_the_loop_answers_and_503_while_it_is_stuck() {
    let served = Served::with_token(app()).await;
    let live = get(served.addr, "/livez").await;
    assert_eq!(
        (live.status, live.json()),
        (StatusCode::OK, serde_json::json!({"live": true}))
    );

    supervisor::testing::stall_loop(&served.handle, Duration::from_secs(3));
    let stuck = get(served.addr, "/livez").await;
    assert_eq!(stuck.status, StatusCode::SERVICE_UNAVAILABLE, "{stuck:?}");
    assert_eq!(stuck.json()["live"], false);
    assert!(
        stuck.json()["reason"]
            .as_str()
            .unwrap()
            .contains("did not answer")
    );
    let readyz = get(served.addr, "/readyz").await;
    assert_error(&readyz, StatusCode::SERVICE_UNAVAILABLE, "no_answer");

    eventually(
        || get(served.addr, "/livez"),
        |answer| answer.status == StatusCode::OK,
    )
    .await;
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn livez_is_503_after_an_escalation() {
    let boot = ChildSpec::without_context("boot", TaskRole::Job, || async {
        Err::<(), _>("disk full")
    })
    .restart(RestartPolicy::Temporary)
    .severity(Severity::Critical);
    let served = Served::with_token(SupervisorSpec::new("app").child(boot)).await;
    served.handle.wait().await.unwrap_err();

    let live = get(served.addr, "/livez").await;
    assert_eq!(live.status, StatusCode::SERVICE_UNAVAILABLE, "{live:?}");
    let reason = live.json()["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.contains("escalated because of `app/boot`"),
        "{reason}"
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_with_what_holds_the_tree_while_a_gate_holds_then_200() {
    let gate = Arc::new(Notify::new());
    let opened = Arc::clone(&gate);
    let db = ChildSpec::new("db", TaskRole::Service, move |ctx| {
        let gate = Arc::clone(&opened);
        async move {
            gate.notified().await;
            ctx.ready();
            ctx.cancelled().await;
        }
    })
    .ready_timeout(Duration::from_secs(60));
    let spec = SupervisorSpec::new("app")
        .child(db)
        .child(idle("api", TaskRole::Service));
    let served = Served::with_token(spec).await;

    let held = get(served.addr, "/readyz").await;
    assert_eq!(held.status, StatusCode::SERVICE_UNAVAILABLE, "{held:?}");
    let body = held.json();
    assert_eq!(body["ready"], false);
    assert_eq!(body["not_ready"][0]["path"], "app/db");
    assert_eq!(body["not_ready"][0]["reason"], "holds_start_order");
    assert_eq!(body["not_ready"][1]["path"], "app/api");
    assert_eq!(body["not_ready"][1]["reason"], "not_started");

    gate.notify_one();
    let ready = eventually(
        || get(served.addr, "/readyz"),
        |a| a.status == StatusCode::OK,
    )
    .await;
    assert_eq!(
        ready.json(),
        serde_json::json!({"ready": true, "not_ready": []})
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_serves_the_whole_tree_as_json() {
    let served = Served::with_token(app()).await;
    let answer = eventually(
        || get(served.addr, "/snapshot"),
        |a| a.json()["children"][1]["tree"]["children"][0]["state"] == "running",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let tree = answer.json();
    assert_eq!(tree["path"], "app");
    assert_eq!(tree["children"][0]["path"], "app/api");
    assert_eq!(tree["children"][0]["generation"], 1);
    assert_eq!(
        tree["children"][1]["tree"]["children"][0]["path"],
        "app/ingest/parser"
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_carry_their_seq_as_id_and_resume_after_last_event_id() {
    let served = Served::with_token(app()).await;
    let mut live = EventsClient::open(served.addr, None).await;
    assert_eq!(live.status, StatusCode::OK);

    let restarted = post(served.addr, "/children/app/api/restart", Some(TOKEN)).await;
    assert_eq!(restarted.status, StatusCode::ACCEPTED, "{restarted:?}");
    let mut seen = Vec::new();
    loop {
        let event = live.next().await.expect("the stream ended");
        assert_eq!(event.id, event.json()["seq"].as_u64(), "{event:?}");
        let done = event.json()["kind"]["event"] == "started";
        seen.push(event);
        if done {
            break;
        }
    }
    assert!(seen.len() >= 2, "{seen:#?}");
    assert_eq!(seen.last().unwrap().json()["path"], "app/api");
    assert_eq!(seen.last().unwrap().json()["generation"], 2);

    // A client that saw the first event resumes with the rest, in order.
    let first = seen[0].id.unwrap();
    let mut resumed = EventsClient::open(served.addr, Some(first)).await;
    for expected in &seen[1..] {
        assert_eq!(resumed.next().await.as_ref(), Some(expected));
    }
    // A first connection may ask for every buffered event.
    let mut replayed = EventsClient::open_at(served.addr, "/events?replay=buffered", None).await;
    replayed.until(|event| event == &seen[0]).await;
    assert_eq!(replayed.next().await.as_ref(), Some(&seen[1]));
    // Resuming, the header wins over the query.
    let mut both = EventsClient::open_at(served.addr, "/events?replay=buffered", Some(first)).await;
    assert_eq!(both.next().await.as_ref(), Some(&seen[1]));
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_from_before_the_buffer_is_told_how_many_events_are_gone() {
    let served = Served::with_token(app()).await;
    let mut events = served.handle.events();
    // Three or more events per restart: well past the 1024 buffered.
    for _ in 0..400 {
        served.handle.restart_child("api").await.unwrap();
    }
    let last = loop {
        // This reader lags too; the newest events are what it needs.
        let Ok(event) = events.recv().await else {
            continue;
        };
        if &*event.path == "app/api" && event.generation == 401 && event.kind == EventKind::Started
        {
            break event.seq;
        }
    };
    assert!(last > AdminConfig::EVENT_BUFFER as u64, "{last}");
    // Once the server holds the last event, resume from the very start.
    eventually(
        || async {
            EventsClient::open(served.addr, Some(last - 1))
                .await
                .next()
                .await
        },
        |event| event.as_ref().and_then(|e| e.id) == Some(last),
    )
    .await;
    let mut resumed = EventsClient::open(served.addr, Some(0)).await;
    let lagged = resumed.next().await.unwrap();
    assert_eq!(lagged.event.as_deref(), Some("lagged"), "{lagged:?}");
    let missed = lagged.json()["missed"].as_u64().unwrap();
    let oldest = resumed.next().await.unwrap().id.unwrap();
    assert_eq!(oldest, missed + 1, "events 1..={missed} are gone");
    assert_eq!(last - oldest + 1, AdminConfig::EVENT_BUFFER as u64);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_event_id_that_is_no_number_is_400() {
    let served = Served::with_token(app()).await;
    let answer = request(
        served.addr,
        "GET",
        "/events",
        &[("last-event-id", "abc")],
        Vec::new(),
    )
    .await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "bad_last_event_id");
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_restarts_stops_and_starts_a_child_with_the_token() {
    let served = Served::with_token(app()).await;
    let restarted = post(served.addr, "/children/app/api/restart", Some(TOKEN)).await;
    assert_eq!(restarted.status, StatusCode::ACCEPTED, "{restarted:?}");
    assert_eq!(
        restarted.json(),
        serde_json::json!({"path": "app/api", "action": "restart"})
    );
    assert_eq!(served.generation("app/api").await, 2);

    let stopped = post(served.addr, "/children/app/api/stop", Some(TOKEN)).await;
    assert_eq!(stopped.status, StatusCode::ACCEPTED);
    let snapshot = served.handle.snapshot().await.unwrap();
    assert_eq!(snapshot.find("app/api").unwrap().state, ChildState::Stopped);

    let started = post(served.addr, "/children/app/api/start", Some(TOKEN)).await;
    assert_eq!(started.status, StatusCode::ACCEPTED);
    let again = post(served.addr, "/children/app/api/start", Some(TOKEN)).await;
    assert_error(&again, StatusCode::CONFLICT, "already_running");
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_reaches_the_children_of_nested_trees() {
    let served = Served::with_token(app()).await;
    eventually(
        || async {
            served
                .handle
                .snapshot()
                .await
                .unwrap()
                .find("app/ingest/parser")
                .is_some()
        },
        |found| *found,
    )
    .await;
    let answer = post(
        served.addr,
        "/children/app/ingest/parser/restart",
        Some(TOKEN),
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
    assert_eq!(served.generation("app/ingest/parser").await, 2);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_of_an_unknown_path_is_404() {
    let served = Served::with_token(app()).await;
    for path in [
        "/children/app/nope/restart",
        "/children/other/api/restart",
        "/children/app/ingest/nope/stop",
        "/children/app/api/parser/start",
        "/children/app/restart",
    ] {
        let answer = post(served.addr, path, Some(TOKEN)).await;
        assert_error(&answer, StatusCode::NOT_FOUND, "unknown_child");
    }
    let answer = post(served.addr, "/children/app/api/explode", Some(TOKEN)).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_of_a_stopped_tree_is_409() {
    let served = Served::with_token(app()).await;
    served.handle.shutdown().await;
    let answer = post(served.addr, "/children/app/api/restart", Some(TOKEN)).await;
    assert_error(&answer, StatusCode::CONFLICT, "stopped");
    let live = get(served.addr, "/livez").await;
    assert_eq!(live.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(live.json()["reason"], "the supervisor has stopped");
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_without_the_right_token_is_401_and_changes_nothing() {
    let served = Served::with_token(app()).await;
    for token in [
        None,
        Some("wrong"),
        Some("s3cret-toke"),
        Some("s3cret-token2"),
    ] {
        let answer = post(served.addr, "/children/app/api/restart", token).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let basic = request(
        served.addr,
        "POST",
        "/children/app/api/restart",
        &[("authorization", TOKEN)],
        Vec::new(),
    )
    .await;
    assert_error(&basic, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(served.generation("app/api").await, 1);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_routes_are_absent_without_a_token() {
    let served = Served::start(app(), AdminConfig::loopback(0)).await;
    for token in [None, Some(TOKEN)] {
        let answer = post(served.addr, "/children/app/api/restart", token).await;
        assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(served.generation("app/api").await, 1);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_past_the_bound_are_413() {
    let served = Served::with_token(app()).await;
    let bearer = format!("Bearer {TOKEN}");
    let headers = [("authorization", bearer.as_str())];
    let big = vec![b'x'; AdminConfig::MAX_BODY_BYTES + 1];
    let answer = request(
        served.addr,
        "POST",
        "/children/app/api/restart",
        &headers,
        big,
    )
    .await;
    assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    assert_eq!(served.generation("app/api").await, 1);
    let small = vec![b'x'; 16];
    let answer = request(
        served.addr,
        "POST",
        "/children/app/api/restart",
        &headers,
        small,
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_answer_json() {
    let served = Served::with_token(app()).await;
    assert_error(
        &get(served.addr, "/nope").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let post_livez = post(served.addr, "/livez", None).await;
    assert_error(
        &post_livez,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let get_control = get(served.addr, "/children/app/api/restart").await;
    assert_error(
        &get_control,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_is_404_without_a_renderer_and_its_text_with_one() {
    let served = Served::with_token(app()).await;
    assert_error(
        &get(served.addr, "/metrics").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    served.stop().await;

    let config = AdminConfig::loopback(0).metrics(|| "supervisor_children 3\n".to_owned());
    let served = Served::start(app(), config).await;
    let answer = get(served.addr, "/metrics").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "supervisor_children 3\n")
    );
    assert!(
        answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_one_self_contained_file_with_controls_only_with_a_token() {
    let served = Served::with_token(app()).await;
    let page = get(served.addr, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"));
    assert!(page.body.contains(r#"data-control="on""#));
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
    ] {
        assert!(
            !page.body.contains(external),
            "the page loads {external}..."
        );
    }
    served.stop().await;

    let served = Served::start(app(), AdminConfig::loopback(0)).await;
    assert!(
        get(served.addr, "/")
            .await
            .body
            .contains(r#"data-control="off""#)
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_streams_and_closes_the_port() {
    let served = Served::with_token(app()).await;
    let addr = served.addr;
    let mut stream = EventsClient::open(addr, None).await;
    assert_eq!(stream.status, StatusCode::OK);
    let stopping = tokio::time::timeout(PATIENCE, served.stop());
    stopping.await.expect("shutdown waited on an open stream");
    assert_eq!(stream.next().await, None, "the stream should have ended");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_the_admin_server_until_it_returns() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let (opened, stream) = tokio::sync::oneshot::channel();
    let stop = async move {
        eventually(|| get(addr, "/livez"), |a| a.status == StatusCode::OK).await;
        let _ = opened.send(EventsClient::open(addr, None).await);
    };
    let summary = Runner::new(app())
        .without_config()
        .admin(AdminConfig::loopback(port))
        .stop_on(stop)
        .run_summary()
        .await;
    assert!(summary.is_success(), "{summary}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the admin server outlived run"
    );
    // The stream open during the shutdown saw it, then ended.
    let mut stream = stream.await.unwrap();
    stream
        .until(|event| event.json()["kind"]["event"] == "shutdown_started")
        .await;
    while stream.next().await.is_some() {}
}
