//! The children table: storage whose entries are reused, with the start
//! order kept apart from it.
//!
//! A child is named by a [`ChildKey`]: its place in the storage (reused
//! once the child is removed) and its rank in the start order (never
//! reused). Anything that outlives a child, such as a timer or the end of
//! an instance, carries the key, and finds nothing once the child is gone,
//! even when a new child has taken its place. Every structure here holds
//! the live children only, so its size follows them, not the history of
//! additions and removals.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::slot::Slot;

/// Names one child of a supervisor.
///
/// Ordered by rank: sorting keys sorts children in start order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ChildKey {
    /// Position in the start order; never given to another child.
    pub(crate) rank: u64,
    /// Place in the storage; reused after the child is removed.
    pub(crate) index: u32,
}

/// The children of one supervisor.
#[derive(Default)]
pub(crate) struct Table {
    slots: Vec<Option<Slot>>,
    /// Places of removed children, to be reused first.
    free: Vec<u32>,
    /// Every child's key, in start order. Ranks only grow, so an insert
    /// appends; a removal (an operator's `remove_child`) shifts the keys
    /// after it.
    order: Vec<ChildKey>,
    /// The places of the children, found by id: the table hashes the id
    /// it reads from the slot, so the index holds 4 bytes a child.
    ids: HashTable<u32>,
    hasher: RandomState,
    next_rank: u64,
}

impl Table {
    /// A table with room for `capacity` children.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Table {
            slots: Vec::with_capacity(capacity),
            order: Vec::with_capacity(capacity),
            ids: HashTable::with_capacity(capacity),
            ..Table::default()
        }
    }

    /// The rank the next inserted child gets.
    pub(crate) fn next_rank(&self) -> u64 {
        self.next_rank
    }

    /// Adds a child at the end of the start order.
    pub(crate) fn insert(&mut self, slot: Slot) -> ChildKey {
        let rank = self.next_rank;
        self.next_rank += 1;
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(None);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 children")
            }
        };
        let key = ChildKey { rank, index };
        let hash = self.hasher.hash_one(slot.id());
        self.order.push(key);
        self.slots[index as usize] = Some(slot);
        let Table {
            ids, slots, hasher, ..
        } = self;
        ids.insert_unique(hash, index, |&index| hash_of(slots, hasher, index));
        key
    }

    /// Forgets a child; its place is reused by a later insert.
    pub(crate) fn remove(&mut self, key: ChildKey) -> Option<Slot> {
        let hash = self.hasher.hash_one(self.get(key)?.id());
        if let Ok(entry) = self.ids.find_entry(hash, |&index| index == key.index) {
            entry.remove();
        }
        let slot = self.slots[key.index as usize].take()?;
        if let Ok(at) = self.order.binary_search(&key) {
            self.order.remove(at);
        }
        self.free.push(key.index);
        self.shrink();
        Some(slot)
    }

    /// Gives memory back once most of it holds no child.
    fn shrink(&mut self) {
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        let live = self.slots.len();
        self.free.retain(|&index| (index as usize) < live);
        if self.slots.capacity() > 2 * live + 16 {
            self.slots.shrink_to(live * 3 / 2);
            self.free.shrink_to(live);
        }
        if self.order.capacity() > 2 * self.order.len() + 16 {
            self.order.shrink_to(self.order.len() * 3 / 2);
        }
        if self.ids.capacity() > 2 * self.ids.len() + 16 {
            let Table {
                ids, slots, hasher, ..
            } = self;
            ids.shrink_to(ids.len() * 3 / 2, |&index| hash_of(slots, hasher, index));
        }
    }

    pub(crate) fn get(&self, key: ChildKey) -> Option<&Slot> {
        self.slots
            .get(key.index as usize)?
            .as_ref()
            .filter(|slot| slot.rank == key.rank)
    }

    pub(crate) fn get_mut(&mut self, key: ChildKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.index as usize)?
            .as_mut()
            .filter(|slot| slot.rank == key.rank)
    }

    /// The key of the child with this id.
    pub(crate) fn key_of(&self, id: &str) -> Option<ChildKey> {
        let hash = self.hasher.hash_one(id);
        let slot_of = |index: u32| self.slots.get(index as usize)?.as_ref();
        let &index = self.ids.find(hash, |&index| {
            slot_of(index).is_some_and(|slot| slot.id() == id)
        })?;
        let rank = slot_of(index)?.rank;
        Some(ChildKey { rank, index })
    }

    /// How many children there are.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// The child last in the start order.
    pub(crate) fn last(&self) -> Option<&Slot> {
        self.get(*self.order.last()?)
    }

    /// Every child's key, in start order.
    pub(crate) fn keys(&self) -> impl DoubleEndedIterator<Item = ChildKey> + '_ {
        self.order.iter().copied()
    }

    /// The keys of the children started after `key`, in start order.
    pub(crate) fn keys_after(&self, key: ChildKey) -> impl Iterator<Item = ChildKey> + '_ {
        let after = self.order.partition_point(|other| other.rank <= key.rank);
        self.order[after..].iter().copied()
    }

    /// Every child with its key, in start order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (ChildKey, &Slot)> + '_ {
        self.keys()
            .filter_map(|key| self.get(key).map(|slot| (key, slot)))
    }

    /// How many entries each structure holds, for leak checks.
    pub(crate) fn sizes(&self) -> (usize, usize, usize, usize) {
        (
            self.slots.len(),
            self.free.len(),
            self.order.len(),
            self.ids.len(),
        )
    }
}

/// The hash of the id of the child at `index`, for the id index to move
/// its entries; every index in it has a live slot.
fn hash_of(slots: &[Option<Slot>], hasher: &RandomState, index: u32) -> u64 {
    slots
        .get(index as usize)
        .and_then(Option::as_ref)
        .map_or(0, |slot| hasher.hash_one(slot.id()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ChildContext, ChildSpec, TaskRole, policy::JitterRng};

    fn add(table: &mut Table, id: &str) -> ChildKey {
        let spec = ChildSpec::new(id, TaskRole::Worker, |_: ChildContext| async {
            Ok::<(), std::io::Error>(())
        });
        let slot = Slot::new(spec, "app", JitterRng::seeded(1), table.next_rank(), None);
        table.insert(slot)
    }

    fn ids(table: &Table, keys: impl Iterator<Item = ChildKey>) -> Vec<String> {
        keys.map(|key| table.get(key).unwrap().id().to_owned())
            .collect()
    }

    #[test]
    fn keys_keep_the_start_order_through_removals_and_reused_places() {
        let mut table = Table::with_capacity(4);
        let [a, b, c] = ["a", "b", "c"].map(|id| add(&mut table, id));
        assert!(table.remove(b).is_some());
        let d = add(&mut table, "d");
        assert_eq!(d.index, b.index, "the removed child's place is reused");
        assert!(table.get(b).is_none(), "the old key finds nothing there");
        assert_eq!(ids(&table, table.keys()), ["a", "c", "d"]);
        assert_eq!(ids(&table, table.keys_after(a)), ["c", "d"]);
        assert_eq!(ids(&table, table.keys_after(c)), ["d"]);
        assert_eq!(table.last().map(Slot::id), Some("d"));
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn the_id_index_finds_live_children_only() {
        let mut table = Table::default();
        let keys: Vec<ChildKey> = (0..100)
            .map(|i| add(&mut table, &format!("c{i}")))
            .collect();
        for (i, &key) in keys.iter().enumerate() {
            assert_eq!(table.key_of(&format!("c{i}")), Some(key));
        }
        for &key in &keys[..90] {
            assert!(table.remove(key).is_some());
        }
        assert_eq!(table.key_of("c5"), None);
        assert_eq!(table.key_of("c95"), Some(keys[95]));
        assert_eq!(table.key_of("nope"), None);
        assert_eq!(table.sizes(), (100, 90, 10, 10));
    }
}
