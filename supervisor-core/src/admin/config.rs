//! Where the admin server listens, who may control the tree, and its bounds.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use super::{AdminError, auth::Token};

/// The environment variable that turns the admin server on under `run*`:
/// an address such as `127.0.0.1:9090`, `0.0.0.0:9090` or `[::1]:9090`, or
/// a bare port (`9090`), which means loopback.
pub const ADMIN_ADDR_ENV: &str = "SUPERVISOR_ADMIN_ADDR";

/// The environment variable whose value, when set and not empty, turns on
/// the control routes under `run*`; requests must then carry
/// `Authorization: Bearer <token>`.
pub const ADMIN_TOKEN_ENV: &str = "SUPERVISOR_ADMIN_TOKEN";

/// Renders the text of `GET /metrics`.
pub(crate) type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// How the admin server is set up: its address, its token and its bounds.
///
/// Without a [`token`](Self::token) the control routes do not exist (404).
/// Every bound has a default that suits a probe and a few operators.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::admin::AdminConfig;
///
/// let config = AdminConfig::loopback(9090)
///     .token("s3cret")
///     .max_event_streams(4)
///     .idle_timeout(Duration::from_secs(60));
/// assert_eq!(config.addr().to_string(), "127.0.0.1:9090");
/// assert!(config.has_token());
/// // The token never shows in logs.
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct AdminConfig {
    pub(crate) addr: SocketAddr,
    pub(crate) token: Option<Token>,
    pub(crate) max_event_streams: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) metrics: Option<MetricsRender>,
}

impl AdminConfig {
    /// How many `/events` streams may be open at once, unless
    /// [`max_event_streams`](Self::max_event_streams) says otherwise: 16.
    /// One more gets `503` with a JSON body.
    pub const DEFAULT_MAX_EVENT_STREAMS: usize = 16;

    /// How many connections the server holds at once: 64. Further clients
    /// wait in the kernel's accept queue until one closes.
    pub const MAX_CONNECTIONS: usize = 64;

    /// How long a connection may move no byte either way before it is
    /// closed, unless [`idle_timeout`](Self::idle_timeout) says otherwise:
    /// 30 s. `/events` sends a keep-alive comment every
    /// [`KEEP_ALIVE`](Self::KEEP_ALIVE), so a stream that is read never
    /// idles; one whose client stops reading does, once the socket's
    /// buffers are full.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

    /// The interval of `/events` keep-alive comments: 10 s.
    pub const KEEP_ALIVE: Duration = Duration::from_secs(10);

    /// How many recent events the server keeps for `/events` clients that
    /// resume with `Last-Event-ID`: 1024. Older ones are gone.
    pub const EVENT_BUFFER: usize = 1024;

    /// How many events a connected `/events` client may fall behind before
    /// its stream ends (with a `lagged` event; the browser reconnects and
    /// resumes from the buffer): 256.
    pub const STREAM_LAG: usize = 256;

    /// The largest request body accepted, in bytes: 1024. No route needs a
    /// body; a larger one gets `413` with a JSON body.
    pub const MAX_BODY_BYTES: usize = 1024;

    /// How long `/livez` waits for the root's loop to answer, and
    /// `/readyz` and `/snapshot` for the tree's snapshot: 1 s.
    pub const ANSWER_BOUND: Duration = Duration::from_secs(1);

    /// How long [`AdminServer::shutdown`](super::AdminServer::shutdown)
    /// lets responses in flight finish before it closes their connections:
    /// 1 s.
    pub const DRAIN: Duration = Duration::from_secs(1);

    /// The admin server on `addr`, without a token, with the default
    /// bounds. Prefer a loopback address ([`loopback`](Self::loopback))
    /// unless the server must be reached from other hosts (a Kubernetes
    /// probe reaches the pod's address, `0.0.0.0`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// let config = AdminConfig::new("0.0.0.0:9090".parse().unwrap());
    /// assert_eq!(config.addr().port(), 9090);
    /// ```
    pub fn new(addr: SocketAddr) -> Self {
        AdminConfig {
            addr,
            token: None,
            max_event_streams: Self::DEFAULT_MAX_EVENT_STREAMS,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            metrics: None,
        }
    }

    /// The admin server on `127.0.0.1:port` (port 0: one the system picks).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// assert!(AdminConfig::loopback(0).addr().ip().is_loopback());
    /// ```
    pub fn loopback(port: u16) -> Self {
        AdminConfig::new(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    }

    /// The configuration that [`ADMIN_ADDR_ENV`] and [`ADMIN_TOKEN_ENV`]
    /// describe; `None` when [`ADMIN_ADDR_ENV`] is unset or empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// // In a process where SUPERVISOR_ADMIN_ADDR is not set:
    /// # if std::env::var_os(supervisor_core::admin::ADMIN_ADDR_ENV).is_none() {
    /// assert!(AdminConfig::from_env().unwrap().is_none());
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`AdminError::InvalidAddress`] when [`ADMIN_ADDR_ENV`] is neither an
    /// address nor a port.
    pub fn from_env() -> Result<Option<Self>, AdminError> {
        let Some(addr) = std::env::var(ADMIN_ADDR_ENV)
            .ok()
            .filter(|addr| !addr.trim().is_empty())
        else {
            return Ok(None);
        };
        let mut config = AdminConfig::new(parse_addr(&addr)?);
        if let Ok(token) = std::env::var(ADMIN_TOKEN_ENV) {
            config = config.token(token);
        }
        Ok(Some(config))
    }

    /// Turns on the control routes, which then require
    /// `Authorization: Bearer <token>`; an empty token leaves them off.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// assert!(AdminConfig::loopback(0).token("s3cret").has_token());
    /// assert!(!AdminConfig::loopback(0).token("").has_token());
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Token::new(token.into());
        self
    }

    /// Sets how many `/events` streams may be open at once (at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// let config = AdminConfig::loopback(0).max_event_streams(2);
    /// # drop(config);
    /// ```
    pub fn max_event_streams(mut self, streams: usize) -> Self {
        self.max_event_streams = streams.max(1);
        self
    }

    /// Sets how long a connection may move no byte before it is closed
    /// (see [`DEFAULT_IDLE_TIMEOUT`](Self::DEFAULT_IDLE_TIMEOUT)). Keep it
    /// above [`KEEP_ALIVE`](Self::KEEP_ALIVE), or quiet `/events` streams
    /// are cut and reconnect.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// let config = AdminConfig::loopback(0).idle_timeout(Duration::from_secs(120));
    /// # drop(config);
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Serves `GET /metrics` with the text `render` returns (Prometheus'
    /// text exposition format); without it `/metrics` answers `404`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// let config = AdminConfig::loopback(0).metrics(|| "# no metrics yet\n".to_owned());
    /// # drop(config);
    /// ```
    pub fn metrics(mut self, render: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.metrics = Some(Arc::new(render));
        self
    }

    /// The address to listen on.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// assert_eq!(AdminConfig::loopback(9090).addr().port(), 9090);
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the control routes are on.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// assert!(!AdminConfig::loopback(0).has_token());
    /// ```
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }
}

impl fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminConfig")
            .field("addr", &self.addr)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("max_event_streams", &self.max_event_streams)
            .field("idle_timeout", &self.idle_timeout)
            .field("metrics", &self.metrics.is_some())
            .finish()
    }
}

/// An address as [`ADMIN_ADDR_ENV`] takes it: `host:port` with an IP
/// host, `localhost:port`, `:port` or a bare port (both loopback).
pub(crate) fn parse_addr(text: &str) -> Result<SocketAddr, AdminError> {
    let text = text.trim();
    let invalid = || AdminError::InvalidAddress {
        value: text.to_owned(),
    };
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let port = text
        .strip_prefix("localhost:")
        .or_else(|| text.strip_prefix(':'))
        .unwrap_or(text);
    port.parse::<u16>()
        .map(|port| AdminConfig::loopback(port).addr)
        .map_err(|_| invalid())
}
