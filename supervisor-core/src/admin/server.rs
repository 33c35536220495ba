//! Starting and stopping the admin server.

use std::{fmt, io, net::SocketAddr, sync::Arc};

use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use super::{
    AdminConfig,
    hub::EventHub,
    listener::AdminListener,
    router::{AdminState, router},
};
use crate::runtime::SupervisorHandle;

/// Error returned by [`AdminServer::start`], and by `run*` as
/// [`RunFailure::Admin`](crate::RunFailure::Admin) (exit code 78, as a
/// bad config).
///
/// # Examples
///
/// ```
/// use supervisor_core::admin::AdminError;
///
/// let error = AdminError::InvalidAddress { value: "nine".into() };
/// assert_eq!(
///     error.to_string(),
///     "invalid admin address `nine`: expected host:port (such as 127.0.0.1:9090) or a port"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminError {
    /// [`ADMIN_ADDR_ENV`](super::ADMIN_ADDR_ENV) is neither an address nor
    /// a port.
    InvalidAddress {
        /// The text given.
        value: String,
    },
    /// The address could not be bound (taken, not local, not permitted).
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The system's reason.
        kind: io::ErrorKind,
        /// The system's message.
        message: String,
    },
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminError::InvalidAddress { value } => write!(
                f,
                "invalid admin address `{value}`: expected host:port (such as 127.0.0.1:9090) or a port"
            ),
            AdminError::Bind { addr, message, .. } => {
                write!(f, "the admin server cannot listen on {addr}: {message}")
            }
        }
    }
}

impl std::error::Error for AdminError {}

/// The admin server of a running tree: probes, snapshot, events, the live
/// page and, with a token, the control routes (see the [module](super)).
///
/// [`Runner`](crate::Runner) starts and stops one for `run*`; embedders
/// that start trees themselves use [`start`](Self::start) and
/// [`shutdown`](Self::shutdown). Dropping it stops it without waiting.
///
/// # Examples
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
/// use supervisor_core::admin::{AdminConfig, AdminServer};
///
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
/// let handle = Supervisor::start(spec)?;
/// let admin = AdminServer::start(handle.clone(), AdminConfig::loopback(9090)).await?;
/// println!("live page: http://{}/", admin.local_addr());
/// handle.wait().await?;
/// admin.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AdminServer {
    addr: SocketAddr,
    /// Stops reading the tree's events (after those already sent).
    stop_feed: CancellationToken,
    feeder: Option<JoinHandle<()>>,
    /// Ends the streams (after the events queued for them) and stops
    /// accepting.
    stop: CancellationToken,
    /// Closes the connections still open after the drain.
    close: CancellationToken,
    task: Option<JoinHandle<()>>,
}

/// A listening socket, before the tree it will serve has started.
#[derive(Debug)]
pub(crate) struct BoundAdmin {
    listener: TcpListener,
    config: AdminConfig,
}

impl AdminServer {
    /// Listens on the configured address and serves `handle`'s tree. The
    /// server sees the events from now on.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    /// use supervisor_core::admin::{AdminConfig, AdminError, AdminServer};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// match AdminServer::start(handle.clone(), AdminConfig::loopback(9090)).await {
    ///     Ok(admin) => println!("admin server on {}", admin.local_addr()),
    ///     Err(AdminError::Bind { addr, message, .. }) => eprintln!("{addr}: {message}"),
    ///     Err(other) => eprintln!("{other}"),
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`AdminError::Bind`] when the address cannot be bound.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub async fn start(handle: SupervisorHandle, config: AdminConfig) -> Result<Self, AdminError> {
        Ok(AdminServer::bind(config).await?.serve(handle))
    }

    /// Binds the configured address, without serving yet.
    pub(crate) async fn bind(config: AdminConfig) -> Result<BoundAdmin, AdminError> {
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|error| AdminError::Bind {
                addr: config.addr,
                kind: error.kind(),
                message: error.to_string(),
            })?;
        Ok(BoundAdmin { listener, config })
    }

    /// The address the server listens on (with the port the system picked
    /// for port 0).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    /// use supervisor_core::admin::{AdminConfig, AdminServer};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// let admin = AdminServer::start(handle, AdminConfig::loopback(0)).await.unwrap();
    /// assert_ne!(admin.local_addr().port(), 0);
    /// # admin.shutdown().await;
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server: no new connection, `/events` streams end (after
    /// the events the tree had sent until then), the responses in flight
    /// get [`AdminConfig::DRAIN`] to finish, then every connection still
    /// open is closed. Returns once no task of the server is left.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    /// use supervisor_core::admin::{AdminConfig, AdminServer};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// let admin = AdminServer::start(handle.clone(), AdminConfig::loopback(0)).await.unwrap();
    /// let addr = admin.local_addr();
    /// admin.shutdown().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future stops the server without
    /// waiting for its tasks.
    pub async fn shutdown(mut self) {
        self.stop_feed.cancel();
        if let Some(feeder) = self.feeder.take() {
            let _ = feeder.await;
        }
        self.stop.cancel();
        let Some(mut task) = self.task.take() else {
            return;
        };
        if tokio::time::timeout(AdminConfig::DRAIN, &mut task)
            .await
            .is_err()
        {
            self.close.cancel();
            let _ = task.await;
        }
    }
}

impl Drop for AdminServer {
    fn drop(&mut self) {
        self.stop_feed.cancel();
        self.stop.cancel();
        self.close.cancel();
    }
}

impl BoundAdmin {
    /// The address actually bound.
    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serves `handle`'s tree on the bound socket.
    pub(crate) fn serve(self, handle: SupervisorHandle) -> AdminServer {
        let addr = self.local_addr().unwrap_or(self.config.addr);
        let stop_feed = CancellationToken::new();
        let stop = CancellationToken::new();
        let close = CancellationToken::new();
        let hub = Arc::new(EventHub::new(
            AdminConfig::EVENT_BUFFER,
            AdminConfig::STREAM_LAG,
        ));
        let feeder = tokio::spawn(Arc::clone(&hub).feed(handle.events(), stop_feed.clone()));
        let state = AdminState::new(handle, &self.config, hub, stop.clone());
        let listener = AdminListener::new(
            self.listener,
            AdminConfig::MAX_CONNECTIONS,
            self.config.idle_timeout,
            close.clone(),
        );
        let serving = axum::serve(listener, router(Arc::new(state)))
            .with_graceful_shutdown(stop.clone().cancelled_owned());
        let task = tokio::spawn(async move {
            if let Err(error) = serving.await {
                tracing::error!(%error, "the admin server failed");
            }
        });
        tracing::info!(%addr, "admin server listening");
        AdminServer {
            addr,
            stop_feed,
            feeder: Some(feeder),
            stop,
            close,
            task: Some(task),
        }
    }
}
