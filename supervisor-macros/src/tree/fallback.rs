//! What `#[derive(Supervisor)]` emits beside its errors: stub impls, so that
//! a parent tree naming this one reports nothing more than its own mistakes.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand::Tree;

/// `SupervisorTree` and `Child` impls whose specs are never built (generic
/// if the struct is, which is itself an error).
pub(crate) fn stub(tree: &Tree<'_>) -> TokenStream {
    let s = &tree.support();
    let (name, id) = (tree.name, &tree.id);
    let (generics, arguments, where_clause) = tree.generics.split_for_impl();
    quote! {
        #[allow(deprecated)]
        const _: () = {
            impl #generics #s::SupervisorTree for #name #arguments #where_clause {
                const ID: &'static str = #id;

                fn spec() -> #s::SupervisorSpec {
                    #s::declaration_has_errors(#id)
                }
            }

            impl #generics #s::Child for #name #arguments #where_clause {
                const ID: &'static str = #id;
                const ROLE: #s::TaskRole = #s::TaskRole::Supervisor;
                const PRIMARY: #s::Option<&'static str> = #s::Option::None;
                const FACTS: #s::ChildFacts =
                    #s::ChildFacts::opaque(#id, #s::TaskRole::Supervisor, #s::Option::None);

                fn child_spec() -> #s::ChildSpec {
                    #s::declaration_has_errors(#id)
                }
            }
        };
    }
}
