//! The exit codes and signals of a real process: `examples/configured.rs`
//! run as systemd or Kubernetes would, stopped with SIGTERM, reloaded with
//! SIGHUP. Each test signals only the process it started, by its pid.
#![cfg(unix)]

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// How long a step of a real process may take on a loaded CI machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// The example binary, built (or found up to date) by cargo first, so that
/// the test never runs a stale one. Built once per test process.
fn example() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let test = std::env::current_exe().unwrap();
            let profile = test.parent().and_then(|deps| deps.parent()).unwrap();
            let mut build = Command::new(env!("CARGO"));
            build.args(["build", "--quiet", "--example", "configured"]);
            if profile.ends_with("release") {
                build.arg("--release");
            }
            let status = build
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .unwrap();
            assert!(status.success(), "building the example failed");
            profile.join("examples").join("configured")
        })
        .clone()
}

/// A running example process, its stdout lines arriving on a channel.
struct Process {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Process {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(example());
        command
            .env_remove("SUPERVISOR_CONFIG")
            .env_remove("FAIL_WORKER")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Process {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads stdout until a line contains `needle`; fails with what it saw.
    fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => self.seen.push(line),
                Err(_) => break,
            }
        }
        let seen = self.seen.join("\n");
        self.kill();
        panic!("no line with {needle:?} within {PATIENCE:?}; stdout so far:\n{seen}");
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit; returns its code and stderr.
    fn exit(mut self) -> (i32, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut stderr)
                    .unwrap();
                return (status.code().expect("exited, not killed"), stderr);
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("the process did not exit within {PATIENCE:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A config file of this test's own, removed when dropped.
struct ConfigFile(PathBuf);

impl ConfigFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!("{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        ConfigFile(path)
    }

    fn rewrite(&self, text: &str) {
        std::fs::write(&self.0, text).unwrap();
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn sigterm_stops_the_tree_in_order_and_exits_0() {
    let mut process = Process::start(&[]);
    process.wait_for_line(r#""path":"app/worker","generation":1"#);
    process.signal("TERM");
    process.wait_for_line(r#""event":"shutdown_started""#);
    process.wait_for_line(r#""event":"supervisor_stopped","clean":true"#);
    let (code, stderr) = process.exit();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("supervisor `app` stopped cleanly"),
        "{stderr}"
    );
}

#[test]
fn a_tree_that_gives_up_exits_1() {
    let process = Process::start(&[("FAIL_WORKER", "1")]);
    let (code, stderr) = process.exit();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("failed"), "{stderr}");
}

#[test]
fn a_bad_config_file_exits_78_naming_the_key_and_the_fix() {
    let config = ConfigFile::new("typo.toml", "[children.api]\nshutdwon = \"5s\"\n");
    let process = Process::start(&[("SUPERVISOR_CONFIG", config.path())]);
    let (code, stderr) = process.exit();
    assert_eq!(code, 78, "{stderr}");
    assert!(stderr.contains(config.path()), "{stderr}");
    assert!(stderr.contains("children.api.shutdwon"), "{stderr}");
    assert!(stderr.contains("did you mean `shutdown`?"), "{stderr}");
}

#[test]
fn a_config_that_breaks_a_rule_exits_78() {
    let config = ConfigFile::new(
        "rule.json",
        r#"{"children":{"worker":{"backoff":{"multiplier":0.5}}}}"#,
    );
    let process = Process::start(&[("SUPERVISOR_CONFIG", config.path())]);
    let (code, stderr) = process.exit();
    assert_eq!(code, 78, "{stderr}");
    assert!(
        stderr.contains("[backoff_multiplier_below_one]"),
        "{stderr}"
    );
}

#[test]
fn sighup_reloads_the_config_and_a_bad_reload_keeps_running() {
    let config = ConfigFile::new("reload.toml", "[children.api]\nshutdown = \"10s\"\n");
    let mut process = Process::start(&[("SUPERVISOR_CONFIG", config.path())]);
    process.wait_for_line(r#""path":"app/worker","generation":1"#);

    config.rewrite("[children.api]\nshutdown = \"ten seconds\"\n");
    process.signal("HUP");
    let rejected = process.wait_for_line(r#""event":"reconfigure_rejected""#);
    assert!(rejected.contains("children.api.shutdown"), "{rejected}");

    config.rewrite("strategy = \"one_for_all\"\n[children.api]\nshutdown = \"2s\"\n");
    process.signal("HUP");
    process.wait_for_line(r#""event":"reconfigured""#);

    process.signal("TERM");
    let (code, stderr) = process.exit();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("config reload refused"), "{stderr}");
}
