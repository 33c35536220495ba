//! `#[derive(Supervisor)]`: read the struct, its `#[supervisor(...)]` and
//! its fields' `#[child(...)]`, judge the rules, then expand, or emit stubs
//! beside the errors.

mod attr;
mod expand;
mod fallback;
mod validate;

use proc_macro2::TokenStream;
use syn::{Data, DeriveInput, Fields, ext::IdentExt as _};

use supervisor_rules as rules;

use crate::errors::Errors;

use self::{
    attr::{TreeAttrs, TreeField},
    expand::Tree,
};

/// Expands `#[derive(Supervisor)]` on `input`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let attrs = TreeAttrs::parse(&input.attrs, &mut errors);
    let fields = read_fields(&input, &mut errors);
    check_generics(&input, &mut errors);
    validate::check(&attrs, &fields, &mut errors);
    let id = match attrs.id.value() {
        Some(id) if rules::is_valid_id(&id.value()) => id.value(),
        _ => attr::snake_case(&input.ident.unraw().to_string()),
    };
    let tree = Tree {
        name: &input.ident,
        vis: &input.vis,
        generics: &input.generics,
        id,
        attrs: &attrs,
        fields: &fields,
    };
    if errors.is_empty() {
        tree.expand()
    } else {
        let mut out = fallback::stub(&tree);
        out.extend(errors.into_compile_errors());
        out
    }
}

fn read_fields(input: &DeriveInput, errors: &mut Errors) -> Vec<TreeField> {
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => return not_a_struct(data.enum_token.span, errors),
        Data::Union(data) => return not_a_struct(data.union_token.span, errors),
    };
    let fields = match fields {
        Fields::Named(named) => named.named.iter().collect(),
        Fields::Unnamed(unnamed) => unnamed.unnamed.iter().collect(),
        Fields::Unit => Vec::new(),
    };
    fields
        .into_iter()
        .enumerate()
        .map(|(index, field)| TreeField::parse(index, field, errors))
        .collect()
}

fn not_a_struct(span: proc_macro2::Span, errors: &mut Errors) -> Vec<TreeField> {
    errors.at(
        span,
        "`#[derive(Supervisor)]` goes on a struct whose fields are the tree's children, in start order",
    );
    Vec::new()
}

fn check_generics(input: &DeriveInput, errors: &mut Errors) {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "a supervision tree cannot be generic: its children are known at compile time; \
             fix: remove the generic parameters",
        ));
    }
}
