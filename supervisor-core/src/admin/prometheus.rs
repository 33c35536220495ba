//! `GET /metrics`: the text of the configured renderer.

use std::sync::Arc;

use axum::{
    extract::State,
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Response},
};

use super::{problem::Problem, router::AdminState};

/// Prometheus' text exposition format, from [`AdminConfig::metrics`];
/// 404 when none is configured.
///
/// [`AdminConfig::metrics`]: super::AdminConfig::metrics
pub(crate) async fn metrics(State(admin): State<Arc<AdminState>>) -> Response {
    match &admin.metrics {
        Some(render) => (
            [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            render(),
        )
            .into_response(),
        None => {
            Problem::not_found("GET /metrics: no metrics renderer is configured").into_response()
        }
    }
}
