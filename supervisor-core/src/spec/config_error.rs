//! What can be wrong with a config overlay.

use std::{fmt, path::PathBuf, sync::Arc};

use crate::rules::SpecError;

/// Why a config overlay ([`SpecOverrides`](super::SpecOverrides)) could
/// not be used. Each error names where the mistake is: the file, the path
/// of the key in it, and for a misspelt key or id the closest known one.
///
/// Under `run*`, any of these ends the program with exit code 78
/// (`EX_CONFIG`) before anything runs, or, on a reload, keeps the values in
/// force.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ConfigError, SpecOverrides};
///
/// let error = SpecOverrides::from_toml_str("strategy = \"one_for_al\"").unwrap_err();
/// match &error {
///     ConfigError::Invalid { path, .. } => assert_eq!(path, "strategy"),
///     other => panic!("{other}"),
/// }
/// assert!(error.to_string().contains("did you mean `one_for_all`?"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        error: Arc<std::io::Error>,
    },
    /// A key, value or child id in the overlay is wrong.
    Invalid {
        /// The file, when the overlay came from one.
        file: Option<PathBuf>,
        /// Where in the overlay, such as `children.api.backoff.max`.
        path: String,
        /// What is wrong, with the fix when there is one.
        message: String,
    },
    /// The spec with the overlay merged breaks the rule table.
    Rules(SpecError),
}

impl ConfigError {
    pub(crate) fn invalid(path: &str, message: String) -> Self {
        ConfigError::Invalid {
            file: None,
            path: path.to_owned(),
            message,
        }
    }

    /// An error at `path` (empty for the whole document); an unknown key
    /// or variant gets the closest known name.
    #[cfg(any(feature = "json", feature = "toml"))]
    pub(crate) fn at(path: &str, message: &str) -> Self {
        let hint = super::suggest::for_serde_message(message);
        let path = if path.is_empty() { "." } else { path };
        ConfigError::invalid(path, format!("{message}{hint}"))
    }

    /// The same error, naming the file it came from.
    pub(crate) fn in_file(self, file: &std::path::Path) -> Self {
        match self {
            ConfigError::Invalid { path, message, .. } => ConfigError::Invalid {
                file: Some(file.to_owned()),
                path,
                message,
            },
            other => other,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { file, error } => {
                write!(f, "cannot read config file `{}`: {error}", file.display())
            }
            ConfigError::Invalid {
                file,
                path,
                message,
            } => {
                f.write_str("invalid config")?;
                if let Some(file) = file {
                    write!(f, " in `{}`", file.display())?;
                }
                write!(f, " at `{path}`: {message}")
            }
            ConfigError::Rules(error) => {
                write!(f, "the config file makes the spec invalid: {error}")
            }
        }
    }
}

/// Two errors are equal when they say the same: for [`ConfigError::Read`],
/// the same file and the same kind of I/O error.
impl PartialEq for ConfigError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                ConfigError::Read { file, error },
                ConfigError::Read {
                    file: other_file,
                    error: other_error,
                },
            ) => file == other_file && error.kind() == other_error.kind(),
            (
                ConfigError::Invalid {
                    file,
                    path,
                    message,
                },
                ConfigError::Invalid {
                    file: other_file,
                    path: other_path,
                    message: other_message,
                },
            ) => file == other_file && path == other_path && message == other_message,
            (ConfigError::Rules(error), ConfigError::Rules(other)) => error == other,
            _ => false,
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { error, .. } => Some(&**error),
            ConfigError::Rules(error) => Some(error),
            ConfigError::Invalid { .. } => None,
        }
    }
}
