//! How a child is stopped.

use std::{fmt, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

/// How long a child is given to stop after it is cancelled.
///
/// Serialized as `"brutal"`, `"infinity"` or a duration such as `"5s"`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::ShutdownPolicy;
///
/// let grace: ShutdownPolicy = "5s".parse().unwrap();
/// assert_eq!(grace, ShutdownPolicy::Timeout(Duration::from_secs(5)));
/// assert_eq!("brutal".parse::<ShutdownPolicy>().unwrap(), ShutdownPolicy::Brutal);
/// assert_eq!(grace.to_string(), "5s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShutdownPolicy {
    /// Abort the task at once, without cancelling it first.
    Brutal,
    /// Cancel the task, wait this long for it to return, then abort it.
    Timeout(Duration),
    /// Cancel the task and wait for it however long it takes (for nested
    /// supervisors, which bound their own shutdown).
    Infinity,
}

impl ShutdownPolicy {
    /// The grace period, or `None` for [`ShutdownPolicy::Infinity`].
    /// [`ShutdownPolicy::Brutal`] has a grace of zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::ShutdownPolicy;
    ///
    /// assert_eq!(ShutdownPolicy::Timeout(Duration::from_secs(5)).grace(), Some(Duration::from_secs(5)));
    /// assert_eq!(ShutdownPolicy::Brutal.grace(), Some(Duration::ZERO));
    /// assert_eq!(ShutdownPolicy::Infinity.grace(), None);
    /// ```
    pub const fn grace(self) -> Option<Duration> {
        match self {
            ShutdownPolicy::Brutal => Some(Duration::ZERO),
            ShutdownPolicy::Timeout(grace) => Some(grace),
            ShutdownPolicy::Infinity => None,
        }
    }
}

impl fmt::Display for ShutdownPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShutdownPolicy::Brutal => f.write_str("brutal"),
            ShutdownPolicy::Infinity => f.write_str("infinity"),
            ShutdownPolicy::Timeout(grace) => f.write_str(&super::duration::format(*grace)),
        }
    }
}

impl std::str::FromStr for ShutdownPolicy {
    type Err = ParseShutdownPolicyError;

    /// Reads `"brutal"`, `"infinity"` or a duration such as `"5s"`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "brutal" => Ok(ShutdownPolicy::Brutal),
            "infinity" => Ok(ShutdownPolicy::Infinity),
            other => super::duration::parse(other)
                .map(ShutdownPolicy::Timeout)
                .map_err(|_| ParseShutdownPolicyError {
                    text: other.to_owned(),
                }),
        }
    }
}

/// Error returned by [`ShutdownPolicy::from_str`](std::str::FromStr::from_str)
/// for text that is neither `"brutal"`, `"infinity"` nor a duration.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ParseShutdownPolicyError, ShutdownPolicy};
///
/// let error: ParseShutdownPolicyError = "soon".parse::<ShutdownPolicy>().unwrap_err();
/// assert_eq!(error.input(), "soon");
/// assert_eq!(
///     error.to_string(),
///     r#"invalid shutdown `soon`: expected "brutal", "infinity" or a duration such as "5s""#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseShutdownPolicyError {
    text: String,
}

impl ParseShutdownPolicyError {
    /// The text that could not be read (without surrounding whitespace).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::ShutdownPolicy;
    ///
    /// let error = " later ".parse::<ShutdownPolicy>().unwrap_err();
    /// assert_eq!(error.input(), "later");
    /// ```
    pub fn input(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for ParseShutdownPolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"invalid shutdown `{}`: expected "brutal", "infinity" or a duration such as "5s""#,
            self.text
        )
    }
}

impl std::error::Error for ParseShutdownPolicyError {}

impl Serialize for ShutdownPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ShutdownPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for ShutdownPolicy {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ShutdownPolicy".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "\"brutal\", \"infinity\", or a grace period such as \"5s\"",
        })
    }
}
