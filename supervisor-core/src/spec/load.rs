//! Reading a [`SupervisorSpec`] from JSON or TOML text.

use std::fmt;

use super::SupervisorSpec;

/// Error returned by [`SupervisorSpec::from_json_str`] and
/// [`SupervisorSpec::from_toml_str`]: what was wrong and where.
///
/// # Examples
///
/// ```
/// use supervisor_core::SupervisorSpec;
///
/// let error = SupervisorSpec::from_json_str(
///     r#"{ "id": "app", "children": [ { "id": "api", "role": "server" } ] }"#,
/// )
/// .unwrap_err();
/// assert_eq!(error.path(), "children[0].role");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    path: String,
    message: String,
}

impl LoadError {
    /// Where in the document the error is, such as `children[2].backoff.initial`;
    /// `.` for the document as a whole (such as text after the end of a JSON
    /// document, or TOML that does not parse).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "json")] {
    /// use supervisor_core::SupervisorSpec;
    ///
    /// let text = r#"{ "children": [ { "id": "api", "backoff": { "initial": "soon" } } ] }"#;
    /// let error = SupervisorSpec::from_json_str(text).unwrap_err();
    /// assert_eq!(error.path(), "children[0].backoff.initial");
    ///
    /// let error = SupervisorSpec::from_json_str(r#"{ "id": "app" } {}"#).unwrap_err();
    /// assert_eq!(error.path(), ".");
    /// # }
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong there, as the parser put it; [`Display`](fmt::Display)
    /// prints it after the path.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "toml")] {
    /// use supervisor_core::SupervisorSpec;
    ///
    /// let error = SupervisorSpec::from_toml_str("id = \"app\"\nstrategy = \"one_for_none\"").unwrap_err();
    /// assert_eq!(error.path(), "strategy");
    /// assert!(error.message().contains("one_for_none"), "{}", error.message());
    /// assert!(error.to_string().starts_with("invalid spec at `strategy`: "));
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    fn at<E: fmt::Display>(error: serde_path_to_error::Error<E>) -> Self {
        let path = error.path().to_string();
        LoadError {
            path: if path.is_empty() {
                ".".to_owned()
            } else {
                path
            },
            message: error.inner().to_string(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid spec at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for LoadError {}

impl SupervisorSpec {
    /// Reads a spec from JSON. The tasks are not data: give each child its
    /// task (see [`SupervisorSpec::find_child_mut`]) before starting it. The
    /// spec is not validated here; [`validate`](Self::validate) and starting
    /// it do that.
    ///
    /// # Errors
    ///
    /// Malformed JSON, an unknown field, a bad duration or enum value; the
    /// error names the path of the offending field.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{Strategy, SupervisorSpec};
    ///
    /// let app = SupervisorSpec::from_json_str(
    ///     r#"{ "id": "app", "strategy": "one_for_all",
    ///          "children": [ { "id": "api", "role": "service", "backoff": "none" } ] }"#,
    /// )?;
    /// assert_eq!(app.strategy, Strategy::OneForAll);
    /// # Ok::<(), supervisor_core::LoadError>(())
    /// ```
    #[cfg(feature = "json")]
    pub fn from_json_str(text: &str) -> Result<Self, LoadError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let spec: SupervisorSpec =
            serde_path_to_error::deserialize(&mut deserializer).map_err(LoadError::at)?;
        deserializer.end().map_err(|error| LoadError {
            path: ".".to_owned(),
            message: error.to_string(),
        })?;
        Ok(spec)
    }

    /// Reads a spec from TOML, as [`from_json_str`](Self::from_json_str)
    /// does from JSON.
    ///
    /// # Errors
    ///
    /// Malformed TOML, an unknown field, a bad duration or enum value; the
    /// error names the path of the offending field.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::SupervisorSpec;
    ///
    /// let app = SupervisorSpec::from_toml_str(
    ///     r#"
    ///     id = "app"
    ///     [[children]]
    ///     id = "api"
    ///     role = "service"
    ///     backoff = { initial = "100ms", max = "10s" }
    ///     "#,
    /// )?;
    /// assert_eq!(app.children[0].backoff.unwrap().max.as_secs(), 10);
    /// # Ok::<(), supervisor_core::LoadError>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str) -> Result<Self, LoadError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|error| LoadError {
            path: ".".to_owned(),
            message: error.to_string(),
        })?;
        serde_path_to_error::deserialize(deserializer).map_err(LoadError::at)
    }
}
