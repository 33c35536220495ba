//! The `supervisor_children` gauge: how many children of each supervisor
//! are in each state, read from snapshots of the tree.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use super::labels::{PathLabels, STATES};
use crate::snapshot::TreeSnapshot;

/// Children by state, for each supervisor's `path` label.
pub(super) type Counts = BTreeMap<Arc<str>, [u64; STATES.len()]>;

/// The gauge's series set so far, so that a supervisor that has left the
/// tree reads zero children rather than its last count.
#[derive(Debug, Default)]
pub(super) struct ChildrenGauge {
    reported: BTreeSet<Arc<str>>,
}

impl ChildrenGauge {
    /// Sets the gauge from `snapshot`.
    pub(super) fn report(&mut self, snapshot: &TreeSnapshot, labels: &mut PathLabels) {
        let mut counts = count(snapshot, labels);
        for gone in &self.reported {
            counts.entry(Arc::clone(gone)).or_default();
        }
        for (path, by_state) in counts {
            for (state, value) in STATES.iter().zip(by_state) {
                let path = Arc::clone(&path);
                ::metrics::gauge!(super::CHILDREN, "path" => path, "state" => state.as_str())
                    .set(value as f64);
            }
            self.reported.insert(path);
        }
    }
}

/// How many children of each supervisor in `snapshot` (nested trees
/// included) are in each state, keyed by the supervisor's label.
pub(super) fn count(snapshot: &TreeSnapshot, labels: &mut PathLabels) -> Counts {
    let mut counts = Counts::new();
    add(snapshot, labels, &mut counts);
    counts
}

fn add(tree: &TreeSnapshot, labels: &mut PathLabels, counts: &mut Counts) {
    let by_state = counts.entry(labels.label(&tree.path)).or_default();
    for child in &tree.children {
        if let Some(index) = STATES.iter().position(|&state| state == child.state) {
            by_state[index] += 1;
        }
    }
    for nested in tree.children.iter().filter_map(|child| child.tree.as_ref()) {
        add(nested, labels, counts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        snapshot::{ChildSnapshot, ChildState},
        spec::SupervisorSpec,
    };

    fn child(path: &str, state: ChildState) -> ChildSnapshot {
        ChildSnapshot::example(path, state)
    }

    fn tree(path: &str, children: Vec<ChildSnapshot>) -> TreeSnapshot {
        TreeSnapshot {
            path: path.into(),
            children,
        }
    }

    #[test]
    fn each_supervisor_counts_its_own_children_by_state() {
        let mut ingest = child("app/ingest", ChildState::Running);
        ingest.tree = Some(tree(
            "app/ingest",
            vec![
                child("app/ingest/a", ChildState::BackingOff),
                child("app/ingest/b", ChildState::Running),
            ],
        ));
        let snapshot = tree(
            "app",
            vec![
                ingest,
                child("app/api", ChildState::Running),
                child("app/web", ChildState::Pending),
            ],
        );
        let mut labels = PathLabels::declared(&SupervisorSpec::new("app"), 10);
        let counts = count(&snapshot, &mut labels);
        let named = |path: &str| -> Vec<(&str, u64)> {
            STATES
                .iter()
                .zip(counts[path])
                .filter(|(_, n)| *n > 0)
                .map(|(state, n)| (state.as_str(), n))
                .collect()
        };
        assert_eq!(named("app"), [("pending", 1), ("running", 2)]);
        assert_eq!(named("app/ingest"), [("running", 1), ("backing_off", 1)]);
    }

    #[test]
    fn supervisors_past_the_path_limit_add_up_under_other() {
        let nested = |path: &str| {
            let mut sup = child(path, ChildState::Running);
            sup.tree = Some(tree(path, vec![child("x", ChildState::Running)]));
            sup
        };
        let snapshot = tree("app", vec![nested("app/a"), nested("app/b")]);
        let mut labels = PathLabels::declared(&SupervisorSpec::new("app"), 0);
        let counts = count(&snapshot, &mut labels);
        let running = STATES
            .iter()
            .position(|&state| state == ChildState::Running)
            .unwrap();
        assert_eq!(counts["other"][running], 2);
        assert_eq!(counts.len(), 2);
    }
}
