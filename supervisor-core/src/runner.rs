//! The application shell: a tree as the body of `main`, tuned by a config
//! file, with the exit code systemd and Kubernetes act on.

use std::{fmt, future::Future, path::PathBuf, pin::Pin, process::ExitCode};

use crate::{
    declare::{StatefulTree, SupervisorTree},
    event::{EventStream, EventStreamError, SupervisorEvent},
    run::{RunFailure, RunSummary, termination},
    runtime::{Supervisor, SupervisorHandle},
    shutdown_report::ShutdownReport,
    spec::{ConfigError, SupervisorSpec},
};

/// The environment variable that names a config overlay file for `run*`
/// and [`Runner`]: a TOML file, or JSON when the name ends in `.json`. Unset
/// or empty: no config file.
///
/// # Examples
///
/// ```
/// assert_eq!(supervisor_core::CONFIG_ENV, "SUPERVISOR_CONFIG");
/// ```
pub const CONFIG_ENV: &str = "SUPERVISOR_CONFIG";

type EventCallback = Box<dyn FnMut(&SupervisorEvent) + Send>;
type StartCallback = Box<dyn FnOnce(SupervisorHandle) + Send>;
type StopSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where the config overlay comes from.
#[derive(Debug, Clone)]
enum ConfigSource {
    /// The file named by [`CONFIG_ENV`], if it is set.
    Environment,
    File(PathBuf),
    None,
}

/// Runs a supervision tree as the body of `main`: the builder behind
/// [`run`](crate::run()), [`run_spec`](crate::run_spec) and `run_with`.
///
/// [`run`](Self::run) merges the config overlay onto the spec, starts the
/// tree, waits for ctrl-c, SIGTERM, a child's
/// [`request_shutdown`](crate::ChildContext::request_shutdown) or the
/// tree's own end, shuts it down in order, prints a one-line summary to
/// stderr (and logs it through `tracing`) and returns the exit code:
///
/// | code | meaning | systemd, Kubernetes |
/// |---|---|---|
/// | `0` | clean stop | done (or restarted by an `Always` policy) |
/// | `1` | the root escalated | restart the process (`Restart=on-failure`) |
/// | `78` | the spec or the config file is invalid (`EX_CONFIG`) | do not restart in a loop: `RestartPreventExitStatus=78` |
///
/// A systemd unit that restarts crashes but not a bad config:
///
/// ```ini
/// [Service]
/// ExecStart=/usr/local/bin/app
/// Environment=SUPERVISOR_CONFIG=/etc/app/supervisor.toml
/// Restart=on-failure
/// RestartPreventExitStatus=78
/// ExecReload=/bin/kill -HUP $MAINPID
/// ```
///
/// With the `systemd` feature the unit can be `Type=notify` with a
/// watchdog (`Runner::systemd`), and with the `metrics` feature the tree
/// reports its metrics (`Runner::metrics`).
///
/// In Kubernetes a pod restarts on any non-zero exit; the code and the
/// message on stderr show in `kubectl describe pod` (`Last State:
/// Terminated, Exit Code: 78`) and, with `terminationMessagePolicy:
/// FallbackToLogsOnError`, in the pod's termination message:
///
/// ```yaml
/// containers:
///   - name: app
///     image: registry.example/app:1.4
///     env:
///       - name: SUPERVISOR_CONFIG
///         value: /etc/app/supervisor.toml
///     terminationMessagePolicy: FallbackToLogsOnError
///     terminationGracePeriodSeconds: 30   # longer than the tree's shutdown graces
/// ```
///
/// With a config file, SIGHUP re-reads it and applies it to the decisions
/// to come ([`SupervisorHandle::reconfigure`]); an invalid file keeps the
/// values in force and says why on stderr, in the log and as a
/// [`ReconfigureRejected`](crate::EventKind::ReconfigureRejected) event.
///
/// # Examples
///
/// ```no_run
/// use supervisor_core::{ChildSpec, Runner, SupervisorSpec, TaskRole};
///
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     let spec = SupervisorSpec::new("app")
///         .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
///     Runner::new(spec)
///         .config_file("/etc/app/supervisor.toml")
///         .on_event(|event| println!("{} {:?}", event.path, event.kind))
///         .on_start(|handle| println!("started {}", handle.path()))
///         .run()
///         .await
/// }
/// ```
#[must_use = "a Runner does nothing until `run` is awaited"]
pub struct Runner {
    spec: SupervisorSpec,
    config: ConfigSource,
    on_event: Option<EventCallback>,
    on_start: Option<StartCallback>,
    stop: Option<StopSignal>,
    ops: ops::Settings,
    #[cfg(feature = "http")]
    pub(crate) admin: crate::admin::AdminSource,
}

impl Runner {
    /// A runner for `spec`, with the config file named by [`CONFIG_ENV`]
    /// if that is set, stopped by ctrl-c or SIGTERM.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app"));
    /// # drop(runner);
    /// ```
    pub fn new(spec: SupervisorSpec) -> Self {
        Runner {
            spec,
            config: ConfigSource::Environment,
            on_event: None,
            on_start: None,
            stop: None,
            ops: ops::Settings::ON,
            #[cfg(feature = "http")]
            admin: crate::admin::AdminSource::default(),
        }
    }

    /// A runner for a declared tree (`#[derive(Supervisor)]` or a
    /// hand-written [`SupervisorTree`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec, SupervisorTree};
    ///
    /// struct App;
    /// impl SupervisorTree for App {
    ///     const ID: &'static str = "app";
    ///     fn spec() -> SupervisorSpec { SupervisorSpec::new("app") }
    /// }
    /// let runner = Runner::tree::<App>();
    /// # drop(runner);
    /// ```
    pub fn tree<T: SupervisorTree>() -> Self {
        Runner::new(T::spec())
    }

    /// A runner for a declared tree with state (`#[supervisor(state =
    /// ...)]`): the builder behind `run_with`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, StatefulTree, SupervisorSpec};
    ///
    /// #[derive(Clone)]
    /// struct Config { port: u16 }
    ///
    /// struct App;
    /// impl StatefulTree for App {
    ///     type State = Config;
    ///     fn spec_with(config: Config) -> SupervisorSpec {
    ///         SupervisorSpec::new(format!("app-{}", config.port))
    ///     }
    /// }
    /// let runner = Runner::tree_with::<App>(Config { port: 8080 });
    /// # drop(runner);
    /// ```
    pub fn tree_with<T: StatefulTree>(state: T::State) -> Self {
        Runner::new(T::spec_with(state))
    }

    /// Reads the config overlay from `path` (TOML, or JSON when the name
    /// ends in `.json`) instead of the file [`CONFIG_ENV`] names.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app")).config_file("supervisor.toml");
    /// # drop(runner);
    /// ```
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config = ConfigSource::File(path.into());
        self
    }

    /// Uses no config file, whatever [`CONFIG_ENV`] says.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app")).without_config();
    /// # drop(runner);
    /// ```
    pub fn without_config(mut self) -> Self {
        self.config = ConfigSource::None;
        self
    }

    /// Calls `callback` with every event of the tree, in order, on a task
    /// of its own (a slow callback never slows the supervisor; if it falls
    /// more than the event buffer behind, the events it missed are logged
    /// as lost). The task ends after the tree's last event.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app"))
    ///     .on_event(|event| println!("{}", serde_json::to_string(event).unwrap()));
    /// # drop(runner);
    /// ```
    pub fn on_event(mut self, callback: impl FnMut(&SupervisorEvent) + Send + 'static) -> Self {
        self.on_event = Some(Box::new(callback));
        self
    }

    /// Calls `callback` with the tree's handle once it has started, to keep
    /// for control while it runs (an admin endpoint, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let (tx, handle) = tokio::sync::oneshot::channel();
    /// let runner = Runner::new(SupervisorSpec::new("app")).on_start(move |h| {
    ///     let _ = tx.send(h);
    /// });
    /// # drop((runner, handle));
    /// ```
    pub fn on_start(mut self, callback: impl FnOnce(SupervisorHandle) + Send + 'static) -> Self {
        self.on_start = Some(Box::new(callback));
        self
    }

    /// Stops the tree when `signal` resolves, instead of on ctrl-c or
    /// SIGTERM.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let summary = Runner::new(SupervisorSpec::new("app"))
    ///     .without_config()
    ///     .stop_on(async {})
    ///     .run_summary()
    ///     .await;
    /// assert!(summary.is_success());
    /// # }
    /// ```
    pub fn stop_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.stop = Some(Box::pin(signal));
        self
    }

    /// Whether to notify systemd (feature `systemd`); on by default, and
    /// then it does so whenever `NOTIFY_SOCKET` is set, as systemd sets it
    /// for a `Type=notify` unit:
    ///
    /// - `READY=1` once, when the start order is done and every
    ///   [`critical`](crate::Severity::Critical) child is running (as
    ///   [`TreeSnapshot::readiness`](crate::TreeSnapshot::readiness) says);
    /// - `STATUS=` with the children of the whole tree by state, such as
    ///   `12 children running, 1 backing off`, whenever that text changes,
    ///   at most once a second (the last state is always sent);
    /// - `WATCHDOG=1` every half of `WATCHDOG_USEC` (systemd's
    ///   `WatchdogSec=`), each only when the root supervisor's loop answers
    ///   within a quarter of it ([`SupervisorHandle::is_live`]): a stuck
    ///   loop stops the pings, and systemd restarts the process;
    /// - `STOPPING=1` when shutdown begins (a signal, a
    ///   [`request_shutdown`](crate::ChildContext::request_shutdown), the
    ///   tree's own end or an escalation).
    ///
    /// A unit that waits for readiness, restarts a stuck or crashed
    /// process, and leaves a bad config (exit code 78) alone:
    ///
    /// ```ini
    /// [Service]
    /// Type=notify
    /// ExecStart=/usr/local/bin/app
    /// Environment=SUPERVISOR_CONFIG=/etc/app/supervisor.toml
    /// ExecReload=/bin/kill -HUP $MAINPID
    /// WatchdogSec=10s
    /// Restart=on-failure
    /// RestartPreventExitStatus=78
    /// TimeoutStopSec=60s
    /// ```
    ///
    /// `TimeoutStopSec=` should exceed the tree's shutdown graces. Child
    /// processes the program spawns inherit `NOTIFY_SOCKET`; systemd's
    /// default `NotifyAccess=main` ignores what they send.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// // This program tells systemd nothing, whatever its environment.
    /// let runner = Runner::new(SupervisorSpec::new("app")).systemd(false);
    /// # drop(runner);
    /// ```
    #[cfg(feature = "systemd")]
    pub fn systemd(mut self, on: bool) -> Self {
        self.ops.systemd = on;
        self
    }

    /// Whether to record the tree's metrics (feature `metrics`); on by
    /// default. A task of their own reads the tree's events (as
    /// [`on_event`](Self::on_event) does) and reports through the `metrics`
    /// facade to the recorder the program installs (with none, the facade
    /// drops them), or to the Prometheus recorder of
    /// [`install_prometheus`](crate::metrics::install_prometheus); see
    /// [`metrics`](crate::metrics) for the names, labels and the
    /// cardinality rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app")).metrics(false);
    /// # drop(runner);
    /// ```
    #[cfg(feature = "metrics")]
    pub fn metrics(mut self, on: bool) -> Self {
        self.ops.metrics = on;
        self
    }

    /// Runs the tree to its end, prints the summary on stderr, logs it, and
    /// returns the exit code (0, 1 or 78; see [`Runner`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::process::ExitCode;
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let code = Runner::new(SupervisorSpec::new("app")).without_config().stop_on(async {}).run().await;
    /// assert_eq!(code, ExitCode::SUCCESS);
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future drops the handle but leaves the
    /// tree running. Await it to the end (it is meant as the tail of
    /// `main`).
    pub async fn run(self) -> ExitCode {
        let summary = self.run_summary().await;
        eprintln!("{summary}");
        log_summary(&summary);
        summary.exit_code()
    }

    /// [`run`](Self::run) without printing: returns how the run ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, RunFailure, Runner, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let summary = Runner::new(spec).config_file("/nonexistent.toml").run_summary().await;
    /// assert!(matches!(summary.failure, Some(RunFailure::InvalidConfig(_))));
    /// assert_eq!(summary.exit_code(), std::process::ExitCode::from(78));
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// As [`run`](Self::run).
    pub async fn run_summary(self) -> RunSummary {
        let id = self.spec.id.clone();
        match self.run_tree().await {
            Ok((report, failure)) => RunSummary {
                id,
                report: Some(report),
                failure,
            },
            Err(failure) => RunSummary {
                id,
                report: None,
                failure: Some(failure),
            },
        }
    }

    /// Starts the tree with everything around it, waits for its end, and
    /// stops it in order: the report and how it ended, or why it did not
    /// start.
    async fn run_tree(self) -> Result<(ShutdownReport, Option<RunFailure>), RunFailure> {
        let file = self.config.path();
        // Listen for SIGHUP and the stop signals before anything starts, so
        // that a signal sent right after the start is not taken for the
        // default action.
        let hangups = file.as_ref().and_then(|_| hangup_signal());
        let stop = self.stop.unwrap_or_else(|| Box::pin(termination()));
        let spec = match &file {
            Some(file) => merged(file, self.spec.clone()).map_err(RunFailure::InvalidConfig)?,
            None => self.spec.clone(),
        };
        #[cfg(feature = "http")]
        let admin = self
            .admin
            .bind(&self.spec.id)
            .await
            .map_err(RunFailure::Admin)?;
        let ops = ops::Ops::new(self.ops, &spec);
        let streams = ops.streams() + usize::from(self.on_event.is_some());
        let (handle, mut streams) = Supervisor::builder()
            .launch_with_streams(spec, streams)
            .map_err(RunFailure::InvalidSpec)?;
        let running = Running {
            ops: ops.start(&handle, &mut streams),
            forwarder: self
                .on_event
                .zip(streams.pop())
                .map(|(callback, events)| tokio::spawn(forward(events, callback))),
            #[cfg(feature = "http")]
            admin: admin.map(|bound| bound.serve(handle.clone())),
            handle,
        };
        if let Some(callback) = self.on_start {
            callback(running.handle.clone());
        }
        tokio::select! {
            _ = running.handle.wait() => {}
            () = stop => {}
            () = reload_on_hangup(hangups, file, self.spec, running.handle.clone()) => {}
        }
        Ok(running.stop().await)
    }
}

/// A started tree and the tasks around it, each to stop before `run`
/// returns.
struct Running {
    handle: SupervisorHandle,
    ops: ops::Running,
    forwarder: Option<tokio::task::JoinHandle<()>>,
    #[cfg(feature = "http")]
    admin: Option<crate::admin::AdminServer>,
}

impl Running {
    /// Shuts the tree down in order, then the tasks around it: the report
    /// and the escalation, if the tree escalated.
    async fn stop(mut self) -> (ShutdownReport, Option<RunFailure>) {
        self.ops.stopping().await;
        let report = self.handle.shutdown().await;
        let failure = self.handle.wait().await.err().map(RunFailure::Escalated);
        #[cfg(feature = "http")]
        if let Some(admin) = self.admin {
            admin.shutdown().await;
        }
        if let Some(forwarder) = self.forwarder {
            let _ = forwarder.await;
        }
        self.ops.finish().await;
        (report, failure)
    }
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner")
            .field("spec", &self.spec.id)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ConfigSource {
    fn path(&self) -> Option<PathBuf> {
        match self {
            ConfigSource::Environment => std::env::var_os(CONFIG_ENV)
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            ConfigSource::File(path) => Some(path.clone()),
            ConfigSource::None => None,
        }
    }
}

/// The declared spec with the overlay in `file` merged and checked.
pub(crate) fn merged(
    file: &std::path::Path,
    declared: SupervisorSpec,
) -> Result<SupervisorSpec, ConfigError> {
    crate::spec::SpecOverrides::from_file(file)?.apply(declared)
}

/// Hands every event to `callback` until the tree's last one.
async fn forward(mut events: EventStream, mut callback: EventCallback) {
    loop {
        match events.recv().await {
            Ok(event) => callback(&event),
            Err(EventStreamError::Lagged(missed)) => {
                tracing::warn!(missed, "the event callback fell behind; events lost");
            }
            Err(EventStreamError::Closed) => return,
        }
    }
}

#[cfg(unix)]
type Hangups = tokio::signal::unix::Signal;
#[cfg(not(unix))]
type Hangups = std::convert::Infallible;

/// A stream of SIGHUPs, where there are signals.
fn hangup_signal() -> Option<Hangups> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::hangup()).ok()
    }
    #[cfg(not(unix))]
    None
}

/// With a config file, re-reads it on every SIGHUP and applies it; never
/// resolves.
async fn reload_on_hangup(
    hangups: Option<Hangups>,
    file: Option<PathBuf>,
    declared: SupervisorSpec,
    handle: SupervisorHandle,
) {
    #[cfg(unix)]
    if let (Some(mut hangups), Some(file)) = (hangups, file) {
        while hangups.recv().await.is_some() {
            reload(&file, &declared, &handle).await;
        }
    }
    #[cfg(not(unix))]
    let _ = (hangups, file, declared, handle);
    std::future::pending::<()>().await;
}

/// Re-reads `file`, merges it onto the declared spec and applies it to the
/// running tree; an invalid file changes nothing and says why.
pub(crate) async fn reload(
    file: &std::path::Path,
    declared: &SupervisorSpec,
    handle: &SupervisorHandle,
) {
    let applied = match merged(file, declared.clone()) {
        Ok(spec) => handle
            .reconfigure(spec)
            .await
            .map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match applied {
        Ok(()) => tracing::info!(file = %file.display(), "config reloaded"),
        Err(reason) => {
            eprintln!("config reload refused, the values in force stay: {reason}");
            handle.reject_config(reason);
        }
    }
}

/// The summary through `tracing` too, for programs whose stderr is not
/// where their logs go.
pub(crate) fn log_summary(summary: &RunSummary) {
    if summary.is_success() {
        tracing::info!(supervisor = %summary.id, "{summary}");
    } else {
        tracing::error!(supervisor = %summary.id, "{summary}");
    }
}

mod ops;
#[cfg(test)]
mod tests;
