//! The admin server under `run*` in a real process, configured by the
//! environment: it serves while the tree runs, stops before the process
//! exits, and a bad address is exit code 78.
#![cfg(unix)]

#[path = "admin/client.rs"]
mod client;
#[path = "admin/example.rs"]
mod example;
#[path = "support/process.rs"]
mod process;

use example::admin_addr;
use hyper::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_turns_the_server_on_and_it_stops_with_the_process() {
    let mut app = example::start(&[
        ("SUPERVISOR_ADMIN_ADDR", "127.0.0.1:0"),
        ("SUPERVISOR_ADMIN_TOKEN", "s3cret"),
    ]);
    let addr = admin_addr(&mut app);
    assert!(addr.ip().is_loopback());
    let ready = client::eventually(
        || client::get(addr, "/readyz"),
        |a| a.status == StatusCode::OK,
    )
    .await;
    assert_eq!(ready.json()["ready"], true);
    let restarted =
        client::post(addr, "/children/shop/ingest/parser/restart", Some("s3cret")).await;
    assert_eq!(restarted.status, StatusCode::ACCEPTED, "{restarted:?}");

    app.signal("TERM");
    let (code, stderr) = app.exit();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("stopped cleanly"), "{stderr}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the server outlived the process"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_port_means_loopback_and_no_token_means_no_control() {
    let mut app = example::start(&[("SUPERVISOR_ADMIN_ADDR", "0")]);
    let addr = admin_addr(&mut app);
    assert!(addr.ip().is_loopback(), "{addr}");
    let control = client::post(addr, "/children/shop/api/restart", Some("s3cret")).await;
    assert_eq!(control.status, StatusCode::NOT_FOUND, "{control:?}");
    app.signal("TERM");
    assert_eq!(app.exit().0, 0);
}

#[test]
fn an_admin_address_that_is_no_address_exits_78() {
    let app = example::start(&[("SUPERVISOR_ADMIN_ADDR", "nowhere")]);
    let (code, stderr) = app.exit();
    assert_eq!(code, 78, "{stderr}");
    assert!(
        stderr.contains("invalid admin address `nowhere`"),
        "{stderr}"
    );
}

#[test]
fn an_admin_address_in_use_exits_78_before_the_tree_starts() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let app = example::start(&[("SUPERVISOR_ADMIN_ADDR", &addr)]);
    let (code, stderr) = app.exit();
    assert_eq!(code, 78, "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
    assert!(stderr.contains("did not start"), "{stderr}");
}
