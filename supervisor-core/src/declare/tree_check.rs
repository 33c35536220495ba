//! The rules of the table that span several items of a derived tree (a
//! child's id against its siblings', a `#[child]` override against the
//! child's own declaration), judged in const evaluation.
//!
//! `#[derive(Supervisor)]` collects the [`ChildFacts`] of every field in a
//! const array and emits one `const _` item per check and field; a check that
//! fails panics there with the rule's message, fix and name, so the compile
//! error points at the field. Messages come from [`crate::rules`], the same
//! table [`SupervisorSpec::validate`](crate::SupervisorSpec::validate) uses.

use crate::rules::{self, Rule};
use crate::spec::{RestartPolicy, TaskRole};

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
#[derive(Debug, Clone, Copy)]
pub struct ChildFacts {
    /// The child's id.
    pub id: &'static str,
    /// The id the child declares itself, before a tree's `#[child(id = ...)]`
    /// changes it; what a sidecar's `primary = <fn>` resolves to.
    pub declared_id: &'static str,
    /// The child's role.
    pub role: TaskRole,
    /// For a sidecar, its primary's id.
    pub primary: Option<&'static str>,
    /// The declared restart policy, if any.
    pub restart: Option<RestartPolicy>,
    /// The declared `significant`, if any.
    pub significant: Option<bool>,
    /// Whether a backoff is declared.
    pub backoff: bool,
    /// Whether a restart limit is declared.
    pub restart_limit: bool,
    /// The task's shape; `None` when it is not known (a hand-written impl,
    /// or the stub beside a compile error): the checks that need the full
    /// declaration are then left to run time.
    pub task: Option<TaskShape>,
}

impl ChildFacts {
    /// A child known only by its id, role and primary.
    pub const fn opaque(id: &'static str, role: TaskRole, primary: Option<&'static str>) -> Self {
        ChildFacts {
            id,
            declared_id: id,
            role,
            primary,
            restart: None,
            significant: None,
            backoff: false,
            restart_limit: false,
            task: None,
        }
    }

    /// A `#[supervised]` fn, fully known; the `declares_*` methods add what
    /// it sets.
    pub const fn task(
        id: &'static str,
        role: TaskRole,
        primary: Option<&'static str>,
        shape: TaskShape,
    ) -> Self {
        let mut facts = ChildFacts::opaque(id, role, primary);
        facts.task = Some(shape);
        facts
    }

    /// A nested tree.
    pub const fn tree(id: &'static str) -> Self {
        let mut facts = ChildFacts::opaque(id, TaskRole::Supervisor, None);
        facts.task = Some(TaskShape::Tree);
        facts
    }

    /// The same child under another id (`#[child(id = ...)]`); its declared
    /// id stays.
    pub const fn with_id(mut self, id: &'static str) -> Self {
        self.id = id;
        self
    }

    /// Adds a declared restart policy.
    pub const fn declares_restart(mut self, restart: RestartPolicy) -> Self {
        self.restart = Some(restart);
        self
    }

    /// Adds a declared `significant`.
    pub const fn declares_significant(mut self, significant: bool) -> Self {
        self.significant = Some(significant);
        self
    }

    /// Adds a declared backoff.
    pub const fn declares_backoff(mut self) -> Self {
        self.backoff = true;
        self
    }

    /// Adds a declared restart limit.
    pub const fn declares_restart_limit(mut self) -> Self {
        self.restart_limit = true;
        self
    }

    const fn effective_restart(&self) -> RestartPolicy {
        match self.restart {
            Some(restart) => restart,
            None => self.role.defaults().restart,
        }
    }

    const fn is_sidecar(&self) -> bool {
        matches!(self.role, TaskRole::Sidecar)
    }

    const fn lacks_context(&self) -> bool {
        matches!(self.task, Some(TaskShape::WithoutContext))
    }

    const fn is_tree(&self) -> bool {
        matches!(self.task, Some(TaskShape::Tree))
    }

    /// Whether a tree's `#[child(id = ...)]` changed the child's id.
    const fn is_renamed(&self) -> bool {
        !str_eq(self.id, self.declared_id)
    }
}

/// One check of a child in its tree. Each judges one or more rules of
/// [`crate::rules`] exactly as [`SupervisorSpec::validate`](crate::SupervisorSpec::validate) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeCheck {
    /// `duplicate_child_id`: the child's id against every earlier sibling's.
    DuplicateId,
    /// `primary_not_in_tree` and `primary_starts_after`.
    PrimaryPlacement,
    /// `primary_is_sidecar`.
    PrimaryRole,
    /// `job_permanent`, after `#[child]` overrides.
    JobPermanent,
    /// `significant_permanent`, after `#[child]` overrides.
    SignificantPermanent,
    /// `temporary_with_backoff`, after `#[child]` overrides.
    TemporaryWithBackoff,
    /// `temporary_with_restart_limit`, after `#[child]` overrides.
    TemporaryWithRestartLimit,
    /// `heartbeat_without_context`, for a `#[child(heartbeat)]` override.
    HeartbeatWithoutContext,
    /// `heartbeat_on_tree`, for a `#[child(heartbeat)]` override.
    HeartbeatOnTree,
    /// `ready_timeout_without_context`, for a `#[child(ready_timeout)]` override.
    ReadyTimeoutWithoutContext,
}

impl TreeCheck {
    /// Judges `children[index]` of the tree `tree`; `fields` names the
    /// children as the struct does. `None` when the rule holds.
    pub const fn run(
        self,
        children: &[ChildFacts],
        fields: &[&str],
        tree: &str,
        index: usize,
    ) -> Option<Defect> {
        let child = &children[index];
        let at = Defect::at(tree, fields[index]);
        match self {
            TreeCheck::DuplicateId => duplicate_id(children, fields, tree, index),
            TreeCheck::PrimaryPlacement => primary_placement(children, fields, tree, index),
            TreeCheck::PrimaryRole => primary_role(children, fields, tree, index),
            _ if child.task.is_none() => None,
            TreeCheck::JobPermanent => {
                let holds = !(matches!(child.role, TaskRole::Job)
                    && matches!(child.restart, Some(RestartPolicy::Permanent)));
                at.unless(holds, &rules::JOB_PERMANENT)
            }
            TreeCheck::SignificantPermanent => {
                let holds = !(matches!(child.significant, Some(true))
                    && matches!(child.effective_restart(), RestartPolicy::Permanent));
                let rule = &rules::SIGNIFICANT_PERMANENT;
                match child.restart {
                    Some(_) => at.unless(holds, rule),
                    None if holds => None,
                    None => Some(
                        at.push(rule.message)
                            .push(" (role \"")
                            .push(child.role.as_str())
                            .push("\" restarts \"permanent\" by default)")
                            .finish(rule),
                    ),
                }
            }
            TreeCheck::TemporaryWithBackoff => {
                let temporary = matches!(child.effective_restart(), RestartPolicy::Temporary);
                at.unless(
                    !(temporary && child.backoff),
                    &rules::TEMPORARY_WITH_BACKOFF,
                )
            }
            TreeCheck::TemporaryWithRestartLimit => {
                let temporary = matches!(child.effective_restart(), RestartPolicy::Temporary);
                let rule = &rules::TEMPORARY_WITH_RESTART_LIMIT;
                at.unless(!(temporary && child.restart_limit), rule)
            }
            TreeCheck::HeartbeatWithoutContext => {
                at.unless(!child.lacks_context(), &rules::HEARTBEAT_WITHOUT_CONTEXT)
            }
            TreeCheck::HeartbeatOnTree => at.unless(!child.is_tree(), &rules::HEARTBEAT_ON_TREE),
            TreeCheck::ReadyTimeoutWithoutContext => {
                let rule = &rules::READY_TIMEOUT_WITHOUT_CONTEXT;
                at.unless(!child.lacks_context(), rule)
            }
        }
    }
}

/// The first sibling with this id, as the runtime finds it.
const fn position(children: &[ChildFacts], id: &str) -> Option<usize> {
    let mut index = 0;
    while index < children.len() {
        if str_eq(children[index].id, id) {
            return Some(index);
        }
        index += 1;
    }
    None
}

const fn duplicate_id(
    children: &[ChildFacts],
    fields: &[&str],
    tree: &str,
    index: usize,
) -> Option<Defect> {
    let id = children[index].id;
    match position(children, id) {
        Some(first) if first < index => Some(
            Defect::new()
                .push("children `")
                .push(fields[first])
                .push("` and `")
                .push(fields[index])
                .push("` of `")
                .push(tree)
                .push("` have the same id \"")
                .push(id)
                .push("\"")
                .finish(&rules::DUPLICATE_CHILD_ID),
        ),
        _ => None,
    }
}

const fn primary_placement(
    children: &[ChildFacts],
    fields: &[&str],
    tree: &str,
    index: usize,
) -> Option<Defect> {
    let child = &children[index];
    let Some(primary) = child.primary else {
        return None;
    };
    if !child.is_sidecar() {
        return None;
    }
    let sidecar = Defect::new()
        .push("sidecar `")
        .push(fields[index])
        .push("` of `")
        .push(tree)
        .push("` names primary \"")
        .push(primary)
        .push("\"");
    match position(children, primary) {
        None => match renamed_position(children, primary) {
            Some(found) => Some(renamed_primary(sidecar, &children[found], fields[found])),
            None => Some(
                sidecar
                    .push(", which is not a child of `")
                    .push(tree)
                    .push("`")
                    .finish(&rules::PRIMARY_NOT_IN_TREE),
            ),
        },
        Some(found) if found > index => Some(
            sidecar
                .push(", which is the later child `")
                .push(fields[found])
                .push("`")
                .finish(&rules::PRIMARY_STARTS_AFTER),
        ),
        Some(_) => None,
    }
}

const fn primary_role(
    children: &[ChildFacts],
    fields: &[&str],
    tree: &str,
    index: usize,
) -> Option<Defect> {
    let child = &children[index];
    let (true, Some(primary)) = (child.is_sidecar(), child.primary) else {
        return None;
    };
    let named = Defect::new()
        .push("sidecar `")
        .push(fields[index])
        .push("` of `")
        .push(tree)
        .push("` names ");
    match position(children, primary) {
        Some(found) if found == index => Some(named.push("itself as its primary").finish_with(
            "name the child it serves as the primary",
            &rules::PRIMARY_IS_SIDECAR,
        )),
        Some(found) if children[found].is_sidecar() => Some(
            named
                .push("primary \"")
                .push(primary)
                .push("\", which is the child `")
                .push(fields[found])
                .push("`, a sidecar itself")
                .finish(&rules::PRIMARY_IS_SIDECAR),
        ),
        _ => None,
    }
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

/// `primary_not_in_tree` when the primary is in the tree, under the id a
/// `#[child(id = ...)]` gave it: says so, and how to keep the two in step.
const fn renamed_primary(sidecar: Defect, primary: &ChildFacts, field: &str) -> Defect {
    let attribute = if primary.is_tree() {
        "#[supervisor(id = \""
    } else {
        "#[supervised(id = \""
    };
    sidecar
        .push(", the id that `#[child(id = \"")
        .push(primary.id)
        .push("\")]` on field `")
        .push(field)
        .push("` replaced; fix: write primary = \"")
        .push(primary.id)
        .push("\" in the sidecar's declaration, or set the id in the primary's own `")
        .push(attribute)
        .push(primary.id)
        .push("\")]` instead of on the field (a sidecar's `primary = <path>` follows it) [")
        .push(rules::PRIMARY_NOT_IN_TREE.name)
        .push("]")
}

/// Byte-wise string equality, usable in const evaluation.
const fn str_eq(left: &str, right: &str) -> bool {
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

    /// `None` if the rule holds, else this message with the rule's own.
    const fn unless(self, holds: bool, rule: &Rule) -> Option<Self> {
        if holds {
            None
        } else {
            Some(self.push(rule.message).finish(rule))
        }
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

    fn message(check: TreeCheck, children: &[ChildFacts], index: usize) -> Option<String> {
        let fields: Vec<&str> = children.iter().map(|c| c.id).collect();
        check
            .run(children, &fields, "App", index)
            .map(|defect| defect.as_str().to_owned())
    }

    #[test]
    fn duplicate_id_names_both_children_at_the_later_one() {
        let children = [worker("api"), worker("db"), worker("api")];
        assert_eq!(message(TreeCheck::DuplicateId, &children, 0), None);
        let text = message(TreeCheck::DuplicateId, &children, 2).unwrap();
        assert!(
            text.starts_with("children `api` and `api` of `App`"),
            "{text}"
        );
        assert!(text.ends_with("[duplicate_child_id]"), "{text}");
    }

    #[test]
    fn sidecar_before_its_primary_or_without_it_is_placed_wrong() {
        let before = [sidecar("metrics", "api"), worker("api")];
        let text = message(TreeCheck::PrimaryPlacement, &before, 0).unwrap();
        assert!(text.ends_with("[primary_starts_after]"), "{text}");
        let missing = [worker("api"), sidecar("metrics", "db")];
        let text = message(TreeCheck::PrimaryPlacement, &missing, 1).unwrap();
        assert!(text.ends_with("[primary_not_in_tree]"), "{text}");
        let right = [worker("api"), sidecar("metrics", "api")];
        assert_eq!(message(TreeCheck::PrimaryPlacement, &right, 1), None);
    }

    #[test]
    fn overrides_are_judged_only_for_fully_known_children() {
        let job = ChildFacts::task("migrate", TaskRole::Job, None, TaskShape::WithoutContext)
            .declares_restart(RestartPolicy::Permanent);
        let text = message(TreeCheck::JobPermanent, &[job], 0).unwrap();
        assert!(text.starts_with("`App.migrate`: a job cannot"), "{text}");
        let opaque = ChildFacts::opaque("migrate", TaskRole::Job, None)
            .declares_restart(RestartPolicy::Permanent);
        assert_eq!(message(TreeCheck::JobPermanent, &[opaque], 0), None);
    }

    #[test]
    fn a_primary_renamed_by_the_tree_is_named_as_renamed_not_as_missing() {
        let children = [
            ChildFacts::task("api", TaskRole::Service, None, TaskShape::WithContext)
                .with_id("edge"),
            sidecar("metrics", "api"),
        ];
        let text = message(TreeCheck::PrimaryPlacement, &children, 1).unwrap();
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
        let text = message(TreeCheck::PrimaryPlacement, &tree, 1).unwrap();
        assert!(
            text.contains("`#[supervisor(id = \"ingest-eu\")]`"),
            "{text}"
        );
    }

    #[test]
    fn a_sidecar_naming_itself_is_told_so() {
        let children = [sidecar("metrics", "metrics")];
        let text = message(TreeCheck::PrimaryRole, &children, 0).unwrap();
        assert!(text.contains("names itself as its primary"), "{text}");
        assert!(text.ends_with("[primary_is_sidecar]"), "{text}");
    }

    #[test]
    fn heartbeat_on_a_nested_tree_is_rejected_and_on_a_task_is_not() {
        let text = message(TreeCheck::HeartbeatOnTree, &[ChildFacts::tree("pool")], 0).unwrap();
        assert!(
            text.starts_with("`App.pool`: `heartbeat` needs a task"),
            "{text}"
        );
        assert!(text.ends_with("[heartbeat_on_tree]"), "{text}");
        assert_eq!(
            message(TreeCheck::HeartbeatOnTree, &[worker("api")], 0),
            None
        );
    }

    #[test]
    fn significant_on_a_permanent_role_says_the_role_is_why() {
        let api = ChildFacts::task("api", TaskRole::Service, None, TaskShape::WithContext)
            .declares_significant(true);
        let text = message(TreeCheck::SignificantPermanent, &[api], 0).unwrap();
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
