//! What `#[supervised]` emits beside its errors: the marker and a stub
//! `Supervised` impl, so that a tree naming the child reports nothing more
//! than the declaration's own mistakes.

use proc_macro2::TokenStream;
use quote::quote;

use supervisor_rules as rules;

use crate::choice::Choice as _;

use super::{attr::ChildAttrs, expand};

/// The marker and a `Supervised` impl whose `spec()` is never run.
pub(crate) fn stub(marker: &expand::Marker<'_>, attrs: &ChildAttrs) -> TokenStream {
    let support = crate::facade::support_path(attrs.krate.value());
    let s = &support;
    let name = marker.name;
    let cfgs = marker.cfgs();
    let marker = marker.tokens(s, false);
    let valid_id = attrs
        .policy
        .id
        .value()
        .is_none_or(|id| rules::is_valid_id(&id.value()));
    let id = if valid_id {
        expand::id(name, attrs)
    } else {
        expand::id(name, &ChildAttrs::default())
    };
    let role = attrs.role().tokens(s);
    quote! {
        #marker
        #(#cfgs)*
        #[allow(deprecated)]
        const _: () = {
            impl #s::Supervised for #name {
                const ID: &'static str = #id;
                const ROLE: #s::TaskRole = #role;
                const PRIMARY: #s::Option<&'static str> = #s::Option::None;

                fn spec() -> #s::ChildSpec {
                    #s::declaration_has_errors(<Self as #s::Supervised>::ID)
                }
            }
        };
    }
}
