//! `#[supervised(...)]` on an async fn: read the attribute and the
//! signature, judge the rules, then expand, or emit a stub beside the errors.

mod attr;
mod expand;
mod fallback;
mod placement;
mod signature;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{
    Attribute, Signature, Visibility,
    parse::{Parse, ParseStream},
};

use crate::errors::Errors;

use self::attr::ChildAttrs;

/// The fn as far as the macro reads it: its body stays unparsed tokens.
struct TaskFn {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
}

impl Parse for TaskFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        input.parse::<proc_macro2::Group>()?;
        Ok(TaskFn { attrs, vis, sig })
    }
}

/// Expands `#[supervised(args)] item`. The fn is emitted exactly as written.
///
/// A method (a fn with `self`) and an associated fn get no stub: they sit
/// in an `impl` (or `trait`) block, where a marker type cannot go.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let task: TaskFn = match syn::parse2(item.clone()) {
        Ok(task) => task,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                "`#[supervised]` goes on an `async fn`, such as `async fn api(ctx: ChildContext)`",
            );
            let error = error.to_compile_error();
            return quote!(#item #error);
        }
    };
    let mut errors = Errors::default();
    let attrs = ChildAttrs::parse(args, &mut errors);
    let signature = signature::check(&task.sig, &mut errors);
    validate::check(&attrs, &signature, &mut errors);
    let container = placement::container_of(&task.sig.ident.to_string(), task.sig.ident.span());
    if let (Some(container), None) = (container, task.sig.receiver()) {
        errors.push(associated_fn(&task.sig.ident, container));
    }
    let marker = expand::Marker {
        vis: &task.vis,
        name: &task.sig.ident,
        inherited: expand::inherited_attributes(&task.attrs),
    };
    let generated = if errors.is_empty() {
        expand::child(&marker, &attrs, &signature)
    } else if task.sig.receiver().is_some() || container.is_some() {
        TokenStream::new()
    } else {
        fallback::stub(&marker, &attrs)
    };
    let errors = errors.into_compile_errors();
    quote!(#item #generated #errors)
}

/// The error for a fn that sits in an `impl` or `trait` block, as pointed
/// as the one for a fn that takes `self`.
fn associated_fn(name: &syn::Ident, container: placement::Container) -> syn::Error {
    let (block, the_block) = (container.describe(), container.the());
    syn::Error::new(
        name.span(),
        format_args!(
            "a supervised task cannot be an associated fn of {block}: the macro adds a marker \
             type of the same name beside the fn, which {block} cannot hold; \
             fix: make `{name}` a free `async fn` at module level, outside {the_block}",
        ),
    )
}
