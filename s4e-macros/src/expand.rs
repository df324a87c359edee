// Code generation. Everything here was checked by valid.rs first; nothing is
// validated again.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, LitStr, Type};

use crate::ast::{self, Field, Input, Role, generic_arg};
use crate::attr::{self, Args, Segment};
use crate::{fallback, valid};

pub(crate) fn endpoint(args: TokenStream, item: TokenStream) -> TokenStream {
    let node = match ast::parse_item(item.clone()) {
        Ok(node) => node,
        Err(error) => return fallback::unparsed(&error, item),
    };
    let input = Input::from_syn(&node, syn::parse2::<Args>(args));
    match valid::check(&input) {
        Ok(checked) => expand(&input, checked.args, checked.segments),
        Err(error) => fallback::expand(&input, &error),
    }
}

fn expand(input: &Input<'_>, args: &Args, segments: &[Segment]) -> TokenStream {
    let item = stripped(input.original);
    let ident = input.ident();
    let private = private_path(args);
    let output = Output::of(args);

    let method = format_ident!("{}", args.method.variant());
    let path = &args.path;
    let idempotent = args
        .idempotent
        .map(|_| quote! { const IDEMPOTENT: bool = true; });
    let paginated = args
        .paginated
        .map(|_| quote! { const PAGINATED: bool = true; });

    let path_steps = segments.iter().map(|segment| match segment {
        Segment::Literal(text) => {
            let text = LitStr::new(text, path.span());
            quote!(path.literal(#text);)
        }
        Segment::Param(name) => match input.fields.iter().find(|field| field.name == *name) {
            Some(field) => {
                let (check, value) = (assert_field(field, &private), value_ref(field));
                quote!(#check path.param(#name, #value)?;)
            }
            None => TokenStream::new(),
        },
    });

    let mut query = Vec::new();
    let mut body = Vec::new();
    let mut headers = Vec::new();
    let mut specs = Vec::new();
    for field in &input.fields {
        let (check, value) = (assert_field(field, &private), value_ref(field));
        let role = field.role(args.method);
        specs.push(field_spec(field, &role, &private));
        match role {
            Role::Path => {}
            Role::Query(name) => query.push(quote!(#check query.param(#name, #value)?;)),
            Role::Body(name) => body.push(quote!(#check body.field(#name, #value)?;)),
            Role::Flatten => {
                let name = &field.name;
                body.push(quote!(#check body.flatten(#name, #value)?;));
            }
            Role::Header(name) => headers.push(quote!(#check headers.header(#name, #value)?;)),
        }
    }
    // Only what a contract check needs; the default (`&[]`) stays for an
    // endpoint without fields.
    let fields = (!specs.is_empty()).then(|| {
        quote! {
            const FIELDS: &'static [#private::FieldSpec] = &[#(#specs),*];
        }
    });
    let ok = quote!(::core::result::Result::Ok(()));
    let has_body = (!body.is_empty()).then(|| {
        quote!(
            const HAS_BODY: bool = true;
        )
    });
    let write_query = (!query.is_empty()).then(|| {
        quote! {
            fn write_query(&self, query: &mut #private::QueryBuilder) -> #private::Result<()> {
                #(#query)*
                #ok
            }
        }
    });
    let write_body = (!body.is_empty()).then(|| {
        quote! {
            fn write_body(&self, body: &mut #private::BodyBuilder) -> #private::Result<()> {
                #(#body)*
                #ok
            }
        }
    });
    let write_headers = (!headers.is_empty()).then(|| {
        quote! {
            fn write_headers(&self, headers: &mut #private::HeaderBuilder) -> #private::Result<()> {
                #(#headers)*
                #ok
            }
        }
    });

    let output_type = output.ty(&private);
    // The assertion and the call name the user's type, so that a type that
    // is not `Deserialize` gets one error, on that type, with our message.
    let decode = match output {
        Output::Bytes => quote!(#private::decode_bytes(response)),
        Output::Empty => quote!(#private::decode_empty(response)),
        Output::Page(ty) => quote_spanned! {ty.span()=>
            #private::assert_response::<#ty>();
            #private::decode_page::<#ty>(response)
        },
        Output::Json(ty) => quote_spanned! {ty.span()=>
            #private::assert_response::<#ty>();
            #private::decode_json::<#ty>(response)
        },
    };
    // The item's identity comes from `Identified` when the item type
    // implements it, by autoref specialisation: the type is concrete here, so
    // method resolution picks `IdentityFromTrait` (one reference deep) when
    // its bound holds and `IdentityNone` (two deep) otherwise. Users need do
    // nothing either way.
    let marker = match output {
        Output::Page(ty) => Some(quote! {
            #[automatically_derived]
            impl #private::Paginated for #ident {
                type Item = #ty;
                fn item_identity(
                    item: &Self::Item,
                    state: &mut dyn ::core::hash::Hasher,
                ) -> bool {
                    #[allow(unused_imports)]
                    use #private::{IdentityFromTrait as _, IdentityNone as _};
                    (&&#private::IdentityProbe(item)).write_identity(state)
                }
            }
        }),
        Output::Bytes => Some(quote! {
            #[automatically_derived]
            impl #private::Download for #ident {}
        }),
        Output::Json(_) | Output::Empty => None,
    };
    let setters = setters(input, args);

    quote! {
        #item
        #[automatically_derived]
        impl #private::Endpoint for #ident {
            type Output = #output_type;
            const METHOD: #private::Method = #private::Method::#method;
            const PATH: &'static str = #path;
            #idempotent
            #has_body
            #paginated
            #fields
            fn write_path(&self, path: &mut #private::PathBuilder) -> #private::Result<()> {
                #(#path_steps)*
                #ok
            }
            #write_query
            #write_body
            #write_headers
            fn decode(response: #private::RawResponse<'_>) -> #private::Result<Self::Output> {
                #decode
            }
        }
        #marker
        #setters
    }
}

/// `FieldSpec { name, location, required }` of one field: its wire name, where
/// it goes, and whether it is sent on every request (not an `Option`).
fn field_spec(field: &Field<'_>, role: &Role, private: &TokenStream) -> TokenStream {
    let (name, location) = match role {
        Role::Path => (field.name.as_str(), quote!(Path)),
        Role::Query(name) => (name.as_str(), quote!(Query)),
        Role::Body(name) => (name.as_str(), quote!(Body)),
        Role::Flatten => (field.name.as_str(), quote!(Flatten)),
        Role::Header(name) => (name.as_str(), quote!(Header)),
    };
    let required = generic_arg(field.ty, "Option").is_none();
    quote! {
        #private::FieldSpec {
            name: #name,
            location: #private::FieldLocation::#location,
            required: #required,
        }
    }
}

/// Fails to compile, on the field's type, unless the type is `Serialize`.
/// Emitted in the same function as the field's use: rustc then reports the
/// assertion and drops the identical error of the use.
fn assert_field(field: &Field<'_>, private: &TokenStream) -> TokenStream {
    let ty = field.ty;
    quote_spanned!(ty.span()=> #private::assert_field::<#ty>();)
}

/// `&self.field`, spanned like the field's type (first to last token) so that
/// a type error in the call lands where the assertion's does.
fn value_ref(field: &Field<'_>) -> TokenStream {
    let mut tokens = field.ty.to_token_stream().into_iter();
    let first = tokens
        .next()
        .map_or_else(|| field.ty.span(), |tt| tt.span());
    let last = tokens.last().map_or(first, |tt| tt.span());
    let mut member = field.ident.clone();
    member.set_span(last);
    let amp = quote_spanned!(first=> &);
    let this = quote_spanned!(first=> self.);
    quote!(#amp #this #member)
}

/// What a successful call returns.
#[derive(Clone, Copy)]
pub(crate) enum Output<'a> {
    Json(&'a Type),
    Page(&'a Type),
    Bytes,
    Empty,
}

impl<'a> Output<'a> {
    pub(crate) fn of(args: &'a Args) -> Self {
        match &args.response {
            _ if args.download.is_some() => Output::Bytes,
            // `response = ()` means "no body", not "a JSON `null`".
            Some(Type::Tuple(unit)) if unit.elems.is_empty() && args.paginated.is_none() => {
                Output::Empty
            }
            Some(ty) if args.paginated.is_some() => Output::Page(ty),
            Some(ty) => Output::Json(ty),
            None => Output::Empty,
        }
    }

    pub(crate) fn ty(self, private: &TokenStream) -> TokenStream {
        match self {
            Output::Json(ty) => ty.to_token_stream(),
            Output::Page(ty) => quote!(#private::Page<#ty>),
            Output::Bytes => quote!(::std::vec::Vec<u8>),
            Output::Empty => quote!(()),
        }
    }
}

/// `::s4e::__private`, or `<crate = path>::__private`.
pub(crate) fn private_path(args: &Args) -> TokenStream {
    match &args.krate {
        Some(krate) => quote!(#krate::__private),
        None => quote!(::s4e::__private),
    }
}

/// The user's item without our field attributes, which rustc would not know.
pub(crate) fn stripped(node: &DeriveInput) -> DeriveInput {
    let mut node = node.clone();
    // A misspelt role attribute was reported already; rustc's "cannot find
    // attribute" would only repeat it.
    let keep = |attrs: &mut Vec<Attribute>| {
        attrs.retain(|attr| attr::role_kind(attr).is_none() && attr::misspelt_role(attr).is_none());
    };
    match &mut node.data {
        Data::Struct(data) => data.fields.iter_mut().for_each(|f| keep(&mut f.attrs)),
        Data::Enum(data) => data
            .variants
            .iter_mut()
            .flat_map(|variant| variant.fields.iter_mut())
            .for_each(|f| keep(&mut f.attrs)),
        Data::Union(data) => data
            .fields
            .named
            .iter_mut()
            .for_each(|f| keep(&mut f.attrs)),
    }
    node
}

/// A builder-style setter for every optional field that is not in the path:
/// on the struct, and in SDK mode on `crate::Request` (and `crate::Paginator`).
pub(crate) fn setters(input: &Input<'_>, args: &Args) -> TokenStream {
    let optional: Vec<(&Field<'_>, &Type)> = input
        .fields
        .iter()
        .filter(|field| !field.in_path)
        .filter_map(|field| Some((field, generic_arg(field.ty, "Option")?)))
        .collect();
    if optional.is_empty() {
        return TokenStream::new();
    }
    let ident = input.ident();
    let on_struct = optional.iter().map(|(field, inner)| {
        let vis = &field.original.vis;
        let dead_code = match vis {
            syn::Visibility::Public(_) => None,
            _ => Some(quote!(#[allow(dead_code)])),
        };
        setter(field, inner, dead_code, vis, quote!(self.))
    });
    let mut tokens = quote! {
        impl #ident {
            #(#on_struct)*
        }
    };
    if args.sdk_mode() {
        let on_handle: Vec<TokenStream> = optional
            .iter()
            .map(|(field, inner)| {
                setter(
                    field,
                    inner,
                    None,
                    quote!(pub),
                    quote!(self.endpoint_mut().),
                )
            })
            .collect();
        let krate = &args.krate;
        tokens.extend(quote! {
            impl<M> #krate::Request<#ident, M> {
                #(#on_handle)*
            }
        });
        if args.paginated.is_some() {
            tokens.extend(quote! {
                impl<M> #krate::Paginator<#ident, M> {
                    #(#on_handle)*
                }
            });
        }
    }
    tokens
}

/// `fn name(mut self, value) -> Self`, after its docs; `target` reaches the
/// endpoint (`self.` or `self.endpoint_mut().`).
fn setter(
    field: &Field<'_>,
    inner: &Type,
    allow: Option<TokenStream>,
    vis: impl ToTokens,
    target: TokenStream,
) -> TokenStream {
    let member = field.ident;
    let docs: Vec<&Attribute> = field
        .original
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .collect();
    let docs = if docs.is_empty() {
        let doc = format!(" Sets `{}`.", field.name);
        quote!(#[doc = #doc])
    } else {
        quote!(#(#docs)*)
    };
    let (param, value) = match generic_arg(inner, "Vec") {
        Some(item) => (
            quote! {
                values: impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<#item>>
            },
            quote! {
                values.into_iter().map(::core::convert::Into::into).collect()
            },
        ),
        None => (
            quote!(value: impl ::core::convert::Into<#inner>),
            quote!(value.into()),
        ),
    };
    quote! {
        #docs
        #[must_use]
        #allow
        #vis fn #member(mut self, #param) -> Self {
            #target #member = ::core::option::Option::Some(#value);
            self
        }
    }
}
