//! Which children start next: the pending ones in start order, held back by
//! the gates before them (OTP's synchronous start).

use std::collections::BTreeSet;

use super::table::ChildKey;

/// The children waiting to start and the children holding the start order.
///
/// A gate is a started child that the children after it wait for: a
/// `ready_timeout` child until it is ready, a job until it completes, a
/// nested tree until its own children have started. A pending child starts
/// once no gate comes before it in the start order; pending children before
/// the first gate start at once, those after it wait.
///
/// Pure: keys in, keys out. The supervisor loop spawns what
/// [`StartQueue::take_next`] gives, and tells the queue when a started child
/// gates ([`hold`](Self::hold)) and when it stops gating
/// ([`release`](Self::release)).
#[derive(Debug, Default)]
pub(crate) struct StartQueue {
    pending: BTreeSet<ChildKey>,
    gates: BTreeSet<ChildKey>,
}

impl StartQueue {
    /// Queues `key` to start in its place in the start order.
    pub(crate) fn enqueue(&mut self, key: ChildKey) {
        self.pending.insert(key);
    }

    /// The next child to start, taken off the queue; `None` while every
    /// pending child waits behind a gate, or none is pending.
    pub(crate) fn take_next(&mut self) -> Option<ChildKey> {
        let next = match self.gates.first() {
            Some(gate) => self.pending.range(..=gate).next().copied(),
            None => self.pending.first().copied(),
        }?;
        self.pending.remove(&next);
        Some(next)
    }

    /// `key` has started and holds the children after it.
    pub(crate) fn hold(&mut self, key: ChildKey) {
        self.gates.insert(key);
    }

    /// `key` no longer holds the start order. Returns whether it did, that
    /// is, whether children may now start.
    pub(crate) fn release(&mut self, key: ChildKey) -> bool {
        self.gates.remove(&key)
    }

    /// Forgets `key`, stopped for good: it neither waits nor holds.
    pub(crate) fn forget(&mut self, key: ChildKey) {
        self.gates.remove(&key);
        self.pending.remove(&key);
    }

    /// Whether `key` holds the start order.
    pub(crate) fn holds(&self, key: ChildKey) -> bool {
        self.gates.contains(&key)
    }

    /// Whether the start order is done: nothing waits, nothing holds.
    pub(crate) fn is_done(&self) -> bool {
        self.pending.is_empty() && self.gates.is_empty()
    }

    /// Empties the queue: the supervisor is stopping.
    pub(crate) fn clear(&mut self) {
        self.pending.clear();
        self.gates.clear();
    }

    /// How many children wait, and how many hold.
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (self.pending.len(), self.gates.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rank: u64) -> ChildKey {
        ChildKey {
            rank,
            index: u32::try_from(rank).unwrap(),
        }
    }

    /// Takes every child that may start now, in order.
    fn drain(queue: &mut StartQueue) -> Vec<u64> {
        std::iter::from_fn(|| queue.take_next())
            .map(|key| key.rank)
            .collect()
    }

    fn queue_of(ranks: &[u64]) -> StartQueue {
        let mut queue = StartQueue::default();
        for &rank in ranks {
            queue.enqueue(key(rank));
        }
        queue
    }

    #[test]
    fn without_gates_every_pending_child_starts_in_start_order() {
        let mut queue = queue_of(&[3, 1, 2]);
        assert_eq!(drain(&mut queue), [1, 2, 3]);
        assert!(queue.is_done());
    }

    #[test]
    fn a_gate_holds_the_children_after_it_until_released() {
        let mut queue = queue_of(&[1, 2, 3]);
        assert_eq!(queue.take_next(), Some(key(1)));
        queue.hold(key(1));
        assert_eq!(drain(&mut queue), Vec::<u64>::new());
        assert!(!queue.is_done());
        assert!(queue.release(key(1)));
        assert_eq!(drain(&mut queue), [2, 3]);
        assert!(queue.is_done());
    }

    #[test]
    fn children_before_the_first_gate_start_at_once() {
        // A group restart queues 1..=3 again while 2 still holds.
        let mut queue = queue_of(&[1, 3]);
        queue.hold(key(2));
        assert_eq!(drain(&mut queue), [1]);
        queue.release(key(2));
        assert_eq!(drain(&mut queue), [3]);
    }

    #[test]
    fn a_child_that_gates_again_on_its_next_start_holds_again() {
        let mut queue = queue_of(&[1, 2]);
        queue.take_next();
        queue.hold(key(1));
        queue.release(key(1));
        queue.enqueue(key(1));
        assert_eq!(queue.take_next(), Some(key(1)));
        queue.hold(key(1));
        assert_eq!(queue.take_next(), None, "2 waits behind the new start of 1");
    }

    #[test]
    fn releasing_what_does_not_hold_lets_nothing_start() {
        let mut queue = queue_of(&[2]);
        queue.hold(key(1));
        assert!(!queue.release(key(3)));
        assert_eq!(queue.take_next(), None);
    }

    #[test]
    fn a_forgotten_gate_holds_nothing_and_a_forgotten_child_never_starts() {
        let mut queue = queue_of(&[2, 3]);
        queue.hold(key(1));
        queue.forget(key(1));
        queue.forget(key(3));
        assert_eq!(drain(&mut queue), [2]);
        assert!(queue.is_done());
    }

    #[test]
    fn clear_leaves_nothing_to_start_and_nothing_holding() {
        let mut queue = queue_of(&[1, 2]);
        queue.hold(key(0));
        queue.clear();
        assert_eq!(queue.sizes(), (0, 0));
        assert_eq!(queue.take_next(), None);
    }
}
