// On error: the `compile_error!`s, the user's struct without our attributes,
// and a stub `Endpoint` impl with the setters, so that code using the struct
// (`client.send(GetFinding { .. }).status(..)`) does not add errors of its own
// to the one that matters.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Error;

use crate::ast::{Input, Shape};
use crate::expand::{self, Output};

pub(crate) fn expand(input: &Input<'_>, error: &Error) -> TokenStream {
    let errors = error.to_compile_error();
    let item = expand::stripped(input.original);
    let stub = stub(input);
    quote! {
        #errors
        #item
        #stub
    }
}

/// The item is not a struct (nor an enum or union, which valid.rs explains):
/// nothing of ours to strip.
pub(crate) fn unparsed(error: &Error, item: TokenStream) -> TokenStream {
    let errors = error.to_compile_error();
    quote! {
        #errors
        #item
    }
}

fn stub(input: &Input<'_>) -> Option<TokenStream> {
    let args = input.args.as_ref().ok()?;
    if !matches!(input.shape, Shape::Named | Shape::Unit) || input.is_generic() {
        return None;
    }
    let ident = input.ident();
    let private = expand::private_path(args);
    let output = Output::of(args);
    let output_type = output.ty(&private);
    let method = format_ident!("{}", args.method.variant());
    let path = &args.path;
    let marker = match output {
        Output::Page(ty) => Some(quote!(impl #private::Paginated for #ident { type Item = #ty; })),
        Output::Bytes => Some(quote!(impl #private::Download for #ident {})),
        Output::Json(_) | Output::Empty => None,
    };
    let setters = expand::setters(input, args);
    Some(quote! {
        impl #private::Endpoint for #ident {
            type Output = #output_type;
            const METHOD: #private::Method = #private::Method::#method;
            const PATH: &'static str = #path;
            fn write_path(&self, _: &mut #private::PathBuilder) -> #private::Result<()> {
                ::core::unreachable!()
            }
            fn decode(_: #private::RawResponse<'_>) -> #private::Result<Self::Output> {
                ::core::unreachable!()
            }
        }
        #marker
        #setters
    })
}
