//! The admin server's connections: bounded in number, closed when idle,
//! and closed by force when the server stops.

use std::{
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
    time::{Instant, Sleep},
};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// Accepts at most `connections` connections at once; each one is an
/// [`AdminIo`].
#[derive(Debug)]
pub(crate) struct AdminListener {
    listener: TcpListener,
    connections: Arc<Semaphore>,
    idle_timeout: Duration,
    close: CancellationToken,
}

impl AdminListener {
    pub(crate) fn new(
        listener: TcpListener,
        connections: usize,
        idle_timeout: Duration,
        close: CancellationToken,
    ) -> Self {
        AdminListener {
            listener,
            connections: Arc::new(Semaphore::new(connections)),
            idle_timeout,
            close,
        }
    }
}

impl axum::serve::Listener for AdminListener {
    type Io = AdminIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // Wait for a free slot first: meanwhile, new clients wait in the
        // kernel's accept queue.
        let permit = Arc::clone(&self.connections)
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
        let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
        let _ = stream.set_nodelay(true);
        let io = AdminIo {
            stream,
            idle_timeout: self.idle_timeout,
            idle: Box::pin(tokio::time::sleep(self.idle_timeout)),
            closed: Box::pin(self.close.clone().cancelled_owned()),
            _permit: permit,
        };
        (io, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection that fails once no byte has moved for its idle timeout, or
/// once the server closes it, so that its task ends whatever its client
/// does (a client that never reads fills the socket and then idles).
#[derive(Debug)]
pub(crate) struct AdminIo {
    stream: TcpStream,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    /// The connection's slot, freed when it closes.
    _permit: OwnedSemaphorePermit,
}

impl AdminIo {
    /// Called when the stream cannot go on: the error that ends the
    /// connection if it has idled too long or the server closes it.
    fn check_alive(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if self.closed.as_mut().poll(cx).is_ready() {
            return Poll::Ready(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the admin server stopped",
            ));
        }
        ready!(self.idle.as_mut().poll(cx));
        Poll::Ready(io::Error::new(
            io::ErrorKind::TimedOut,
            "the admin connection idled too long",
        ))
    }

    /// Something moved: the idle timeout starts again.
    fn progressed(&mut self) {
        let deadline = Instant::now() + self.idle_timeout;
        self.idle.as_mut().reset(deadline);
    }

    /// `outcome` of an I/O call, or the error that ends the connection
    /// while that call waits.
    fn settle<T>(
        &mut self,
        cx: &mut Context<'_>,
        outcome: Poll<io::Result<T>>,
        moved: impl FnOnce(&T) -> bool,
    ) -> Poll<io::Result<T>> {
        match outcome {
            Poll::Ready(Ok(value)) => {
                if moved(&value) {
                    self.progressed();
                }
                Poll::Ready(Ok(value))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => self.check_alive(cx).map(Err),
        }
    }
}

impl AsyncRead for AdminIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let outcome = Pin::new(&mut this.stream).poll_read(cx, buf);
        let after = buf.filled().len();
        this.settle(cx, outcome, |()| after > before)
    }
}

impl AsyncWrite for AdminIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let outcome = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.settle(cx, outcome, |written| *written > 0)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let outcome = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.settle(cx, outcome, |written| *written > 0)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let outcome = Pin::new(&mut this.stream).poll_flush(cx);
        this.settle(cx, outcome, |()| false)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let outcome = Pin::new(&mut this.stream).poll_shutdown(cx);
        this.settle(cx, outcome, |()| false)
    }
}
