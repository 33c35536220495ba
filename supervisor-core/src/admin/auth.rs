//! The bearer token of the control routes, compared in constant time.

use std::sync::Arc;

use axum::http::{HeaderMap, header::AUTHORIZATION};

/// The secret a control request must present.
#[derive(Clone)]
pub(crate) struct Token(Arc<[u8]>);

impl Token {
    /// `None` for an empty token: control stays off.
    pub(crate) fn new(token: String) -> Option<Self> {
        (!token.is_empty()).then(|| Token(token.into_bytes().into()))
    }

    /// Whether the request's `Authorization: Bearer <token>` matches.
    pub(crate) fn admits(&self, headers: &HeaderMap) -> bool {
        let presented = headers
            .get(AUTHORIZATION)
            .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "))
            .unwrap_or_default();
        constant_time_eq(&self.0, presented)
    }
}

/// Whether `presented` equals `secret`, in a time that depends on the
/// secret's length only: every byte of the secret is compared, whatever
/// the first difference.
pub(crate) fn constant_time_eq(secret: &[u8], presented: &[u8]) -> bool {
    let mut difference = u8::from(secret.len() != presented.len());
    for (index, byte) in secret.iter().enumerate() {
        let other = presented.get(index).copied().unwrap_or(!byte);
        difference |= std::hint::black_box(byte ^ other);
    }
    std::hint::black_box(difference) == 0
}
