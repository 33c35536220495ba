//! S1 with the admin server running and one `/events` client reading
//! (feature `http`), against S1 without it. Both arms start the tree
//! empty, attach what they attach, then add the failing child, so that the
//! server and its client are there for every restart measured.

use std::{io, sync::Arc, time::Instant};

use supervisor::{
    BackoffPolicy, ChildContext, ChildSpec, RestartLimit, Supervisor, SupervisorSpec, TaskRole,
    admin::{AdminConfig, AdminServer},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::Notify,
    task::JoinHandle,
};

use crate::scenarios::{Arm, Figures};

const RESTARTS: u64 = 100_000;

/// Figures: `secs` (100,000 restarts), and with the server the bytes its
/// client read.
pub(crate) async fn restarts(arm: Arm) -> Figures {
    let done = Arc::new(Notify::new());
    let child = {
        let done = Arc::clone(&done);
        move |ctx: ChildContext| {
            if ctx.generation() - 1 == RESTARTS {
                done.notify_one();
            }
            async { Err::<(), io::Error>(io::ErrorKind::ConnectionRefused.into()) }
        }
    };
    let spec = SupervisorSpec::new("bench").restart_limit(RestartLimit::UNLIMITED);
    let handle = Supervisor::start(spec).expect("a valid spec");
    let served = match arm {
        Arm::OursAdmin => Some(serve_with_client(&handle).await),
        _ => None,
    };
    let started = Instant::now();
    let failing = ChildSpec::new("child", TaskRole::Worker, child)
        .backoff(BackoffPolicy::NONE)
        .restart_limit(RestartLimit::UNLIMITED);
    handle.add_child(failing).await.expect("a valid child");
    done.notified().await;
    let mut figures = vec![("secs", started.elapsed().as_secs_f64())];
    handle.shutdown().await;
    if let Some((admin, client)) = served {
        admin.shutdown().await;
        let read = client.await.expect("the /events client");
        figures.push(("sse_bytes", read as f64));
    }
    figures
}

/// The admin server on a loopback port, and a client that reads `/events`
/// as fast as it comes until the server ends the stream.
async fn serve_with_client(
    handle: &supervisor::SupervisorHandle,
) -> (AdminServer, JoinHandle<u64>) {
    let admin = AdminServer::start(handle.clone(), AdminConfig::loopback(0))
        .await
        .expect("a loopback port");
    let mut stream = TcpStream::connect(admin.local_addr())
        .await
        .expect("the admin server");
    let request = "GET /events HTTP/1.1\r\nhost: bench\r\naccept: text/event-stream\r\n\r\n";
    stream
        .write_all(request.as_bytes())
        .await
        .expect("a request");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0; 1];
        stream.read_exact(&mut byte).await.expect("a response head");
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let client = tokio::spawn(async move {
        let mut buffer = vec![0; 64 * 1024];
        let mut read = 0u64;
        while let Ok(n @ 1..) = stream.read(&mut buffer).await {
            read += n as u64;
        }
        read
    });
    (admin, client)
}
