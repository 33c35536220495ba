//! Reading `#[supervised(...)]`: every key, each kept with its span.

use proc_macro2::{Span, TokenStream};
use supervisor_rules::{Blame, Key, Keys};
use syn::{Expr, LitStr, parse::Parser as _};

use crate::{
    choice::{self, Role},
    errors::Errors,
    policy::Policy,
    value::{self, RawValue, Slot},
};

/// `primary = other_fn` (the marker of a `#[supervised]` fn or a tree) or
/// `primary = "id"`.
pub(crate) enum Primary {
    Path(syn::Path),
    Id(LitStr),
}

/// The keys of `#[supervised(...)]`.
#[derive(Default)]
pub(crate) struct ChildAttrs {
    pub(crate) role: Slot<Role>,
    pub(crate) primary: Slot<Primary>,
    pub(crate) krate: Slot<syn::Path>,
    pub(crate) policy: Policy,
}

/// Every key, in the order the documentation lists them.
const KEYS: &[&str] = &[
    "id",
    "role",
    "restart",
    "backoff",
    "restart_limit",
    "shutdown",
    "timeout",
    "ready_timeout",
    "heartbeat",
    "every",
    "primary",
    "severity",
    "significant",
    "crate",
];

impl ChildAttrs {
    /// Reads every key of `args`, recording each mistake and going on.
    pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> ChildAttrs {
        let mut attrs = ChildAttrs::default();
        let parser = syn::meta::parser(|meta| {
            let key = value::Key::of(&meta);
            let raw = RawValue::read(&meta)?;
            attrs.read(&key, raw, errors);
            Ok(())
        });
        if let Err(error) = parser.parse2(args) {
            errors.push(error);
        }
        attrs
    }

    fn read(&mut self, key: &value::Key, raw: RawValue, errors: &mut Errors) {
        let Some(raw) = self.policy.read(key, raw, errors) else {
            return;
        };
        match key.name.as_str() {
            "role" => self.role.fill(key, raw, errors, choice::read),
            "primary" => self.primary.fill(key, raw, errors, read_primary),
            "crate" => self.krate.fill(key, raw, errors, value::crate_path),
            _ => errors.push(value::unknown_key(key, "#[supervised(...)]", KEYS)),
        }
    }

    /// The role, `worker` unless set.
    pub(crate) fn role(&self) -> Role {
        self.role.value().copied().unwrap_or(Role::Worker)
    }

    /// The facts the attribute states: all a declaration has, but an id it
    /// does not write (the fn's name, always valid) and the keys whose
    /// values could not be read.
    pub(crate) fn known(&self) -> Keys {
        let mut unknown = self.policy.broken();
        if self.policy.id.get().is_none() {
            unknown = unknown.with(Key::Id);
        }
        if self.role.is_broken() {
            unknown = unknown.with(Key::Role);
        }
        if self.primary.is_broken() {
            unknown = unknown.with(Key::Primary);
        }
        Keys::DECLARATION.difference(unknown)
    }

    /// The keys written with a value that could be read.
    pub(crate) fn written(&self) -> Keys {
        let mut written = self.policy.given();
        if self.role.get().is_some() {
            written = written.with(Key::Role);
        }
        if self.primary.get().is_some() {
            written = written.with(Key::Primary);
        }
        written
    }

    /// Where `key` is written, as `blame` asks.
    pub(crate) fn span(&self, key: Key, blame: Blame) -> Option<Span> {
        match key {
            Key::Role => self.role.get().map(|role| role.at(blame)),
            Key::Primary => self.primary.get().map(|primary| primary.at(blame)),
            _ => self.policy.span(key, blame),
        }
    }
}

fn read_primary(key: &value::Key, raw: RawValue) -> syn::Result<Primary> {
    let example = "primary = api (the `#[supervised]` fn it serves)";
    match raw.expr(key, example)? {
        Expr::Path(path) if path.qself.is_none() => Ok(Primary::Path(path.path)),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(id),
            ..
        }) => Ok(Primary::Id(id)),
        other => Err(syn::Error::new_spanned(
            other,
            format_args!("expected {example}, or the primary's id as a string"),
        )),
    }
}
