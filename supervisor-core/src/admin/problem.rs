//! Error answers: a status and a JSON body that says what went wrong.

use axum::{
    Json,
    extract::rejection::BytesRejection,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::runtime::ControlError;

/// A 4xx or 5xx answer with a body such as
/// `{"error":"unknown_child","message":"no child with id `x`"}`.
#[derive(Debug, Serialize)]
pub(crate) struct Problem {
    #[serde(skip)]
    status: StatusCode,
    /// A stable, machine-readable name.
    error: &'static str,
    /// What a person reads.
    message: String,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Problem {
            status,
            error,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route for {what}"),
        )
    }

    pub(crate) fn unknown_child(path: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "unknown_child",
            format!("no child at path `{path}`"),
        )
    }

    pub(crate) fn unauthorized() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "control needs the header `Authorization: Bearer <token>` with the admin token",
        )
    }

    pub(crate) fn no_answer() -> Self {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_answer",
            "the supervisor did not answer in time",
        )
    }
}

impl From<ControlError> for Problem {
    fn from(error: ControlError) -> Self {
        let (status, name) = match &error {
            ControlError::UnknownChild { .. } => (StatusCode::NOT_FOUND, "unknown_child"),
            ControlError::AlreadyRunning { .. } => (StatusCode::CONFLICT, "already_running"),
            ControlError::Stopped => (StatusCode::CONFLICT, "stopped"),
            ControlError::InvalidSpec(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_spec"),
        };
        Problem::new(status, name, error.to_string())
    }
}

impl From<BytesRejection> for Problem {
    fn from(rejection: BytesRejection) -> Self {
        let status = rejection.status();
        let name = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "body_too_large"
        } else {
            "bad_body"
        };
        Problem::new(status, name, rejection.body_text())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, Json(self)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
