//! Running a tree as the body of `main`: start, wait, stop, exit code.

use std::{fmt, future::Future, process::ExitCode};

use crate::{
    declare::{StatefulTree, SupervisorTree},
    runtime::{Supervisor, TreeError},
    shutdown_report::{ShutdownReport, StopOutcome},
    spec::SupervisorSpec,
};

/// How a tree run by [`run_until`] ended.
///
/// Its `Display` is the one-line summary [`run`] prints.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole, run_until};
///
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
/// let summary = run_until(spec, async {}).await;
/// assert!(summary.is_success());
/// assert!(summary.to_string().starts_with("supervisor `app` stopped cleanly"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunSummary {
    /// The root's id.
    pub id: String,
    /// What the final shutdown did, when the tree ran.
    pub report: Option<ShutdownReport>,
    /// Why the tree failed, if it did.
    pub failure: Option<RunFailure>,
}

/// Why [`run_until`] reports failure.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, RunFailure, SupervisorSpec, TaskRole, run_until};
///
/// // A critical child that fails at once and is never restarted fails its tree.
/// let spec = SupervisorSpec::new("app").child(
///     ChildSpec::without_context("db", TaskRole::Service, || async { Err::<(), _>("refused") })
///         .restart(supervisor_core::RestartPolicy::Temporary)
///         .severity(supervisor_core::Severity::Critical),
/// );
/// let summary = run_until(spec, std::future::pending()).await;
/// assert!(matches!(summary.failure, Some(RunFailure::Escalated(_))));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RunFailure {
    /// The spec broke the rule table; nothing ran.
    InvalidSpec(crate::rules::SpecError),
    /// The config overlay could not be read, or merged onto the spec
    /// breaks the rule table; nothing ran.
    InvalidConfig(crate::spec::ConfigError),
    /// The tree escalated.
    Escalated(TreeError),
    /// The admin server could not be set up (a bad address, or one that
    /// cannot be bound); nothing ran. Exit code 78, as a bad config.
    #[cfg(feature = "http")]
    Admin(crate::admin::AdminError),
}

impl RunSummary {
    /// Whether the tree stopped cleanly (not by escalating, and it ran).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, run_until};
    ///
    /// assert!(run_until(SupervisorSpec::new("app"), async {}).await.is_success());
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        self.failure.is_none()
    }

    /// The process exit code for this end: `0` for a clean stop, `1` when
    /// the root escalated, and `78` (`EX_CONFIG` of BSD's `sysexits.h`)
    /// when the spec or the config file is invalid, so that systemd
    /// (`RestartPreventExitStatus=78`) and Kubernetes can tell a bad config
    /// from a crash. See [`Runner`](crate::Runner).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::process::ExitCode;
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole, run_until};
    ///
    /// // A job that may not be permanent: the spec is refused, nothing runs.
    /// let spec = SupervisorSpec::new("app").child(
    ///     ChildSpec::new("migrate", TaskRole::Job, |_ctx| async {})
    ///         .restart(supervisor_core::RestartPolicy::Permanent),
    /// );
    /// let summary = run_until(spec, async {}).await;
    /// assert_eq!(summary.exit_code(), ExitCode::from(RunSummary::EX_CONFIG));
    /// # use supervisor_core::RunSummary;
    /// # }
    /// ```
    pub fn exit_code(&self) -> ExitCode {
        match self.failure {
            None => ExitCode::SUCCESS,
            Some(RunFailure::Escalated(_)) => ExitCode::FAILURE,
            Some(RunFailure::InvalidSpec(_) | RunFailure::InvalidConfig(_)) => {
                ExitCode::from(Self::EX_CONFIG)
            }
            #[cfg(feature = "http")]
            Some(RunFailure::Admin(_)) => ExitCode::from(Self::EX_CONFIG),
        }
    }

    /// The exit code of an invalid spec or config file: 78, `EX_CONFIG`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::RunSummary;
    ///
    /// assert_eq!(RunSummary::EX_CONFIG, 78);
    /// ```
    pub const EX_CONFIG: u8 = 78;
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.id;
        match &self.failure {
            Some(RunFailure::InvalidSpec(error)) => {
                return write!(f, "supervisor `{id}` did not start: {error}");
            }
            Some(RunFailure::InvalidConfig(error)) => {
                return write!(f, "supervisor `{id}` did not start: {error}");
            }
            #[cfg(feature = "http")]
            Some(RunFailure::Admin(error)) => {
                return write!(f, "supervisor `{id}` did not start: {error}");
            }
            _ => {}
        }
        let Some(report) = &self.report else {
            return write!(f, "supervisor `{id}` stopped");
        };
        let aborted = report
            .children
            .iter()
            .filter(|child| child.outcome == StopOutcome::Aborted)
            .count();
        let how = match &self.failure {
            Some(RunFailure::Escalated(error)) => format!("failed ({error})"),
            _ => "stopped cleanly".to_owned(),
        };
        write!(
            f,
            "supervisor `{id}` {how}; shutdown took {} for {} children, {aborted} aborted",
            crate::spec::duration::format(report.took),
            report.children.len()
        )
    }
}

/// Starts `spec`, runs it until `stop` resolves or the tree ends on its own,
/// then shuts it down in order.
///
/// For `main`, [`run`] and [`run_spec`] do this with ctrl-c and SIGTERM as
/// `stop` (and a config file; see [`Runner`](crate::Runner)); tests and
/// embedders pass their own trigger. No config file is read here.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole, run_until};
///
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
/// let summary = run_until(spec, tokio::time::sleep(Duration::from_millis(10))).await;
/// assert!(summary.is_success());
/// assert_eq!(summary.report.unwrap().children.len(), 1);
/// # }
/// ```
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future leaves the tree running.
pub async fn run_until(spec: SupervisorSpec, stop: impl Future<Output = ()>) -> RunSummary {
    let id = spec.id.clone();
    let handle = match Supervisor::start(spec) {
        Ok(handle) => handle,
        Err(error) => {
            return RunSummary {
                id,
                report: None,
                failure: Some(RunFailure::InvalidSpec(error)),
            };
        }
    };
    tokio::select! {
        _ = handle.wait() => {}
        () = stop => {}
    }
    let report = handle.shutdown().await;
    let failure = handle.wait().await.err().map(RunFailure::Escalated);
    RunSummary {
        id,
        report: Some(report),
        failure,
    }
}

/// Runs a spec as the body of `main`: starts it, waits for ctrl-c, SIGTERM
/// or the tree's own end, shuts down in order, prints a one-line summary to
/// stderr and returns the exit code.
///
/// # Examples
///
/// ```no_run
/// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
///
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     let spec = SupervisorSpec::new("app")
///         .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
///     supervisor_core::run_spec(spec).await
/// }
/// ```
pub async fn run_spec(spec: SupervisorSpec) -> ExitCode {
    crate::runner::Runner::new(spec).run().await
}

/// Runs a declared tree as the body of `main`; see [`run_spec`].
///
/// # Examples
///
/// ```no_run
/// use supervisor_core::{ChildSpec, SupervisorSpec, SupervisorTree, TaskRole};
///
/// struct App;
///
/// impl SupervisorTree for App {
///     const ID: &'static str = "app";
///     fn spec() -> SupervisorSpec {
///         SupervisorSpec::new("app")
///             .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     supervisor_core::run::<App>().await
/// }
/// ```
pub async fn run<T: SupervisorTree>() -> ExitCode {
    run_spec(T::spec()).await
}

/// Runs a declared tree with a state as the body of `main`: builds its spec
/// from `state` ([`StatefulTree::spec_with`]), then as [`run_spec`].
///
/// # Examples
///
/// ```no_run
/// use std::sync::Arc;
/// use supervisor_core::{ChildSpec, StatefulTree, SupervisorSpec, TaskRole};
///
/// #[derive(Clone)]
/// struct AppState {
///     greeting: Arc<str>,
/// }
///
/// struct App;
///
/// impl StatefulTree for App {
///     type State = AppState;
///
///     fn spec_with(state: AppState) -> SupervisorSpec {
///         SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, move |ctx| {
///             let greeting = state.greeting.clone();
///             async move {
///                 println!("{greeting}");
///                 ctx.cancelled().await
///             }
///         }))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     let state = AppState { greeting: "hello".into() };
///     supervisor_core::run_with::<App>(state).await
/// }
/// ```
pub async fn run_with<T: StatefulTree>(state: T::State) -> ExitCode {
    run_spec(T::spec_with(state)).await
}

/// Resolves on ctrl-c, or on SIGTERM where there is one. The handlers are
/// installed when this is called, not when the future is first polled, so
/// that a signal sent right after the tree starts is not taken for the
/// default action (which ends the process at once).
pub(crate) fn termination() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            tokio::select! {
                () = next_signal(interrupt) => {}
                () = next_signal(terminate) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Resolves on the next signal of `stream`; never without one.
#[cfg(unix)]
async fn next_signal(stream: Option<tokio::signal::unix::Signal>) {
    match stream {
        Some(mut stream) => {
            stream.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}
