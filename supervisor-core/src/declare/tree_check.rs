//! The rules of the table that a derived tree can break beyond what each
//! child's own macro sees (a child's id against its siblings', a
//! `#[child]` override against the child's own declaration), judged in
//! const evaluation with the table's own predicates.
//!
//! `#[derive(Supervisor)]` collects the [`ChildFacts`] of every field in a
//! const array and emits one `const _` item per [`TreeCheck`] a field needs;
//! a check that fails panics there with the rule's message, fix and name,
//! so the compile error points at the field or the override. Rules and
//! texts come from [`crate::rules`], the table
//! [`SupervisorSpec::validate`](crate::SupervisorSpec::validate) uses.

use std::time::Duration;

use crate::rules::{self, Facts, Key, Keys, PrimarySibling, Role, Rule, Runs, Siblings, str_eq};
use crate::spec::{BackoffPolicy, RestartLimit, RestartPolicy, Severity, ShutdownPolicy, TaskRole};

/// What a child's task is, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskShape {
    /// A task that takes a `ChildContext`.
    WithContext,
    /// A task that takes no argument.
    WithoutContext,
    /// A nested tree.
    Tree,
}

/// What the compile-time checks know about one child of a tree.
///
/// The macros build it with the same setters, in the same order, as the
/// child's [`ChildSpec`](crate::ChildSpec): each records a fact.
#[derive(Debug, Clone, Copy)]
pub struct ChildFacts {
    /// What the rules read about the child, its siblings aside.
    facts: Facts<'static>,
    /// Which of those facts are known: all for a `#[supervised]` fn or a
    /// derived tree; the id, role and primary for a hand-written impl or
    /// the stub beside a compile error, whose other rules are left to run
    /// time.
    known: Keys,
    /// The id the child declares itself, before a tree's `#[child(id = ...)]`
    /// changes it; what a sidecar's `primary = <fn>` resolves to.
    declared_id: &'static str,
    /// For a sidecar, its primary's id.
    primary: Option<&'static str>,
}

impl ChildFacts {
    /// A child known only by its id, role and primary.
    pub const fn opaque(id: &'static str, role: TaskRole, primary: Option<&'static str>) -> Self {
        let mut facts = Facts::new(id, role.fact(), Runs::Task { context: true });
        facts.has_primary = primary.is_some();
        ChildFacts {
            facts,
            known: Keys::of(&[Key::Id, Key::Role, Key::Primary]),
            declared_id: id,
            primary,
        }
    }

    /// A `#[supervised]` fn, fully known; the setters add what it declares.
    pub const fn task(
        id: &'static str,
        role: TaskRole,
        primary: Option<&'static str>,
        shape: TaskShape,
    ) -> Self {
        let mut child = ChildFacts::opaque(id, role, primary);
        child.facts.runs = match shape {
            TaskShape::WithContext => Runs::Task { context: true },
            TaskShape::WithoutContext => Runs::Task { context: false },
            TaskShape::Tree => Runs::Tree,
        };
        child.known = Keys::DECLARATION;
        child
    }

    /// A nested tree.
    pub const fn tree(id: &'static str) -> Self {
        ChildFacts::task(id, TaskRole::Supervisor, None, TaskShape::Tree)
    }

    /// The same child under another id (`#[child(id = ...)]`); its declared
    /// id stays.
    pub const fn with_id(mut self, id: &'static str) -> Self {
        self.facts.id = id;
        self
    }

    const fn knows(mut self, key: Key) -> Self {
        self.known = self.known.with(key);
        self
    }

    /// Records a restart policy.
    pub const fn restart(mut self, restart: RestartPolicy) -> Self {
        self.facts.restart = Some(restart.fact());
        self.knows(Key::Restart)
    }

    /// Records a backoff.
    pub const fn backoff(mut self, backoff: BackoffPolicy) -> Self {
        self.facts.backoff = Some(backoff.fact());
        self.knows(Key::Backoff)
    }

    /// Records a restart limit.
    pub const fn restart_limit(mut self, limit: RestartLimit) -> Self {
        self.facts.restart_limit = Some(limit.fact());
        self.knows(Key::RestartLimit)
    }

    /// Takes a shutdown policy, which no rule reads.
    pub const fn shutdown(self, _shutdown: ShutdownPolicy) -> Self {
        self
    }

    /// Records a timeout.
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.facts.timeout = Some(timeout);
        self.knows(Key::Timeout)
    }

    /// Records a ready timeout.
    pub const fn ready_timeout(mut self, ready_timeout: Duration) -> Self {
        self.facts.ready_timeout = Some(ready_timeout);
        self.knows(Key::ReadyTimeout)
    }

    /// Records a heartbeat.
    pub const fn heartbeat(mut self, period: Duration) -> Self {
        self.facts.heartbeat = Some(period);
        self.knows(Key::Heartbeat)
    }

    /// Records a job's period.
    pub const fn every(mut self, period: Duration) -> Self {
        self.facts.every = Some(period);
        self.knows(Key::Every)
    }

    /// Takes a severity, which no rule reads.
    pub const fn severity(self, _severity: Severity) -> Self {
        self
    }

    /// Records `significant`.
    pub const fn significant(mut self, significant: bool) -> Self {
        self.facts.significant = Some(significant);
        self.knows(Key::Significant)
    }

    const fn is_tree(&self) -> bool {
        matches!(self.facts.runs, Runs::Tree)
    }

    /// Whether a tree's `#[child(id = ...)]` changed the child's id.
    const fn is_renamed(&self) -> bool {
        !str_eq(self.facts.id, self.declared_id)
    }
}

/// One rule judged at one field of one child of a tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeCheck {
    rule: &'static Rule,
    at: Key,
}

impl TreeCheck {
    /// The rule named `rule`, judged at `at`.
    ///
    /// # Panics
    ///
    /// If the table has no rule of that name: in const evaluation, a
    /// compile error.
    pub const fn new(rule: &str, at: Key) -> Self {
        match rules::find(rule) {
            Some(rule) => TreeCheck { rule, at },
            None => panic!("no rule of this name in the table"),
        }
    }

    /// Judges `children[index]` of the tree `tree`; `fields` names the
    /// children as the struct does. `None` when the rule holds, or when it
    /// reads a fact of the child that is not known.
    pub const fn run(
        self,
        children: &[ChildFacts],
        fields: &[&str],
        tree: &str,
        index: usize,
    ) -> Option<Defect> {
        let child = &children[index];
        if !self
            .rule
            .can_judge(child.known.with(Key::Siblings), self.at)
        {
            return None;
        }
        let mut facts = child.facts;
        facts.siblings = siblings(children, index);
        if !self.rule.is_broken(&facts, self.at) {
            return None;
        }
        let rule = self.rule;
        let Some(primary) = child.primary else {
            return Some(about(rule, &facts, children, fields, tree, index));
        };
        let named = Named {
            field: fields[index],
            tree,
            primary,
        };
        Some(
            match (position(children, primary), facts.siblings.primary) {
                (None, PrimarySibling::Missing) if rule.is(&rules::PRIMARY_NOT_IN_TREE) => {
                    missing_primary(named, children, fields)
                }
                (Some(found), _) if rule.is(&rules::PRIMARY_STARTS_AFTER) => named
                    .sidecar()
                    .push(", which is the later child `")
                    .push(fields[found])
                    .push("`")
                    .finish(rule),
                (Some(found), _) if rule.is(&rules::PRIMARY_IS_SIDECAR) => {
                    sidecar_primary(named, fields, index, found)
                }
                _ => about(rule, &facts, children, fields, tree, index),
            },
        )
    }
}

/// What the siblings of `children[index]` tell the rules.
const fn siblings(children: &[ChildFacts], index: usize) -> Siblings {
    let child = &children[index];
    let id_taken = matches!(position(children, child.facts.id), Some(first) if first < index);
    let primary = match child.primary {
        None => PrimarySibling::NotNamed,
        Some(primary) => match position(children, primary) {
            None => PrimarySibling::Missing,
            Some(found) => PrimarySibling::Found {
                later: found > index,
                sidecar: matches!(children[found].facts.role, Role::Sidecar),
            },
        },
    };
    Siblings { id_taken, primary }
}

/// The first sibling with this id, as the runtime finds it.
const fn position(children: &[ChildFacts], id: &str) -> Option<usize> {
    let mut index = 0;
    while index < children.len() {
        if str_eq(children[index].facts.id, id) {
            return Some(index);
        }
        index += 1;
    }
    None
}

/// The message of a rule about one child: "`App.api`: " and the rule's
/// message, or, for a duplicate id, both children.
const fn about(
    rule: &Rule,
    facts: &Facts<'_>,
    children: &[ChildFacts],
    fields: &[&str],
    tree: &str,
    index: usize,
) -> Defect {
    match position(children, facts.id) {
        Some(first) if first < index && rule.is(&rules::DUPLICATE_CHILD_ID) => Defect::new()
            .push("children `")
            .push(fields[first])
            .push("` and `")
            .push(fields[index])
            .push("` of `")
            .push(tree)
            .push("` have the same id \"")
            .push(facts.id)
            .push("\"")
            .finish(rule),
        _ => Defect::at(tree, fields[index])
            .push(rule.message)
            .push_role_default(rule, facts)
            .finish(rule),
    }
}

/// A sidecar of a tree and the primary it names.
#[derive(Clone, Copy)]
struct Named<'a> {
    field: &'a str,
    tree: &'a str,
    primary: &'a str,
}

impl Named<'_> {
    /// "sidecar `metrics` of `App` names primary "api"".
    const fn sidecar(&self) -> Defect {
        self.names()
            .push("primary \"")
            .push(self.primary)
            .push("\"")
    }

    /// "sidecar `metrics` of `App` names ".
    const fn names(&self) -> Defect {
        Defect::new()
            .push("sidecar `")
            .push(self.field)
            .push("` of `")
            .push(self.tree)
            .push("` names ")
    }
}

/// `primary_not_in_tree`, or, when the primary is in the tree under the id
/// a `#[child(id = ...)]` gave it, that and how to keep the two in step.
const fn missing_primary(named: Named<'_>, children: &[ChildFacts], fields: &[&str]) -> Defect {
    match renamed_position(children, named.primary) {
        Some(found) => renamed_primary(named.sidecar(), &children[found], fields[found]),
        None => named
            .sidecar()
            .push(", which is not a child of `")
            .push(named.tree)
            .push("`")
            .finish(&rules::PRIMARY_NOT_IN_TREE),
    }
}

/// `primary_is_sidecar`: the primary is another sidecar, or the child
/// itself.
const fn sidecar_primary(named: Named<'_>, fields: &[&str], index: usize, found: usize) -> Defect {
    let rule = &rules::PRIMARY_IS_SIDECAR;
    if found == index {
        return named
            .names()
            .push("itself as its primary")
            .finish_with("name the child it serves as the primary", rule);
    }
    named
        .sidecar()
        .push(", which is the child `")
        .push(fields[found])
        .push("`, a sidecar itself")
        .finish(rule)
}

/// The first sibling that declares this id itself but was given another by
/// `#[child(id = ...)]`.
const fn renamed_position(children: &[ChildFacts], declared_id: &str) -> Option<usize> {
    let mut index = 0;
    while index < children.len() {
        let child = &children[index];
        if child.is_renamed() && str_eq(child.declared_id, declared_id) {
            return Some(index);
        }
        index += 1;
    }
    None
}

/// The message when the primary is in the tree under a new id.
const fn renamed_primary(sidecar: Defect, primary: &ChildFacts, field: &str) -> Defect {
    let attribute = if primary.is_tree() {
        "#[supervisor(id = \""
    } else {
        "#[supervised(id = \""
    };
    let id = primary.facts.id;
    sidecar
        .push(", the id that `#[child(id = \"")
        .push(id)
        .push("\")]` on field `")
        .push(field)
        .push("` replaced; fix: write primary = \"")
        .push(id)
        .push("\" in the sidecar's declaration, or set the id in the primary's own `")
        .push(attribute)
        .push(id)
        .push("\")]` instead of on the field (a sidecar's `primary = <path>` follows it) [")
        .push(rules::PRIMARY_NOT_IN_TREE.name)
        .push("]")
}

const DEFECT_CAPACITY: usize = 1024;

/// The message of a failed check, built in const evaluation; longer text is
/// cut off.
#[derive(Clone, Copy)]
pub struct Defect {
    bytes: [u8; DEFECT_CAPACITY],
    len: usize,
}

impl Defect {
    const fn new() -> Self {
        Defect {
            bytes: [0; DEFECT_CAPACITY],
            len: 0,
        }
    }

    /// A message about one field: "`App.api`: ".
    const fn at(tree: &str, field: &str) -> Self {
        Defect::new()
            .push("`")
            .push(tree)
            .push(".")
            .push(field)
            .push("`: ")
    }

    const fn push(mut self, text: &str) -> Self {
        let text = text.as_bytes();
        let mut index = 0;
        while index < text.len() && self.len < DEFECT_CAPACITY {
            self.bytes[self.len] = text[index];
            self.len += 1;
            index += 1;
        }
        self
    }

    /// Ends the message with the rule's fix and name.
    const fn finish(self, rule: &Rule) -> Self {
        self.finish_with(rule.fix, rule)
    }

    /// Ends the message with a fix fitted to the case, and the rule's name.
    const fn finish_with(self, fix: &str, rule: &Rule) -> Self {
        self.push("; fix: ")
            .push(fix)
            .push(" [")
            .push(rule.name)
            .push("]")
    }

    /// " (role "service" restarts "permanent" by default)", when `rule`
    /// reads the restart policy and `child` takes its role's.
    const fn push_role_default(self, rule: &Rule, child: &Facts<'_>) -> Self {
        if !(Keys::of(rule.reads).contains(Key::Restart) && child.restart_is_role_default()) {
            return self;
        }
        self.push(" (role \"")
            .push(child.role.as_str())
            .push("\" restarts \"")
            .push(child.effective_restart().as_str())
            .push("\" by default)")
    }

    /// The message.
    pub const fn as_str(&self) -> &str {
        let (text, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(text) {
            Ok(text) => text,
            Err(error) => match core::str::from_utf8(text.split_at(error.valid_up_to()).0) {
                Ok(text) => text,
                Err(_) => "",
            },
        }
    }
}

impl core::fmt::Debug for Defect {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn worker(id: &'static str) -> ChildFacts {
        ChildFacts::task(id, TaskRole::Worker, None, TaskShape::WithContext)
    }

    const fn sidecar(id: &'static str, primary: &'static str) -> ChildFacts {
        ChildFacts::task(id, TaskRole::Sidecar, Some(primary), TaskShape::WithContext)
    }

    const DUPLICATE_ID: TreeCheck = TreeCheck::new("duplicate_child_id", Key::Id);
    const NOT_IN_TREE: TreeCheck = TreeCheck::new("primary_not_in_tree", Key::Primary);
    const STARTS_AFTER: TreeCheck = TreeCheck::new("primary_starts_after", Key::Primary);
    const PRIMARY_ROLE: TreeCheck = TreeCheck::new("primary_is_sidecar", Key::Primary);
    const JOB_PERMANENT: TreeCheck = TreeCheck::new("job_permanent", Key::Restart);
    const HEARTBEAT_ON_TREE: TreeCheck = TreeCheck::new("heartbeat_on_tree", Key::Heartbeat);
    const SIGNIFICANT: TreeCheck = TreeCheck::new("significant_permanent", Key::Significant);

    fn message(check: TreeCheck, children: &[ChildFacts], index: usize) -> Option<String> {
        let fields: Vec<&str> = children.iter().map(|c| c.facts.id).collect();
        check
            .run(children, &fields, "App", index)
            .map(|defect| defect.as_str().to_owned())
    }

    #[test]
    fn duplicate_id_names_both_children_at_the_later_one() {
        let children = [worker("api"), worker("db"), worker("api")];
        assert_eq!(message(DUPLICATE_ID, &children, 0), None);
        let text = message(DUPLICATE_ID, &children, 2).unwrap();
        assert!(
            text.starts_with("children `api` and `api` of `App`"),
            "{text}"
        );
        assert!(text.ends_with("[duplicate_child_id]"), "{text}");
    }

    #[test]
    fn sidecar_before_its_primary_or_without_it_is_placed_wrong() {
        let before = [sidecar("metrics", "api"), worker("api")];
        let text = message(STARTS_AFTER, &before, 0).unwrap();
        assert!(text.ends_with("[primary_starts_after]"), "{text}");
        assert_eq!(message(NOT_IN_TREE, &before, 0), None);
        let missing = [worker("api"), sidecar("metrics", "db")];
        let text = message(NOT_IN_TREE, &missing, 1).unwrap();
        assert!(text.ends_with("[primary_not_in_tree]"), "{text}");
        let right = [worker("api"), sidecar("metrics", "api")];
        assert_eq!(message(NOT_IN_TREE, &right, 1), None);
        assert_eq!(message(STARTS_AFTER, &right, 1), None);
    }

    #[test]
    fn overrides_are_judged_where_every_fact_they_need_is_known() {
        let job = ChildFacts::task("migrate", TaskRole::Job, None, TaskShape::WithoutContext)
            .restart(RestartPolicy::Permanent);
        let text = message(JOB_PERMANENT, &[job], 0).unwrap();
        assert!(text.starts_with("`App.migrate`: a job cannot"), "{text}");
        let opaque = ChildFacts::opaque("migrate", TaskRole::Job, None);
        assert_eq!(message(SIGNIFICANT, &[opaque.significant(true)], 0), None);
        let text = message(
            JOB_PERMANENT,
            &[opaque.restart(RestartPolicy::Permanent)],
            0,
        );
        assert!(text.unwrap().ends_with("[job_permanent]"));
    }

    #[test]
    fn a_primary_renamed_by_the_tree_is_named_as_renamed_not_as_missing() {
        let children = [
            ChildFacts::task("api", TaskRole::Service, None, TaskShape::WithContext)
                .with_id("edge"),
            sidecar("metrics", "api"),
        ];
        let text = message(NOT_IN_TREE, &children, 1).unwrap();
        assert!(!text.contains("not a child"), "{text}");
        assert!(
            text.contains("the id that `#[child(id = \"edge\")]` on field `edge` replaced"),
            "{text}"
        );
        assert!(text.contains("`#[supervised(id = \"edge\")]`"), "{text}");
        assert!(text.ends_with("[primary_not_in_tree]"), "{text}");
        let tree = [
            ChildFacts::tree("ingest").with_id("ingest-eu"),
            sidecar("probe", "ingest"),
        ];
        let text = message(NOT_IN_TREE, &tree, 1).unwrap();
        assert!(
            text.contains("`#[supervisor(id = \"ingest-eu\")]`"),
            "{text}"
        );
    }

    #[test]
    fn a_sidecar_naming_itself_is_told_so() {
        let children = [sidecar("metrics", "metrics")];
        let text = message(PRIMARY_ROLE, &children, 0).unwrap();
        assert!(text.contains("names itself as its primary"), "{text}");
        assert!(text.ends_with("[primary_is_sidecar]"), "{text}");
    }

    #[test]
    fn heartbeat_on_a_nested_tree_is_rejected_and_on_a_task_is_not() {
        let beat = Duration::from_secs(10);
        let pool = ChildFacts::tree("pool").heartbeat(beat);
        let text = message(HEARTBEAT_ON_TREE, &[pool], 0).unwrap();
        assert!(
            text.starts_with("`App.pool`: `heartbeat` needs a task"),
            "{text}"
        );
        assert!(text.ends_with("[heartbeat_on_tree]"), "{text}");
        assert_eq!(
            message(HEARTBEAT_ON_TREE, &[worker("api").heartbeat(beat)], 0),
            None
        );
    }

    #[test]
    fn significant_on_a_permanent_role_says_the_role_is_why() {
        let api = ChildFacts::task("api", TaskRole::Service, None, TaskShape::WithContext)
            .significant(true);
        let text = message(SIGNIFICANT, &[api], 0).unwrap();
        assert!(
            text.contains("(role \"service\" restarts \"permanent\" by default)"),
            "{text}"
        );
    }

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let mut defect = Defect::new();
        for _ in 0..DEFECT_CAPACITY {
            defect = defect.push("é");
        }
        assert!(defect.as_str().len() <= DEFECT_CAPACITY);
        assert!(defect.as_str().chars().all(|c| c == 'é'));
    }
}
