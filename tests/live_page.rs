//! The live page in a real browser: Debian's `chromium`, headless, driven
//! through `chromedriver` (WebDriver), loading the page of a running
//! `examples/admin.rs`. It checks that the page lists the tree, that a
//! restart shows on it within a second, and that its control buttons
//! work; then it takes a screenshot: into the target directory, or over
//! `docs/live-page.png` when `SUPERVISOR_UPDATE_SCREENSHOT=1`.
//!
//! Needs `chromium` and `chromedriver` on the PATH (`apt-get install
//! chromium chromium-driver`); `.ci/run` installs them when absent.
#![cfg(unix)]

#[path = "admin/client.rs"]
mod client;
#[path = "admin/example.rs"]
mod example;
#[path = "support/process.rs"]
mod process;

use std::{
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper::StatusCode;
use hyper_util::client::legacy::connect::HttpConnector;

const TOKEN: &str = "s3cret";
const PARSER: &str = "shop/ingest/parser";

/// `chromedriver` on a port of its own, stopped (SIGTERM, then SIGKILL)
/// when dropped; it quits the browsers it started.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: apt-get install chromium chromium-driver");
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A session with headless chromium, once the driver listens.
    async fn session(&self) -> Client {
        let options = serde_json::json!({
            "binary": chromium(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,760",
                     "--hide-scrollbars"],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let deadline = Instant::now() + process::PATIENCE;
        loop {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&self.url)
                .await;
            match connected {
                Ok(client) => return client,
                Err(error) if Instant::now() < deadline => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("no WebDriver session at {}: {error}", self.url),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser binary: Debian's `chromium`.
fn chromium() -> String {
    let found = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output()
        .expect("sh runs");
    let path = String::from_utf8(found.stdout).unwrap().trim().to_owned();
    assert!(
        !path.is_empty(),
        "chromium is not installed: apt-get install chromium chromium-driver"
    );
    path
}

/// A cell of the row of `path` on the page, as text (`None`: no such row).
async fn cell(browser: &Client, path: &str, class: &str) -> Option<String> {
    let script = "const row = document.querySelector(`tr[data-path=\"${arguments[0]}\"]`);\
                  const cell = row && row.querySelector('.' + arguments[1]);\
                  return cell ? cell.textContent : null;";
    let value = browser
        .execute(script, vec![path.into(), class.into()])
        .await
        .unwrap();
    value.as_str().map(str::to_owned)
}

/// Polls the page every 20 ms until the row of `path` shows `generation`;
/// how long that took, or a failure with what the page showed.
async fn wait_for_generation(
    browser: &Client,
    path: &str,
    generation: u64,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    let wanted = generation.to_string();
    loop {
        let shown = cell(browser, path, "generation").await;
        if shown.as_deref() == Some(wanted.as_str()) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{path} still shows generation {shown:?}, not {wanted}, after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn generation(addr: SocketAddr, path: &str) -> u64 {
    let snapshot = client::get(addr, "/snapshot").await.json();
    let mut stack = vec![snapshot];
    while let Some(tree) = stack.pop() {
        for child in tree["children"].as_array().unwrap() {
            if child["path"] == path {
                return child["generation"].as_u64().unwrap();
            }
            if child["tree"].is_object() {
                stack.push(child["tree"].clone());
            }
        }
    }
    panic!("no {path} in the snapshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_page_lists_the_tree_and_shows_a_restart_within_a_second() {
    let mut app = example::start(&[
        ("SUPERVISOR_ADMIN_ADDR", "127.0.0.1:0"),
        ("SUPERVISOR_ADMIN_TOKEN", TOKEN),
    ]);
    let addr = example::admin_addr(&mut app);
    let driver = Driver::start();
    let browser = driver.session().await;
    browser.goto(&format!("http://{addr}/")).await.unwrap();

    // The tree, nested, every child listed.
    for path in ["shop/api", "shop/ingest", "shop/ingest/reader", PARSER] {
        let row = format!("tr[data-path=\"{path}\"]");
        browser
            .wait()
            .at_most(process::PATIENCE)
            .for_element(Locator::Css(&row))
            .await
            .unwrap_or_else(|error| panic!("no row for {path}: {error}"));
    }
    assert_eq!(
        cell(&browser, "shop/api", "state").await.as_deref(),
        Some("running")
    );

    // The parser's two failures at start show without a reload.
    wait_for_generation(&browser, PARSER, 3, process::PATIENCE).await;
    let exit = cell(&browser, PARSER, "exit").await.unwrap();
    assert!(exit.contains("malformed record"), "{exit}");

    // A restart through the control route shows within a second.
    let before = generation(addr, PARSER).await;
    let asked = client::post(addr, &format!("/children/{PARSER}/restart"), Some(TOKEN)).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{asked:?}");
    let took = wait_for_generation(&browser, PARSER, before + 1, Duration::from_secs(1)).await;
    println!("the restart showed on the page after {took:?}");

    // The page's own restart button, with the token typed in.
    browser
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    browser
        .find(Locator::Css(
            "tr[data-path=\"shop/api\"] button[data-action=\"restart\"]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_generation(&browser, "shop/api", 2, Duration::from_secs(1)).await;
    let message = browser
        .find(Locator::Id("message"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(message, "restart shop/api: done");

    let shot = browser.screenshot().await.unwrap();
    let target = if std::env::var_os("SUPERVISOR_UPDATE_SCREENSHOT").is_some() {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/live-page.png")
    } else {
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("live-page.png")
    };
    std::fs::write(&target, shot).unwrap();
    println!("screenshot: {}", target.display());

    browser.close().await.unwrap();
    drop(driver);
    app.signal("TERM");
    let (code, stderr) = app.exit();
    assert_eq!(code, 0, "{stderr}");
}
