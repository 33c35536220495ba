//! Judges specs at run time: a whole tree (`SupervisorSpec::validate`) or
//! one child added to a running supervisor (`add_child`), with the table's
//! predicates over each child's facts.

use std::collections::HashMap;

use super::{
    Facts, Key, Keys, PrimarySibling, Role, Rule, Runs, Siblings, SpecError, Violation, broken,
    detail,
};
use crate::spec::{ChildSpec, RestartLimit, SupervisorSpec, TaskRole};

/// Where a child sits among its siblings: its facts about them, and what
/// the particulars of a violation name.
pub(super) struct Place<'a> {
    /// The supervisor's id, or its path for a child added at run time.
    pub(super) parent: &'a str,
    /// The child's index, unless it is being added.
    pub(super) index: Option<usize>,
    /// The index of the first sibling with the same id, if earlier.
    pub(super) same_id: Option<usize>,
    /// The id of the primary the child names.
    pub(super) primary: Option<&'a str>,
    /// The index of that primary among the siblings.
    pub(super) primary_index: Option<usize>,
    /// What the siblings tell the rules.
    pub(super) siblings: Siblings,
}

impl<'a> Place<'a> {
    /// `spec.children[index]`, given the index of the first child of each id.
    fn in_tree(spec: &'a SupervisorSpec, index: usize, first: &HashMap<&str, usize>) -> Self {
        let child = &spec.children[index];
        let same_id = first
            .get(child.id.as_str())
            .copied()
            .filter(|&at| at < index);
        let primary = child.primary.as_deref();
        let primary_index = primary.and_then(|id| first.get(id).copied());
        let found = primary_index.map(|at| (at > index, spec.children[at].role));
        Place {
            parent: &spec.id,
            index: Some(index),
            same_id,
            primary,
            primary_index,
            siblings: siblings(same_id.is_some(), primary, found),
        }
    }

    /// `child`, joining the end of the supervisor at `parent`.
    fn added(
        parent: &'a str,
        child: &'a ChildSpec,
        sibling_role: impl Fn(&str) -> Option<TaskRole>,
    ) -> Self {
        let primary = child.primary.as_deref();
        let found = primary.and_then(&sibling_role).map(|role| (false, role));
        Place {
            parent,
            index: None,
            same_id: None,
            primary,
            primary_index: None,
            siblings: siblings(sibling_role(&child.id).is_some(), primary, found),
        }
    }

    /// A supervisor judged for its own settings.
    fn supervisor() -> Self {
        Place {
            parent: "",
            index: None,
            same_id: None,
            primary: None,
            primary_index: None,
            siblings: Siblings::NONE,
        }
    }
}

/// The siblings' facts: whether the id is taken, and where the primary is
/// (`found`: whether it starts later, and its role).
fn siblings(id_taken: bool, primary: Option<&str>, found: Option<(bool, TaskRole)>) -> Siblings {
    let primary = match (primary, found) {
        (None, _) => PrimarySibling::NotNamed,
        (Some(_), None) => PrimarySibling::Missing,
        (Some(_), Some((later, role))) => PrimarySibling::Found {
            later,
            sidecar: role == TaskRole::Sidecar,
        },
    };
    Siblings { id_taken, primary }
}

/// Collects violations while a tree is walked.
#[derive(Default)]
struct Findings {
    violations: Vec<Violation>,
}

impl Findings {
    /// Every rule among those `known` allows that `facts` break.
    fn judge(&mut self, facts: &Facts<'_>, known: Keys, place: &Place<'_>, path: &str) {
        for (rule, at) in broken(facts, known) {
            self.report(rule, at, path, detail::of(rule, at, facts, place));
        }
    }

    fn report(&mut self, rule: &'static Rule, at: Key, path: &str, detail: String) {
        self.violations.push(Violation {
            rule,
            path: path.to_owned(),
            field: at.name(),
            detail,
        });
    }

    /// Judges `child` in its `place`, then the tree it runs, if any.
    fn judge_child(&mut self, child: &ChildSpec, place: &Place<'_>, path: &str) {
        let mut facts = child.facts();
        facts.siblings = place.siblings;
        self.judge(&facts, Keys::ALL, place, path);
        if let Some(tree) = &child.tree {
            self.judge_supervisor(tree, path);
        }
    }

    /// Judges the supervisor's own restart limit, then every child.
    fn judge_supervisor(&mut self, spec: &SupervisorSpec, path: &str) {
        self.judge_own_limit(&spec.restart_limit, &spec.id, path);
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(spec.children.len());
        for (index, child) in spec.children.iter().enumerate() {
            first.entry(child.id.as_str()).or_insert(index);
        }
        let mut child_path = String::with_capacity(path.len() + 32);
        for (index, child) in spec.children.iter().enumerate() {
            set_child_path(&mut child_path, path, &child.id);
            self.judge_child(child, &Place::in_tree(spec, index, &first), &child_path);
        }
    }

    /// The rules of a restart limit, for a supervisor's own.
    fn judge_own_limit(&mut self, limit: &RestartLimit, id: &str, path: &str) {
        let mut facts = Facts::new(id, Role::Supervisor, Runs::Tree);
        facts.restart_limit = Some(limit.fact());
        let known = Keys::NONE.with(Key::RestartLimit);
        self.judge(&facts, known, &Place::supervisor(), path);
    }
}

/// Writes `parent/id` into `buffer`, reusing its allocation, so that a tree
/// with many children does not format a path per child.
fn set_child_path(buffer: &mut String, parent: &str, id: &str) {
    buffer.clear();
    buffer.push_str(parent);
    buffer.push('/');
    buffer.push_str(id);
}

/// Checks a whole tree, nested trees included.
pub(crate) fn check_tree(spec: &SupervisorSpec) -> Result<(), SpecError> {
    let mut findings = Findings::default();
    findings.judge_supervisor(spec, &spec.id);
    SpecError::from_findings(findings.violations)
}

/// Checks a child added at run time to the supervisor at `parent`, whose
/// current children's roles `sibling_role` looks up by id. The child joins
/// at the end of the start order.
pub(crate) fn check_addition(
    parent: &str,
    child: &ChildSpec,
    sibling_role: impl Fn(&str) -> Option<TaskRole>,
) -> Result<(), SpecError> {
    let mut findings = Findings::default();
    let path = format!("{parent}/{}", child.id);
    findings.judge_child(child, &Place::added(parent, child, sibling_role), &path);
    SpecError::from_findings(findings.violations)
}
