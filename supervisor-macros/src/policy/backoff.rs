//! `backoff = "none"` or `backoff(initial = .., max = .., multiplier = ..,
//! jitter = .., reset_after = ..)`: reading it, its facts, its tokens.

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use supervisor_rules::{self as rules, Blame, Key};
use syn::parse::Parser as _;

use crate::{
    duration,
    errors::Errors,
    value::{self, RawValue, Slot},
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

const CURVE_KEYS: &[&str] = &["initial", "max", "multiplier", "jitter", "reset_after"];
const BACKOFF_EXAMPLE: &str = "backoff = \"none\", or backoff(initial = \"50ms\", max = \"5s\", multiplier = 2.0, jitter = 0.2)";

/// Reads `backoff = "none"` or `backoff(...)`.
pub(crate) fn read(key: &value::Key, raw: RawValue) -> syn::Result<Backoff> {
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
        let key = value::Key::of(&meta);
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

impl Backoff {
    /// The numbers the rules judge: those of `BackoffPolicy::NONE`, or the
    /// default curve's (`rules::Backoff::DEFAULT`, as at run time) with the
    /// keys given.
    pub(crate) fn fact(&self) -> rules::Backoff {
        let Backoff::Curve(curve) = self else {
            return rules::Backoff {
                initial: Duration::ZERO,
                max: Duration::ZERO,
                multiplier: 1.0,
                jitter: 0.0,
            };
        };
        let default = rules::Backoff::DEFAULT;
        rules::Backoff {
            initial: curve.initial.value().copied().unwrap_or(default.initial),
            max: curve.max.value().copied().unwrap_or(default.max),
            multiplier: curve
                .multiplier
                .value()
                .copied()
                .unwrap_or(default.multiplier),
            jitter: curve.jitter.value().copied().unwrap_or(default.jitter),
        }
    }
}

impl Curve {
    /// Where the part of the curve `key` names is written.
    pub(crate) fn span(&self, key: Key, blame: Blame) -> Option<Span> {
        let slot = match key {
            Key::BackoffInitial => &self.initial,
            Key::BackoffMax => &self.max,
            Key::BackoffMultiplier => return self.multiplier.get().map(|m| m.at(blame)),
            Key::BackoffJitter => return self.jitter.get().map(|j| j.at(blame)),
            _ => return None,
        };
        slot.get().map(|d| d.at(blame))
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
