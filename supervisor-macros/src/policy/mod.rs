//! The policy keys a child declares with `#[supervised(...)]` and a tree may
//! override with `#[child(...)]`: reading them, the rules each value must
//! keep on its own, and the builder calls they become.

mod backoff;
pub(crate) mod limit;

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use supervisor_rules::{Blame, Facts, Key, Keys};
use syn::LitStr;

pub(crate) use self::{backoff::Backoff, limit::Limit};
use crate::{
    choice::{self, Choice as _, Restart, Severity},
    duration,
    errors::Errors,
    value::{self, RawValue, Slot},
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
    pub(crate) every: Slot<Duration>,
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
        "every",
        "severity",
        "significant",
    ];

    /// Reads `key` if it is a policy key, and gives the value back if not.
    pub(crate) fn read(
        &mut self,
        key: &value::Key,
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
            "every" => self.every.fill(key, raw, errors, value::duration),
            "severity" => self.severity.fill(key, raw, errors, choice::read),
            "significant" => self.significant.fill(key, raw, errors, value::boolean),
            _ => return Some(raw),
        }
        None
    }

    /// Each fact key and whether it is given with a readable value, or
    /// with one that could not be read.
    fn states(&self) -> [(Key, value::State); 9] {
        [
            (Key::Id, self.id.state()),
            (Key::Restart, self.restart.state()),
            (Key::Backoff, self.backoff.state()),
            (Key::RestartLimit, self.restart_limit.state()),
            (Key::Timeout, self.timeout.state()),
            (Key::ReadyTimeout, self.ready_timeout.state()),
            (Key::Heartbeat, self.heartbeat.state()),
            (Key::Every, self.every.state()),
            (Key::Significant, self.significant.state()),
        ]
    }

    /// The facts in `state`.
    fn keys_in(&self, state: value::State) -> Keys {
        self.states()
            .into_iter()
            .filter(|(_, found)| *found == state)
            .fold(Keys::NONE, |keys, (key, _)| keys.with(key))
    }

    /// The facts given with a value that could be read.
    pub(crate) fn given(&self) -> Keys {
        self.keys_in(value::State::Read)
    }

    /// The facts given with a value that could not be read.
    pub(crate) fn broken(&self) -> Keys {
        self.keys_in(value::State::Broken)
    }

    /// Records every value given as a fact (all but `id`, which the caller
    /// owns as text).
    pub(crate) fn record(&self, facts: &mut Facts<'_>) {
        if let Some(restart) = self.restart.value() {
            facts.restart = Some(restart.fact());
        }
        if let Some(backoff) = self.backoff.value() {
            facts.backoff = Some(backoff.fact());
        }
        if let Some(limit) = self.restart_limit.value() {
            facts.restart_limit = Some(limit.fact());
        }
        facts.timeout = self.timeout.value().copied().or(facts.timeout);
        facts.ready_timeout = self.ready_timeout.value().copied().or(facts.ready_timeout);
        facts.heartbeat = self.heartbeat.value().copied().or(facts.heartbeat);
        facts.every = self.every.value().copied().or(facts.every);
        facts.significant = self.significant.value().copied().or(facts.significant);
    }

    /// Where `key` is written, as `blame` asks.
    pub(crate) fn span(&self, key: Key, blame: Blame) -> Option<Span> {
        match key {
            Key::Id => self.id.get().map(|s| s.at(blame)),
            Key::Restart => self.restart.get().map(|s| s.at(blame)),
            Key::Significant => self.significant.get().map(|s| s.at(blame)),
            Key::Backoff => self.backoff.get().map(|s| s.at(blame)),
            Key::RestartLimit => self.restart_limit.get().map(|s| s.at(blame)),
            Key::Timeout => self.timeout.get().map(|s| s.at(blame)),
            Key::ReadyTimeout => self.ready_timeout.get().map(|s| s.at(blame)),
            Key::Heartbeat => self.heartbeat.get().map(|s| s.at(blame)),
            Key::Every => self.every.get().map(|s| s.at(blame)),
            _ => match (self.backoff.value(), self.restart_limit.value()) {
                (Some(Backoff::Curve(curve)), _) if key.whole() == Key::Backoff => {
                    curve.span(key, blame)
                }
                (_, Some(limit)) if key.whole() == Key::RestartLimit => limit.span(key, blame),
                _ => None,
            },
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
            (quote!(every), &self.every),
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
}

fn read_shutdown(key: &value::Key, raw: RawValue) -> syn::Result<Shutdown> {
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
