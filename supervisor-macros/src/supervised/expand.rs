//! The code `#[supervised]` adds beside the fn: a marker type of the same
//! name and its `Supervised` impl, built on the runtime's builder API.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Ident, Visibility, ext::IdentExt as _};

use crate::choice::Choice as _;

use super::{
    attr::{ChildAttrs, Primary},
    signature::TaskSignature,
};

/// The marker type of one fn: its name, its visibility and the attributes
/// of the fn it carries too.
pub(crate) struct Marker<'a> {
    pub(crate) vis: &'a Visibility,
    pub(crate) name: &'a Ident,
    /// `#[cfg(...)]` and `#[doc(hidden)]` of the fn: the marker exists and
    /// hides as the fn does.
    pub(crate) inherited: Vec<&'a Attribute>,
}

/// The attributes of the fn that its marker carries too: `cfg` (the
/// marker exists only with the fn) and `doc(hidden)`. Not `deprecated`: a
/// fn deprecated for its callers still runs in its tree, and naming it
/// there must not warn.
pub(crate) fn inherited_attributes(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg") || is_doc_hidden(attr))
        .collect()
}

fn is_doc_hidden(attr: &Attribute) -> bool {
    if !attr.path().is_ident("doc") {
        return false;
    }
    let mut hidden = false;
    let _ = attr.parse_nested_meta(|meta| {
        hidden |= meta.path.is_ident("hidden");
        Ok(())
    });
    hidden
}

/// The marker type and its `Supervised` impl.
pub(crate) fn child(
    marker: &Marker<'_>,
    attrs: &ChildAttrs,
    signature: &TaskSignature,
) -> TokenStream {
    let support = crate::facade::support_path(attrs.krate.value());
    let s = &support;
    let name = marker.name;
    let cfgs = marker.cfgs();
    let marker = marker.tokens(s);
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
    let calls = attrs.policy.builder_calls(s);
    let this = quote!(<Self as #s::Supervised>);
    quote! {
        #marker
        #(#cfgs)*
        #[allow(deprecated)]
        const _: () = {
            impl #s::Supervised for #name {
                const ID: &'static str = #id;
                const ROLE: #s::TaskRole = #role;
                const PRIMARY: #s::Option<&'static str> = #primary_const;
                const FACTS: #s::ChildFacts =
                    #s::ChildFacts::task(#this::ID, #this::ROLE, #this::PRIMARY, #s::TaskShape::#shape)
                        #calls;

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

impl Marker<'_> {
    /// `struct NAME {}`: braced, so it lives in the type namespace only and
    /// the fn of the same name keeps the value namespace.
    pub(crate) fn tokens(&self, support: &TokenStream) -> TokenStream {
        let s = support;
        let (vis, name, inherited) = (self.vis, self.name, &self.inherited);
        let doc = format!(
            "The child declared by `#[supervised]` on the async fn `{}`: its `Supervised::spec()` is the child's spec.",
            name.unraw()
        );
        quote! {
            #[doc = #doc]
            #(#inherited)*
            #[allow(non_camel_case_types, dead_code)]
            #[derive(#s::Debug, #s::Clone, #s::Copy)]
            #vis struct #name {}
        }
    }

    /// The fn's `#[cfg(...)]` attributes, for the items beside the marker.
    pub(crate) fn cfgs(&self) -> impl Iterator<Item = &Attribute> {
        self.inherited
            .iter()
            .copied()
            .filter(|attr| attr.path().is_ident("cfg"))
    }
}
