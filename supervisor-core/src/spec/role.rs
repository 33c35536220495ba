//! What a child is for, and the policy each kind of child gets by default.

use std::{fmt, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BackoffPolicy, RestartLimit, RestartPolicy, Severity, ShutdownPolicy};

/// What a child is for. The role picks the defaults of every policy the child
/// does not set itself (see [`TaskRole::defaults`]).
///
/// | role | on success | on failure | restart limit | severity |
/// |---|---|---|---|---|
/// | service | restart | restart with backoff | 10 in 60 s | critical |
/// | worker | stop | restart with backoff | 3 in 60 s | standard |
/// | job | stop | restart with backoff | 1 in 60 s | optional |
/// | sidecar | restart (tied to primary) | restart with backoff | 5 in 60 s | standard |
/// | supervisor | restart | restart with backoff | 3 in 60 s | critical |
///
/// # Examples
///
/// ```
/// use supervisor_core::{RestartPolicy, Severity, TaskRole};
///
/// let defaults = TaskRole::Job.defaults();
/// assert_eq!(defaults.restart, RestartPolicy::Transient);
/// assert_eq!(defaults.restart_limit.max, 1);
/// assert_eq!(defaults.severity, Severity::Optional);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskRole {
    /// A long-running task the application cannot do without (an API server).
    Service,
    /// A task that runs until its work is done; restarted only when it fails.
    #[default]
    Worker,
    /// A task that runs once (a migration); a failure is retried, but giving up
    /// does not take the tree down.
    Job,
    /// A helper tied to a primary child: restarted after it, stopped with it.
    Sidecar,
    /// A nested supervisor.
    Supervisor,
}

/// The policy a [`TaskRole`] gives a child that does not set its own.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::TaskRole;
///
/// let service = TaskRole::Service.defaults();
/// assert_eq!(service.restart_limit.max, 10);
/// assert_eq!(service.restart_limit.within, Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RoleDefaults {
    /// When the child is restarted.
    pub restart: RestartPolicy,
    /// How long to wait before a restart after a failure.
    pub backoff: BackoffPolicy,
    /// How many restarts are allowed in a window before giving up.
    pub restart_limit: RestartLimit,
    /// How the child is stopped.
    pub shutdown: ShutdownPolicy,
    /// What giving up on the child means for its supervisor.
    pub severity: Severity,
}

impl TaskRole {
    /// Every role, in the order of the role table.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Severity, TaskRole};
    ///
    /// let critical: Vec<TaskRole> = TaskRole::ALL
    ///     .into_iter()
    ///     .filter(|role| role.defaults().severity == Severity::Critical)
    ///     .collect();
    /// assert_eq!(critical, [TaskRole::Service, TaskRole::Supervisor]);
    /// ```
    pub const ALL: [TaskRole; 5] = [
        TaskRole::Service,
        TaskRole::Worker,
        TaskRole::Job,
        TaskRole::Sidecar,
        TaskRole::Supervisor,
    ];

    /// The policy this role gives a child that sets none of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, RestartPolicy, Severity, TaskRole};
    ///
    /// let service = TaskRole::Service.defaults();
    /// assert_eq!(service.restart, RestartPolicy::Permanent);
    /// assert_eq!(service.restart_limit, RestartLimit::new(10, Duration::from_secs(60)));
    /// assert_eq!(service.severity, Severity::Critical);
    /// ```
    pub const fn defaults(self) -> RoleDefaults {
        let (max, severity) = match self {
            TaskRole::Service => (10, Severity::Critical),
            TaskRole::Worker => (3, Severity::Standard),
            TaskRole::Job => (1, Severity::Optional),
            TaskRole::Sidecar => (5, Severity::Standard),
            TaskRole::Supervisor => (3, Severity::Critical),
        };
        let restart = RestartPolicy::of_fact(self.fact().default_restart());
        let shutdown = match self {
            TaskRole::Supervisor => ShutdownPolicy::Infinity,
            _ => ShutdownPolicy::Timeout(Duration::from_secs(5)),
        };
        RoleDefaults {
            restart,
            backoff: BackoffPolicy::DEFAULT,
            restart_limit: RestartLimit::new(max, Duration::from_secs(60)),
            shutdown,
            severity,
        }
    }

    /// The name used in attributes and serialized specs (`"service"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::TaskRole;
    ///
    /// assert_eq!(TaskRole::Sidecar.as_str(), "sidecar");
    /// assert_eq!(TaskRole::ALL.map(TaskRole::as_str), ["service", "worker", "job", "sidecar", "supervisor"]);
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskRole::Service => "service",
            TaskRole::Worker => "worker",
            TaskRole::Job => "job",
            TaskRole::Sidecar => "sidecar",
            TaskRole::Supervisor => "supervisor",
        }
    }
}

impl fmt::Display for TaskRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn service_restarts_always_ten_in_sixty_seconds_critical() {
        let d = TaskRole::Service.defaults();
        assert_eq!(d.restart, RestartPolicy::Permanent);
        assert_eq!(d.restart_limit, RestartLimit::new(10, secs(60)));
        assert_eq!(d.severity, Severity::Critical);
        assert_eq!(d.shutdown, ShutdownPolicy::Timeout(secs(5)));
    }

    #[test]
    fn worker_restarts_on_failure_three_in_sixty_seconds_standard() {
        let d = TaskRole::Worker.defaults();
        assert_eq!(d.restart, RestartPolicy::Transient);
        assert_eq!(d.restart_limit, RestartLimit::new(3, secs(60)));
        assert_eq!(d.severity, Severity::Standard);
    }

    #[test]
    fn job_restarts_on_failure_once_in_sixty_seconds_optional() {
        let d = TaskRole::Job.defaults();
        assert_eq!(d.restart, RestartPolicy::Transient);
        assert_eq!(d.restart_limit, RestartLimit::new(1, secs(60)));
        assert_eq!(d.severity, Severity::Optional);
    }

    #[test]
    fn sidecar_restarts_always_five_in_sixty_seconds_standard() {
        let d = TaskRole::Sidecar.defaults();
        assert_eq!(d.restart, RestartPolicy::Permanent);
        assert_eq!(d.restart_limit, RestartLimit::new(5, secs(60)));
        assert_eq!(d.severity, Severity::Standard);
    }

    #[test]
    fn supervisor_restarts_always_three_in_sixty_seconds_critical_and_waits_for_children() {
        let d = TaskRole::Supervisor.defaults();
        assert_eq!(d.restart, RestartPolicy::Permanent);
        assert_eq!(d.restart_limit, RestartLimit::new(3, secs(60)));
        assert_eq!(d.severity, Severity::Critical);
        assert_eq!(d.shutdown, ShutdownPolicy::Infinity);
    }

    #[test]
    fn every_role_backs_off_from_50ms_doubling_to_5s_with_jitter_0_2() {
        for role in TaskRole::ALL {
            let b = role.defaults().backoff;
            assert_eq!(b.initial, Duration::from_millis(50), "{role}");
            assert_eq!(b.max, secs(5), "{role}");
            assert_eq!(b.multiplier, 2.0, "{role}");
            assert_eq!(b.jitter, 0.2, "{role}");
            assert_eq!(b.reset_after(), secs(10), "{role}");
        }
    }

    #[test]
    fn role_names_match_their_serialized_form() {
        for role in TaskRole::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
    }
}
