//! One child of a supervisor: what it runs and the policy it runs under.

use std::{fmt, future::Future, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    BackoffPolicy, RestartLimit, RestartPolicy, Severity, ShutdownPolicy, SupervisorSpec, TaskRole,
    configured::Configured,
};
use crate::{
    context::ChildContext,
    spec::EffectivePolicy,
    task::{TaskFactory, TaskOutput},
};

/// The declaration of one child: its id, role, policy overrides and the task
/// it runs (or the nested tree, for a supervisor child).
///
/// Every policy field is an override: `None` takes the role's default. The
/// effective values, with where each came from, are given by
/// [`effective_policy`](Self::effective_policy).
///
/// Serializable as plain data; the task is not data and is left out, so a
/// spec read from a file gets its tasks with [`task`](Self::task) before it
/// is started.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{ChildContext, ChildSpec, RestartPolicy, TaskRole};
///
/// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
///     ctx.cancelled().await;
///     Ok(())
/// }
///
/// let spec = ChildSpec::new("api", TaskRole::Service, api)
///     .restart(RestartPolicy::Transient)
///     .heartbeat(Duration::from_secs(10));
/// assert_eq!(spec.id, "api");
/// assert_eq!(spec.effective_policy().restart.value, RestartPolicy::Transient);
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChildSpec {
    /// Unique among its siblings; the last segment of the child's path.
    pub id: String,
    /// What the child is for; picks the defaults of every unset policy.
    #[serde(default)]
    pub role: TaskRole,
    /// When the child is restarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
    /// Delay between restarts after failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<BackoffPolicy>,
    /// How many restarts are allowed within a window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_limit: Option<RestartLimit>,
    /// How the child is stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shutdown: Option<ShutdownPolicy>,
    /// Deadline of one run; a run past it is stopped and counted as failed.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub timeout: Option<Duration>,
    /// How long the child has to call [`ChildContext::ready`] before the next
    /// child starts; late counts as a failed start.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub ready_timeout: Option<Duration>,
    /// Longest silence between [`ChildContext::heartbeat`] calls before the
    /// child is restarted as failed.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub heartbeat: Option<Duration>,
    /// For a job: run it again this long after each success (failures
    /// retry with backoff as usual); `None` runs it once.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub every: Option<Duration>,
    /// For a sidecar: the id of the sibling it serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// What giving up on the child means for its supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether the child's exit counts toward the supervisor's
    /// `auto_shutdown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant: Option<bool>,
    /// For a supervisor child: the nested tree it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<Box<SupervisorSpec>>,
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    task: Option<TaskFactory>,
    /// The fields a config overlay set.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) configured: Configured,
}

impl ChildSpec {
    /// A child that runs `task`, an async fn or closure taking a
    /// [`ChildContext`].
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildContext, ChildSpec, TaskRole};
    ///
    /// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ///     ctx.ready();
    ///     ctx.cancelled().await;
    ///     Ok(())
    /// }
    ///
    /// let spec = ChildSpec::new("api", TaskRole::Service, api);
    /// assert!(spec.task_factory().unwrap().uses_context());
    /// // A closure works too.
    /// let worker = ChildSpec::new("worker", TaskRole::Worker, |ctx| async move { ctx.cancelled().await });
    /// assert_eq!(worker.role, TaskRole::Worker);
    /// ```
    pub fn new<F, Fut>(id: impl Into<String>, role: TaskRole, task: F) -> Self
    where
        F: Fn(ChildContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: TaskOutput,
    {
        ChildSpec::declared(id, role).with_factory(TaskFactory::new(task))
    }

    /// A child whose task takes no arguments.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, TaskRole};
    ///
    /// let spec = ChildSpec::without_context("migrate", TaskRole::Job, || async {
    ///     Ok::<(), std::io::Error>(())
    /// });
    /// assert!(!spec.task_factory().unwrap().uses_context());
    /// ```
    pub fn without_context<F, Fut>(id: impl Into<String>, role: TaskRole, task: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: TaskOutput,
    {
        ChildSpec::declared(id, role).with_factory(TaskFactory::without_context(task))
    }

    /// A child that runs a nested supervisor; its id is the tree's id.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let child = ChildSpec::supervisor(SupervisorSpec::new("ingest"));
    /// assert_eq!(child.id, "ingest");
    /// assert_eq!(child.role, TaskRole::Supervisor);
    /// ```
    pub fn supervisor(tree: SupervisorSpec) -> Self {
        let mut spec = ChildSpec::declared(tree.id.clone(), TaskRole::Supervisor);
        spec.tree = Some(Box::new(tree));
        spec
    }

    /// A child with no task yet: what a spec read from a file holds until
    /// [`task`](Self::task) gives it one.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, TaskRole};
    ///
    /// let spec = ChildSpec::declared("api", TaskRole::Service);
    /// assert!(spec.task_factory().is_none());
    /// let spec = spec.task(|ctx| async move { ctx.cancelled().await });
    /// assert!(spec.task_factory().is_some());
    /// ```
    pub fn declared(id: impl Into<String>, role: TaskRole) -> Self {
        ChildSpec {
            id: id.into(),
            role,
            restart: None,
            backoff: None,
            restart_limit: None,
            shutdown: None,
            timeout: None,
            ready_timeout: None,
            heartbeat: None,
            every: None,
            primary: None,
            severity: None,
            significant: None,
            tree: None,
            task: None,
            configured: Configured::default(),
        }
    }

    /// Sets the task, replacing any the spec had.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    ///
    /// // A spec read from a file has no tasks; give each child its own.
    /// let mut app = SupervisorSpec::new("app")
    ///     .child(supervisor_core::ChildSpec::declared("api", TaskRole::Service));
    /// let api = app.find_child_mut("api").unwrap();
    /// *api = api.clone().task(|ctx| async move { ctx.cancelled().await });
    /// app.validate()?;
    /// # Ok::<(), supervisor_core::SpecError>(())
    /// ```
    #[must_use]
    pub fn task<F, Fut>(self, task: F) -> Self
    where
        F: Fn(ChildContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: TaskOutput,
    {
        self.with_factory(TaskFactory::new(task))
    }

    /// Sets the task from a ready-made [`TaskFactory`].
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, TaskFactory, TaskRole};
    ///
    /// let factory = TaskFactory::without_context(|| async { Ok::<(), std::io::Error>(()) });
    /// let spec = ChildSpec::declared("migrate", TaskRole::Job).with_factory(factory);
    /// assert!(spec.task_factory().is_some());
    /// ```
    #[must_use]
    pub fn with_factory(mut self, factory: TaskFactory) -> Self {
        self.task = Some(factory);
        self
    }

    /// The task, if the spec has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, TaskRole};
    ///
    /// let spec = ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await });
    /// assert!(spec.task_factory().unwrap().uses_context());
    /// assert!(ChildSpec::declared("api", TaskRole::Service).task_factory().is_none());
    /// ```
    pub fn task_factory(&self) -> Option<&TaskFactory> {
        self.task.as_ref()
    }

    /// Takes the task factory out of the spec, for the runtime that keeps
    /// it apart from the rest of the spec.
    pub(crate) fn take_task_factory(&mut self) -> Option<TaskFactory> {
        self.task.take()
    }

    /// Sets the restart policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, PolicySource, RestartPolicy, TaskRole};
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {})
    ///     .restart(RestartPolicy::Permanent);
    /// let restart = spec.effective_policy().restart;
    /// assert_eq!((restart.value, restart.source), (RestartPolicy::Permanent, PolicySource::Declared));
    /// ```
    #[must_use]
    pub fn restart(mut self, restart: RestartPolicy) -> Self {
        self.restart = Some(restart);
        self
    }

    /// Sets the backoff between restarts; [`BackoffPolicy::NONE`] for none.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, ChildSpec, TaskRole};
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {})
    ///     .backoff(BackoffPolicy::DEFAULT.max(Duration::from_secs(30)));
    /// assert_eq!(spec.effective_policy().backoff.value.max, Duration::from_secs(30));
    /// ```
    #[must_use]
    pub fn backoff(mut self, backoff: BackoffPolicy) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Sets the restart limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, RestartLimit, TaskRole};
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {})
    ///     .restart_limit(RestartLimit::new(5, Duration::from_secs(30)));
    /// assert_eq!(spec.effective_policy().restart_limit.value.to_string(), "5 in 30s");
    /// ```
    #[must_use]
    pub fn restart_limit(mut self, limit: RestartLimit) -> Self {
        self.restart_limit = Some(limit);
        self
    }

    /// Sets how the child is stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, ShutdownPolicy, TaskRole};
    ///
    /// let spec = ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await })
    ///     .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(5)));
    /// assert_eq!(spec.effective_policy().shutdown.value.grace(), Some(Duration::from_secs(5)));
    /// ```
    #[must_use]
    pub fn shutdown(mut self, shutdown: ShutdownPolicy) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    /// Sets the deadline of one run.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, TaskRole};
    ///
    /// // A run that takes longer than 30 s is stopped and counted as failed.
    /// let spec = ChildSpec::without_context("report", TaskRole::Job, || async {})
    ///     .timeout(Duration::from_secs(30));
    /// assert_eq!(spec.effective_policy().timeout.value, Some(Duration::from_secs(30)));
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets how long the child has to become ready.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildContext, ChildSpec, TaskRole};
    ///
    /// async fn db(ctx: ChildContext) {
    ///     // ... connect ...
    ///     ctx.ready(); // the children after this one may start now
    ///     ctx.cancelled().await;
    /// }
    ///
    /// let spec = ChildSpec::new("db", TaskRole::Service, db).ready_timeout(Duration::from_secs(10));
    /// assert_eq!(spec.ready_timeout, Some(Duration::from_secs(10)));
    /// ```
    #[must_use]
    pub fn ready_timeout(mut self, ready_timeout: Duration) -> Self {
        self.ready_timeout = Some(ready_timeout);
        self
    }

    /// Sets the longest silence allowed between heartbeats.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildContext, ChildSpec, TaskRole};
    ///
    /// async fn poller(ctx: ChildContext) {
    ///     while !ctx.is_cancelled() {
    ///         ctx.heartbeat();
    ///         tokio::time::sleep(Duration::from_secs(1)).await;
    ///     }
    /// }
    ///
    /// let spec = ChildSpec::new("poller", TaskRole::Worker, poller).heartbeat(Duration::from_secs(10));
    /// assert_eq!(spec.heartbeat, Some(Duration::from_secs(10)));
    /// ```
    #[must_use]
    pub fn heartbeat(mut self, period: Duration) -> Self {
        self.heartbeat = Some(period);
        self
    }

    /// Makes a job periodic: after each success it waits `period` and runs
    /// again. Failures retry with backoff as usual, and only they count
    /// toward the restart limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let report = ChildSpec::without_context("report", TaskRole::Job, || async {})
    ///     .every(Duration::from_secs(5 * 60));
    /// assert_eq!(report.effective_policy().every.value, Some(Duration::from_secs(300)));
    /// SupervisorSpec::new("app").child(report).validate()?;
    /// # Ok::<(), supervisor_core::SpecError>(())
    /// ```
    #[must_use]
    pub fn every(mut self, period: Duration) -> Self {
        self.every = Some(period);
        self
    }

    /// Names the sibling a sidecar serves.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let api = ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await });
    /// let metrics = ChildSpec::new("metrics", TaskRole::Sidecar, |ctx| async move { ctx.cancelled().await })
    ///     .primary("api");
    /// SupervisorSpec::new("app").child(api).child(metrics).validate()?;
    /// # Ok::<(), supervisor_core::SpecError>(())
    /// ```
    #[must_use]
    pub fn primary(mut self, primary: impl Into<String>) -> Self {
        self.primary = Some(primary.into());
        self
    }

    /// Sets the severity.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, Severity, TaskRole};
    ///
    /// // Giving up on this worker leaves it stopped instead of failing the tree.
    /// let spec = ChildSpec::without_context("thumbnails", TaskRole::Worker, || async {})
    ///     .severity(Severity::Optional);
    /// assert_eq!(spec.effective_policy().severity.value, Severity::Optional);
    /// ```
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Marks the child as significant for the supervisor's `auto_shutdown`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{AutoShutdown, ChildSpec, RestartPolicy, SupervisorSpec, TaskRole};
    ///
    /// // The tree stops once its significant job has completed.
    /// let job = ChildSpec::without_context("import", TaskRole::Job, || async {})
    ///     .restart(RestartPolicy::Transient)
    ///     .significant(true);
    /// SupervisorSpec::new("app").auto_shutdown(AutoShutdown::AnySignificant).child(job).validate()?;
    /// # Ok::<(), supervisor_core::SpecError>(())
    /// ```
    #[must_use]
    pub fn significant(mut self, significant: bool) -> Self {
        self.significant = Some(significant);
        self
    }

    /// Every policy value this child runs under, with where each came from.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, PolicySource, RestartPolicy, TaskRole};
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {});
    /// let policy = spec.effective_policy();
    /// assert_eq!(policy.restart.value, RestartPolicy::Transient);
    /// assert_eq!(policy.restart.source, PolicySource::RoleDefault);
    /// println!("{policy}"); // one line per value, with where it came from
    /// ```
    pub fn effective_policy(&self) -> EffectivePolicy {
        EffectivePolicy::of(self)
    }
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ChildSpec");
        out.field("id", &self.id).field("role", &self.role);
        let overrides: [(&str, Option<&dyn fmt::Debug>); 13] = [
            ("restart", self.restart.as_ref().map(|v| v as _)),
            ("backoff", self.backoff.as_ref().map(|v| v as _)),
            ("restart_limit", self.restart_limit.as_ref().map(|v| v as _)),
            ("shutdown", self.shutdown.as_ref().map(|v| v as _)),
            ("timeout", self.timeout.as_ref().map(|v| v as _)),
            ("ready_timeout", self.ready_timeout.as_ref().map(|v| v as _)),
            ("heartbeat", self.heartbeat.as_ref().map(|v| v as _)),
            ("every", self.every.as_ref().map(|v| v as _)),
            ("primary", self.primary.as_ref().map(|v| v as _)),
            ("severity", self.severity.as_ref().map(|v| v as _)),
            ("significant", self.significant.as_ref().map(|v| v as _)),
            ("tree", self.tree.as_ref().map(|v| v as _)),
            ("task", self.task.as_ref().map(|v| v as _)),
        ];
        for (name, value) in overrides {
            if let Some(value) = value {
                out.field(name, value);
            }
        }
        out.finish()
    }
}
