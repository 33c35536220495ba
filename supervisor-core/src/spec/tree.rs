//! A supervisor: its children in start order and how it reacts to their exits.

use std::{fmt, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ChildSpec, RestartLimit};
use crate::{rules, rules::SpecError};

/// Which children are restarted when one of them exits and is restarted.
///
/// # Examples
///
/// ```
/// use supervisor_core::Strategy;
///
/// assert_eq!(Strategy::default(), Strategy::OneForOne);
/// assert_eq!(Strategy::RestForOne.to_string(), "rest_for_one");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Only the child that exited.
    #[default]
    OneForOne,
    /// Every child: all stop in reverse start order, then all start again.
    OneForAll,
    /// The child that exited and every child started after it.
    RestForOne,
}

impl Strategy {
    /// The name used in attributes and serialized specs (`"one_for_one"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::Strategy;
    ///
    /// assert_eq!(Strategy::OneForAll.as_str(), "one_for_all");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Strategy::OneForOne => "one_for_one",
            Strategy::OneForAll => "one_for_all",
            Strategy::RestForOne => "rest_for_one",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the exit of significant children stops the whole supervisor
/// (OTP's `auto_shutdown`).
///
/// # Examples
///
/// ```
/// use supervisor_core::AutoShutdown;
///
/// assert_eq!(AutoShutdown::default(), AutoShutdown::Never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AutoShutdown {
    /// The supervisor keeps running whatever its children do.
    #[default]
    Never,
    /// The supervisor stops once any significant child has exited for good.
    AnySignificant,
    /// The supervisor stops once every significant child has exited for good.
    AllSignificant,
}

impl AutoShutdown {
    /// The name used in attributes and serialized specs (`"any_significant"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::AutoShutdown;
    ///
    /// assert_eq!(AutoShutdown::AnySignificant.as_str(), "any_significant");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            AutoShutdown::Never => "never",
            AutoShutdown::AnySignificant => "any_significant",
            AutoShutdown::AllSignificant => "all_significant",
        }
    }
}

impl fmt::Display for AutoShutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A supervisor: its children in start order, its strategy and its own
/// restart intensity.
///
/// Children start in the order they are added and stop in reverse.
/// [`validate`](Self::validate) checks the whole tree against the rule table
/// and reports every violation at once; starting a supervisor does the same.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{ChildContext, ChildSpec, RestartLimit, Strategy, SupervisorSpec, TaskRole};
///
/// async fn api(ctx: ChildContext) { ctx.cancelled().await }
/// async fn metrics(ctx: ChildContext) { ctx.cancelled().await }
///
/// let app = SupervisorSpec::new("app")
///     .strategy(Strategy::RestForOne)
///     .restart_limit(RestartLimit::new(5, Duration::from_secs(30)))
///     .child(ChildSpec::new("api", TaskRole::Service, api))
///     .child(ChildSpec::new("metrics", TaskRole::Sidecar, metrics).primary("api"));
/// assert!(app.validate().is_ok());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SupervisorSpec {
    /// The supervisor's id: the first segment of its children's paths. A
    /// nested tree takes the id of the child that runs it.
    #[serde(default = "SupervisorSpec::default_id")]
    pub id: String,
    /// Which children restart together.
    #[serde(default)]
    pub strategy: Strategy,
    /// The supervisor's own intensity: restarts of all its children together.
    #[serde(default = "SupervisorSpec::default_restart_limit")]
    pub restart_limit: RestartLimit,
    /// When the exit of significant children stops the supervisor.
    #[serde(default)]
    pub auto_shutdown: AutoShutdown,
    /// Seed of the backoff jitter; random when unset. Set it for
    /// reproducible delays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_seed: Option<u64>,
    /// The children, in start order.
    #[serde(default)]
    pub children: Vec<ChildSpec>,
}

impl SupervisorSpec {
    /// The intensity a supervisor has unless set: 10 restarts within 60 s,
    /// counted over all its children together.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, SupervisorSpec};
    ///
    /// let limit = SupervisorSpec::DEFAULT_RESTART_LIMIT;
    /// assert_eq!(limit, RestartLimit::new(10, Duration::from_secs(60)));
    /// assert_eq!(SupervisorSpec::new("app").restart_limit, limit);
    /// ```
    pub const DEFAULT_RESTART_LIMIT: RestartLimit = RestartLimit::new(10, Duration::from_secs(60));

    /// An empty one_for_one supervisor with the default intensity.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Strategy, SupervisorSpec};
    ///
    /// let app = SupervisorSpec::new("app");
    /// assert_eq!(app.strategy, Strategy::OneForOne);
    /// assert_eq!(app.restart_limit, SupervisorSpec::DEFAULT_RESTART_LIMIT);
    /// assert!(app.children.is_empty());
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        SupervisorSpec {
            id: id.into(),
            strategy: Strategy::default(),
            restart_limit: Self::DEFAULT_RESTART_LIMIT,
            auto_shutdown: AutoShutdown::default(),
            jitter_seed: None,
            children: Vec::new(),
        }
    }

    fn default_id() -> String {
        "root".to_owned()
    }

    fn default_restart_limit() -> RestartLimit {
        Self::DEFAULT_RESTART_LIMIT
    }

    /// Sets the strategy.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Strategy, SupervisorSpec};
    ///
    /// let app = SupervisorSpec::new("app").strategy(Strategy::RestForOne);
    /// assert_eq!(app.strategy.as_str(), "rest_for_one");
    /// ```
    #[must_use]
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets the supervisor's own restart intensity.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, SupervisorSpec};
    ///
    /// // More than 5 restarts among all children within 30 s fails the supervisor.
    /// let app = SupervisorSpec::new("app").restart_limit(RestartLimit::new(5, Duration::from_secs(30)));
    /// assert_eq!(app.restart_limit.max, 5);
    /// ```
    #[must_use]
    pub fn restart_limit(mut self, limit: RestartLimit) -> Self {
        self.restart_limit = limit;
        self
    }

    /// Sets when significant children stop the supervisor.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{AutoShutdown, SupervisorSpec};
    ///
    /// let app = SupervisorSpec::new("batch").auto_shutdown(AutoShutdown::AllSignificant);
    /// assert_eq!(app.auto_shutdown, AutoShutdown::AllSignificant);
    /// ```
    #[must_use]
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.auto_shutdown = auto_shutdown;
        self
    }

    /// Fixes the seed of the backoff jitter.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::SupervisorSpec;
    ///
    /// // The same seed gives the same backoff delays on every run.
    /// let app = SupervisorSpec::new("app").jitter_seed(42);
    /// assert_eq!(app.jitter_seed, Some(42));
    /// ```
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Adds a child after those already added.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let app = SupervisorSpec::new("app")
    ///     .child(ChildSpec::without_context("migrate", TaskRole::Job, || async {}))
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let ids: Vec<_> = app.children.iter().map(|child| child.id.as_str()).collect();
    /// assert_eq!(ids, ["migrate", "api"]); // start order
    /// ```
    #[must_use]
    pub fn child(mut self, child: ChildSpec) -> Self {
        self.children.push(child);
        self
    }

    /// Adds children after those already added.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let workers = (0..3).map(|n| {
    ///     ChildSpec::new(format!("worker-{n}"), TaskRole::Worker, |ctx| async move { ctx.cancelled().await })
    /// });
    /// let pool = SupervisorSpec::new("pool").children(workers);
    /// assert_eq!(pool.children.len(), 3);
    /// ```
    #[must_use]
    pub fn children(mut self, children: impl IntoIterator<Item = ChildSpec>) -> Self {
        self.children.extend(children);
        self
    }

    /// The direct child with this id.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let app = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// assert_eq!(app.find_child("api").unwrap().role, TaskRole::Service);
    /// assert!(app.find_child("db").is_none());
    /// ```
    pub fn find_child(&self, id: &str) -> Option<&ChildSpec> {
        self.children.iter().find(|child| child.id == id)
    }

    /// The direct child with this id, to change it (to give a spec read from
    /// a file its task, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    ///
    /// let mut app = SupervisorSpec::new("app").child(ChildSpec::declared("api", TaskRole::Service));
    /// assert!(app.validate().is_err()); // no task yet
    /// let api = app.find_child_mut("api").unwrap();
    /// *api = api.clone().task(|ctx| async move { ctx.cancelled().await });
    /// assert!(app.validate().is_ok());
    /// ```
    pub fn find_child_mut(&mut self, id: &str) -> Option<&mut ChildSpec> {
        self.children.iter_mut().find(|child| child.id == id)
    }

    /// Checks the whole tree against the rule table.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, RestartPolicy, SupervisorSpec, TaskRole, rules};
    ///
    /// let app = SupervisorSpec::new("app").child(
    ///     ChildSpec::without_context("migrate", TaskRole::Job, || async {}).restart(RestartPolicy::Permanent),
    /// );
    /// let error = app.validate().unwrap_err();
    /// assert!(error.breaks(&rules::JOB_PERMANENT));
    /// ```
    ///
    /// # Errors
    ///
    /// Every violation in the tree, each naming the child path, the field,
    /// the rule and the fix.
    pub fn validate(&self) -> Result<(), SpecError> {
        rules::check_tree(self)
    }
}
