//! `GET /livez` and `GET /readyz`: what Kubernetes' probes ask.

use std::sync::Arc;

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;

use super::{AdminConfig, problem::Problem, router::AdminState, snapshot::bounded_snapshot};
use crate::readiness::Readiness;

/// The body of `/livez`.
#[derive(Debug, Serialize)]
pub(crate) struct Liveness {
    live: bool,
    /// Why not, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// 200 while the root runs and its loop answers within
/// [`AdminConfig::ANSWER_BOUND`]; 503 once it has stopped (escalated or
/// shut down) or while its loop is stuck. Never about a child or a
/// dependency: a restart of the process must be able to help.
pub(crate) async fn livez(State(admin): State<Arc<AdminState>>) -> (StatusCode, Json<Liveness>) {
    let handle = &admin.handle;
    let reason = if handle.is_finished() {
        Some(match handle.wait().await {
            Ok(()) => "the supervisor has stopped".to_owned(),
            Err(error) => error.to_string(),
        })
    } else if !handle.is_live(AdminConfig::ANSWER_BOUND).await {
        Some(format!(
            "the supervisor's loop did not answer within {}",
            crate::spec::duration::format(AdminConfig::ANSWER_BOUND)
        ))
    } else {
        None
    };
    let status = match reason {
        None => StatusCode::OK,
        Some(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    (
        status,
        Json(Liveness {
            live: reason.is_none(),
            reason,
        }),
    )
}

/// 200 once the start order is done and every critical child runs; 503
/// with the list of children that hold the tree back otherwise.
pub(crate) async fn readyz(
    State(admin): State<Arc<AdminState>>,
) -> Result<(StatusCode, Json<Readiness>), Problem> {
    let readiness = bounded_snapshot(&admin.handle).await?.readiness();
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((status, Json(readiness)))
}
