//! What the rules know of a child: a few plain, `Copy` values, gathered by
//! each judge from whatever it reads (attributes, a spec, a tree's fields).

use core::time::Duration;

use crate::Key;

/// What a child is for.
///
/// # Examples
///
/// ```
/// use supervisor_rules::{Restart, Role};
///
/// assert_eq!(Role::Service.default_restart(), Restart::Permanent);
/// assert_eq!(Role::Job.as_str(), "job");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A long-running task the application cannot do without.
    Service,
    /// A task that runs until its work is done.
    Worker,
    /// A task that runs once.
    Job,
    /// A helper tied to a primary child.
    Sidecar,
    /// A nested supervisor.
    Supervisor,
}

impl Role {
    /// The restart policy of a child of this role that declares none.
    pub const fn default_restart(self) -> Restart {
        match self {
            Role::Service | Role::Sidecar | Role::Supervisor => Restart::Permanent,
            Role::Worker | Role::Job => Restart::Transient,
        }
    }

    /// The name as attributes and specs write it (`"sidecar"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Service => "service",
            Role::Worker => "worker",
            Role::Job => "job",
            Role::Sidecar => "sidecar",
            Role::Supervisor => "supervisor",
        }
    }
}

/// When a child that exited is started again.
///
/// # Examples
///
/// ```
/// use supervisor_rules::Restart;
///
/// assert_eq!(Restart::Temporary.as_str(), "temporary");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Restart {
    /// After any exit.
    Permanent,
    /// After a failure only.
    Transient,
    /// Never.
    Temporary,
}

impl Restart {
    /// The name as attributes and specs write it (`"permanent"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Restart::Permanent => "permanent",
            Restart::Transient => "transient",
            Restart::Temporary => "temporary",
        }
    }
}

/// What a child runs.
///
/// # Examples
///
/// ```
/// use supervisor_rules::Runs;
///
/// let api = Runs::Task { context: true };
/// assert_ne!(api, Runs::Tree);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runs {
    /// A task; `context` tells whether it takes a `ChildContext`.
    Task {
        /// Whether the task takes a `ChildContext`.
        context: bool,
    },
    /// A nested tree.
    Tree,
    /// Nothing at all.
    Nothing,
    /// Both a task and a nested tree.
    TaskAndTree,
}

/// The numbers of a backoff curve.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_rules::Backoff;
///
/// assert_eq!(Backoff::DEFAULT.initial, Duration::from_millis(50));
/// assert_eq!(Backoff::DEFAULT.max, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// The ceiling of every delay.
    pub max: Duration,
    /// The growth from one delay to the next.
    pub multiplier: f64,
    /// The random spread, a fraction of the delay.
    pub jitter: f64,
}

impl Backoff {
    /// The curve every role gets by default, and what a key left out of a
    /// declared curve keeps: 50 ms doubling to 5 s, jitter 0.2.
    pub const DEFAULT: Backoff = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_secs(5),
        multiplier: 2.0,
        jitter: 0.2,
    };
}

/// The numbers of a restart limit: at most `max` restarts `within` a window.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_rules::Limit;
///
/// let limit = Limit { max: 3, within: Duration::from_secs(60) };
/// assert_eq!(limit.max, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    /// Restarts allowed in the window.
    pub max: u32,
    /// How far back the window reaches.
    pub within: Duration,
}

/// Where a sidecar's primary is among its siblings.
///
/// # Examples
///
/// ```
/// use supervisor_rules::PrimarySibling;
///
/// let before = PrimarySibling::Found { later: false, sidecar: false };
/// assert_ne!(before, PrimarySibling::Missing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrimarySibling {
    /// The child names no primary.
    NotNamed,
    /// No sibling has the primary's id.
    Missing,
    /// A sibling has it.
    Found {
        /// Whether it starts after the child.
        later: bool,
        /// Whether it is a sidecar itself (or the child itself).
        sidecar: bool,
    },
}

/// What a child's siblings tell about it.
///
/// # Examples
///
/// ```
/// use supervisor_rules::{PrimarySibling, Siblings};
///
/// let alone = Siblings::NONE;
/// assert!(!alone.id_taken);
/// assert_eq!(alone.primary, PrimarySibling::NotNamed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Siblings {
    /// Whether a sibling before the child has its id.
    pub id_taken: bool,
    /// Where its primary is.
    pub primary: PrimarySibling,
}

impl Siblings {
    /// A child without siblings that names no primary.
    pub const NONE: Siblings = Siblings {
        id_taken: false,
        primary: PrimarySibling::NotNamed,
    };
}

/// Everything the rules read about one child.
///
/// Start from [`Facts::new`] and set what the declaration says; every
/// field left alone means "not declared" (the role's default applies).
/// Which of these a judge actually knows is a separate [`Keys`](crate::Keys).
///
/// # Examples
///
/// ```
/// use supervisor_rules::{Facts, Restart, Role, Runs};
///
/// let mut job = Facts::new("migrate", Role::Job, Runs::Task { context: false });
/// assert_eq!(job.effective_restart(), Restart::Transient);
/// job.restart = Some(Restart::Temporary);
/// assert_eq!(job.effective_restart(), Restart::Temporary);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Facts<'a> {
    /// The child's id.
    pub id: &'a str,
    /// Its role.
    pub role: Role,
    /// Its declared restart policy.
    pub restart: Option<Restart>,
    /// Its declared `significant`.
    pub significant: Option<bool>,
    /// Whether it names a primary.
    pub has_primary: bool,
    /// What it runs.
    pub runs: Runs,
    /// Its declared backoff.
    pub backoff: Option<Backoff>,
    /// Its declared restart limit.
    pub restart_limit: Option<Limit>,
    /// Its declared `timeout`.
    pub timeout: Option<Duration>,
    /// Its declared `ready_timeout`.
    pub ready_timeout: Option<Duration>,
    /// Its declared `heartbeat`.
    pub heartbeat: Option<Duration>,
    /// Its declared `every`: the period of a periodic job.
    pub every: Option<Duration>,
    /// What its siblings tell.
    pub siblings: Siblings,
}

impl<'a> Facts<'a> {
    /// A child with this id, role and body, that declares nothing else.
    pub const fn new(id: &'a str, role: Role, runs: Runs) -> Self {
        Facts {
            id,
            role,
            restart: None,
            significant: None,
            has_primary: false,
            runs,
            backoff: None,
            restart_limit: None,
            timeout: None,
            ready_timeout: None,
            heartbeat: None,
            every: None,
            siblings: Siblings::NONE,
        }
    }

    /// The restart policy in force: the declared one, else the role's.
    pub const fn effective_restart(&self) -> Restart {
        match self.restart {
            Some(restart) => restart,
            None => self.role.default_restart(),
        }
    }

    /// Whether the restart policy in force is the role's default.
    pub const fn restart_is_role_default(&self) -> bool {
        self.restart.is_none()
    }

    /// The duration `key` names (`timeout`, `ready_timeout`, `heartbeat`,
    /// `every`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_rules::{Facts, Key, Role, Runs};
    ///
    /// let mut api = Facts::new("api", Role::Service, Runs::Task { context: true });
    /// api.heartbeat = Some(Duration::from_secs(10));
    /// assert_eq!(api.duration(Key::Heartbeat), Some(Duration::from_secs(10)));
    /// assert_eq!(api.duration(Key::Timeout), None);
    /// assert_eq!(api.duration(Key::Role), None);
    /// ```
    pub const fn duration(&self, key: Key) -> Option<Duration> {
        match key {
            Key::Timeout => self.timeout,
            Key::ReadyTimeout => self.ready_timeout,
            Key::Heartbeat => self.heartbeat,
            Key::Every => self.every,
            _ => None,
        }
    }

    /// Whether it runs a task that takes no `ChildContext`.
    pub const fn lacks_context(&self) -> bool {
        matches!(self.runs, Runs::Task { context: false })
    }
}

/// Whether `id` can be a child's id: non-empty, and free of `/`, the path
/// separator.
///
/// # Examples
///
/// ```
/// use supervisor_rules::is_valid_id;
///
/// assert!(is_valid_id("api"));
/// assert!(!is_valid_id(""));
/// assert!(!is_valid_id("api/v1"));
/// ```
pub const fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'/' {
            return false;
        }
        index += 1;
    }
    !bytes.is_empty()
}
