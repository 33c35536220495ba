//! `POST /children/{path}/restart|stop|start`: an operator's hand on a
//! child, anywhere in the tree, behind the bearer token.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use super::{problem::Problem, router::AdminState};
use crate::runtime::SupervisorHandle;

/// What an operator may do to a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Restart,
    Stop,
    Start,
}

impl Action {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "restart" => Some(Action::Restart),
            "stop" => Some(Action::Stop),
            "start" => Some(Action::Start),
            _ => None,
        }
    }
}

/// Checks the token, finds the child's supervisor, and asks it. 202 with
/// `{"path":..., "action":...}` once the supervisor has done it; the typed
/// error as JSON otherwise (404 unknown path, 409 stopped tree or a child
/// already running).
pub(crate) async fn control(
    State(admin): State<Arc<AdminState>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let Some(token) = &admin.token else {
        return Err(Problem::not_found("POST /children/...: control is off"));
    };
    if !token.admits(&headers) {
        return Err(Problem::unauthorized());
    }
    body?;
    let (path, action) = rest
        .rsplit_once('/')
        .and_then(|(path, action)| Some((path, Action::parse(action)?)))
        .ok_or_else(|| {
            Problem::not_found("this path: use /children/{path}/restart, /stop or /start")
        })?;
    apply(&admin.handle, path, action).await?;
    let answer = serde_json::json!({ "path": path, "action": action.name() });
    Ok((StatusCode::ACCEPTED, axum::Json(answer)).into_response())
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Restart => "restart",
            Action::Stop => "stop",
            Action::Start => "start",
        }
    }
}

/// Walks from the root down the nested supervisors on `path` and asks the
/// last one to act on its child.
async fn apply(root: &SupervisorHandle, path: &str, action: Action) -> Result<(), Problem> {
    let unknown = || Problem::unknown_child(path);
    let below_root = path
        .strip_prefix(root.path())
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .ok_or_else(unknown)?;
    let (parents, id) = match below_root.rsplit_once('/') {
        Some((parents, id)) => (Some(parents), id),
        None => (None, below_root),
    };
    let mut supervisor = root.clone();
    for parent in parents.into_iter().flat_map(|parents| parents.split('/')) {
        supervisor = supervisor
            .nested(parent)
            .await
            .map_err(|error| match error {
                crate::ControlError::UnknownChild { .. } => unknown(),
                other => other.into(),
            })?;
    }
    let result = match action {
        Action::Restart => supervisor.restart_child(id).await,
        Action::Stop => supervisor.stop_child(id).await,
        Action::Start => supervisor.start_child(id).await,
    };
    result.map_err(|error| match error {
        crate::ControlError::UnknownChild { .. } => unknown(),
        other => other.into(),
    })
}
