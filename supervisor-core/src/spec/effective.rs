//! The policy a child actually runs under, each value with where it came from.

use std::{fmt, time::Duration};

use super::configured::{Configured, Field};
use crate::spec::{
    BackoffPolicy, ChildSpec, RestartLimit, RestartPolicy, Severity, ShutdownPolicy, TaskRole,
};

/// Where an effective policy value came from.
///
/// # Examples
///
/// ```
/// use supervisor_core::PolicySource;
///
/// assert_eq!(PolicySource::RoleDefault.to_string(), "role default");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicySource {
    /// The child's role gave it.
    RoleDefault,
    /// The spec set it.
    Declared,
    /// Nobody set it and no role has a default for it (an optional deadline
    /// that is off).
    Unset,
    /// Set by a config overlay ([`SpecOverrides`](super::SpecOverrides)).
    ConfigFile,
}

impl fmt::Display for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicySource::RoleDefault => "role default",
            PolicySource::Declared => "declared",
            PolicySource::Unset => "not set",
            PolicySource::ConfigFile => "config file",
        })
    }
}

/// A policy value and where it came from.
///
/// # Examples
///
/// ```
/// use supervisor_core::{PolicySource, Sourced};
///
/// let value = Sourced::declared(3);
/// assert_eq!(value.source, PolicySource::Declared);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sourced<T> {
    /// The value in force.
    pub value: T,
    /// Where it came from.
    pub source: PolicySource,
}

impl<T> Sourced<T> {
    /// A value the spec set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, Sourced, TaskRole};
    ///
    /// let api = ChildSpec::without_context("api", TaskRole::Service, || async {})
    ///     .heartbeat(Duration::from_secs(10));
    /// let policy = api.effective_policy();
    /// assert_eq!(policy.heartbeat, Sourced::declared(Some(Duration::from_secs(10))));
    /// ```
    pub const fn declared(value: T) -> Self {
        Sourced {
            value,
            source: PolicySource::Declared,
        }
    }

    /// A value the role gave.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, Severity, Sourced, TaskRole};
    ///
    /// let api = ChildSpec::without_context("api", TaskRole::Service, || async {});
    /// let policy = api.effective_policy();
    /// assert_eq!(policy.severity, Sourced::role_default(Severity::Critical));
    /// assert_eq!(policy.severity.source.to_string(), "role default");
    /// ```
    pub const fn role_default(value: T) -> Self {
        Sourced {
            value,
            source: PolicySource::RoleDefault,
        }
    }

    /// The declared value if there is one, else the role's default.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{PolicySource, RestartPolicy, Sourced, TaskRole};
    ///
    /// let default = TaskRole::Worker.defaults().restart;
    /// let kept = Sourced::resolve(None, default);
    /// assert_eq!((kept.value, kept.source), (RestartPolicy::Transient, PolicySource::RoleDefault));
    /// let chosen = Sourced::resolve(Some(RestartPolicy::Permanent), default);
    /// assert_eq!((chosen.value, chosen.source), (RestartPolicy::Permanent, PolicySource::Declared));
    /// ```
    pub fn resolve(declared: Option<T>, default: T) -> Self {
        match declared {
            Some(value) => Sourced::declared(value),
            None => Sourced::role_default(default),
        }
    }
}

impl Sourced<Option<Duration>> {
    fn optional(declared: Option<Duration>) -> Self {
        Sourced {
            value: declared,
            source: if declared.is_some() {
                PolicySource::Declared
            } else {
                PolicySource::Unset
            },
        }
    }
}

/// Every policy value a child runs under, resolved from its spec and its
/// role's defaults, with where each came from.
///
/// Its `Display` prints one line per field:
///
/// ```
/// use supervisor_core::{ChildSpec, RestartPolicy, TaskRole};
///
/// let spec = ChildSpec::without_context("migrate", TaskRole::Job, || async {});
/// let policy = spec.effective_policy();
/// assert_eq!(policy.restart.value, RestartPolicy::Transient);
/// let text = policy.to_string();
/// assert!(text.contains("restart_limit  1 in 1m"));
/// println!("{text}");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EffectivePolicy {
    /// The child's id.
    pub id: String,
    /// The child's role.
    pub role: TaskRole,
    /// When it is restarted.
    pub restart: Sourced<RestartPolicy>,
    /// Delays between restarts after failures.
    pub backoff: Sourced<BackoffPolicy>,
    /// Restarts allowed within a window.
    pub restart_limit: Sourced<RestartLimit>,
    /// How it is stopped.
    pub shutdown: Sourced<ShutdownPolicy>,
    /// What giving up on it means for its supervisor.
    pub severity: Sourced<Severity>,
    /// Whether it counts toward `auto_shutdown`.
    pub significant: Sourced<bool>,
    /// Deadline of one run.
    pub timeout: Sourced<Option<Duration>>,
    /// Time allowed to become ready.
    pub ready_timeout: Sourced<Option<Duration>>,
    /// Longest silence between heartbeats.
    pub heartbeat: Sourced<Option<Duration>>,
    /// Period of a periodic job.
    pub every: Sourced<Option<Duration>>,
}

impl EffectivePolicy {
    /// Resolves the policy of `spec`: each value the spec sets, else its
    /// role's default, else (for the optional deadlines) none.
    /// [`ChildSpec::effective_policy`] does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, EffectivePolicy, PolicySource, RestartPolicy, TaskRole};
    ///
    /// let sync = ChildSpec::without_context("sync", TaskRole::Worker, || async {})
    ///     .restart(RestartPolicy::Permanent);
    /// let policy = EffectivePolicy::of(&sync);
    /// assert_eq!(policy.restart.value, RestartPolicy::Permanent);
    /// assert_eq!(policy.restart.source, PolicySource::Declared);
    /// assert_eq!(policy.restart_limit.source, PolicySource::RoleDefault);
    /// assert_eq!((policy.timeout.value, policy.timeout.source), (None, PolicySource::Unset));
    /// ```
    pub fn of(spec: &ChildSpec) -> Self {
        let defaults = spec.role.defaults();
        let mut policy = EffectivePolicy {
            id: spec.id.clone(),
            role: spec.role,
            restart: Sourced::resolve(spec.restart, defaults.restart),
            backoff: Sourced::resolve(spec.backoff, defaults.backoff),
            restart_limit: Sourced::resolve(spec.restart_limit, defaults.restart_limit),
            shutdown: Sourced::resolve(spec.shutdown, defaults.shutdown),
            severity: Sourced::resolve(spec.severity, defaults.severity),
            significant: Sourced::resolve(spec.significant, false),
            timeout: Sourced::optional(spec.timeout),
            ready_timeout: Sourced::optional(spec.ready_timeout),
            heartbeat: Sourced::optional(spec.heartbeat),
            every: Sourced::optional(spec.every),
        };
        policy.mark_configured(spec.configured);
        policy
    }

    /// Says `config file` for every value an overlay set.
    fn mark_configured(&mut self, configured: Configured) {
        let sources = [
            (Field::Restart, &mut self.restart.source),
            (Field::Backoff, &mut self.backoff.source),
            (Field::RestartLimit, &mut self.restart_limit.source),
            (Field::Shutdown, &mut self.shutdown.source),
            (Field::Severity, &mut self.severity.source),
            (Field::Significant, &mut self.significant.source),
            (Field::Timeout, &mut self.timeout.source),
            (Field::ReadyTimeout, &mut self.ready_timeout.source),
            (Field::Heartbeat, &mut self.heartbeat.source),
            (Field::Every, &mut self.every.source),
        ];
        for (field, source) in sources {
            if configured.contains(field) {
                *source = PolicySource::ConfigFile;
            }
        }
    }
}

fn optional_duration(value: Option<Duration>) -> String {
    value.map_or_else(|| "none".to_owned(), crate::spec::duration::format)
}

impl fmt::Display for EffectivePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} ({})", self.id, self.role)?;
        let lines: [(&str, String, PolicySource); 10] = [
            (
                "restart",
                self.restart.value.to_string(),
                self.restart.source,
            ),
            (
                "backoff",
                self.backoff.value.to_string(),
                self.backoff.source,
            ),
            (
                "restart_limit",
                self.restart_limit.value.to_string(),
                self.restart_limit.source,
            ),
            (
                "shutdown",
                self.shutdown.value.to_string(),
                self.shutdown.source,
            ),
            (
                "severity",
                self.severity.value.to_string(),
                self.severity.source,
            ),
            (
                "significant",
                self.significant.value.to_string(),
                self.significant.source,
            ),
            (
                "timeout",
                optional_duration(self.timeout.value),
                self.timeout.source,
            ),
            (
                "ready_timeout",
                optional_duration(self.ready_timeout.value),
                self.ready_timeout.source,
            ),
            (
                "heartbeat",
                optional_duration(self.heartbeat.value),
                self.heartbeat.source,
            ),
            (
                "every",
                optional_duration(self.every.value),
                self.every.source,
            ),
        ];
        for (name, value, source) in &lines {
            writeln!(f, "  {name:<14} {value}  ({source})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> ChildSpec {
        ChildSpec::declared("api", TaskRole::Service)
    }

    #[test]
    fn unset_fields_come_from_the_role_and_say_so() {
        let policy = service().effective_policy();
        assert_eq!(
            policy.restart,
            Sourced::role_default(RestartPolicy::Permanent)
        );
        assert_eq!(
            policy.restart_limit,
            Sourced::role_default(RestartLimit::new(10, Duration::from_secs(60)))
        );
        assert_eq!(policy.severity, Sourced::role_default(Severity::Critical));
        assert_eq!(
            policy.backoff,
            Sourced::role_default(BackoffPolicy::DEFAULT)
        );
        assert_eq!(policy.timeout.source, PolicySource::Unset);
    }

    #[test]
    fn declared_fields_override_the_role_and_say_so() {
        let spec = service()
            .restart(RestartPolicy::Transient)
            .backoff(BackoffPolicy::NONE)
            .shutdown(ShutdownPolicy::Brutal)
            .heartbeat(Duration::from_secs(10));
        let policy = spec.effective_policy();
        assert_eq!(policy.restart, Sourced::declared(RestartPolicy::Transient));
        assert_eq!(policy.backoff, Sourced::declared(BackoffPolicy::NONE));
        assert_eq!(policy.shutdown, Sourced::declared(ShutdownPolicy::Brutal));
        assert_eq!(
            policy.heartbeat,
            Sourced::declared(Some(Duration::from_secs(10)))
        );
        assert_eq!(policy.severity.source, PolicySource::RoleDefault);
    }

    #[test]
    fn display_prints_one_line_per_field_with_its_source() {
        let text = service()
            .restart(RestartPolicy::Transient)
            .effective_policy()
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "api (service)");
        assert_eq!(lines.len(), 11, "{text}");
        assert!(
            lines.contains(&"  restart        transient  (declared)"),
            "{text}"
        );
        assert!(
            lines.contains(&"  restart_limit  10 in 1m  (role default)"),
            "{text}"
        );
        assert!(
            lines.contains(&"  timeout        none  (not set)"),
            "{text}"
        );
    }
}
