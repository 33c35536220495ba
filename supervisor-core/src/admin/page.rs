//! `GET /`: the live page, one static HTML file compiled into the binary.

use std::sync::Arc;

use axum::{
    extract::State,
    http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS},
    response::IntoResponse,
};

use super::router::AdminState;

/// The page's source: HTML, CSS and JavaScript, no external resource.
const SOURCE: &str = include_str!("page.html");

/// Where the page learns whether the control routes are on.
const CONTROL_MARK: &str = "data-control=\"off\"";

/// Nothing but the page's own inline script and style, and requests to
/// this server.
const POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; img-src data:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page as served: with control buttons when a token is set.
pub(crate) fn render(control: bool) -> Arc<str> {
    if control {
        SOURCE
            .replacen(CONTROL_MARK, "data-control=\"on\"", 1)
            .into()
    } else {
        SOURCE.into()
    }
}

pub(crate) async fn page(State(admin): State<Arc<AdminState>>) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (CONTENT_SECURITY_POLICY, POLICY),
        ],
        admin.page.to_string(),
    )
}
