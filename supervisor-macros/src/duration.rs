//! Durations written as humantime text (`"50ms"`, `"5s"`, `"1m 30s"`,
//! `"2h"`, `"500us"`), parsed at compile time. Accepts what
//! `humantime::parse_duration` accepts, with the same units and values.

use std::time::Duration;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Why a text is not a duration.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DurationError {
    Empty,
    NotANumber(String),
    MissingUnit(String),
    UnknownUnit(String),
    Unexpected(char),
    Inexact(String),
    TooLong,
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurationError::Empty => f.write_str("the duration is empty"),
            DurationError::NotANumber(text) => {
                write!(f, "`{text}` is not a number followed by a unit")
            }
            DurationError::MissingUnit(number) => write!(f, "`{number}` has no unit"),
            DurationError::UnknownUnit(unit) => write!(f, "`{unit}` is not a unit of time"),
            DurationError::Unexpected(c) => write!(f, "unexpected character `{c}`"),
            DurationError::Inexact(span) => write!(
                f,
                "`{span}` is not a whole number of nanoseconds (of seconds, for hours and longer)"
            ),
            DurationError::TooLong => f.write_str("the duration is too long"),
        }
    }
}

/// The size of one unit: in nanoseconds for units of a minute or less, and
/// in whole seconds above (humantime drops the sub-second part of a fraction
/// of an hour or more).
#[derive(Clone, Copy)]
enum Unit {
    Nanos(u128),
    Seconds(u128),
}

fn unit(name: &str) -> Option<Unit> {
    Some(match name {
        "nanos" | "nsec" | "ns" => Unit::Nanos(1),
        "usec" | "us" | "µs" => Unit::Nanos(1_000),
        "millis" | "msec" | "ms" => Unit::Nanos(1_000_000),
        "seconds" | "second" | "secs" | "sec" | "s" => Unit::Nanos(NANOS_PER_SEC),
        "minutes" | "minute" | "min" | "mins" | "m" => Unit::Nanos(60 * NANOS_PER_SEC),
        "hours" | "hour" | "hr" | "hrs" | "h" => Unit::Seconds(3_600),
        "days" | "day" | "d" => Unit::Seconds(86_400),
        "weeks" | "week" | "wk" | "wks" | "w" => Unit::Seconds(604_800),
        "months" | "month" | "M" => Unit::Seconds(2_630_016),
        "years" | "year" | "yr" | "yrs" | "y" => Unit::Seconds(31_557_600),
        _ => return None,
    })
}

/// One `<number><unit>` span of the text.
struct Span<'a> {
    whole: &'a str,
    fraction: &'a str,
    unit: &'a str,
}

impl Span<'_> {
    fn nanos(&self) -> Result<u128, DurationError> {
        let unit = unit(self.unit).ok_or_else(|| DurationError::UnknownUnit(self.unit.into()))?;
        let whole: u128 = self.whole.parse().map_err(|_| DurationError::TooLong)?;
        let (numerator, denominator) = fraction(self.fraction)?;
        let (size, scale) = match unit {
            Unit::Nanos(1) if !self.fraction.is_empty() => {
                return Err(DurationError::Unexpected('.'));
            }
            Unit::Nanos(size) => (size, 1),
            Unit::Seconds(size) => (size, NANOS_PER_SEC),
        };
        if numerator * size % denominator != 0 {
            let text = format!("{}.{}{}", self.whole, self.fraction, self.unit);
            return Err(DurationError::Inexact(text));
        }
        Ok((whole * size + numerator * size / denominator) * scale)
    }
}

fn fraction(digits: &str) -> Result<(u128, u128), DurationError> {
    if digits.is_empty() {
        return Ok((0, 1));
    }
    let digits = &digits[..digits.len().min(18)];
    let numerator = digits.parse().map_err(|_| DurationError::TooLong)?;
    Ok((numerator, 10u128.pow(digits.len() as u32)))
}

/// Parses humantime text such as `"1m 30s"`.
pub(crate) fn parse(text: &str) -> Result<Duration, DurationError> {
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let (span, after) = next_span(rest)?;
        total = total
            .checked_add(span.nanos()?)
            .ok_or(DurationError::TooLong)?;
        rest = after.trim_start();
    }
    let secs = u64::try_from(total / NANOS_PER_SEC).map_err(|_| DurationError::TooLong)?;
    Ok(Duration::new(secs, (total % NANOS_PER_SEC) as u32))
}

fn next_span(text: &str) -> Result<(Span<'_>, &str), DurationError> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if digits_end == 0 {
        return match text.chars().next() {
            Some(c) if c.is_alphanumeric() => {
                let word = text.split_whitespace().next().unwrap_or(text);
                Err(DurationError::NotANumber(word.into()))
            }
            other => Err(DurationError::Unexpected(other.unwrap_or(' '))),
        };
    }
    let (whole, rest) = text.split_at(digits_end);
    if whole.len() > 30 {
        return Err(DurationError::TooLong);
    }
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after) => after.split_at(
            after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len()),
        ),
        None => ("", rest),
    };
    let rest = rest.trim_start();
    let unit_end = rest
        .find(|c: char| !(c.is_ascii_alphabetic() || c == 'µ'))
        .unwrap_or(rest.len());
    if unit_end == 0 {
        return match rest.chars().next() {
            None => Err(DurationError::MissingUnit(text.trim().into())),
            Some(c) => Err(DurationError::Unexpected(c)),
        };
    }
    let (unit, rest) = rest.split_at(unit_end);
    Ok((
        Span {
            whole,
            fraction,
            unit,
        },
        rest,
    ))
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

/// Formats a duration for a message the way specs write it (`1m 30s`).
pub(crate) fn format(duration: Duration) -> String {
    const PARTS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut secs = duration.as_secs();
    let mut out = Vec::new();
    for (size, unit) in PARTS {
        if secs >= size {
            out.push(format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    let nanos = duration.subsec_nanos();
    let sub = [
        (nanos / 1_000_000, "ms"),
        (nanos / 1_000 % 1_000, "us"),
        (nanos % 1_000, "ns"),
    ];
    for (value, unit) in sub {
        if value > 0 {
            out.push(format!("{value}{unit}"));
        }
    }
    if out.is_empty() {
        "0s".to_owned()
    } else {
        out.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_humantime_on_every_accepted_form() {
        let texts = [
            "50ms",
            "5s",
            "1m 30s",
            "2h",
            "500us",
            "1m30s",
            "0s",
            "10 s",
            "1.5s",
            "1.5h",
            "1.25m",
            "2 days 3 hours",
            "1w",
            "1M",
            "1y",
            "7ns",
            "3µs",
            "100millis",
            "2 weeks",
            "1.999999999s",
            "  5s  ",
            "1h 1m 1s 1ms 1us 1ns",
        ];
        for text in texts {
            let expected = humantime::parse_duration(text).expect(text);
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn rejects_what_humantime_rejects() {
        for text in [
            "",
            "50",
            "5x",
            "five seconds",
            "1.5ns",
            "-5s",
            "5s,",
            "s",
            "0.3333h",
        ] {
            assert!(
                humantime::parse_duration(text).is_err(),
                "humantime accepts {text:?}"
            );
            assert!(parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(parse("50"), Err(DurationError::MissingUnit("50".into())));
        assert_eq!(parse("5x"), Err(DurationError::UnknownUnit("x".into())));
        assert_eq!(parse("soon"), Err(DurationError::NotANumber("soon".into())));
        assert_eq!(parse("5s, 3m"), Err(DurationError::Unexpected(',')));
        assert_eq!(parse("99999999999999y"), Err(DurationError::TooLong));
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
    fn formats_like_the_specs_write_durations() {
        assert_eq!(format(Duration::from_secs(90)), "1m 30s");
        assert_eq!(format(Duration::from_millis(50)), "50ms");
        assert_eq!(format(Duration::ZERO), "0s");
    }
}
