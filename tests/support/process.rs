//! An example of this package as a real process, for tests of what only a
//! process shows (exit codes, signals, its environment): built by cargo
//! first, the lines of one of its output streams arriving on a channel,
//! signalled and killed only by its own pid.

#![allow(dead_code, unreachable_pub)]

use std::{
    io::{BufRead, BufReader, Read},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// How long a step of a real process may take on a loaded CI machine.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The variables of this crate that a test's own environment must not
/// leak into the process.
const CLEARED: [&str; 4] = [
    "SUPERVISOR_CONFIG",
    "SUPERVISOR_ADMIN_ADDR",
    "SUPERVISOR_ADMIN_TOKEN",
    "FAIL_WORKER",
];

/// Which output stream [`Process::wait_for_line`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    Stdout,
    Stderr,
}

/// The example binary, built (or found up to date) by cargo first, so that
/// the test never runs a stale one. Built once per test process.
fn example(name: &str, features: &[&str]) -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let test = std::env::current_exe().unwrap();
        let profile = test.parent().and_then(|deps| deps.parent()).unwrap();
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "--example", name]);
        if !features.is_empty() {
            build.args(["--features", &features.join(",")]);
        }
        if profile.ends_with("release") {
            build.arg("--release");
        }
        let status = build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building the example {name} failed");
        profile.join("examples").join(name)
    });
    assert!(built.ends_with(name), "one example per test binary");
    built.clone()
}

/// A running example.
pub struct Process {
    child: Child,
    watch: Watch,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Process {
    /// Starts the example `name` (built with `features`) with `env`.
    pub fn start(name: &str, features: &[&str], env: &[(&str, &str)], watch: Watch) -> Self {
        let mut command = Command::new(example(name, features));
        for key in CLEARED {
            command.env_remove(key);
        }
        // The stream not watched: stderr is read at the exit; stdout goes
        // nowhere, so that it never fills a pipe.
        match watch {
            Watch::Stdout => command.stdout(Stdio::piped()).stderr(Stdio::piped()),
            Watch::Stderr => command.stdout(Stdio::null()).stderr(Stdio::piped()),
        };
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let (tx, lines) = mpsc::channel();
        let watched: Box<dyn Read + Send> = match watch {
            Watch::Stdout => Box::new(child.stdout.take().unwrap()),
            Watch::Stderr => Box::new(child.stderr.take().unwrap()),
        };
        std::thread::spawn(move || {
            for line in BufReader::new(watched).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Process {
            child,
            watch,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads the watched stream until a line contains `needle`; fails with
    /// what it saw.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
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
        panic!(
            "no line with {needle:?} within {PATIENCE:?}; {:?} so far:\n{seen}",
            self.watch
        );
    }

    /// Sends `kill -NAME` to this process only.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit; returns its code and stderr (when
    /// stderr is watched: the lines not read yet).
    pub fn exit(mut self) -> (i32, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let code = status.code().expect("exited, not killed");
                return (code, self.rest_of_stderr());
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("the process did not exit within {PATIENCE:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn rest_of_stderr(&mut self) -> String {
        match self.watch {
            Watch::Stdout => {
                let mut stderr = String::new();
                let _ = self
                    .child
                    .stderr
                    .as_mut()
                    .unwrap()
                    .read_to_string(&mut stderr);
                stderr
            }
            Watch::Stderr => {
                let rest: Vec<String> = self.lines.iter().collect();
                rest.join("\n")
            }
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
