//! Which fields of a child spec a config overlay set.

/// A field of a [`ChildSpec`](super::ChildSpec) that an overlay can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Restart,
    Backoff,
    RestartLimit,
    Shutdown,
    Timeout,
    ReadyTimeout,
    Heartbeat,
    Severity,
    Significant,
    Every,
}

/// The set of fields an overlay set, so that the effective policy can say
/// `config file` for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Configured(u16);

impl Configured {
    pub(crate) fn insert(&mut self, field: Field) {
        self.0 |= 1 << field as u16;
    }

    pub(crate) fn contains(self, field: Field) -> bool {
        self.0 & (1 << field as u16) != 0
    }
}
