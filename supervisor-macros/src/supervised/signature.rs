//! The signature a supervised task may have: `async fn NAME()` or
//! `async fn NAME(ctx: ChildContext)`, returning `()` or `Result<(), E>`.
//! Anything else is reported at the offending token.

use syn::{FnArg, ReturnType, Signature, Type};

use crate::errors::Errors;

/// What the expansion needs from the signature.
pub(crate) struct TaskSignature {
    /// The declared type of the `ChildContext` argument, if the fn takes one.
    pub(crate) context: Option<Type>,
    /// The declared return type (`()` when none is written).
    pub(crate) output: Type,
}

/// Checks `sig` and records every way it is not a task's signature.
pub(crate) fn check(sig: &Signature, errors: &mut Errors) -> TaskSignature {
    check_qualifiers(sig, errors);
    check_generics(sig, errors);
    TaskSignature {
        context: context_argument(sig, errors),
        output: output(sig, errors),
    }
}

fn check_qualifiers(sig: &Signature, errors: &mut Errors) {
    let name = &sig.ident;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token.span,
            format_args!("`#[supervised]` needs an `async fn`; fix: write `async fn {name}(...)`"),
        );
    }
    if let Some(constness) = &sig.constness {
        errors.at(
            constness.span,
            "a supervised task cannot be a `const fn`; fix: remove `const`",
        );
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.at(
            unsafety.span,
            "a supervised task cannot be an `unsafe fn`: the supervisor calls it from safe code; \
             fix: remove `unsafe` and wrap the unsafe code in an `unsafe` block",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a supervised task cannot have an ABI; fix: remove the `extern`",
        ));
    }
}

fn check_generics(sig: &Signature, errors: &mut Errors) {
    let generics = &sig.generics;
    let generic_error = |tokens: &dyn quote::ToTokens| {
        syn::Error::new_spanned(
            tokens.to_token_stream(),
            "a supervised task cannot be generic: the supervisor starts one concrete task; \
             fix: remove the generic parameters and use concrete types",
        )
    };
    if !generics.params.is_empty() {
        errors.push(generic_error(generics));
    }
    if let Some(clause) = &generics.where_clause {
        errors.push(generic_error(clause));
    }
    for arg in &sig.inputs {
        if let FnArg::Typed(typed) = arg {
            if let Type::ImplTrait(impl_trait) = &*typed.ty {
                errors.push(generic_error(impl_trait));
            }
        }
    }
}

fn context_argument(sig: &Signature, errors: &mut Errors) -> Option<Type> {
    let mut context = None;
    for (index, arg) in sig.inputs.iter().enumerate() {
        match arg {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                "a supervised task cannot take `self`: the supervisor starts it with no value \
                 to call it on; fix: make it a free `async fn` outside any `impl` block",
            )),
            FnArg::Typed(typed) if index == 0 => context = Some((*typed.ty).clone()),
            FnArg::Typed(typed) => errors.push(syn::Error::new_spanned(
                typed,
                "a supervised task takes at most one argument, `ctx: ChildContext`; \
                 fix: remove this argument and reach shared state through the task's own code \
                 (a static, or a handle the fn creates)",
            )),
        }
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a supervised task cannot be variadic; fix: remove `...`",
        ));
    }
    context
}

fn output(sig: &Signature, errors: &mut Errors) -> Type {
    match &sig.output {
        ReturnType::Default => syn::parse_quote_spanned!(sig.paren_token.span.close() => ()),
        ReturnType::Type(_, ty) => {
            if let Type::ImplTrait(_) = &**ty {
                errors.push(syn::Error::new_spanned(
                    ty,
                    "a supervised task returns `()` or `Result<(), E>`, not an `impl Trait`; \
                     fix: name the type, such as `Result<(), std::io::Error>`",
                ));
            }
            (**ty).clone()
        }
    }
}
