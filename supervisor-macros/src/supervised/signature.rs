//! The signature a supervised task may have: an optional
//! `ctx: ChildContext` first, then any number of `State<T>` arguments,
//! returning `()` or `Result<(), E>`. Anything else is reported at the
//! offending token.

use syn::{FnArg, GenericArgument, PathArguments, ReturnType, Signature, Type, TypePath};

use crate::errors::Errors;

/// What the expansion needs from the signature.
pub(crate) struct TaskSignature {
    /// The declared type of the `ChildContext` argument, if the fn takes one.
    pub(crate) context: Option<Type>,
    /// The `State<T>` arguments, in order.
    pub(crate) states: Vec<StateArgument>,
    /// The declared return type (`()` when none is written).
    pub(crate) output: Type,
}

/// One `State<T>` argument.
pub(crate) struct StateArgument {
    /// The argument's type as written (`State<Db>`).
    pub(crate) ty: Type,
    /// What it takes from the tree's state (`Db`).
    pub(crate) taken: Type,
}

/// Checks `sig` and records every way it is not a task's signature.
pub(crate) fn check(sig: &Signature, errors: &mut Errors) -> TaskSignature {
    check_qualifiers(sig, errors);
    check_generics(sig, errors);
    let (context, states) = arguments(sig, errors);
    TaskSignature {
        context,
        states,
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

/// The context (the first argument, unless it is a `State<T>`) and the
/// state arguments.
fn arguments(sig: &Signature, errors: &mut Errors) -> (Option<Type>, Vec<StateArgument>) {
    let mut context = None;
    let mut states = Vec::new();
    let mut first = true;
    for arg in &sig.inputs {
        let typed = match arg {
            FnArg::Receiver(receiver) => {
                errors.push(syn::Error::new_spanned(
                    receiver,
                    "a supervised task cannot take `self`: the supervisor starts it with no value \
                     to call it on; fix: make it a free `async fn` outside any `impl` block",
                ));
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        if let Some(taken) = taken_from_state(&typed.ty) {
            states.push(StateArgument {
                ty: (*typed.ty).clone(),
                taken,
            });
        } else if first {
            context = Some((*typed.ty).clone());
        } else {
            errors.push(misplaced_argument(typed));
        }
        first = false;
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a supervised task cannot be variadic; fix: remove `...`",
        ));
    }
    (context, states)
}

/// `T` if `ty` is written `State<T>` (or `path::State<T>`).
fn taken_from_state(ty: &Type) -> Option<Type> {
    let Type::Path(TypePath {
        qself: None, path, ..
    }) = ty
    else {
        return None;
    };
    let last = path.segments.last()?;
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match (
        last.ident == "State",
        arguments.args.len(),
        arguments.args.first(),
    ) {
        (true, 1, Some(GenericArgument::Type(taken))) => Some(taken.clone()),
        _ => None,
    }
}

/// The error for an argument after the first that is not a `State<T>`.
fn misplaced_argument(typed: &syn::PatType) -> syn::Error {
    let is_context = matches!(
        &*typed.ty,
        Type::Path(path) if path.path.segments.last().is_some_and(|last| last.ident == "ChildContext")
    );
    let text = if is_context {
        "the `ChildContext` argument comes first: a supervised task takes `ctx: ChildContext`, \
         then its `State<T>` arguments; fix: move this argument to the front"
            .to_owned()
    } else {
        let (pat, ty) = (show(&typed.pat), show(&typed.ty));
        format!(
            "a supervised task takes `ctx: ChildContext` first, then only `State<T>` arguments, \
             which it takes from its tree's state, not `{pat}: {ty}`; \
             fix: write `State({pat}): State<{ty}>` and give the tree a state that provides it \
             (`#[supervisor(state = AppState)]` with `impl FromState<AppState> for {ty}`)"
        )
    };
    syn::Error::new_spanned(typed, text)
}

/// Tokens as a person writes them: no space around `<`, `>`, `::` or
/// before `,`.
fn show(tokens: &dyn quote::ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    for part in text.split(' ') {
        let glued = out.ends_with(['<', '&', '('])
            || out.ends_with("::")
            || part.starts_with(['<', '>', ',', ')'])
            || part.starts_with("::");
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
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
