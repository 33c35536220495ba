//! The exit codes and signals of a real process: `examples/configured.rs`
//! run as systemd or Kubernetes would, stopped with SIGTERM, reloaded with
//! SIGHUP. Each test signals only the process it started, by its pid.
#![cfg(unix)]

#[path = "support/process.rs"]
mod process;

use std::path::PathBuf;

use process::{Process, Watch};

/// The example with `env`, its stdout lines watched.
fn configured(env: &[(&str, &str)]) -> Process {
    Process::start("configured", &[], env, Watch::Stdout)
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
    let mut process = configured(&[]);
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
    let process = configured(&[("FAIL_WORKER", "1")]);
    let (code, stderr) = process.exit();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("failed"), "{stderr}");
}

#[test]
fn a_bad_config_file_exits_78_naming_the_key_and_the_fix() {
    let config = ConfigFile::new("typo.toml", "[children.api]\nshutdwon = \"5s\"\n");
    let process = configured(&[("SUPERVISOR_CONFIG", config.path())]);
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
    let process = configured(&[("SUPERVISOR_CONFIG", config.path())]);
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
    let mut process = configured(&[("SUPERVISOR_CONFIG", config.path())]);
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
