//! What a tree's snapshot tells systemd: `READY=1` once, the first time the
//! tree is ready, and a `STATUS=` line whenever its text changes.

use crate::snapshot::{ChildState, TreeSnapshot};

/// What has been told so far.
#[derive(Debug, Default)]
pub(super) struct Announced {
    ready: bool,
    status: String,
}

/// What a snapshot calls for, beyond what has been told.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Update<'a> {
    /// Send `READY=1`: the tree is ready for the first time.
    pub(super) ready: bool,
    /// Send `STATUS=` with this text: it changed.
    pub(super) status: Option<&'a str>,
}

impl Announced {
    /// What `snapshot` calls for, taken as told.
    pub(super) fn update(&mut self, snapshot: &TreeSnapshot) -> Update<'_> {
        let ready = !self.ready && snapshot.readiness().ready;
        self.ready |= ready;
        let status = status_line(snapshot);
        let changed = status != self.status;
        if changed {
            self.status = status;
        }
        Update {
            ready,
            status: changed.then_some(self.status.as_str()),
        }
    }
}

/// The states in the order a status line names them.
const ORDER: [ChildState; 6] = [
    ChildState::Running,
    ChildState::Starting,
    ChildState::BackingOff,
    ChildState::Pending,
    ChildState::Stopping,
    ChildState::Stopped,
];

/// How many children of the whole tree (nested trees included) are in each
/// state, such as `12 children running, 1 backing off`; states with no
/// child are left out.
pub(super) fn status_line(snapshot: &TreeSnapshot) -> String {
    let children = snapshot.walk();
    let counts = ORDER.iter().filter_map(|&state| {
        let count = children.iter().filter(|child| child.state == state).count();
        (count > 0).then_some((count, state.as_str().replace('_', " ")))
    });
    let mut line = String::new();
    for (count, name) in counts {
        if line.is_empty() {
            let noun = if count == 1 { "child" } else { "children" };
            line = format!("{count} {noun} {name}");
        } else {
            line.push_str(&format!(", {count} {name}"));
        }
    }
    if line.is_empty() {
        line.push_str("no children");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::ChildSnapshot;

    fn child(id: &str, state: ChildState) -> ChildSnapshot {
        let mut child = ChildSnapshot::example(&format!("app/{id}"), state);
        child.severity = crate::spec::Severity::Critical;
        child
    }

    fn tree(children: Vec<ChildSnapshot>) -> TreeSnapshot {
        TreeSnapshot {
            path: "app".into(),
            children,
        }
    }

    #[test]
    fn the_status_counts_children_by_state_in_a_fixed_order() {
        let mut children: Vec<ChildSnapshot> = (0..12)
            .map(|n| child(&format!("w{n}"), ChildState::Running))
            .collect();
        children.insert(3, child("api", ChildState::BackingOff));
        assert_eq!(
            status_line(&tree(children)),
            "12 children running, 1 backing off"
        );
        let one = tree(vec![
            child("a", ChildState::Pending),
            child("b", ChildState::Running),
        ]);
        assert_eq!(status_line(&one), "1 child running, 1 pending");
        assert_eq!(status_line(&tree(Vec::new())), "no children");
    }

    #[test]
    fn nested_children_count_in_the_status() {
        let mut ingest = child("ingest", ChildState::Running);
        ingest.tree = Some(TreeSnapshot {
            path: "app/ingest".into(),
            children: vec![child("ingest/reader", ChildState::Starting)],
        });
        assert_eq!(
            status_line(&tree(vec![ingest])),
            "1 child running, 1 starting"
        );
    }

    #[test]
    fn ready_is_announced_once_and_the_status_only_when_it_changes() {
        let mut announced = Announced::default();
        let starting = tree(vec![child("db", ChildState::Starting)]);
        let running = tree(vec![child("db", ChildState::Running)]);
        let backing_off = tree(vec![child("db", ChildState::BackingOff)]);
        let expect = |ready, status| Update { ready, status };
        assert_eq!(
            announced.update(&starting),
            expect(false, Some("1 child starting"))
        );
        assert_eq!(announced.update(&starting), expect(false, None));
        assert_eq!(
            announced.update(&running),
            expect(true, Some("1 child running"))
        );
        assert_eq!(
            announced.update(&backing_off),
            expect(false, Some("1 child backing off"))
        );
        assert_eq!(
            announced.update(&running),
            expect(false, Some("1 child running"))
        );
        assert_eq!(announced.update(&running), expect(false, None));
    }
}
