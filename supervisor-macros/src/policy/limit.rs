//! `restart_limit(max = 10, within = "60s")`, of a child or of a tree
//! itself: reading it, its facts, its tokens.

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

/// `restart_limit(max = 10, within = "60s")`.
pub(crate) struct Limit {
    pub(crate) max: value::Spanned<u32>,
    pub(crate) within: value::Spanned<Duration>,
}

const LIMIT_EXAMPLE: &str = "restart_limit(max = 10, within = \"60s\")";

/// Reads `restart_limit(max = .., within = ..)`; both keys are needed.
pub(crate) fn read(key: &value::Key, raw: RawValue) -> syn::Result<Limit> {
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
        let key = value::Key::of(&meta);
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

impl Limit {
    /// The numbers the rules judge.
    pub(crate) fn fact(&self) -> rules::Limit {
        rules::Limit {
            max: self.max.value,
            within: self.within.value,
        }
    }

    /// Where the part of the limit `key` names is written.
    pub(crate) fn span(&self, key: Key, blame: Blame) -> Option<Span> {
        match key {
            Key::RestartLimitMax => Some(self.max.at(blame)),
            Key::RestartLimitWithin => Some(self.within.at(blame)),
            _ => None,
        }
    }
}

/// The tokens of a restart limit.
pub(crate) fn tokens(limit: &Limit, support: &TokenStream) -> TokenStream {
    let max = limit.max.value;
    let within = duration::to_tokens(limit.within.value, &quote!(#support::Duration));
    quote!(#support::RestartLimit::new(#max, #within))
}
