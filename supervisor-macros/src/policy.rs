//! The policy keys a child declares with `#[supervised(...)]` and a tree may
//! override with `#[child(...)]`: reading them, the rules each value must
//! keep on its own, and the builder calls they become.

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{LitStr, parse::Parser as _};

use crate::{
    choice::{self, Choice as _, Restart, Severity},
    duration,
    errors::Errors,
    rules,
    value::{self, Key, RawValue, Slot},
};

/// `backoff = "none"` or `backoff(initial = ..., max = ..., ...)`.
pub(crate) enum Backoff {
    None,
    Curve(Curve),
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

/// `restart_limit(max = 10, within = "60s")`.
pub(crate) struct Limit {
    pub(crate) max: value::Spanned<u32>,
    pub(crate) within: value::Spanned<Duration>,
}

const LIMIT_EXAMPLE: &str = "restart_limit(max = 10, within = \"60s\")";

/// `shutdown = "5s" | "brutal" | "infinity"`.
pub(crate) enum Shutdown {
    Brutal,
    Infinity,
    Timeout(Duration),
}

/// Every policy key of a child, each given at most once.
#[derive(Default)]
pub(crate) struct Policy {
    pub(crate) id: Slot<LitStr>,
    pub(crate) restart: Slot<Restart>,
    pub(crate) backoff: Slot<Backoff>,
    pub(crate) restart_limit: Slot<Limit>,
    pub(crate) shutdown: Slot<Shutdown>,
    pub(crate) timeout: Slot<Duration>,
    pub(crate) ready_timeout: Slot<Duration>,
    pub(crate) heartbeat: Slot<Duration>,
    pub(crate) severity: Slot<Severity>,
    pub(crate) significant: Slot<bool>,
}

impl Policy {
    /// The keys read here.
    pub(crate) const KEYS: &'static [&'static str] = &[
        "id",
        "restart",
        "backoff",
        "restart_limit",
        "shutdown",
        "timeout",
        "ready_timeout",
        "heartbeat",
        "severity",
        "significant",
    ];

    /// Reads `key` if it is a policy key, and gives the value back if not.
    pub(crate) fn read(
        &mut self,
        key: &Key,
        raw: RawValue,
        errors: &mut Errors,
    ) -> Option<RawValue> {
        match key.name.as_str() {
            "id" => self
                .id
                .fill(key, raw, errors, |k, r| value::string(k, r, "id = \"api\"")),
            "restart" => self.restart.fill(key, raw, errors, choice::read),
            "backoff" => self.backoff.fill(key, raw, errors, read_backoff),
            "restart_limit" => self.restart_limit.fill(key, raw, errors, read_limit),
            "shutdown" => self.shutdown.fill(key, raw, errors, read_shutdown),
            "timeout" => self.timeout.fill(key, raw, errors, value::duration),
            "ready_timeout" => self.ready_timeout.fill(key, raw, errors, value::duration),
            "heartbeat" => self.heartbeat.fill(key, raw, errors, value::duration),
            "severity" => self.severity.fill(key, raw, errors, choice::read),
            "significant" => self.significant.fill(key, raw, errors, value::boolean),
            _ => return Some(raw),
        }
        None
    }

    /// The rules each value keeps on its own: a valid id, a sound backoff
    /// curve and restart limit, deadlines above zero.
    pub(crate) fn check_values(&self, errors: &mut Errors) {
        if let Some(id) = self.id.get() {
            check_id(id, errors);
        }
        if let Some(Backoff::Curve(curve)) = self.backoff.value() {
            check_curve(curve, errors);
        }
        if let Some(limit) = self.restart_limit.value() {
            check_limit(limit, errors);
        }
        let deadlines = [
            ("timeout", &self.timeout),
            ("ready_timeout", &self.ready_timeout),
            ("heartbeat", &self.heartbeat),
        ];
        for (name, slot) in deadlines {
            if let Some(deadline) = slot.get().filter(|d| d.value.is_zero()) {
                let detail = format!("`{name}` is 0s");
                errors.push(rules::ZERO_DEADLINE.error(deadline.span, &detail));
            }
        }
    }

    /// The builder calls that set every key given (all but `id`), in the
    /// order of the keys.
    pub(crate) fn builder_calls(&self, support: &TokenStream) -> TokenStream {
        let duration_path = quote!(#support::Duration);
        let time = |d: &Duration| duration::to_tokens(*d, &duration_path);
        let mut calls = TokenStream::new();
        if let Some(restart) = self.restart.value() {
            let restart = restart.tokens(support);
            calls.extend(quote!(.restart(#restart)));
        }
        if let Some(backoff) = self.backoff.value() {
            let backoff = backoff_tokens(backoff, support);
            calls.extend(quote!(.backoff(#backoff)));
        }
        if let Some(limit) = self.restart_limit.value() {
            let (max, within) = (limit.max.value, time(&limit.within.value));
            calls.extend(quote!(.restart_limit(#support::RestartLimit::new(#max, #within))));
        }
        if let Some(shutdown) = self.shutdown.value() {
            let shutdown = match shutdown {
                Shutdown::Brutal => quote!(#support::ShutdownPolicy::Brutal),
                Shutdown::Infinity => quote!(#support::ShutdownPolicy::Infinity),
                Shutdown::Timeout(grace) => {
                    let grace = time(grace);
                    quote!(#support::ShutdownPolicy::Timeout(#grace))
                }
            };
            calls.extend(quote!(.shutdown(#shutdown)));
        }
        for (method, slot) in [
            (quote!(timeout), &self.timeout),
            (quote!(ready_timeout), &self.ready_timeout),
            (quote!(heartbeat), &self.heartbeat),
        ] {
            if let Some(deadline) = slot.value() {
                let deadline = time(deadline);
                calls.extend(quote!(.#method(#deadline)));
            }
        }
        if let Some(severity) = self.severity.value() {
            let severity = severity.tokens(support);
            calls.extend(quote!(.severity(#severity)));
        }
        if let Some(significant) = self.significant.value() {
            calls.extend(quote!(.significant(#significant)));
        }
        calls
    }

    /// The `ChildFacts` calls that record what the compile-time tree checks
    /// need to know: restart, significant, whether a backoff or a limit is set.
    pub(crate) fn fact_calls(&self, support: &TokenStream) -> TokenStream {
        let mut calls = TokenStream::new();
        if let Some(restart) = self.restart.value() {
            let restart = restart.tokens(support);
            calls.extend(quote!(.declares_restart(#restart)));
        }
        if let Some(significant) = self.significant.value() {
            calls.extend(quote!(.declares_significant(#significant)));
        }
        if self.backoff.get().is_some() {
            calls.extend(quote!(.declares_backoff()));
        }
        if self.restart_limit.get().is_some() {
            calls.extend(quote!(.declares_restart_limit()));
        }
        calls
    }
}

fn read_backoff(key: &Key, raw: RawValue) -> syn::Result<Backoff> {
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
    errors.finish(Backoff::Curve(curve))
}

pub(crate) fn read_limit(key: &Key, raw: RawValue) -> syn::Result<Limit> {
    let RawValue::List { tokens, span } = raw else {
        let span = match &raw {
            RawValue::Assign(expr) => syn::spanned::Spanned::span(expr),
            _ => key.span,
        };
        return Err(syn::Error::new(
            span,
            format_args!("expected {LIMIT_EXAMPLE}"),
        ));
    };
    let mut max = Slot::default();
    let mut within = Slot::default();
    let mut errors = Errors::default();
    let parse = syn::meta::parser(|meta| {
        let key = Key::of(&meta);
        let raw = RawValue::read(&meta)?;
        match key.name.as_str() {
            "max" => max.fill(&key, raw, &mut errors, |k, r| {
                value::count(k, r, "max = 10")
            }),
            "within" => within.fill(&key, raw, &mut errors, value::duration),
            _ => errors.push(value::unknown_key(
                &key,
                "restart_limit(...)",
                &["max", "within"],
            )),
        }
        Ok(())
    });
    let parsed = parse.parse2(tokens);
    errors.take(parsed);
    let missing = match (max.get(), within.get()) {
        (Some(max), Some(within)) => {
            let limit = Limit {
                max: max.clone(),
                within: within.clone(),
            };
            return errors.finish(limit);
        }
        _ if !errors.is_empty() => return Err(errors.into_error()),
        (None, _) => "max",
        (Some(_), None) => "within",
    };
    let error = syn::Error::new(
        span,
        format_args!("`restart_limit` needs `{missing}`: write {LIMIT_EXAMPLE}"),
    );
    errors.push(error);
    Err(errors.into_error())
}

fn read_shutdown(key: &Key, raw: RawValue) -> syn::Result<Shutdown> {
    let example = "shutdown = \"5s\", \"brutal\" or \"infinity\"";
    let text = value::string(key, raw, example)?;
    match text.value().as_str() {
        "brutal" => Ok(Shutdown::Brutal),
        "infinity" => Ok(Shutdown::Infinity),
        _ => match duration::parse(&text.value()) {
            Ok(grace) => Ok(Shutdown::Timeout(grace)),
            Err(error) => Err(syn::Error::new(
                text.span(),
                format_args!(
                    "invalid shutdown \"{}\": {error}; write a grace period like \"5s\", or \"brutal\" or \"infinity\"",
                    text.value()
                ),
            )),
        },
    }
}

fn backoff_tokens(backoff: &Backoff, support: &TokenStream) -> TokenStream {
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
        tokens.extend(quote!(.reset_after_clean_run(#value)));
    }
    tokens
}

fn check_id(id: &value::Spanned<LitStr>, errors: &mut Errors) {
    let text = id.value.value();
    if !rules::is_valid_id(&text) {
        errors.push(rules::INVALID_CHILD_ID.error(id.span, &format!("id is \"{text}\"")));
    }
}

fn check_curve(curve: &Curve, errors: &mut Errors) {
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

/// `restart_limit_zero_max` and `restart_limit_zero_window`, for a child's
/// limit and a tree's own.
pub(crate) fn check_limit(limit: &Limit, errors: &mut Errors) {
    if limit.max.value == 0 {
        errors.push(rules::RESTART_LIMIT_ZERO_MAX.error(limit.max.span, ""));
    }
    if limit.within.value.is_zero() {
        errors.push(rules::RESTART_LIMIT_ZERO_WINDOW.error(limit.within.span, ""));
    }
}

/// The tokens of a restart limit.
pub(crate) fn limit_tokens(limit: &Limit, support: &TokenStream) -> TokenStream {
    let max = limit.max.value;
    let within = duration::to_tokens(limit.within.value, &quote!(#support::Duration));
    quote!(#support::RestartLimit::new(#max, #within))
}
