//! Reading `#[supervisor(...)]` on the struct and `#[child(...)]` on its
//! fields.

use proc_macro2::Span;
use syn::{Attribute, LitStr, Member, Type, spanned::Spanned as _};

use crate::{
    choice::{self, AutoShutdown, Strategy},
    errors::Errors,
    policy::{self, Limit, Policy},
    value::{self, Key, RawValue, Slot},
};

/// The keys of `#[supervisor(...)]`.
#[derive(Default)]
pub(crate) struct TreeAttrs {
    pub(crate) id: Slot<LitStr>,
    pub(crate) strategy: Slot<Strategy>,
    pub(crate) restart_limit: Slot<Limit>,
    pub(crate) auto_shutdown: Slot<AutoShutdown>,
    /// `state = AppState`: what the children take from.
    pub(crate) state: Slot<Type>,
    pub(crate) krate: Slot<syn::Path>,
}

const TREE_KEYS: &[&str] = &[
    "id",
    "strategy",
    "restart_limit",
    "auto_shutdown",
    "state",
    "crate",
];

impl TreeAttrs {
    /// Reads every `#[supervisor(...)]` of the struct.
    pub(crate) fn parse(attrs: &[Attribute], errors: &mut Errors) -> TreeAttrs {
        let mut tree = TreeAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("supervisor")) {
            let result = attr.parse_nested_meta(|meta| {
                let key = Key::of(&meta);
                let raw = if key.name == "state" {
                    RawValue::read_type(&meta)?
                } else {
                    RawValue::read(&meta)?
                };
                tree.read(&key, raw, errors);
                Ok(())
            });
            errors.take(result);
        }
        tree
    }

    fn read(&mut self, key: &Key, raw: RawValue, errors: &mut Errors) {
        match key.name.as_str() {
            "id" => self
                .id
                .fill(key, raw, errors, |k, r| value::string(k, r, "id = \"app\"")),
            "strategy" => self.strategy.fill(key, raw, errors, choice::read),
            "restart_limit" => self
                .restart_limit
                .fill(key, raw, errors, policy::limit::read),
            "auto_shutdown" => self.auto_shutdown.fill(key, raw, errors, choice::read),
            "state" => self.state.fill(key, raw, errors, |k, r| {
                value::type_name(k, r, "state = AppState")
            }),
            "crate" => self.krate.fill(key, raw, errors, value::crate_path),
            _ => errors.push(value::unknown_key(key, "#[supervisor(...)]", TREE_KEYS)),
        }
    }
}

/// One field of the struct: one child, in start order.
pub(crate) struct TreeField {
    /// How the field is reached (`api`, or `0` in a tuple struct).
    pub(crate) member: Member,
    /// The field's name as messages show it.
    pub(crate) name: String,
    /// The child's type: a `#[supervised]` marker or a derived tree.
    pub(crate) ty: Type,
    /// `#[child(...)]` overrides.
    pub(crate) overrides: Policy,
}

impl TreeField {
    /// Reads a field and its `#[child(...)]` attributes.
    pub(crate) fn parse(index: usize, field: &syn::Field, errors: &mut Errors) -> TreeField {
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => Member::Unnamed(syn::Index {
                index: index as u32,
                span: field.ty.span(),
            }),
        };
        let name = match &member {
            Member::Named(ident) => syn::ext::IdentExt::unraw(ident).to_string(),
            Member::Unnamed(index) => index.index.to_string(),
        };
        let mut overrides = Policy::default();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("child")) {
            let result = attr.parse_nested_meta(|meta| {
                let key = Key::of(&meta);
                let raw = RawValue::read(&meta)?;
                if overrides.read(&key, raw, errors).is_some() {
                    errors.push(not_an_override(&key));
                }
                Ok(())
            });
            errors.take(result);
        }
        TreeField {
            member,
            name,
            ty: field.ty.clone(),
            overrides,
        }
    }

    /// Where errors about the child as a whole point: its type.
    pub(crate) fn span(&self) -> Span {
        self.ty.span()
    }
}

fn not_an_override(key: &Key) -> syn::Error {
    let text = match key.name.as_str() {
        "role" => {
            "`role` is the child's own, and a tree cannot change it; fix: set it in the child's \
             `#[supervised(role = ...)]` (a nested tree always runs with role \"supervisor\")"
        }
        "primary" => {
            "`primary` is the sidecar's own, and a tree cannot change it; fix: set it in the \
             sidecar's `#[supervised(primary = ...)]`"
        }
        "crate" => {
            "`crate` names the facade for the whole struct, not for one field; fix: write it on \
             the struct, `#[supervisor(crate = \"...\")]`"
        }
        _ => return value::unknown_key(key, "#[child(...)]", Policy::KEYS),
    };
    syn::Error::new(key.span, text)
}

/// `App` becomes `app`, `WorkerPool` becomes `worker_pool`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (index, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && index > 0 {
            let previous = chars[index - 1];
            let next_is_lower = chars.get(index + 1).is_some_and(|n| n.is_lowercase());
            if previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower)
            {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn struct_names_become_snake_case_ids() {
        assert_eq!(snake_case("App"), "app");
        assert_eq!(snake_case("WorkerPool"), "worker_pool");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("Ingest2Pipeline"), "ingest2_pipeline");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }
}
