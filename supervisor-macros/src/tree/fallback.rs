//! What `#[derive(Supervisor)]` emits beside its errors: stub impls, so that
//! a parent tree naming this one, and code that runs it, report nothing
//! more than its own mistakes.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand::Tree;

/// `Child` and `ChildOf<S>` for every `S`, and `StatefulTree` (with the
/// declared state, when it could be read) or `SupervisorTree`, whose specs
/// are never built (generic if the struct is, which is itself an error).
pub(crate) fn stub(tree: &Tree<'_>) -> TokenStream {
    let s = &tree.support();
    let (name, id) = (tree.name, &tree.id);
    let (generics, arguments, where_clause) = tree.generics.split_for_impl();
    let state = crate::names::state_parameter();
    let mut with_state = tree.generics.clone();
    with_state.params.push(syn::parse_quote!(#state));
    let (generics_with_state, _, _) = with_state.split_for_impl();
    let root = match tree.attrs.state.value() {
        Some(state_type) => quote! {
            impl #generics #s::StatefulTree for #name #arguments #where_clause {
                type State = #state_type;

                fn spec_with(_: #state_type) -> #s::SupervisorSpec {
                    #s::declaration_has_errors(#id)
                }
            }
        },
        None => quote! {
            impl #generics #s::SupervisorTree for #name #arguments #where_clause {
                const ID: &'static str = #id;

                fn spec() -> #s::SupervisorSpec {
                    #s::declaration_has_errors(#id)
                }
            }
        },
    };
    quote! {
        #[allow(deprecated)]
        const _: () = {
            #root

            impl #generics #s::Child for #name #arguments #where_clause {
                const ID: &'static str = #id;
                const ROLE: #s::TaskRole = #s::TaskRole::Supervisor;
                const PRIMARY: #s::Option<&'static str> = #s::Option::None;
                const FACTS: #s::ChildFacts =
                    #s::ChildFacts::opaque(#id, #s::TaskRole::Supervisor, #s::Option::None);
            }

            impl #generics_with_state #s::ChildOf<#state> for #name #arguments #where_clause {
                fn child_spec(_: &#state) -> #s::ChildSpec {
                    #s::declaration_has_errors(#id)
                }
            }
        };
    }
}
