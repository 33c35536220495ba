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
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RunFailure {
    /// The spec broke the rule table; nothing ran.
    InvalidSpec(crate::rules::SpecError),
    /// The tree escalated.
    Escalated(TreeError),
}

impl RunSummary {
    /// Whether the tree stopped cleanly (not by escalating, and it ran).
    pub fn is_success(&self) -> bool {
        self.failure.is_none()
    }

    /// `ExitCode::SUCCESS` for a clean stop, `ExitCode::FAILURE` otherwise,
    /// so that systemd or Kubernetes restart a process whose tree gave up.
    pub fn exit_code(&self) -> ExitCode {
        if self.is_success() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.id;
        if let Some(RunFailure::InvalidSpec(error)) = &self.failure {
            return write!(f, "supervisor `{id}` did not start: {error}");
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
/// For `main`, [`run`] and [`run_spec`] call this with ctrl-c and SIGTERM as
/// `stop`; tests and embedders pass their own trigger.
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
    let summary = run_until(spec, termination()).await;
    eprintln!("{summary}");
    summary.exit_code()
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

/// Resolves on ctrl-c, or on SIGTERM where there is one.
async fn termination() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
