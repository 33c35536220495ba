//! `backoff = "none"` or `backoff(initial = .., max = .., multiplier = ..,
//! jitter = .., reset_after = ..)`: reading it, its rules, its tokens.

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser as _;

use crate::{
    duration,
    errors::Errors,
    rules,
    value::{self, Key, RawValue, Slot},
};

/// `backoff = "none"` or `backoff(initial = ..., max = ..., ...)`.
pub(crate) enum Backoff {
    None,
    Curve(Box<Curve>),
}

/// The keys of `backoff(...)`; those left out keep the default curve's value.
#[derive(Default)]
pub(crate) struct Curve {
    pub(crate) initial: Slot<Duration>,
    pub(crate) max: Slot<Duration>,
    pub(crate) multiplier: Slot<f64>,
    pub(crate) jitter: Slot<f64>,
    pub(crate) reset_after: Slot<Duration>,
}

/// The runtime's default curve (`BackoffPolicy::DEFAULT`): what a key left
/// out of `backoff(...)` keeps.
const DEFAULT_INITIAL: Duration = Duration::from_millis(50);
const DEFAULT_MAX: Duration = Duration::from_secs(5);

const CURVE_KEYS: &[&str] = &["initial", "max", "multiplier", "jitter", "reset_after"];
const BACKOFF_EXAMPLE: &str = "backoff = \"none\", or backoff(initial = \"50ms\", max = \"5s\", multiplier = 2.0, jitter = 0.2)";

/// Reads `backoff = "none"` or `backoff(...)`.
pub(crate) fn read(key: &Key, raw: RawValue) -> syn::Result<Backoff> {
    let tokens = match raw {
        RawValue::List { tokens, .. } => tokens,
        other => {
            let text = value::string(key, other, BACKOFF_EXAMPLE)?;
            return match text.value().as_str() {
                "none" => Ok(Backoff::None),
                _ => Err(syn::Error::new(
                    text.span(),
                    format_args!("expected {BACKOFF_EXAMPLE}"),
                )),
            };
        }
    };
    let mut curve = Curve::default();
    let mut errors = Errors::default();
    let parse = syn::meta::parser(|meta| {
        let key = Key::of(&meta);
        let raw = RawValue::read(&meta)?;
        match key.name.as_str() {
            "initial" => curve.initial.fill(&key, raw, &mut errors, value::duration),
            "max" => curve.max.fill(&key, raw, &mut errors, value::duration),
            "multiplier" => curve.multiplier.fill(&key, raw, &mut errors, |k, r| {
                value::float(k, r, "multiplier = 2.0")
            }),
            "jitter" => curve.jitter.fill(&key, raw, &mut errors, |k, r| {
                value::float(k, r, "jitter = 0.2")
            }),
            "reset_after" => curve
                .reset_after
                .fill(&key, raw, &mut errors, value::duration),
            _ => errors.push(value::unknown_key(&key, "backoff(...)", CURVE_KEYS)),
        }
        Ok(())
    });
    let parsed = parse.parse2(tokens);
    errors.take(parsed);
    errors.finish(Backoff::Curve(Box::new(curve)))
}

/// `backoff_initial_above_max`, `backoff_jitter_out_of_range` and
/// `backoff_multiplier_below_one`; a key left out takes the default curve's
/// value, as at run time.
pub(crate) fn check(curve: &Curve, errors: &mut Errors) {
    let initial = curve.initial.value().copied().unwrap_or(DEFAULT_INITIAL);
    let max = curve.max.value().copied().unwrap_or(DEFAULT_MAX);
    let given = curve.initial.get().or(curve.max.get());
    if let Some(at) = given.filter(|_| initial > max) {
        let detail = format!(
            "initial {} > max {}",
            duration::format(initial),
            duration::format(max)
        );
        errors.push(rules::BACKOFF_INITIAL_ABOVE_MAX.error(at.span, &detail));
    }
    if let Some(jitter) = curve
        .jitter
        .get()
        .filter(|j| !(0.0..=1.0).contains(&j.value))
    {
        let detail = format!("jitter is {}", jitter.value);
        errors.push(rules::BACKOFF_JITTER_OUT_OF_RANGE.error(jitter.span, &detail));
    }
    if let Some(multiplier) = curve.multiplier.get().filter(|m| m.value < 1.0) {
        let detail = format!("multiplier is {}", multiplier.value);
        errors.push(rules::BACKOFF_MULTIPLIER_BELOW_ONE.error(multiplier.span, &detail));
    }
}

/// `BackoffPolicy::NONE`, or the default curve with the keys given.
pub(crate) fn tokens(backoff: &Backoff, support: &TokenStream) -> TokenStream {
    let curve = match backoff {
        Backoff::None => return quote!(#support::BackoffPolicy::NONE),
        Backoff::Curve(curve) => curve,
    };
    let duration_path = quote!(#support::Duration);
    let mut tokens = quote!(#support::BackoffPolicy::DEFAULT);
    for (method, slot) in [(quote!(initial), &curve.initial), (quote!(max), &curve.max)] {
        if let Some(value) = slot.value() {
            let value = duration::to_tokens(*value, &duration_path);
            tokens.extend(quote!(.#method(#value)));
        }
    }
    for (method, slot) in [
        (quote!(multiplier), &curve.multiplier),
        (quote!(jitter), &curve.jitter),
    ] {
        if let Some(value) = slot.value() {
            tokens.extend(quote!(.#method(#value)));
        }
    }
    if let Some(value) = curve.reset_after.value() {
        let value = duration::to_tokens(*value, &duration_path);
        tokens.extend(quote!(.with_reset_after(#value)));
    }
    tokens
}
