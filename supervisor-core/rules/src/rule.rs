//! One rule: its texts, the facts it reads, and its judgement.

use core::fmt;

use crate::{Facts, Key, Keys, table};

/// Where a compile error about a rule points in an attribute: at the key
/// (`heartbeat` in `heartbeat = "10s"`, for a key that should not be
/// there) or at the value written for it (`"0s"`, for a value that is
/// wrong).
///
/// # Examples
///
/// ```
/// use supervisor_rules as rules;
/// use supervisor_rules::Blame;
///
/// assert_eq!(rules::ZERO_DEADLINE.blame, Blame::Value);
/// assert_eq!(rules::HEARTBEAT_WITHOUT_CONTEXT.blame, Blame::Key);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Blame {
    /// The key.
    Key,
    /// The value.
    Value,
}

/// One rule of the table: its texts, where it points, what it reads, and
/// its predicate.
///
/// # Examples
///
/// ```
/// use supervisor_rules::{Facts, Key, Restart, Role, Runs, find};
///
/// let rule = find("job_permanent").unwrap();
/// assert_eq!(rule.field, "restart");
/// assert!(rule.fix.contains("transient"));
///
/// let mut migrate = Facts::new("migrate", Role::Job, Runs::Task { context: false });
/// assert!(!rule.is_broken(&migrate, Key::Restart));
/// migrate.restart = Some(Restart::Permanent);
/// assert!(rule.is_broken(&migrate, Key::Restart));
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable name, shown in brackets at the end of every error about it.
    pub name: &'static str,
    /// The key or field the rule points at: the name of `at[0]`.
    pub field: &'static str,
    /// What is wrong, in general terms.
    pub message: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The fields it is judged at, one error each; most rules have one.
    pub at: &'static [Key],
    /// The other facts its predicate reads; where the `at` key is not
    /// written, a compile error points at the first of these that is.
    pub reads: &'static [Key],
    /// Whether a compile error points at the key or at its value.
    pub blame: Blame,
    pub(crate) check: table::Check,
}

impl Rule {
    /// Whether `child` breaks the rule at `at`, one of [`Rule::at`].
    ///
    /// The same `const fn` judges at compile time and at run time.
    pub const fn is_broken(&self, child: &Facts<'_>, at: Key) -> bool {
        table::is_broken(self.check, child, at)
    }

    /// Every fact the rule reads, every key of [`at`](Rule::at) included.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_rules as rules;
    /// use supervisor_rules::Key;
    ///
    /// let keys = rules::JOB_PERMANENT.keys();
    /// assert!(keys.contains(Key::Restart) && keys.contains(Key::Role));
    /// assert!(!keys.contains(Key::Backoff));
    /// ```
    pub const fn keys(&self) -> Keys {
        Keys::of(self.at).union(Keys::of(self.reads))
    }

    /// The facts the rule reads when judged at `at`: `at` and
    /// [`reads`](Rule::reads).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_rules as rules;
    /// use supervisor_rules::Key;
    ///
    /// let keys = rules::ZERO_DEADLINE.keys_at(Key::Heartbeat);
    /// assert!(keys.contains(Key::Heartbeat) && !keys.contains(Key::Timeout));
    /// ```
    pub const fn keys_at(&self, at: Key) -> Keys {
        Keys::NONE.with(at).union(Keys::of(self.reads))
    }

    /// Whether a judge that knows the facts `known` can judge the rule at
    /// `at`: whether it knows every fact the rule reads there.
    pub const fn can_judge(&self, known: Keys, at: Key) -> bool {
        known.covers(self.keys_at(at))
    }

    /// Whether the rule judges a child among its siblings.
    pub const fn reads_siblings(&self) -> bool {
        self.keys().contains(Key::Siblings)
    }

    /// Whether this is `other`, by name; usable in `const` code.
    pub const fn is(&self, other: &Rule) -> bool {
        str_eq(self.name, other.name)
    }

    /// `detail`, then the rule's fix and name: what every error about the
    /// rule ends with.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_rules as rules;
    ///
    /// let text = rules::JOB_PERMANENT.explain("`app/migrate` restarts permanently").to_string();
    /// assert!(text.starts_with("`app/migrate` restarts permanently; fix: remove `restart`"));
    /// assert!(text.ends_with(" [job_permanent]"));
    /// ```
    pub fn explain<'a>(&'a self, detail: &'a str) -> Explained<'a> {
        Explained { rule: self, detail }
    }
}

/// A rule's fix and name after a detail; see [`Rule::explain`].
#[derive(Debug, Clone, Copy)]
pub struct Explained<'a> {
    rule: &'a Rule,
    detail: &'a str,
}

impl fmt::Display for Explained<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; fix: {} [{}]",
            self.detail, self.rule.fix, self.rule.name
        )
    }
}

/// Every rule `child` breaks among those `known` lets a judge judge, each
/// with the field it is broken at, in the order of the table.
///
/// # Examples
///
/// ```
/// use supervisor_rules::{self as rules, Facts, Key, Keys, Restart, Role, Runs, broken};
///
/// let mut migrate = Facts::new("migrate", Role::Job, Runs::Task { context: false });
/// migrate.restart = Some(Restart::Permanent);
/// let found: Vec<_> = broken(&migrate, Keys::DECLARATION).collect();
/// assert_eq!(found, [(&rules::JOB_PERMANENT, Key::Restart)]);
/// // A judge that does not know the role judges nothing that reads it.
/// let restart_only = Keys::NONE.with(Key::Restart);
/// assert_eq!(broken(&migrate, restart_only).count(), 0);
/// ```
pub fn broken<'a>(
    child: &'a Facts<'a>,
    known: Keys,
) -> impl Iterator<Item = (&'static Rule, Key)> + 'a {
    // A judge that knows every fact can judge every rule: the common case
    // (each child of a tree) skips the question.
    let knows_all = known.covers(Keys::ALL);
    crate::RULES
        .iter()
        .flat_map(|rule| rule.at.iter().map(move |at| (rule, *at)))
        .filter(move |(rule, at)| {
            (knows_all || rule.can_judge(known, *at)) && rule.is_broken(child, *at)
        })
}

/// The rule with this name; usable in `const` code.
///
/// # Examples
///
/// ```
/// use supervisor_rules::{self as rules, find};
///
/// assert_eq!(find("zero_deadline"), Some(&rules::ZERO_DEADLINE));
/// assert_eq!(find("no_such_rule"), None);
/// ```
pub const fn find(name: &str) -> Option<&'static Rule> {
    let mut index = 0;
    while index < crate::RULES.len() {
        if str_eq(crate::RULES[index].name, name) {
            return Some(&crate::RULES[index]);
        }
        index += 1;
    }
    None
}

/// Byte-wise string equality, usable in `const` code.
///
/// # Examples
///
/// ```
/// use supervisor_rules::str_eq;
///
/// const SAME: bool = str_eq("api", "api");
/// assert!(SAME);
/// assert!(!str_eq("api", "apis"));
/// ```
pub const fn str_eq(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() != right.len() {
        return false;
    }
    let mut index = 0;
    while index < left.len() {
        if left[index] != right[index] {
            return false;
        }
        index += 1;
    }
    true
}
