//! Names the generated code gives to what it declares itself, chosen so
//! that no token of the user's can name them by accident.

use proc_macro2::Span;
use syn::Ident;

/// The type parameter that stands for a tree's state (or a parent's) in
/// generated generics: a name no user type is likely to have, as the
/// user's field and argument types are written beside it.
pub(crate) fn state_parameter() -> Ident {
    Ident::new("SupervisorState", Span::call_site())
}

/// The local that holds a state's value: mixed-site, so no user token can
/// name it (the fn itself may be called `state`).
pub(crate) fn state_value() -> Ident {
    Ident::new("state", Span::mixed_site())
}
