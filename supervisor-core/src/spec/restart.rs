//! When a child is restarted, how often it may be, and what giving up means.

use std::{fmt, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// When a child that exited is started again.
///
/// The names and meaning are OTP's. Exits caused by the supervisor itself
/// (a stop or a shutdown) never lead to a restart.
///
/// # Examples
///
/// ```
/// use supervisor_core::RestartPolicy;
///
/// assert!(RestartPolicy::Permanent.restarts_after(true));
/// assert!(!RestartPolicy::Transient.restarts_after(true));
/// assert!(RestartPolicy::Transient.restarts_after(false));
/// assert!(!RestartPolicy::Temporary.restarts_after(false));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RestartPolicy {
    /// Restart after any exit, success or failure.
    Permanent,
    /// Restart only after a failure.
    Transient,
    /// Never restart.
    Temporary,
}

impl RestartPolicy {
    /// Whether an exit (successful or not) leads to a restart under this policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::RestartPolicy;
    ///
    /// // `transient` restarts after a failure only.
    /// assert!(RestartPolicy::Transient.restarts_after(false));
    /// assert!(!RestartPolicy::Transient.restarts_after(true));
    /// ```
    pub const fn restarts_after(self, success: bool) -> bool {
        match self {
            RestartPolicy::Permanent => true,
            RestartPolicy::Transient => !success,
            RestartPolicy::Temporary => false,
        }
    }

    /// The name used in attributes and serialized specs (`"permanent"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::RestartPolicy;
    ///
    /// assert_eq!(RestartPolicy::Temporary.as_str(), "temporary");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Permanent => "permanent",
            RestartPolicy::Transient => "transient",
            RestartPolicy::Temporary => "temporary",
        }
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Restart intensity: at most `max` restarts within `within`.
///
/// One restart more inside the window and the supervisor gives up on the
/// child (or, for a supervisor's own limit, on itself). Checking the limit
/// costs O(1) per restart whatever `max` is.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::RestartLimit;
///
/// let limit = RestartLimit::new(5, Duration::from_secs(30));
/// assert_eq!(limit.to_string(), "5 in 30s");
/// assert!(RestartLimit::UNLIMITED.is_unlimited());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RestartLimit {
    /// How many restarts the window may hold.
    pub max: u32,
    /// How far back the window reaches.
    #[serde(with = "super::duration")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub within: Duration,
}

impl RestartLimit {
    /// No limit at all: restarts never exhaust, and no restart is
    /// remembered. `max` is `u32::MAX`; `within` (1 s) means nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, RestartLimit, TaskRole};
    ///
    /// // A service that may restart as often as it needs to.
    /// let api = ChildSpec::without_context("api", TaskRole::Service, || async {})
    ///     .restart_limit(RestartLimit::UNLIMITED);
    /// assert!(api.effective_policy().restart_limit.value.is_unlimited());
    /// assert_eq!(RestartLimit::UNLIMITED.to_string(), "unlimited");
    /// ```
    pub const UNLIMITED: RestartLimit = RestartLimit {
        max: u32::MAX,
        within: Duration::from_secs(1),
    };

    /// At most `max` restarts within `within`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::RestartLimit;
    ///
    /// let limit = RestartLimit::new(3, Duration::from_secs(60));
    /// assert_eq!((limit.max, limit.within), (3, Duration::from_secs(60)));
    /// ```
    pub const fn new(max: u32, within: Duration) -> Self {
        RestartLimit { max, within }
    }

    /// Whether this is [`RestartLimit::UNLIMITED`] (`max == u32::MAX`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::RestartLimit;
    ///
    /// assert!(RestartLimit::UNLIMITED.is_unlimited());
    /// assert!(!RestartLimit::new(3, Duration::from_secs(60)).is_unlimited());
    /// ```
    pub const fn is_unlimited(&self) -> bool {
        self.max == u32::MAX
    }
}

impl fmt::Display for RestartLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unlimited() {
            return f.write_str("unlimited");
        }
        write!(
            f,
            "{} in {}",
            self.max,
            super::duration::format(self.within)
        )
    }
}

/// What giving up on a child means for its supervisor.
///
/// # Examples
///
/// ```
/// use supervisor_core::{Severity, TaskRole};
///
/// assert_eq!(TaskRole::Service.defaults().severity, Severity::Critical);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The supervisor cannot run without this child: when it stops for good
    /// after a failure, or exhausts its restart limit, the supervisor fails.
    Critical,
    /// Exhausting the restart limit fails the supervisor.
    Standard,
    /// Exhausting the restart limit leaves the child stopped; its siblings
    /// keep running.
    Optional,
}

impl Severity {
    /// The name used in attributes and serialized specs (`"critical"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::Severity;
    ///
    /// assert_eq!(Severity::Optional.as_str(), "optional");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Standard => "standard",
            Severity::Optional => "optional",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
