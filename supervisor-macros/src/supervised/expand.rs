//! The code `#[supervised]` adds beside the fn: a marker type of the same
//! name and its `Supervised` impl, built on the runtime's builder API.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Attribute, Ident, Visibility, ext::IdentExt as _, spanned::Spanned as _};

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

/// The marker type and its impls: `Supervised` for a fn that takes nothing
/// from its tree's state, `Child` and `ChildOf<S>` for one that does.
pub(crate) fn child(
    marker: &Marker<'_>,
    attrs: &ChildAttrs,
    signature: &TaskSignature,
) -> TokenStream {
    let support = crate::facade::support_path(attrs.krate.value());
    let parts = Parts::new(marker.name, attrs, signature, &support);
    let cfgs = marker.cfgs();
    let impls = if signature.states.is_empty() {
        parts.stateless()
    } else {
        parts.stateful(marker.vis)
    };
    let marker = marker.tokens(&support, !signature.states.is_empty());
    quote! {
        #marker
        #(#cfgs)*
        #[allow(deprecated)]
        const _: () = {
            #impls
        };
    }
}

/// What the impls of one child are made of.
struct Parts<'a> {
    s: &'a TokenStream,
    name: &'a Ident,
    signature: &'a TaskSignature,
    id: TokenStream,
    role: TokenStream,
    primary: Option<TokenStream>,
    facts: TokenStream,
    calls: TokenStream,
}

impl<'a> Parts<'a> {
    fn new(
        name: &'a Ident,
        attrs: &ChildAttrs,
        signature: &'a TaskSignature,
        s: &'a TokenStream,
    ) -> Self {
        let primary = attrs.primary.value().map(|primary| match primary {
            Primary::Path(path) => quote!(<#path as #s::Child>::ID),
            Primary::Id(id) => quote!(#id),
        });
        let calls = attrs.policy.builder_calls(s);
        let primary_call = primary.as_ref().map(|primary| quote!(.primary(#primary)));
        Parts {
            s,
            name,
            signature,
            id: id(name, attrs),
            role: attrs.role().tokens(s),
            primary,
            facts: calls.clone(),
            calls: quote!(#primary_call #calls),
        }
    }

    /// `const ID`, `ROLE`, `PRIMARY` and `FACTS` (what the declared keys
    /// set, as the builder calls set them), as `this` names them.
    fn constants(&self, this: &TokenStream) -> TokenStream {
        let Parts {
            s, id, role, facts, ..
        } = self;
        let primary = match &self.primary {
            Some(primary) => quote!(#s::Option::Some(#primary)),
            None => quote!(#s::Option::None),
        };
        let shape = if self.signature.context.is_some() {
            quote!(WithContext)
        } else {
            quote!(WithoutContext)
        };
        quote! {
            const ID: &'static str = #id;
            const ROLE: #s::TaskRole = #role;
            const PRIMARY: #s::Option<&'static str> = #primary;
            const FACTS: #s::ChildFacts =
                #s::ChildFacts::task(#this::ID, #this::ROLE, #this::PRIMARY, #s::TaskShape::#shape)
                    #facts;
        }
    }

    /// The spec: the declared policy and the task's factory, which calls
    /// `task` (the fn, or a closure that extracts its state arguments).
    fn spec(&self, this: &TokenStream, task: &TokenStream) -> TokenStream {
        let Parts {
            s,
            signature,
            calls,
            ..
        } = self;
        let output = &signature.output;
        let factory = match &signature.context {
            Some(context) => quote!(#s::task_with_context::<#output, #context, _, _>(#task)),
            None => quote!(#s::task_without_context::<#output, _, _>(#task)),
        };
        quote! {
            #s::ChildSpec::declared(#this::ID, #this::ROLE)
                .with_factory(#factory)
                #calls
        }
    }

    /// `Supervised` for a fn that takes nothing from its tree's state.
    fn stateless(&self) -> TokenStream {
        let Parts { s, name, .. } = self;
        let this = quote!(<Self as #s::Supervised>);
        let constants = self.constants(&this);
        let spec = self.spec(&this, &quote!(#name));
        quote! {
            impl #s::Supervised for #name {
                #constants

                fn spec() -> #s::ChildSpec {
                    #spec
                }
            }
        }
    }

    /// `Child`, the inherent `supervisor_child_spec::<S>` that a tree with
    /// a state calls, and `ChildOf<S>` for every state that provides each
    /// `State<T>` argument. Each bound is written at the user's argument.
    fn stateful(&self, vis: &Visibility) -> TokenStream {
        let Parts { s, name, .. } = self;
        let state = crate::names::state_parameter();
        let this = quote!(<Self as #s::Child>);
        let constants = self.constants(&this);
        let bounds = self.signature.states.iter().map(|argument| {
            let taken = &argument.taken;
            let bound = quote!(#taken: #s::StateArgument<#state, #name>);
            crate::spans::respan(bound, argument.ty.span())
        });
        let bounds = quote!(#state: #s::TreeState, #(#bounds,)*);
        let value = crate::names::state_value();
        let spec = self.spec(&this, &self.extracting_task(&state, &value));
        quote! {
            impl #s::Child for #name {
                #constants
            }

            impl #name {
                #[doc(hidden)]
                #[must_use]
                #vis fn supervisor_child_spec<#state>(#value: &#state) -> #s::ChildSpec
                where
                    #bounds
                {
                    let #value = #s::Clone::clone(#value);
                    #spec
                }
            }

            impl<#state> #s::ChildOf<#state> for #name
            where
                #bounds
            {
                fn child_spec(#value: &#state) -> #s::ChildSpec {
                    #name::supervisor_child_spec(#value)
                }
            }
        }
    }

    /// `{ let task = api; move |ctx| task(ctx, State(<Db as FromState<S>>::from_state(&state))) }`:
    /// the state arguments are extracted at each start.
    fn extracting_task(&self, state: &Ident, value: &Ident) -> TokenStream {
        let Parts {
            s, name, signature, ..
        } = self;
        let extracted = signature.states.iter().map(|argument| {
            let taken = &argument.taken;
            quote!(#s::State(<#taken as #s::FromState<#state>>::from_state(&#value)))
        });
        let (ctx, task) = (
            Ident::new("ctx", Span::mixed_site()),
            Ident::new("task", Span::mixed_site()),
        );
        let call = match &signature.context {
            Some(_) => quote!(move |#ctx| #task(#ctx, #(#extracted),*)),
            None => quote!(move || #task(#(#extracted),*)),
        };
        // The fn is taken as a value, as a fn without state arguments is.
        quote!({
            let #task = #name;
            #call
        })
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
    pub(crate) fn tokens(&self, support: &TokenStream, takes_state: bool) -> TokenStream {
        let s = support;
        let (vis, name, inherited) = (self.vis, self.name, &self.inherited);
        let spec = if takes_state {
            "its `ChildOf::child_spec(&state)` is the child's spec in a tree whose state is `state`"
        } else {
            "its `Supervised::spec()` is the child's spec"
        };
        let doc = format!(
            "The child declared by `#[supervised]` on the async fn `{}`: {spec}.",
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
