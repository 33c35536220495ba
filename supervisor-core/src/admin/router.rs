//! The routes, their shared state and the layers around them.

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{Method, Uri},
    routing::{get, post},
};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::{
    AdminConfig, auth::Token, config::MetricsRender, control, hub::EventHub, page, probes,
    problem::Problem, prometheus, snapshot, sse,
};
use crate::runtime::SupervisorHandle;

/// What every route reads.
pub(crate) struct AdminState {
    pub(crate) handle: SupervisorHandle,
    pub(crate) hub: Arc<EventHub>,
    /// One permit per `/events` stream that may be open.
    pub(crate) streams: Arc<Semaphore>,
    pub(crate) token: Option<Token>,
    /// Cancelled when the server stops: streams end.
    pub(crate) stop: CancellationToken,
    pub(crate) metrics: Option<MetricsRender>,
    pub(crate) page: Arc<str>,
}

impl AdminState {
    pub(crate) fn new(
        handle: SupervisorHandle,
        config: &AdminConfig,
        hub: Arc<EventHub>,
        stop: CancellationToken,
    ) -> Self {
        AdminState {
            handle,
            hub,
            streams: Arc::new(Semaphore::new(config.max_event_streams)),
            token: config.token.clone(),
            stop,
            metrics: config.metrics.clone(),
            page: page::render(config.token.is_some()),
        }
    }
}

/// Every route of the admin server; unknown routes and methods get a JSON
/// 404 or 405, request bodies past [`AdminConfig::MAX_BODY_BYTES`] a 413.
pub(crate) fn router(state: Arc<AdminState>) -> Router {
    Router::new()
        .route("/", get(page::page))
        .route("/livez", get(probes::livez))
        .route("/readyz", get(probes::readyz))
        .route("/snapshot", get(snapshot::snapshot))
        .route("/events", get(sse::events))
        .route("/metrics", get(prometheus::metrics))
        .route("/children/{*rest}", post(control::control))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(AdminConfig::MAX_BODY_BYTES))
        .with_state(state)
}

async fn unknown_route(method: Method, uri: Uri) -> Problem {
    Problem::not_found(&format!("{method} {}", uri.path()))
}

async fn wrong_method(method: Method, uri: Uri) -> Problem {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not take {method}", uri.path()),
    )
}
