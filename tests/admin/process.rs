//! `examples/admin.rs` as a real process: started with an environment,
//! its admin address read from stderr, stopped by its pid.

#![allow(dead_code, unreachable_pub)]

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// How long a step of a real process may take on a loaded CI machine.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The example binary, built (or found up to date) by cargo first, once
/// per test process.
fn example() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let test = std::env::current_exe().unwrap();
            let profile = test.parent().and_then(|deps| deps.parent()).unwrap();
            let mut build = Command::new(env!("CARGO"));
            build.args([
                "build",
                "--quiet",
                "--example",
                "admin",
                "--features",
                "http",
            ]);
            if profile.ends_with("release") {
                build.arg("--release");
            }
            let status = build
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .unwrap();
            assert!(status.success(), "building the example failed");
            profile.join("examples").join("admin")
        })
        .clone()
}

/// A running example, its stderr lines arriving on a channel.
pub struct Process {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Process {
    pub fn start(env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(example());
        command
            .env_remove("SUPERVISOR_CONFIG")
            .env_remove("SUPERVISOR_ADMIN_ADDR")
            .env_remove("SUPERVISOR_ADMIN_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
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

    /// Reads stderr until a line contains `needle`; fails with what it saw.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => self.seen.push(line),
                Err(_) => break,
            }
        }
        self.kill();
        panic!("no line with {needle:?}; stderr so far: {:#?}", self.seen);
    }

    /// The admin server's address, from the line the runner prints.
    pub fn admin_addr(&mut self) -> SocketAddr {
        let line = self.wait_for_line("admin server on http://");
        let start = line.find("http://").unwrap() + "http://".len();
        line[start..].trim_end_matches('/').parse().unwrap()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM to this process only.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the exit; its code and the rest of stderr.
    pub fn exit(mut self) -> (i32, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(1)) {
                    self.seen.push(line);
                }
                let code = status.code().expect("exited, not killed");
                return (code, self.seen.join("\n"));
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("the process did not exit; stderr: {:#?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
