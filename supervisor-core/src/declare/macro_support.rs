//! Functions the macros' generated code calls to build a spec. Each bound is
//! checked where the generated code names the user's own types, so a type
//! error points at the user's signature.

use std::future::Future;

use crate::{
    context::ChildContext,
    spec::{ChildSpec, SupervisorSpec},
    task::{TaskFactory, TaskOutput},
};

/// What a supervised task may take as its first argument, when it is not a
/// `State<T>`: a [`ChildContext`].
#[diagnostic::on_unimplemented(
    message = "a supervised task takes a `ChildContext` or `State<T>` arguments, not `{Self}`",
    label = "this argument must be `ctx: ChildContext` or a `State<T>`",
    note = "write the task as `async fn NAME(ctx: ChildContext, State(value): State<T>, ...)`: the context first, then what it takes from its tree's state, each optional",
    note = "fix: to take a `{Self}` from the tree's state, write `State(value): State<{Self}>` and provide it with `impl FromState<AppState> for {Self}`"
)]
pub trait ContextArgument: Sized {
    /// Converts the context the supervisor hands to a start.
    fn from_context(ctx: ChildContext) -> Self;
}

impl ContextArgument for ChildContext {
    fn from_context(ctx: ChildContext) -> Self {
        ctx
    }
}

/// The task of a `#[supervised]` fn that takes its [`ChildContext`].
///
/// `Output` and `Argument` are the fn's declared return and argument types,
/// written by the macro where the user wrote them: an unfit type is reported
/// there, with the `on_unimplemented` note of [`TaskOutput`] or
/// [`ContextArgument`].
pub fn task_with_context<Output, Argument, Task, Run>(task: Task) -> TaskFactory
where
    Output: TaskOutput,
    Argument: ContextArgument,
    Task: Fn(Argument) -> Run + Send + Sync + 'static,
    Run: Future<Output = Output> + Send + 'static,
{
    TaskFactory::new(move |ctx| task(Argument::from_context(ctx)))
}

/// The task of a `#[supervised]` fn that takes no argument; see
/// [`task_with_context`].
pub fn task_without_context<Output, Task, Run>(task: Task) -> TaskFactory
where
    Output: TaskOutput,
    Task: Fn() -> Run + Send + Sync + 'static,
    Run: Future<Output = Output> + Send + 'static,
{
    TaskFactory::without_context(task)
}

/// The child that runs a nested tree.
pub fn nested_tree(tree: SupervisorSpec) -> ChildSpec {
    ChildSpec::supervisor(tree)
}

/// Gives a child another id (`#[child(id = "...")]`); a nested tree takes
/// the same id, as the id of a tree is the id of the child that runs it.
pub fn with_id(mut spec: ChildSpec, id: &str) -> ChildSpec {
    id.clone_into(&mut spec.id);
    if let Some(tree) = spec.tree.as_mut() {
        id.clone_into(&mut tree.id);
    }
    spec
}

/// The body of `spec()` in the stub a macro emits beside a compile error.
/// Never runs: the crate does not compile.
#[cold]
pub fn declaration_has_errors<T>(id: &str) -> T {
    panic!("the declaration of `{id}` has compile errors")
}
