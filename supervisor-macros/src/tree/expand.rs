//! The code `#[derive(Supervisor)]` emits: `SupervisorTree` and `Child`
//! impls built on the runtime's builder API, and the const checks of the
//! rules that span several items.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;
use syn::Ident;

use supervisor_rules::Key;

use crate::{choice::Choice as _, judge, policy};

use super::attr::{TreeAttrs, TreeField};

/// Everything the derive emits for a tree without errors.
pub(crate) struct Tree<'a> {
    pub(crate) name: &'a Ident,
    pub(crate) generics: &'a syn::Generics,
    pub(crate) id: String,
    pub(crate) attrs: &'a TreeAttrs,
    pub(crate) fields: &'a [TreeField],
}

impl Tree<'_> {
    pub(crate) fn support(&self) -> TokenStream {
        crate::facade::support_path(self.attrs.krate.value())
    }

    /// The impls, the field reads and the const checks, in one `const _`.
    pub(crate) fn expand(&self) -> TokenStream {
        let impls = self.impls();
        let reads = self.field_reads();
        let checks = self.checks();
        quote! {
            #[allow(deprecated)]
            const _: () = {
                #impls
                #reads
                #checks
            };
        }
    }

    /// `SupervisorTree` and `Child` for the struct.
    fn impls(&self) -> TokenStream {
        let s = &self.support();
        let (name, id) = (self.name, &self.id);
        let settings = self.settings(s);
        let children = self.fields.iter().map(|field| child_spec(field, s));
        quote! {
            impl #s::SupervisorTree for #name {
                const ID: &'static str = #id;

                fn spec() -> #s::SupervisorSpec {
                    #s::SupervisorSpec::new(<Self as #s::SupervisorTree>::ID)
                        #settings
                        #(.child(#children))*
                }
            }

            impl #s::Child for #name {
                const ID: &'static str = <Self as #s::SupervisorTree>::ID;
                const ROLE: #s::TaskRole = #s::TaskRole::Supervisor;
                const PRIMARY: #s::Option<&'static str> = #s::Option::None;
                const FACTS: #s::ChildFacts = #s::ChildFacts::tree(<Self as #s::SupervisorTree>::ID);

                fn child_spec() -> #s::ChildSpec {
                    #s::nested_tree(<Self as #s::SupervisorTree>::spec())
                }
            }
        }
    }

    /// `.strategy(...)`, `.restart_limit(...)`, `.auto_shutdown(...)`.
    fn settings(&self, s: &TokenStream) -> TokenStream {
        let mut calls = TokenStream::new();
        if let Some(strategy) = self.attrs.strategy.value() {
            let strategy = strategy.tokens(s);
            calls.extend(quote!(.strategy(#strategy)));
        }
        if let Some(limit) = self.attrs.restart_limit.value() {
            let limit = policy::limit::tokens(limit, s);
            calls.extend(quote!(.restart_limit(#limit)));
        }
        if let Some(auto_shutdown) = self.attrs.auto_shutdown.value() {
            let auto_shutdown = auto_shutdown.tokens(s);
            calls.extend(quote!(.auto_shutdown(#auto_shutdown)));
        }
        calls
    }

    /// The fields hold no value: they declare children. Reading them here
    /// keeps the dead-code lint quiet about it.
    fn field_reads(&self) -> TokenStream {
        if self.fields.is_empty() {
            return TokenStream::new();
        }
        let name = self.name;
        let members = self.fields.iter().map(|field| &field.member);
        quote! {
            #[allow(dead_code)]
            fn fields_are_declarations(tree: &#name) {
                let _ = (#(&tree.#members,)*);
            }
        }
    }

    /// The facts of every child and one const check per rule that spans
    /// items; each fails at the field it is about.
    fn checks(&self) -> TokenStream {
        if self.fields.is_empty() {
            return TokenStream::new();
        }
        let s = &self.support();
        let count = self.fields.len();
        let facts = self.fields.iter().map(|field| child_facts(field, s));
        let names = self.fields.iter().map(|field| &field.name);
        let tree = self.name.to_string();
        let mut checks = TokenStream::new();
        for (index, field) in self.fields.iter().enumerate() {
            for (rule, at, span) in field_checks(field) {
                let at = Ident::new(&format!("{at:?}"), span);
                let check = quote! {
                    const _: () = if let #s::Option::Some(defect) =
                        #s::TreeCheck::new(#rule, #s::Key::#at).run(&CHILDREN, &FIELDS, #tree, #index)
                    {
                        #s::panic!("{}", defect.as_str())
                    };
                };
                checks.extend(respan(check, span));
            }
        }
        quote! {
            const CHILDREN: [#s::ChildFacts; #count] = [#(#facts),*];
            const FIELDS: [&str; #count] = [#(#names),*];
            #checks
        }
    }
}

/// The spec of one child, with its `#[child(...)]` overrides.
fn child_spec(field: &TreeField, s: &TokenStream) -> TokenStream {
    let ty = &field.ty;
    let mut spec = quote!(<#ty as #s::Child>::child_spec());
    if let Some(id) = field.overrides.id.value() {
        spec = quote!(#s::with_id(#spec, #id));
    }
    let calls = field.overrides.builder_calls(s);
    quote!(#spec #calls)
}

/// What the const checks know of one child, overrides applied.
fn child_facts(field: &TreeField, s: &TokenStream) -> TokenStream {
    let ty = &field.ty;
    let with_id = field.overrides.id.value().map(|id| quote!(.with_id(#id)));
    let calls = field.overrides.builder_calls(s);
    quote!(<#ty as #s::Child>::FACTS #with_id #calls)
}

/// The checks one field needs, each a rule's name and the key it is judged
/// at, with the span its error points at: every rule among siblings, at the
/// field; and every rule that reads both an override and something of the
/// child's own declaration, at the override. (A rule an override's values
/// break on their own is judged at expansion.)
fn field_checks(field: &TreeField) -> Vec<(&'static str, Key, Span)> {
    let overrides = &field.overrides;
    let given = overrides.given();
    let written = |key, blame| overrides.span(key, blame);
    let mut checks = Vec::new();
    for rule in supervisor_rules::RULES {
        for &at in rule.at {
            let keys = rule.keys_at(at);
            let span = if rule.reads_siblings() {
                field.span()
            } else if given.meets(keys) && !given.covers(keys) {
                judge::blame(rule, at, &written).unwrap_or_else(|| field.span())
            } else {
                continue;
            };
            checks.push((rule.name, at, span));
        }
    }
    checks
}

/// `tokens` with every span set to `span`, so that a failed const check is
/// reported at the field or key it is about.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                TokenTree::Group(respanned)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks_of(field: syn::Field) -> Vec<(&'static str, Key)> {
        let mut errors = crate::errors::Errors::default();
        let field = TreeField::parse(0, &field, &mut errors);
        assert!(errors.is_empty());
        field_checks(&field)
            .into_iter()
            .map(|(rule, at, _)| (rule, at))
            .collect()
    }

    #[test]
    fn every_field_is_checked_among_its_siblings() {
        let checks = checks_of(syn::parse_quote!(api: api));
        let among_siblings = supervisor_rules::RULES
            .iter()
            .filter(|rule| rule.reads_siblings())
            .count();
        assert_eq!(checks.len(), among_siblings, "{checks:?}");
        assert!(checks.contains(&("duplicate_child_id", Key::Id)));
    }

    #[test]
    fn an_override_is_checked_for_the_rules_that_also_read_the_childs_own_declaration() {
        let checks = checks_of(syn::parse_quote! {
            #[child(restart = "permanent", timeout = "0s")]
            migrate: migrate
        });
        for expected in [
            ("job_permanent", Key::Restart),
            ("significant_permanent", Key::Significant),
            ("temporary_with_backoff", Key::Backoff),
        ] {
            assert!(checks.contains(&expected), "{expected:?} in {checks:?}");
        }
        // `timeout = "0s"` is judged from the override alone, at expansion.
        assert!(!checks.iter().any(|(rule, _)| *rule == "zero_deadline"));
        assert!(!checks.contains(&("heartbeat_without_context", Key::Heartbeat)));
    }
}
