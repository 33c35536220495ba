//! How long to wait before restarting a child that failed.

use std::{fmt, time::Duration};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The default curve's numbers, which the macros fill in for keys left out
/// of `backoff(...)` as well.
const DEFAULT_CURVE: crate::rules::Backoff = crate::rules::Backoff::DEFAULT;

/// Exponential backoff between restarts after failures.
///
/// The n-th consecutive failure waits `initial * multiplier^(n-1)`, capped at
/// `max`, spread by up to `jitter` (a fraction) either way and never above
/// `max`. Once a child has run cleanly for [`reset_after`](Self::reset_after)
/// the sequence starts again from `initial`. A zero `max` ([`BackoffPolicy::NONE`])
/// restarts at once without touching a timer.
///
/// Serialized as a table (`{ initial = "50ms", max = "5s", multiplier = 2.0,
/// jitter = 0.2 }`, every key optional) or the string `"none"`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::BackoffPolicy;
///
/// let backoff = BackoffPolicy::DEFAULT
///     .initial(Duration::from_millis(100))
///     .max(Duration::from_secs(30))
///     .jitter(0.0);
/// assert_eq!(backoff.nominal_delay(3), Duration::from_millis(400));
/// assert_eq!(backoff.reset_after(), Duration::from_secs(60));
/// assert!(BackoffPolicy::NONE.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct BackoffPolicy {
    /// Delay before the first restart after a failure.
    #[serde(with = "super::duration")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub initial: Duration,
    /// Ceiling of every delay, jitter included.
    #[serde(with = "super::duration")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max: Duration,
    /// Growth factor from one delay to the next; at least 1.
    pub multiplier: f64,
    /// Random spread as a fraction of the delay, in `0.0..=1.0`.
    pub jitter: f64,
    /// Clean run time after which the next failure starts again from
    /// `initial`; `None` means `max * 2`.
    #[serde(
        with = "super::duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub reset_after: Option<Duration>,
}

impl BackoffPolicy {
    /// 50 ms doubling to 5 s, jitter 0.2, reset after 10 s of clean running:
    /// every role's default, and what a table with missing keys falls back to.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, TaskRole};
    ///
    /// let backoff = BackoffPolicy::DEFAULT;
    /// assert_eq!(backoff.initial, Duration::from_millis(50));
    /// assert_eq!(backoff.nominal_delay(2), Duration::from_millis(100));
    /// assert_eq!(backoff.max, Duration::from_secs(5));
    /// assert_eq!(backoff.reset_after(), Duration::from_secs(10));
    /// assert_eq!(TaskRole::Service.defaults().backoff, backoff);
    /// ```
    pub const DEFAULT: BackoffPolicy = BackoffPolicy {
        initial: DEFAULT_CURVE.initial,
        max: DEFAULT_CURVE.max,
        multiplier: DEFAULT_CURVE.multiplier,
        jitter: DEFAULT_CURVE.jitter,
        reset_after: None,
    };

    /// No backoff: every restart happens at once. Written `backoff = "none"`
    /// in attributes and config files.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// assert!(BackoffPolicy::NONE.is_none());
    /// assert_eq!(BackoffPolicy::NONE.nominal_delay(10), Duration::ZERO);
    /// assert_eq!(BackoffPolicy::NONE.to_string(), "none");
    /// ```
    pub const NONE: BackoffPolicy = BackoffPolicy {
        initial: Duration::ZERO,
        max: Duration::ZERO,
        multiplier: 1.0,
        jitter: 0.0,
        reset_after: None,
    };

    /// Sets the first delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// let backoff = BackoffPolicy::DEFAULT.initial(Duration::from_millis(200));
    /// assert_eq!(backoff.nominal_delay(1), Duration::from_millis(200));
    /// ```
    #[must_use]
    pub const fn initial(mut self, initial: Duration) -> Self {
        self.initial = initial;
        self
    }

    /// Sets the ceiling of every delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// let backoff = BackoffPolicy::DEFAULT.max(Duration::from_secs(1));
    /// assert_eq!(backoff.nominal_delay(100), Duration::from_secs(1));
    /// ```
    #[must_use]
    pub const fn max(mut self, max: Duration) -> Self {
        self.max = max;
        self
    }

    /// Sets the growth factor between delays.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// let backoff = BackoffPolicy::DEFAULT.multiplier(3.0);
    /// assert_eq!(backoff.nominal_delay(3), Duration::from_millis(450)); // 50 ms * 3 * 3
    /// ```
    #[must_use]
    pub const fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier;
        self
    }

    /// Sets the random spread, a fraction of the delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::BackoffPolicy;
    ///
    /// // Delays vary by up to 10 % either way.
    /// let backoff = BackoffPolicy::DEFAULT.jitter(0.1);
    /// assert_eq!(backoff.jitter, 0.1);
    /// ```
    #[must_use]
    pub const fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets [`reset_after`](Self::reset_after): how long a clean run must
    /// last for the next failure to start again from `initial`.
    ///
    /// (The other setters share their field's name; this one cannot, as
    /// `reset_after()` reads the value in effect.)
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// let backoff = BackoffPolicy::DEFAULT.with_reset_after(Duration::from_secs(90));
    /// assert_eq!(backoff.reset_after, Some(Duration::from_secs(90)));
    /// assert_eq!(backoff.reset_after(), Duration::from_secs(90));
    /// ```
    #[must_use]
    pub const fn with_reset_after(mut self, period: Duration) -> Self {
        self.reset_after = Some(period);
        self
    }

    /// How long a clean run must last for the next failure to start again
    /// from `initial`: the [`reset_after`](Self#structfield.reset_after)
    /// field when set, `max * 2` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// assert_eq!(BackoffPolicy::DEFAULT.reset_after(), Duration::from_secs(10));
    /// let slow = BackoffPolicy::DEFAULT.max(Duration::from_secs(60));
    /// assert_eq!(slow.reset_after(), Duration::from_secs(120));
    /// ```
    pub fn reset_after(&self) -> Duration {
        self.reset_after
            .unwrap_or_else(|| self.max.saturating_mul(2))
    }

    /// Whether every delay is zero, so restarts need no timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::BackoffPolicy;
    ///
    /// assert!(BackoffPolicy::NONE.is_none());
    /// assert!(!BackoffPolicy::DEFAULT.is_none());
    /// ```
    pub fn is_none(&self) -> bool {
        self.max.is_zero()
    }

    /// The delay before the `attempt`-th consecutive restart (counting from 1),
    /// before jitter: `initial * multiplier^(attempt-1)`, capped at `max`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::BackoffPolicy;
    ///
    /// let backoff = BackoffPolicy::DEFAULT; // 50 ms doubling to 5 s
    /// assert_eq!(backoff.nominal_delay(1), Duration::from_millis(50));
    /// assert_eq!(backoff.nominal_delay(4), Duration::from_millis(400));
    /// assert_eq!(backoff.nominal_delay(20), Duration::from_secs(5));
    /// ```
    pub fn nominal_delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(i32::MAX as u32) as i32;
        let factor = self.multiplier.max(1.0).powi(exponent);
        let nominal = self.initial.as_secs_f64() * factor;
        if !nominal.is_finite() || nominal >= self.max.as_secs_f64() {
            self.max
        } else {
            Duration::from_secs_f64(nominal).min(self.max)
        }
    }
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy::DEFAULT
    }
}

impl fmt::Display for BackoffPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("none");
        }
        use super::duration::format;
        write!(
            f,
            "{} x{} up to {}, jitter {}, reset after {}",
            format(self.initial),
            self.multiplier,
            format(self.max),
            self.jitter,
            format(self.reset_after())
        )
    }
}

impl Serialize for BackoffPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if *self == BackoffPolicy::NONE {
            serializer.serialize_str("none")
        } else {
            BackoffPolicy::serialize(self, serializer)
        }
    }
}

impl<'de> Deserialize<'de> for BackoffPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BackoffVisitor)
    }
}

struct BackoffVisitor;

impl<'de> de::Visitor<'de> for BackoffVisitor {
    type Value = BackoffPolicy;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"none\" or a table of initial, max, multiplier, jitter, reset_after")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<BackoffPolicy, E> {
        match text {
            "none" => Ok(BackoffPolicy::NONE),
            other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<BackoffPolicy, A::Error> {
        BackoffPolicy::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_delay_doubles_from_initial_and_stops_at_max() {
        let b = BackoffPolicy::DEFAULT;
        let ms = |n| Duration::from_millis(n);
        assert_eq!(b.nominal_delay(1), ms(50));
        assert_eq!(b.nominal_delay(2), ms(100));
        assert_eq!(b.nominal_delay(7), ms(3200));
        assert_eq!(b.nominal_delay(8), ms(5000));
        assert_eq!(b.nominal_delay(u32::MAX), ms(5000));
    }

    #[test]
    fn serializes_none_as_a_string_and_reads_it_back() {
        let text = serde_json::to_string(&BackoffPolicy::NONE).unwrap();
        assert_eq!(text, "\"none\"");
        let back: BackoffPolicy = serde_json::from_str(&text).unwrap();
        assert_eq!(back, BackoffPolicy::NONE);
    }

    #[test]
    fn missing_keys_take_the_default() {
        let back: BackoffPolicy = serde_json::from_str(r#"{"initial":"1s"}"#).unwrap();
        assert_eq!(back, BackoffPolicy::DEFAULT.initial(Duration::from_secs(1)));
    }

    #[test]
    fn table_round_trips_with_durations_as_text() {
        let b = BackoffPolicy::DEFAULT.with_reset_after(Duration::from_secs(90));
        let text = serde_json::to_string(&b).unwrap();
        assert!(text.contains(r#""initial":"50ms""#), "{text}");
        assert!(text.contains(r#""reset_after":"1m 30s""#), "{text}");
        assert_eq!(serde_json::from_str::<BackoffPolicy>(&text).unwrap(), b);
    }
}
