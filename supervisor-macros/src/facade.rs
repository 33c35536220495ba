//! The one path generated code takes to the runtime: the facade's hidden
//! `__private` module, `::supervisor::__private` unless `crate = "..."`
//! names the facade elsewhere.

use proc_macro2::TokenStream;
use quote::quote;

/// `::supervisor::__private`, or `<crate>::__private`.
pub(crate) fn support_path(krate: Option<&syn::Path>) -> TokenStream {
    match krate {
        Some(path) => quote!(#path::__private),
        None => quote!(::supervisor::__private),
    }
}
