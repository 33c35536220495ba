//! Durations written as humantime text (`"50ms"`, `"5s"`, `"1m 30s"`,
//! `"2h"`, `"500us"`), parsed at compile time by `humantime`, the parser
//! the runtime uses for specs and config files; what this module adds is a
//! message that quotes the part of the text that is wrong.

use std::{fmt, time::Duration};

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::suggest;

/// The units humantime accepts, in the order a "did you mean" prefers them.
const UNITS: &[&str] = &[
    "ms", "s", "m", "h", "d", "w", "us", "ns", "µs", "nanos", "nsec", "usec", "millis", "msec",
    "seconds", "second", "secs", "sec", "minutes", "minute", "min", "mins", "hours", "hour", "hr",
    "hrs", "days", "day", "weeks", "week", "wk", "wks", "months", "month", "M", "years", "year",
    "yr", "yrs", "y",
];

/// Why a text is not a duration, in words that quote the text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DurationError(String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses humantime text such as `"1m 30s"`.
pub(crate) fn parse(text: &str) -> Result<Duration, DurationError> {
    humantime::parse_duration(text).map_err(|error| DurationError(explain(text, &error)))
}

/// Says what is wrong with `text`, quoting the offending part where
/// humantime gives its place.
fn explain(text: &str, error: &humantime::DurationError) -> String {
    use humantime::DurationError as E;
    match error {
        E::Empty => "the duration is empty".to_owned(),
        E::InvalidCharacter(at) => match text.get(*at..).and_then(|rest| rest.chars().next()) {
            Some(c) => format!("unexpected character `{c}`"),
            None => "the text ends where a digit was expected".to_owned(),
        },
        E::NumberExpected(at) => {
            let rest = text.get(*at..).unwrap_or(text).trim_start();
            let word = rest.split_whitespace().next().unwrap_or(rest);
            format!("`{word}` is not a number followed by a unit")
        }
        E::UnknownUnit { start, unit, .. } if unit.is_empty() => {
            let before = text.get(..*start).unwrap_or(text).trim_end();
            let number = before
                .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
                .unwrap_or(before);
            format!("`{number}` has no unit")
        }
        E::UnknownUnit { unit, .. } => {
            let hint = match suggest::closest(unit, UNITS) {
                Some(unit) => format!("did you mean `{unit}`?"),
                None => "the units are ns, us, ms, s, m, h, d, w, M (months) and y".to_owned(),
            };
            format!("`{unit}` is not a unit of time; {hint}")
        }
        E::NumberOverflow if text.contains('.') => format!(
            "\"{}\" is too long, or a fraction finer than the unit allows \
             (nanoseconds; whole seconds for hours and longer)",
            text.trim()
        ),
        E::NumberOverflow => "the duration is too long".to_owned(),
    }
}

/// A `core::time::Duration` constant, written the way a person would:
/// `Duration::from_millis(50)` rather than a count of nanoseconds.
pub(crate) fn to_tokens(duration: Duration, duration_path: &TokenStream) -> TokenStream {
    let number = |n: u64| Literal::u64_unsuffixed(n);
    let (secs, nanos) = (duration.as_secs(), duration.subsec_nanos());
    if nanos == 0 {
        let secs = number(secs);
        quote!(#duration_path::from_secs(#secs))
    } else if secs == 0 && nanos % 1_000_000 == 0 {
        let millis = number(u64::from(nanos / 1_000_000));
        quote!(#duration_path::from_millis(#millis))
    } else if secs == 0 && nanos % 1_000 == 0 {
        let micros = number(u64::from(nanos / 1_000));
        quote!(#duration_path::from_micros(#micros))
    } else if secs == 0 {
        let nanos = number(u64::from(nanos));
        quote!(#duration_path::from_nanos(#nanos))
    } else {
        let (secs, nanos) = (number(secs), number(u64::from(nanos)));
        quote!(#duration_path::new(#secs, #nanos))
    }
}

/// Formats a duration for a message as the runtime's messages do (`1m 30s`).
pub(crate) fn format(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn accepts_the_forms_the_documentation_shows() {
        let cases = [
            ("50ms", Duration::from_millis(50)),
            ("5s", Duration::from_secs(5)),
            ("1m 30s", Duration::from_secs(90)),
            ("1m30s", Duration::from_secs(90)),
            ("2h", Duration::from_secs(7200)),
            ("500us", Duration::from_micros(500)),
            ("1.5s", Duration::from_millis(1500)),
            ("  5s  ", Duration::from_secs(5)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn every_unit_in_the_did_you_mean_list_is_one_humantime_accepts() {
        for unit in UNITS {
            let text = format!("1{unit}");
            assert!(humantime::parse_duration(&text).is_ok(), "{text}");
        }
    }

    #[test]
    fn says_what_is_wrong_quoting_the_text() {
        assert_eq!(message(""), "the duration is empty");
        assert_eq!(message("   "), "the duration is empty");
        assert_eq!(message("50"), "`50` has no unit");
        assert_eq!(message("1m 30"), "`30` has no unit");
        assert_eq!(message("1.5"), "`1.5` has no unit");
        assert_eq!(message("soon"), "`soon` is not a number followed by a unit");
        assert_eq!(message("5s, 3m"), "unexpected character `,`");
        assert_eq!(message("-5s"), "`-5s` is not a number followed by a unit");
        assert_eq!(
            message("5 secnds"),
            "`secnds` is not a unit of time; did you mean `seconds`?"
        );
        assert_eq!(
            message("5 fortnights"),
            "`fortnights` is not a unit of time; \
             the units are ns, us, ms, s, m, h, d, w, M (months) and y"
        );
        assert_eq!(message("99999999999999999999y"), "the duration is too long");
        assert!(message("1.5ns").starts_with("\"1.5ns\" is too long, or a fraction"));
    }

    #[test]
    fn writes_constants_in_the_largest_exact_unit() {
        let path = quote!(Duration);
        let text = |d| to_tokens(d, &path).to_string();
        assert_eq!(text(Duration::from_secs(5)), "Duration :: from_secs (5)");
        assert_eq!(
            text(Duration::from_millis(50)),
            "Duration :: from_millis (50)"
        );
        assert_eq!(
            text(Duration::from_micros(500)),
            "Duration :: from_micros (500)"
        );
        assert_eq!(
            text(Duration::from_millis(1500)),
            "Duration :: new (1 , 500000000)"
        );
    }

    #[test]
    fn formats_like_the_runtime_writes_durations() {
        assert_eq!(format(Duration::from_secs(90)), "1m 30s");
        assert_eq!(format(Duration::from_millis(50)), "50ms");
        assert_eq!(format(Duration::ZERO), "0s");
    }
}
