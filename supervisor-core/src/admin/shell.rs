//! The admin server under [`Runner`] and `run*`: configured by the builder
//! or the environment, bound before the tree starts, stopped with it.

use super::{AdminConfig, AdminError, AdminServer, BoundAdmin};
use crate::runner::Runner;

/// Where a [`Runner`]'s admin server comes from.
#[derive(Debug, Clone, Default)]
pub(crate) enum AdminSource {
    /// [`ADMIN_ADDR_ENV`](super::ADMIN_ADDR_ENV), if it is set.
    #[default]
    Environment,
    Config(AdminConfig),
    Off,
}

impl AdminSource {
    /// Binds the configured address, if there is one, and says where on
    /// stderr: the tree has not started yet, so a failure stops nothing.
    pub(crate) async fn bind(&self, id: &str) -> Result<Option<BoundAdmin>, AdminError> {
        let config = match self {
            AdminSource::Environment => AdminConfig::from_env()?,
            AdminSource::Config(config) => Some(config.clone()),
            AdminSource::Off => None,
        };
        let Some(config) = config else {
            return Ok(None);
        };
        let bound = AdminServer::bind(with_prometheus(config)).await?;
        if let Some(addr) = bound.local_addr() {
            eprintln!("supervisor `{id}`: admin server on http://{addr}/");
        }
        Ok(Some(bound))
    }
}

/// With the `metrics` feature, `/metrics` serves the Prometheus text of the
/// recorder `run*` install, unless the config has a renderer of its own or
/// the program installed a recorder of its own (DESIGN: the admin server
/// installs the Prometheus recorder unless the program has one).
#[cfg(feature = "metrics")]
fn with_prometheus(config: AdminConfig) -> AdminConfig {
    if config.metrics.is_some() || !crate::metrics::install_prometheus() {
        return config;
    }
    config.metrics(|| crate::metrics::render_prometheus().unwrap_or_default())
}

#[cfg(not(feature = "metrics"))]
fn with_prometheus(config: AdminConfig) -> AdminConfig {
    config
}

impl Runner {
    /// Serves the admin server (probes, snapshot, events, live page,
    /// control with a token; see [`admin`](crate::admin)) while the tree
    /// runs, whatever [`ADMIN_ADDR_ENV`](super::ADMIN_ADDR_ENV) says. It
    /// listens before the tree starts and stops before `run` returns. An
    /// address that cannot be bound ends the run before the tree starts,
    /// with [`RunFailure::Admin`](crate::RunFailure::Admin) (exit code 78).
    ///
    /// Without this, `run*` serve it when `SUPERVISOR_ADMIN_ADDR` is set,
    /// with the control routes when `SUPERVISOR_ADMIN_TOKEN` is too; an
    /// invalid address there is exit code 78 as well.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    /// use supervisor_core::admin::AdminConfig;
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app"))
    ///     .admin(AdminConfig::loopback(9090).token("s3cret"));
    /// # drop(runner);
    /// ```
    pub fn admin(mut self, config: AdminConfig) -> Self {
        self.admin = AdminSource::Config(config);
        self
    }

    /// Serves no admin server, whatever `SUPERVISOR_ADMIN_ADDR` says.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Runner, SupervisorSpec};
    ///
    /// let runner = Runner::new(SupervisorSpec::new("app")).without_admin();
    /// # drop(runner);
    /// ```
    pub fn without_admin(mut self) -> Self {
        self.admin = AdminSource::Off;
        self
    }
}
