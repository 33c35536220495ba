//! `GET /snapshot`: the whole tree as JSON.

use std::sync::Arc;

use axum::{Json, extract::State};

use super::{AdminConfig, problem::Problem, router::AdminState};
use crate::{runtime::SupervisorHandle, snapshot::TreeSnapshot};

/// The tree's [`TreeSnapshot`].
pub(crate) async fn snapshot(
    State(admin): State<Arc<AdminState>>,
) -> Result<Json<TreeSnapshot>, Problem> {
    bounded_snapshot(&admin.handle).await.map(Json)
}

/// The snapshot, or 503 when the tree does not answer within
/// [`AdminConfig::ANSWER_BOUND`] (its loop is stuck).
pub(crate) async fn bounded_snapshot(handle: &SupervisorHandle) -> Result<TreeSnapshot, Problem> {
    match tokio::time::timeout(AdminConfig::ANSWER_BOUND, handle.snapshot()).await {
        Ok(Ok(snapshot)) => Ok(snapshot),
        Ok(Err(error)) => Err(error.into()),
        Err(_) => Err(Problem::no_answer()),
    }
}
