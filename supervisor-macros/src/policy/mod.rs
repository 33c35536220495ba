//! The policy keys a child declares with `#[supervised(...)]` and a tree may
//! override with `#[child(...)]`: reading them, the rules each value must
//! keep on its own, and the builder calls they become.

mod backoff;
pub(crate) mod limit;

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

pub(crate) use self::{backoff::Backoff, limit::Limit};
use crate::{
    choice::{self, Choice as _, Restart, Severity},
    duration,
    errors::Errors,
    rules,
    value::{self, Key, RawValue, Slot},
};

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
            "backoff" => self.backoff.fill(key, raw, errors, backoff::read),
            "restart_limit" => self.restart_limit.fill(key, raw, errors, limit::read),
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
            backoff::check(curve, errors);
        }
        if let Some(limit) = self.restart_limit.value() {
            limit::check(limit, errors);
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
            let backoff = backoff::tokens(backoff, support);
            calls.extend(quote!(.backoff(#backoff)));
        }
        if let Some(limit) = self.restart_limit.value() {
            let limit = limit::tokens(limit, support);
            calls.extend(quote!(.restart_limit(#limit)));
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

fn check_id(id: &value::Spanned<LitStr>, errors: &mut Errors) {
    let text = id.value.value();
    if !rules::is_valid_id(&text) {
        errors.push(rules::INVALID_CHILD_ID.error(id.span, &format!("id is \"{text}\"")));
    }
}
