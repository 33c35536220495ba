//! Keeping a child's panics inside the child: on poll, on drop, in its factory.

use std::{
    any::Any,
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    task::{Context, Poll},
};

/// The text of a panic payload (`&str` or `String`), or a placeholder; cut
/// to [`MAX_EXIT_TEXT`](crate::policy::MAX_EXIT_TEXT) bytes.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        crate::policy::bounded(*text)
    } else if let Some(text) = payload.downcast_ref::<String>() {
        crate::policy::bounded(text.as_str())
    } else {
        "panic with a non-string payload".to_owned()
    }
}

/// Runs `f`, turning a panic into its message.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = panic_message(&*payload);
        drop_quietly(payload);
        message
    })
}

/// Drops a value whose destructor may panic, swallowing the panic.
pub(crate) fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        // A payload whose own destructor panics would unwind from here; leak
        // it instead: one allocation is a fair price for staying up.
        std::mem::forget(payload);
    }
}

/// A future whose panics become `Err(message)`.
pub(crate) struct CatchUnwind<F> {
    inner: F,
}

impl<F: Future + Unpin> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        CatchUnwind { inner }
    }

    /// Drops the wrapped future, swallowing a panic from its destructor.
    pub(crate) fn dispose(self) {
        drop_quietly(self.inner);
    }
}

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.inner;
        match catch(|| Pin::new(inner).poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(message) => Poll::Ready(Err(message)),
        }
    }
}
