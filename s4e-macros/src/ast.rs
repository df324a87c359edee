// The typed model of one `#[endpoint]` struct. Keeps references into the
// user's syntax so that every diagnostic can point at what they wrote.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt as _;
use syn::parse::ParseStream;
use syn::{
    Attribute, Data, DeriveInput, Error, Fields, GenericArgument, Ident, PathArguments, Token,
    Type, Visibility,
};

use crate::attr::{self, Args, Method, RoleAttr, RoleKind, Segment};

pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) args: syn::Result<Args>,
    /// `None` when the args did not parse.
    pub(crate) template: Option<Result<Vec<Segment>, String>>,
    pub(crate) shape: Shape,
    pub(crate) fields: Vec<Field<'a>>,
    /// Malformed role attributes on the fields of an item that is not a
    /// struct with named fields (those of named fields are in `Field`).
    pub(crate) attr_errors: Vec<Error>,
}

pub(crate) enum Shape {
    Named,
    Unit,
    Tuple(Span),
    Enum(Span),
    Union(Span),
}

pub(crate) struct Field<'a> {
    pub(crate) original: &'a syn::Field,
    pub(crate) ident: &'a Ident,
    /// The name without `r#`, as placeholders and the wire see it.
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    pub(crate) roles: Vec<RoleAttr>,
    /// Malformed role attributes.
    pub(crate) attr_errors: Vec<Error>,
    pub(crate) in_path: bool,
}

/// Where a field's value goes, after defaults and overrides.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Path,
    Query(String),
    Body(String),
    Flatten,
    Header(String),
}

impl<'a> Input<'a> {
    pub(crate) fn from_syn(node: &'a DeriveInput, args: syn::Result<Args>) -> Self {
        let template = args
            .as_ref()
            .ok()
            .map(|args| attr::parse_template(&args.path.value()));
        let placeholders: Vec<&str> = match &template {
            Some(Ok(segments)) => segments
                .iter()
                .filter_map(|segment| match segment {
                    Segment::Param(name) => Some(name.as_str()),
                    Segment::Literal(_) => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let (shape, named) = match &node.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => (Shape::Named, Some(&fields.named)),
                Fields::Unit => (Shape::Unit, None),
                Fields::Unnamed(fields) => (Shape::Tuple(fields.paren_token.span.join()), None),
            },
            Data::Enum(data) => (Shape::Enum(data.enum_token.span), None),
            Data::Union(data) => (Shape::Union(data.union_token.span), None),
        };
        let mut attr_errors = Vec::new();
        let fields = named
            .into_iter()
            .flatten()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                let name = ident.unraw().to_string();
                let mut errors = Vec::new();
                Some(Field {
                    original: field,
                    ident,
                    in_path: placeholders.contains(&name.as_str()),
                    name,
                    ty: &field.ty,
                    roles: attr::roles(&field.attrs, &mut errors),
                    attr_errors: errors,
                })
            })
            .collect();
        if !matches!(shape, Shape::Named) {
            // Role attributes on a tuple struct's or an enum's fields are
            // reported too, so that fixing the shape reveals no new errors.
            for field in all_fields(node) {
                attr::roles(&field.attrs, &mut attr_errors);
            }
        }
        Input {
            original: node,
            args,
            template,
            shape,
            fields,
            attr_errors,
        }
    }

    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.ident
    }

    pub(crate) fn is_generic(&self) -> bool {
        !self.original.generics.params.is_empty()
    }
}

impl Field<'_> {
    /// The first role attribute wins; valid.rs rejects the others.
    pub(crate) fn role(&self, method: Method) -> Role {
        if self.in_path {
            return Role::Path;
        }
        let renamed = |role: &RoleAttr| {
            role.rename
                .as_ref()
                .map_or_else(|| self.name.clone(), syn::LitStr::value)
        };
        match self.roles.first() {
            Some(role) => match role.kind {
                RoleKind::Query => Role::Query(renamed(role)),
                RoleKind::Body if role.flatten.is_some() => Role::Flatten,
                RoleKind::Body => Role::Body(renamed(role)),
                RoleKind::Header => {
                    Role::Header(role.header.as_ref().map_or_else(String::new, |h| h.value()))
                }
            },
            None if method.allows_body() => Role::Body(self.name.clone()),
            None => Role::Query(self.name.clone()),
        }
    }

    /// Where errors about the name this field is sent under go: the
    /// `rename = "..."` string if there is one, else the field name.
    pub(crate) fn name_span(&self) -> Span {
        self.roles
            .first()
            .and_then(|role| role.rename.as_ref().or(role.header.as_ref()))
            .map_or_else(|| self.ident.span(), syn::LitStr::span)
    }
}

/// Parses the annotated item. Structs, enums and unions parse (valid.rs turns
/// the latter two down with a precise message); anything else is refused
/// here, on its first keyword.
pub(crate) fn parse_item(item: TokenStream) -> syn::Result<DeriveInput> {
    let is_data = |input: ParseStream<'_>| {
        input.call(Attribute::parse_outer)?;
        input.parse::<Visibility>()?;
        if input.peek(Token![struct]) || input.peek(Token![enum]) || input.peek(Token![union]) {
            input.parse::<TokenStream>().map(drop)
        } else {
            let found = match input.cursor().token_tree() {
                Some((token, _)) => format!(", not `{token}` items"),
                None => String::new(),
            };
            Err(input.error(format!(
                "`#[endpoint]` applies to structs{found}; declare the endpoint as \
                 `struct Name {{ ... }}`"
            )))
        }
    };
    syn::parse::Parser::parse2(is_data, item.clone())?;
    syn::parse2(item)
}

/// Every field of a struct, enum or union.
pub(crate) fn all_fields(node: &DeriveInput) -> Vec<&syn::Field> {
    match &node.data {
        Data::Struct(data) => data.fields.iter().collect(),
        Data::Enum(data) => data
            .variants
            .iter()
            .flat_map(|variant| variant.fields.iter())
            .collect(),
        Data::Union(data) => data.fields.named.iter().collect(),
    }
}

/// `T` in `Option<T>` (or `Vec<T>`), judged by the last path segment.
pub(crate) fn generic_arg<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let ty = match ty {
        Type::Group(group) => &*group.elem,
        ty => ty,
    };
    let Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    if segment.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(generics) = &segment.arguments else {
        return None;
    };
    match generics.args.first() {
        Some(GenericArgument::Type(arg)) if generics.args.len() == 1 => Some(arg),
        _ => None,
    }
}
