//! The code `#[supervised]` adds beside the fn: a marker type of the same
//! name and its `Supervised` impl, built on the runtime's builder API.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Visibility, ext::IdentExt as _};

use crate::choice::Choice as _;

use super::{
    attr::{ChildAttrs, Primary},
    signature::TaskSignature,
};

/// The marker type and its `Supervised` impl.
pub(crate) fn child(
    vis: &Visibility,
    name: &Ident,
    attrs: &ChildAttrs,
    signature: &TaskSignature,
) -> TokenStream {
    let support = crate::facade::support_path(attrs.krate.value());
    let s = &support;
    let marker = marker(vis, name, s);
    let id = id(name, attrs);
    let role = attrs.role().tokens(s);
    let primary = attrs.primary.value().map(|primary| match primary {
        Primary::Path(path) => quote!(<#path as #s::Child>::ID),
        Primary::Id(id) => quote!(#id),
    });
    let primary_const = match &primary {
        Some(primary) => quote!(#s::Option::Some(#primary)),
        None => quote!(#s::Option::None),
    };
    let primary_call = primary.map(|primary| quote!(.primary(#primary)));
    let output = &signature.output;
    let (shape, factory) = match &signature.context {
        Some(context) => (
            quote!(WithContext),
            quote!(#s::task_with_context::<#output, #context, _, _>(#name)),
        ),
        None => (
            quote!(WithoutContext),
            quote!(#s::task_without_context::<#output, _, _>(#name)),
        ),
    };
    let facts = attrs.policy.fact_calls(s);
    let calls = attrs.policy.builder_calls(s);
    let this = quote!(<Self as #s::Supervised>);
    quote! {
        #marker
        const _: () = {
            impl #s::Supervised for #name {
                const ID: &'static str = #id;
                const ROLE: #s::TaskRole = #role;
                const PRIMARY: #s::Option<&'static str> = #primary_const;
                const FACTS: #s::ChildFacts =
                    #s::ChildFacts::task(#this::ID, #this::ROLE, #this::PRIMARY, #s::TaskShape::#shape)
                        #facts;

                fn spec() -> #s::ChildSpec {
                    #s::ChildSpec::declared(#this::ID, #this::ROLE)
                        .with_factory(#factory)
                        #primary_call
                        #calls
                }
            }
        };
    }
}

/// The child's id: `id = "..."` if given, else the fn's name.
pub(crate) fn id(name: &Ident, attrs: &ChildAttrs) -> TokenStream {
    match attrs.policy.id.value() {
        Some(id) => quote!(#id),
        None => {
            let name = name.unraw().to_string();
            quote!(#name)
        }
    }
}

/// `struct NAME {}`: braced, so it lives in the type namespace only and the
/// fn of the same name keeps the value namespace.
pub(crate) fn marker(vis: &Visibility, name: &Ident, support: &TokenStream) -> TokenStream {
    let s = support;
    let doc = format!(
        "The child declared by `#[supervised]` on the async fn `{}`: its `Supervised::spec()` is the child's spec.",
        name.unraw()
    );
    quote! {
        #[doc = #doc]
        #[allow(non_camel_case_types, dead_code)]
        #[derive(#s::Debug, #s::Clone, #s::Copy)]
        #vis struct #name {}
    }
}
