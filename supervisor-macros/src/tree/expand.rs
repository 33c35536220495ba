//! The code `#[derive(Supervisor)]` emits: `Child` and `ChildOf<S>`, and
//! `SupervisorTree` or (with a state) `StatefulTree`, built on the runtime's
//! builder API, and the const checks of the rules that span several items.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use supervisor_rules::Key;

use crate::{choice::Choice as _, judge, policy, spans::respan};

use super::attr::{TreeAttrs, TreeField};

/// Everything the derive emits for a tree without errors.
pub(crate) struct Tree<'a> {
    pub(crate) name: &'a Ident,
    pub(crate) vis: &'a syn::Visibility,
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
        let impls = match self.attrs.state.value() {
            Some(state) => self.stateful_impls(state),
            None => self.stateless_impls(),
        };
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

    /// `Child`: what the const checks of a parent read.
    fn child_impl(&self, s: &TokenStream) -> TokenStream {
        let (name, id) = (self.name, &self.id);
        quote! {
            impl #s::Child for #name {
                const ID: &'static str = #id;
                const ROLE: #s::TaskRole = #s::TaskRole::Supervisor;
                const PRIMARY: #s::Option<&'static str> = #s::Option::None;
                const FACTS: #s::ChildFacts = #s::ChildFacts::tree(<Self as #s::Child>::ID);
            }
        }
    }

    /// A tree without a state of its own: its spec from any state that
    /// provides what its children take (its parent's, when nested), and
    /// `SupervisorTree` (with an inherent `spec()`) when that state can be
    /// `()`. The bounds on `()` are written under a `for<'a>`, so that they
    /// are judged where the tree is run as the root, not where it is
    /// declared: a tree whose children take state may be only nested.
    fn stateless_impls(&self) -> TokenStream {
        let s = &self.support();
        let (name, vis) = (self.name, self.vis);
        let state = crate::names::state_parameter();
        let value = crate::names::state_value();
        let bounds = self
            .field_types()
            .map(|ty| quote!(#ty: #s::ChildOf<#state>));
        let children = self.fields.iter().map(|field| {
            let ty = &field.ty;
            let spec = quote!(<#ty as #s::ChildOf<#state>>::child_spec(#value));
            child_spec(field, spec, s)
        });
        let spec = self.spec_calls(s, children);
        let child = self.child_impl(s);
        let doc = format!(
            "The spec of the tree `{name}` at the root, where its state is `()`: the \
             `SupervisorTree::spec()` of a tree without `#[supervisor(state = ...)]`."
        );
        let at_root = quote!(for<'root> #name: #s::TreeSpec<()>);
        quote! {
            impl<#state> #s::TreeSpec<#state> for #name
            where
                #(#bounds,)*
            {
                fn tree_spec(#value: &#state) -> #s::SupervisorSpec {
                    let _ = #value;
                    #spec
                }
            }

            #child

            impl<#state> #s::ChildOf<#state> for #name
            where
                #name: #s::TreeSpec<#state>,
            {
                fn child_spec(#value: &#state) -> #s::ChildSpec {
                    #s::nested_tree(<#name as #s::TreeSpec<#state>>::tree_spec(#value))
                }
            }

            impl #s::SupervisorTree for #name
            where
                #at_root,
            {
                const ID: &'static str = <Self as #s::Child>::ID;

                fn spec() -> #s::SupervisorSpec {
                    <#name as #s::TreeSpec<()>>::tree_spec(&())
                }
            }

            impl #name {
                #[doc = #doc]
                #[must_use]
                #vis fn spec() -> #s::SupervisorSpec
                where
                    #at_root,
                {
                    <#name as #s::TreeSpec<()>>::tree_spec(&())
                }
            }
        }
    }

    /// A tree with `state = X`: `StatefulTree` with its spec from a value of
    /// `X`, each child's spec reached at the field's tokens, and as a
    /// nested tree, a child of any parent whose state provides `X`.
    fn stateful_impls(&self, state_type: &syn::Type) -> TokenStream {
        let s = &self.support();
        let (name, vis) = (self.name, self.vis);
        let parent = crate::names::state_parameter();
        let value = crate::names::state_value();
        let state = quote!(<#name as #s::StatefulTree>::State);
        // The call is written at the field's tokens, its argument included
        // (rustc points there), so its local is not the mixed-site one.
        let local = Ident::new("state", Span::call_site());
        let children = self.fields.iter().map(|field| {
            let ty = &field.ty;
            let call = quote!(<#ty>::supervisor_child_spec::<#state>(&#local));
            child_spec(field, respan(call, field.span()), s)
        });
        let spec = self.spec_calls(s, children);
        let child = self.child_impl(s);
        let nested = quote!(#state: #s::NestedState<#parent, #name>);
        quote! {
            use #s::ChildSpecIn as _;

            impl #s::StatefulTree for #name {
                type State = #state_type;

                fn spec_with(#local: #state) -> #s::SupervisorSpec {
                    let _ = &#local;
                    #spec
                }
            }

            #child

            impl #name {
                #[doc(hidden)]
                #[must_use]
                #vis fn supervisor_child_spec<#parent>(#value: &#parent) -> #s::ChildSpec
                where
                    #nested,
                {
                    let #value = <#state as #s::FromState<#parent>>::from_state(#value);
                    #s::nested_tree(<#name as #s::StatefulTree>::spec_with(#value))
                }
            }

            impl<#parent> #s::ChildOf<#parent> for #name
            where
                #nested,
            {
                fn child_spec(#value: &#parent) -> #s::ChildSpec {
                    #name::supervisor_child_spec(#value)
                }
            }
        }
    }

    /// `SupervisorSpec::new(id)`, the tree's settings and its children.
    fn spec_calls(
        &self,
        s: &TokenStream,
        children: impl Iterator<Item = TokenStream>,
    ) -> TokenStream {
        let settings = self.settings(s);
        quote! {
            #s::SupervisorSpec::new(<Self as #s::Child>::ID)
                #settings
                #(.child(#children))*
        }
    }

    /// The fields' types, each once: the bounds of a tree without a state.
    fn field_types(&self) -> impl Iterator<Item = &syn::Type> {
        let mut seen = std::collections::HashSet::new();
        self.fields
            .iter()
            .map(|field| &field.ty)
            .filter(move |ty| seen.insert(quote!(#ty).to_string()))
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

/// The spec of one child, `spec`, with its `#[child(...)]` overrides.
fn child_spec(field: &TreeField, spec: TokenStream, s: &TokenStream) -> TokenStream {
    let spec = match field.overrides.id.value() {
        Some(id) => quote!(#s::with_id(#spec, #id)),
        None => spec,
    };
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
