//! A config overlay: partial overrides of a spec, read from a file and
//! merged onto the spec a program declares.

use std::{collections::BTreeMap, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoShutdown, BackoffPolicy, ChildSpec, RestartLimit, RestartPolicy, Severity, ShutdownPolicy,
    Strategy, SupervisorSpec, config_error::ConfigError, configured::Field,
};

/// Overrides of a [`SupervisorSpec`], shaped like it, every key optional:
/// the root supervisor's `strategy`, `restart_limit` and `auto_shutdown`,
/// and `children` keyed by id, nested trees included.
///
/// A program declares its tree in code (the macros or the builder); an
/// operator tunes it from a file without recompiling. [`apply`](Self::apply)
/// merges the overlay onto a spec: each value set in the file replaces the
/// declared one (or the role default), and shows as
/// [`PolicySource::ConfigFile`](super::PolicySource::ConfigFile) in the
/// child's effective policy. The merged spec is then checked by the same
/// rule table as any other.
///
/// The shape, in TOML:
///
/// ```toml
/// strategy = "one_for_all"                        # the root supervisor
/// restart_limit = { max = 5, within = "30s" }
///
/// [children.api]
/// restart_limit = { max = 3, within = "60s" }
/// backoff = { initial = "100ms", max = "10s" }    # only these two fields
///
/// [children.ingest]                               # a nested tree
/// strategy = "rest_for_one"                       # its own supervisor
/// supervisor_restart_limit = { max = 20, within = "1m" }
///
/// [children.ingest.children.reader]               # a child of the nested tree
/// shutdown = "10s"
/// ```
///
/// In an entry of `children`, `restart_limit` is the child's own limit, as
/// in a [`ChildSpec`]; for a nested tree, `strategy`, `auto_shutdown`,
/// `supervisor_restart_limit` (its supervisor's intensity) and `children`
/// reach inside it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{ChildSpec, PolicySource, RestartLimit, SpecOverrides, SupervisorSpec, TaskRole};
///
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
/// let overrides = SpecOverrides::from_toml_str(r#"
///     [children.api]
///     restart_limit = { max = 3, within = "1m" }
/// "#).unwrap();
/// let spec = overrides.apply(spec).unwrap();
/// let policy = spec.children[0].effective_policy();
/// assert_eq!(policy.restart_limit.value, RestartLimit::new(3, Duration::from_secs(60)));
/// assert_eq!(policy.restart_limit.source, PolicySource::ConfigFile);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        description = "Overrides of a supervision tree's policies: the root's strategy, restart_limit and auto_shutdown, and children keyed by id. Every key is optional."
    )
)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SpecOverrides {
    /// The root supervisor's strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// The root supervisor's restart intensity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_limit: Option<RestartLimit>,
    /// When the root stops on its own after a significant child ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_shutdown: Option<AutoShutdown>,
    /// Overrides of the root's children, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub children: BTreeMap<String, ChildOverrides>,
}

/// Overrides of one child; see [`SpecOverrides`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{ChildOverrides, ShutdownPolicy};
///
/// let api: ChildOverrides = serde_json::from_str(r#"{ "shutdown": "10s" }"#).unwrap();
/// assert_eq!(api.shutdown, Some(ShutdownPolicy::Timeout(Duration::from_secs(10))));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        description = "Overrides of one child. For a nested tree, strategy, supervisor_restart_limit, auto_shutdown and children reach inside it."
    )
)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChildOverrides {
    /// Which exits are restarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
    /// Backoff fields to change; the others keep their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<BackoffOverrides>,
    /// The child's own restart limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_limit: Option<RestartLimit>,
    /// How the child is stopped: `"brutal"`, `"infinity"` or a grace such
    /// as `"5s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shutdown: Option<ShutdownPolicy>,
    /// Longest run of an instance.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub timeout: Option<Duration>,
    /// Longest wait for `ctx.ready()`.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub ready_timeout: Option<Duration>,
    /// Longest silence between heartbeats.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub heartbeat: Option<Duration>,
    /// What the child's final failure means to its tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether the child's final exit may end its tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant: Option<bool>,
    /// For a periodic job: the wait after each completed run.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub every: Option<Duration>,
    /// For a nested tree: its supervisor's strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// For a nested tree: its supervisor's restart intensity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_restart_limit: Option<RestartLimit>,
    /// For a nested tree: when it stops on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_shutdown: Option<AutoShutdown>,
    /// For a nested tree: overrides of its children, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub children: BTreeMap<String, ChildOverrides>,
}

/// Backoff fields to change; unset ones keep the child's values.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{BackoffOverrides, BackoffPolicy};
///
/// let slower: BackoffOverrides = serde_json::from_str(r#"{ "max": "1m" }"#).unwrap();
/// let merged = slower.merge(BackoffPolicy::DEFAULT);
/// assert_eq!(merged.max, Duration::from_secs(60));
/// assert_eq!(merged.initial, BackoffPolicy::DEFAULT.initial);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "Backoff fields to change; unset ones keep the child's values.")
)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BackoffOverrides {
    /// Delay before the first restart after a failure.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub initial: Option<Duration>,
    /// Ceiling of every delay.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub max: Option<Duration>,
    /// Growth factor from one delay to the next; at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
    /// Random spread as a fraction of the delay, in `0.0..=1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
    /// Run time after which the backoff sequence starts again.
    #[serde(
        default,
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub reset_after: Option<Duration>,
}

impl BackoffOverrides {
    /// `base` with every field set here replaced.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffOverrides, BackoffPolicy};
    ///
    /// let gentler: BackoffOverrides = serde_json::from_str(r#"{ "initial": "1s" }"#).unwrap();
    /// let merged = gentler.merge(BackoffPolicy::NONE);
    /// assert_eq!(merged.initial, Duration::from_secs(1));
    /// assert_eq!(merged.multiplier, BackoffPolicy::NONE.multiplier);
    /// ```
    pub fn merge(&self, base: BackoffPolicy) -> BackoffPolicy {
        BackoffPolicy {
            initial: self.initial.unwrap_or(base.initial),
            max: self.max.unwrap_or(base.max),
            multiplier: self.multiplier.unwrap_or(base.multiplier),
            jitter: self.jitter.unwrap_or(base.jitter),
            reset_after: self.reset_after.or(base.reset_after),
        }
    }
}

impl SpecOverrides {
    /// Merges the overlay onto `spec` and checks the result with the rule
    /// table.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a child the spec does not have (with
    /// the closest id) or a tree key on a child that is not a tree, each
    /// with its path in the overlay; [`ConfigError::Rules`] when the merged
    /// spec breaks a rule (a job made `permanent`, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, ConfigError, SpecOverrides, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let typo = SpecOverrides::from_toml_str("[children.apii]\nshutdown = \"1s\"").unwrap();
    /// let error = typo.apply(spec).unwrap_err();
    /// assert_eq!(error.to_string(), "invalid config at `children.apii`: no child `apii` in `app`; did you mean `api`?");
    /// ```
    pub fn apply(&self, mut spec: SupervisorSpec) -> Result<SupervisorSpec, ConfigError> {
        if let Some(strategy) = self.strategy {
            spec.strategy = strategy;
        }
        if let Some(limit) = self.restart_limit {
            spec.restart_limit = limit;
        }
        if let Some(auto_shutdown) = self.auto_shutdown {
            spec.auto_shutdown = auto_shutdown;
        }
        apply_children(&self.children, &mut spec, "children")?;
        spec.validate().map_err(ConfigError::Rules)?;
        Ok(spec)
    }

    /// Reads an overlay from TOML text.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the path of the offending key, with
    /// the closest known key for an unknown one.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::SpecOverrides;
    ///
    /// let error = SpecOverrides::from_toml_str("[children.api]\nrestrat = \"transient\"").unwrap_err();
    /// assert!(error.to_string().contains("did you mean `restart`?"), "{error}");
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let toml_error = |path: &str, error: &toml::de::Error| {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = match line {
                Some(line) => format!("line {line}: {}", error.message()),
                None => error.message().to_owned(),
            };
            ConfigError::at(path, &message)
        };
        let deserializer =
            toml::Deserializer::parse(text).map_err(|error| toml_error("", &error))?;
        serde_path_to_error::deserialize(deserializer)
            .map_err(|error| toml_error(&error.path().to_string(), error.inner()))
    }

    /// Reads an overlay from JSON text.
    ///
    /// # Errors
    ///
    /// As `from_toml_str`: the path of the offending key, with the closest
    /// known key for an unknown one.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{SpecOverrides, Strategy};
    ///
    /// let overrides = SpecOverrides::from_json_str(r#"{ "strategy": "one_for_all" }"#).unwrap();
    /// assert_eq!(overrides.strategy, Some(Strategy::OneForAll));
    /// ```
    #[cfg(feature = "json")]
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let overrides: SpecOverrides = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| {
                ConfigError::at(&error.path().to_string(), &error.inner().to_string())
            })?;
        deserializer
            .end()
            .map_err(|error| ConfigError::at("", &error.to_string()))?;
        Ok(overrides)
    }

    /// Reads an overlay from a file: JSON when its name ends in `.json`,
    /// TOML otherwise.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Read`] when the file cannot be read; otherwise as
    /// `from_toml_str`, with the file named. A
    /// format whose cargo feature (`toml`, `json`) is off is an error too.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ConfigError, SpecOverrides};
    ///
    /// let missing = SpecOverrides::from_file("/nonexistent/supervisor.toml").unwrap_err();
    /// assert!(matches!(missing, ConfigError::Read { .. }));
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            file: path.to_owned(),
            error: std::sync::Arc::new(error),
        })?;
        let is_json = path.extension().is_some_and(|ext| ext == "json");
        let parsed = if is_json {
            Self::parse_json(&text)
        } else {
            Self::parse_toml(&text)
        };
        parsed.map_err(|error| error.in_file(path))
    }

    fn parse_json(text: &str) -> Result<Self, ConfigError> {
        #[cfg(feature = "json")]
        return SpecOverrides::from_json_str(text);
        #[cfg(not(feature = "json"))]
        {
            let _ = text;
            Err(ConfigError::invalid(
                ".",
                "JSON config files need the `json` feature".into(),
            ))
        }
    }

    fn parse_toml(text: &str) -> Result<Self, ConfigError> {
        #[cfg(feature = "toml")]
        return SpecOverrides::from_toml_str(text);
        #[cfg(not(feature = "toml"))]
        {
            let _ = text;
            Err(ConfigError::invalid(
                ".",
                "TOML config files need the `toml` feature".into(),
            ))
        }
    }
}

fn apply_children(
    overrides: &BTreeMap<String, ChildOverrides>,
    spec: &mut SupervisorSpec,
    at: &str,
) -> Result<(), ConfigError> {
    for (id, child) in overrides {
        let path = format!("{at}.{id}");
        let Some(target) = spec.children.iter_mut().find(|c| c.id == *id) else {
            let ids: Vec<&str> = spec.children.iter().map(|c| c.id.as_str()).collect();
            let message = format!("no child `{id}` in `{}`", spec.id);
            return Err(ConfigError::invalid(
                &path,
                message + &super::suggest::did_you_mean(id, &ids),
            ));
        };
        child.apply_to(target, &path)?;
    }
    Ok(())
}

impl ChildOverrides {
    fn apply_to(&self, child: &mut ChildSpec, path: &str) -> Result<(), ConfigError> {
        let defaults = child.role.defaults();
        set(child, Field::Restart, self.restart, |c, v| {
            c.restart = Some(v)
        });
        if let Some(backoff) = self.backoff {
            let base = child.backoff.unwrap_or(defaults.backoff);
            child.backoff = Some(backoff.merge(base));
            child.configured.insert(Field::Backoff);
        }
        set(child, Field::RestartLimit, self.restart_limit, |c, v| {
            c.restart_limit = Some(v);
        });
        set(child, Field::Shutdown, self.shutdown, |c, v| {
            c.shutdown = Some(v)
        });
        set(child, Field::Timeout, self.timeout, |c, v| {
            c.timeout = Some(v)
        });
        set(child, Field::ReadyTimeout, self.ready_timeout, |c, v| {
            c.ready_timeout = Some(v);
        });
        set(child, Field::Heartbeat, self.heartbeat, |c, v| {
            c.heartbeat = Some(v)
        });
        set(child, Field::Severity, self.severity, |c, v| {
            c.severity = Some(v)
        });
        set(child, Field::Significant, self.significant, |c, v| {
            c.significant = Some(v);
        });
        set(child, Field::Every, self.every, |c, v| c.every = Some(v));
        self.apply_to_tree(child, path)
    }

    /// The keys that reach inside a nested tree.
    fn apply_to_tree(&self, child: &mut ChildSpec, path: &str) -> Result<(), ConfigError> {
        let tree_key = [
            ("strategy", self.strategy.is_some()),
            (
                "supervisor_restart_limit",
                self.supervisor_restart_limit.is_some(),
            ),
            ("auto_shutdown", self.auto_shutdown.is_some()),
            ("children", !self.children.is_empty()),
        ]
        .into_iter()
        .find_map(|(key, set)| set.then_some(key));
        let Some(tree) = child.tree.as_deref_mut() else {
            return match tree_key {
                Some(key) => Err(ConfigError::invalid(
                    &format!("{path}.{key}"),
                    format!("`{}` is not a nested tree, so it has no `{key}`", child.id),
                )),
                None => Ok(()),
            };
        };
        if let Some(strategy) = self.strategy {
            tree.strategy = strategy;
        }
        if let Some(limit) = self.supervisor_restart_limit {
            tree.restart_limit = limit;
        }
        if let Some(auto_shutdown) = self.auto_shutdown {
            tree.auto_shutdown = auto_shutdown;
        }
        apply_children(&self.children, tree, &format!("{path}.children"))
    }
}

/// Sets one field of `child` from the overlay and marks it as configured.
fn set<T>(
    child: &mut ChildSpec,
    field: Field,
    value: Option<T>,
    put: impl FnOnce(&mut ChildSpec, T),
) {
    if let Some(value) = value {
        put(child, value);
        child.configured.insert(field);
    }
}
