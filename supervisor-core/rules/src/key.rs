//! The facts a rule reads and the fields it points at, by name.

use core::fmt;

/// One fact of a child, and the field of its declaration that states it.
///
/// A rule names the keys it points at ([`Rule::at`](crate::Rule::at)) and
/// the other keys it reads ([`Rule::reads`](crate::Rule::reads)). Keys of
/// the parts of a backoff or a restart limit (`backoff.initial`) point at
/// one value; as facts they belong to their [`whole`](Key::whole).
///
/// # Examples
///
/// ```
/// use supervisor_rules::Key;
///
/// assert_eq!(Key::BackoffInitial.name(), "backoff.initial");
/// assert_eq!(Key::BackoffInitial.whole(), Key::Backoff);
/// assert_eq!(Key::Restart.whole(), Key::Restart);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// `id`: the child's id.
    Id,
    /// `role`.
    Role,
    /// `restart`: the declared restart policy.
    Restart,
    /// `significant`.
    Significant,
    /// `primary`: whether the child names one.
    Primary,
    /// `task`: what the child runs (a task, with or without a context, or
    /// a nested tree).
    Task,
    /// `tree`: the nested tree a child runs; as a fact, part of [`Key::Task`].
    Tree,
    /// `backoff`.
    Backoff,
    /// `backoff.initial`.
    BackoffInitial,
    /// `backoff.max`.
    BackoffMax,
    /// `backoff.multiplier`.
    BackoffMultiplier,
    /// `backoff.jitter`.
    BackoffJitter,
    /// `restart_limit`.
    RestartLimit,
    /// `restart_limit.max`.
    RestartLimitMax,
    /// `restart_limit.within`.
    RestartLimitWithin,
    /// `timeout`.
    Timeout,
    /// `ready_timeout`.
    ReadyTimeout,
    /// `heartbeat`.
    Heartbeat,
    /// `every`: the period of a periodic job.
    Every,
    /// The child's siblings: whether one has its id, where its primary is.
    Siblings,
}

impl Key {
    /// Every key.
    pub const ALL: [Key; 20] = [
        Key::Id,
        Key::Role,
        Key::Restart,
        Key::Significant,
        Key::Primary,
        Key::Task,
        Key::Tree,
        Key::Backoff,
        Key::BackoffInitial,
        Key::BackoffMax,
        Key::BackoffMultiplier,
        Key::BackoffJitter,
        Key::RestartLimit,
        Key::RestartLimitMax,
        Key::RestartLimitWithin,
        Key::Timeout,
        Key::ReadyTimeout,
        Key::Heartbeat,
        Key::Every,
        Key::Siblings,
    ];

    /// The field's name as specs and attributes write it (`backoff.initial`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_rules::Key;
    ///
    /// assert_eq!(Key::ReadyTimeout.name(), "ready_timeout");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Key::Id => "id",
            Key::Role => "role",
            Key::Restart => "restart",
            Key::Significant => "significant",
            Key::Primary => "primary",
            Key::Task => "task",
            Key::Tree => "tree",
            Key::Backoff => "backoff",
            Key::BackoffInitial => "backoff.initial",
            Key::BackoffMax => "backoff.max",
            Key::BackoffMultiplier => "backoff.multiplier",
            Key::BackoffJitter => "backoff.jitter",
            Key::RestartLimit => "restart_limit",
            Key::RestartLimitMax => "restart_limit.max",
            Key::RestartLimitWithin => "restart_limit.within",
            Key::Timeout => "timeout",
            Key::ReadyTimeout => "ready_timeout",
            Key::Heartbeat => "heartbeat",
            Key::Every => "every",
            Key::Siblings => "siblings",
        }
    }

    /// The fact this key's value belongs to: `backoff` for
    /// `backoff.initial`, `task` for `tree`, the key itself otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_rules::Key;
    ///
    /// assert_eq!(Key::RestartLimitWithin.whole(), Key::RestartLimit);
    /// assert_eq!(Key::Tree.whole(), Key::Task);
    /// ```
    pub const fn whole(self) -> Key {
        match self {
            Key::BackoffInitial | Key::BackoffMax | Key::BackoffMultiplier | Key::BackoffJitter => {
                Key::Backoff
            }
            Key::RestartLimitMax | Key::RestartLimitWithin => Key::RestartLimit,
            Key::Tree => Key::Task,
            other => other,
        }
    }

    const fn bit(self) -> u32 {
        1 << self.whole() as u32
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of facts, each a [`Key::whole`]: what a judge knows of a child.
///
/// A rule is judged only where every fact it reads is known
/// ([`Rule::can_judge`](crate::Rule::can_judge)): a macro that sees one
/// attribute, or a key whose value could not be read, judges fewer rules
/// rather than guessing.
///
/// # Examples
///
/// ```
/// use supervisor_rules::{Key, Keys};
///
/// let known = Keys::NONE.with(Key::BackoffJitter).with(Key::Role);
/// assert!(known.contains(Key::Backoff));
/// assert!(known.contains(Key::BackoffMax));
/// assert!(!known.contains(Key::Restart));
/// assert!(Keys::DECLARATION.contains(Key::Restart));
/// assert!(!Keys::DECLARATION.contains(Key::Siblings));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Keys(u32);

impl Keys {
    /// No fact.
    pub const NONE: Keys = Keys(0);

    /// Every fact.
    pub const ALL: Keys = Keys::of(&Key::ALL);

    /// Every fact a child's own declaration states: all but its siblings.
    pub const DECLARATION: Keys = Keys::ALL.without(Key::Siblings);

    /// The facts of `keys`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_rules::{Key, Keys};
    ///
    /// let keys = Keys::of(&[Key::Role, Key::Restart]);
    /// assert!(keys.contains(Key::Role) && keys.contains(Key::Restart));
    /// ```
    pub const fn of(keys: &[Key]) -> Keys {
        let mut set = Keys::NONE;
        let mut index = 0;
        while index < keys.len() {
            set = set.with(keys[index]);
            index += 1;
        }
        set
    }

    /// This set and the fact of `key`.
    #[must_use]
    pub const fn with(self, key: Key) -> Keys {
        Keys(self.0 | key.bit())
    }

    /// This set without the fact of `key`.
    #[must_use]
    pub const fn without(self, key: Key) -> Keys {
        Keys(self.0 & !key.bit())
    }

    /// The facts of this set that are not in `other`.
    #[must_use]
    pub const fn difference(self, other: Keys) -> Keys {
        Keys(self.0 & !other.0)
    }

    /// Whether the fact of `key` is in the set.
    pub const fn contains(self, key: Key) -> bool {
        self.0 & key.bit() != 0
    }

    /// Whether every fact of `other` is in the set.
    pub const fn covers(self, other: Keys) -> bool {
        other.0 & !self.0 == 0
    }

    /// Whether the two sets share a fact.
    pub const fn meets(self, other: Keys) -> bool {
        self.0 & other.0 != 0
    }

    /// The facts of either set.
    #[must_use]
    pub const fn union(self, other: Keys) -> Keys {
        Keys(self.0 | other.0)
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = Key::ALL.iter().filter(|key| **key == key.whole());
        f.debug_set()
            .entries(keys.filter(|key| self.contains(**key)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_listed_once_and_fits_the_set() {
        for (index, key) in Key::ALL.iter().enumerate() {
            assert_eq!(*key as usize, index, "{key}");
        }
        assert!(Key::ALL.len() <= 32);
    }

    #[test]
    fn parts_are_known_with_their_whole() {
        let known = Keys::NONE.with(Key::RestartLimit);
        assert!(known.contains(Key::RestartLimitMax));
        assert!(known.covers(Keys::of(&[Key::RestartLimitWithin])));
        assert!(!known.covers(Keys::of(&[Key::Role])));
        assert!(known.meets(Keys::of(&[Key::Role, Key::RestartLimit])));
    }
}
