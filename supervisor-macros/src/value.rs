//! Attribute values as written (`key = "text"`, `key = 2.0`, `key(...)`) and
//! their reading into typed values, each kept with its span.

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use syn::{Expr, ExprLit, Lit, UnOp, meta::ParseNestedMeta, parenthesized, spanned::Spanned as _};

use crate::{duration, errors::Errors};

/// A value with the span of its key and of the value itself.
#[derive(Clone)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    /// The key (`restart` in `restart = "temporary"`).
    pub(crate) key: Span,
    /// The value (`"temporary"`), or the whole list of a `key(...)`.
    pub(crate) span: Span,
}

impl<T> Spanned<T> {
    /// The span an error about the key points at: the key, or the value.
    pub(crate) fn at(&self, blame: supervisor_rules::Blame) -> Span {
        match blame {
            supervisor_rules::Blame::Key => self.key,
            supervisor_rules::Blame::Value => self.span,
        }
    }
}

/// What became of a key: not given, given and read, or given with a value
/// that could not be read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Absent,
    Read,
    Broken,
}

/// A key that may be given once; a second occurrence is an error.
pub(crate) struct Slot<T> {
    value: Option<Spanned<T>>,
    given: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            value: None,
            given: false,
        }
    }
}

impl<T> Slot<T> {
    /// Stores the value read by `read`, or records why it could not be
    /// (the key given twice, or a value of the wrong form).
    pub(crate) fn fill(
        &mut self,
        key: &Key,
        value: RawValue,
        errors: &mut Errors,
        read: impl FnOnce(&Key, RawValue) -> syn::Result<T>,
    ) {
        if self.given {
            errors.at(
                key.span,
                format_args!(
                    "duplicate key `{}`: it is already given; remove one of them",
                    key.name
                ),
            );
            return;
        }
        self.given = true;
        let span = value.span(key.span);
        if let Some(value) = errors.take(read(key, value)) {
            self.value = Some(Spanned {
                value,
                key: key.span,
                span,
            });
        }
    }

    /// Whether the key was given but its value could not be read: rules
    /// that involve it are not judged, so its error is the only one.
    pub(crate) fn is_broken(&self) -> bool {
        self.given && self.value.is_none()
    }

    /// Whether the key was given, and if so whether its value was read.
    pub(crate) fn state(&self) -> State {
        match (self.given, &self.value) {
            (false, _) => State::Absent,
            (true, Some(_)) => State::Read,
            (true, None) => State::Broken,
        }
    }

    pub(crate) fn get(&self) -> Option<&Spanned<T>> {
        self.value.as_ref()
    }

    pub(crate) fn value(&self) -> Option<&T> {
        self.value.as_ref().map(|spanned| &spanned.value)
    }
}

/// The key of one nested meta item, with its span.
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) span: Span,
}

impl Key {
    /// The key of `meta`; a path of several segments (`a::b = ...`) keeps
    /// its full text, which no key matches.
    pub(crate) fn of(meta: &ParseNestedMeta<'_>) -> Key {
        let name = match meta.path.get_ident() {
            Some(ident) => ident.to_string(),
            None => quote::ToTokens::to_token_stream(&meta.path)
                .to_string()
                .replace(' ', ""),
        };
        Key {
            name,
            span: meta.path.span(),
        }
    }
}

/// What follows a key: `= expr`, `= Type` (for a key that names a type),
/// `(...)`, or nothing.
pub(crate) enum RawValue {
    Assign(Expr),
    Type(syn::Type),
    List { tokens: TokenStream, span: Span },
    Bare,
}

impl RawValue {
    /// Reads the value that follows the key of `meta`, whatever its form,
    /// so that parsing goes on after a key that turns out to be wrong.
    pub(crate) fn read(meta: &ParseNestedMeta<'_>) -> syn::Result<RawValue> {
        if meta.input.peek(syn::Token![=]) {
            Ok(RawValue::Assign(meta.value()?.parse()?))
        } else if meta.input.peek(syn::token::Paren) {
            let content;
            let paren = parenthesized!(content in meta.input);
            Ok(RawValue::List {
                tokens: content.parse()?,
                span: paren.span.join(),
            })
        } else {
            Ok(RawValue::Bare)
        }
    }

    /// Reads the value of a key that names a type: `= Type` when what
    /// follows the `=` is a whole type, else as [`RawValue::read`] does.
    pub(crate) fn read_type(meta: &ParseNestedMeta<'_>) -> syn::Result<RawValue> {
        if !meta.input.peek(syn::Token![=]) {
            return RawValue::read(meta);
        }
        let value = meta.value()?;
        let fork = value.fork();
        let is_type =
            fork.parse::<syn::Type>().is_ok() && (fork.is_empty() || fork.peek(syn::Token![,]));
        if is_type {
            Ok(RawValue::Type(value.parse()?))
        } else {
            Ok(RawValue::Assign(value.parse()?))
        }
    }

    fn span(&self, key: Span) -> Span {
        match self {
            RawValue::Assign(expr) => expr.span(),
            RawValue::Type(ty) => ty.span(),
            RawValue::List { span, .. } => *span,
            RawValue::Bare => key,
        }
    }

    /// The `= expr`, or an error that shows how the key is written.
    pub(crate) fn expr(self, key: &Key, example: &str) -> syn::Result<Expr> {
        match self {
            RawValue::Assign(expr) => Ok(unwrap_group(expr)),
            RawValue::Type(ty) => Err(syn::Error::new_spanned(
                ty,
                format_args!("`{}` takes a value: write {example}", key.name),
            )),
            RawValue::List { span, .. } => Err(syn::Error::new(
                span,
                format_args!("`{}` takes a value: write {example}", key.name),
            )),
            RawValue::Bare => Err(syn::Error::new(
                key.span,
                format_args!("`{}` needs a value: write {example}", key.name),
            )),
        }
    }
}

fn unwrap_group(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => unwrap_group(*group.expr),
        Expr::Paren(paren) => unwrap_group(*paren.expr),
        other => other,
    }
}

fn literal(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        _ => None,
    }
}

/// A string literal.
pub(crate) fn string(key: &Key, raw: RawValue, example: &str) -> syn::Result<syn::LitStr> {
    let expr = raw.expr(key, example)?;
    match literal(&expr) {
        Some(Lit::Str(text)) => Ok(text.clone()),
        _ => Err(syn::Error::new_spanned(
            &expr,
            format_args!("`{}` takes a string: write {example}", key.name),
        )),
    }
}

/// A duration written as humantime text.
pub(crate) fn duration(key: &Key, raw: RawValue) -> syn::Result<Duration> {
    let example = format!("{} = \"10s\"", key.name);
    let text = string(key, raw, &example)?;
    parse_duration(&text)
}

/// Reads the text of `literal` as a duration, with the error at the literal.
pub(crate) fn parse_duration(literal: &syn::LitStr) -> syn::Result<Duration> {
    duration::parse(&literal.value()).map_err(|error| {
        syn::Error::new(
            literal.span(),
            format_args!(
                "invalid duration \"{}\": {error}; write it like \"50ms\", \"5s\", \"1m 30s\" or \"2h\"",
                literal.value()
            ),
        )
    })
}

/// A number, integer or not, possibly negative.
pub(crate) fn float(key: &Key, raw: RawValue, example: &str) -> syn::Result<f64> {
    let expr = raw.expr(key, example)?;
    let (negative, inner) = match &expr {
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => {
            (true, unwrap_group((*unary.expr).clone()))
        }
        other => (false, other.clone()),
    };
    let value = match literal(&inner) {
        Some(Lit::Float(number)) => number.base10_parse::<f64>()?,
        Some(Lit::Int(number)) => number.base10_parse::<f64>()?,
        _ => {
            return Err(syn::Error::new_spanned(
                &expr,
                format_args!("`{}` takes a number: write {example}", key.name),
            ));
        }
    };
    Ok(if negative { -value } else { value })
}

/// A whole number that fits a `u32`.
pub(crate) fn count(key: &Key, raw: RawValue, example: &str) -> syn::Result<u32> {
    let expr = raw.expr(key, example)?;
    match literal(&expr) {
        Some(Lit::Int(number)) => number.base10_parse::<u32>(),
        _ => Err(syn::Error::new_spanned(
            &expr,
            format_args!("`{}` takes a whole number: write {example}", key.name),
        )),
    }
}

/// `true` or `false`; a bare key means `true`.
pub(crate) fn boolean(key: &Key, raw: RawValue) -> syn::Result<bool> {
    if let RawValue::Bare = raw {
        return Ok(true);
    }
    let example = format!("{} = true", key.name);
    let expr = raw.expr(key, &example)?;
    match literal(&expr) {
        Some(Lit::Bool(value)) => Ok(value.value),
        _ => Err(syn::Error::new_spanned(
            &expr,
            format_args!("`{}` takes `true` or `false`: write {example}", key.name),
        )),
    }
}

/// A type, as `state = AppState` names the tree's state.
pub(crate) fn type_name(key: &Key, raw: RawValue, example: &str) -> syn::Result<syn::Type> {
    if let RawValue::Type(ty) = raw {
        return Ok(ty);
    }
    let expr = raw.expr(key, example)?;
    let what = match literal(&expr) {
        Some(Lit::Str(_)) => "a type, not a string",
        _ => "a type",
    };
    Err(syn::Error::new_spanned(
        &expr,
        format_args!("`{}` takes {what}: write {example}", key.name),
    ))
}

/// A `crate = "path"` override of the path to the `supervisor` facade.
pub(crate) fn crate_path(key: &Key, raw: RawValue) -> syn::Result<syn::Path> {
    let text = string(key, raw, "crate = \"::supervisor\"")?;
    text.parse_with(syn::Path::parse_mod_style).map_err(|_| {
        syn::Error::new(
            text.span(),
            format_args!(
                "\"{}\" is not a path; write the path to the supervisor crate, like crate = \"::supervisor\"",
                text.value()
            ),
        )
    })
}

/// The error for a key that is not one of `known`, with a suggestion.
pub(crate) fn unknown_key(key: &Key, place: &str, known: &[&str]) -> syn::Error {
    let suggestion = crate::suggest::did_you_mean(&key.name, known);
    let known = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    syn::Error::new(
        key.span,
        format_args!(
            "unknown key `{}` in {place}{suggestion} (the keys are {known})",
            key.name
        ),
    )
}
