// Every semantic check, run before any code is generated. Independent
// mistakes are all collected, so one build reports them all.

use proc_macro2::Span;
use syn::{Error, Result};

use crate::ast::{Field, Input, Role, Shape, generic_arg};
use crate::attr::{self, Args, Method, RoleKind, Segment};

#[derive(Default)]
struct Errors(Option<Error>);

impl Errors {
    fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(Error::new(span, message));
    }

    /// Spanned from the first to the last token of `tokens`.
    fn spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.push(Error::new_spanned(tokens, message));
    }

    fn finish(self) -> Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// What code generation needs and only a successful check guarantees.
pub(crate) struct Checked<'i> {
    pub(crate) args: &'i Args,
    pub(crate) segments: &'i [Segment],
}

pub(crate) fn check<'i>(input: &'i Input<'_>) -> Result<Checked<'i>> {
    // Roughly in source order: the attribute, the item, then field by field.
    let mut errors = Errors::default();
    let args = input.args.as_ref();
    let struct_like = matches!(input.shape, Shape::Named | Shape::Unit);
    match args {
        Ok(args) => {
            check_args(args, input, &mut errors);
            if struct_like {
                check_placeholders(args, input, &mut errors);
            }
        }
        Err(error) => errors.push(error.clone()),
    }
    check_shape(input, &mut errors);
    for error in &input.attr_errors {
        errors.push(error.clone());
    }
    for field in &input.fields {
        for error in &field.attr_errors {
            errors.push(error.clone());
        }
        check_field_attrs(field, &mut errors);
        if let (Ok(args), true) = (args, struct_like) {
            check_role(args, field, &mut errors);
        }
    }
    if let (Ok(args), true) = (args, struct_like) {
        check_names(args, input, &mut errors);
    }
    errors.finish()?;
    match (&input.args, &input.template) {
        (Ok(args), Some(Ok(segments))) => Ok(Checked { args, segments }),
        // Both were looked at above: an error there was reported.
        _ => Err(Error::new(Span::call_site(), "invalid `#[endpoint]`")),
    }
}

fn check_args(args: &Args, input: &Input<'_>, errors: &mut Errors) {
    for error in &args.errors {
        errors.push(error.clone());
    }
    if let Some(Err(message)) = &input.template {
        errors.at(args.path.span(), message);
    }
    let method = args.method.as_str();
    if let Some(span) = args.idempotent {
        if !matches!(args.method, Method::Post | Method::Patch) {
            errors.at(
                span,
                format!(
                    "`{method}` requests are already idempotent, so they are retried anyway; \
                     remove `idempotent`"
                ),
            );
        }
    }
    if let Some(span) = args.paginated {
        if args.method != Method::Get {
            errors.at(
                span,
                format!(
                    "only `GET` endpoints can be `paginated`, and this one is `{method}`; \
                     remove `paginated` or use `GET`"
                ),
            );
        }
        if args.response.is_none() && args.download.is_none() {
            errors.at(
                span,
                "a `paginated` endpoint needs the type of one listed item; add `response = Item`",
            );
        }
    }
    if let (Some(_), Some(response)) = (args.paginated, &args.response) {
        let list = ["Vec", "Page"]
            .into_iter()
            .find_map(|wrapper| Some((wrapper, generic_arg(response, wrapper)?)));
        if let Some((wrapper, item)) = list {
            errors.spanned(
                response,
                format!(
                    "on a `paginated` endpoint `response` is the type of one item, not a \
                     `{wrapper}` of them (the page is built for you); write `response = {}`",
                    code_text(item)
                ),
            );
        }
    }
    if let (Some(_), Some(download)) = (args.paginated, args.download) {
        errors.at(
            download,
            "`paginated` and `download` cannot be combined: a download is one file, not a page \
             of items; remove one of them",
        );
    }
    if let (Some(_), Some(response)) = (args.download, &args.response) {
        errors.spanned(
            response,
            "a `download` endpoint returns the raw bytes (`Vec<u8>`), so it has no `response` \
             type; remove `response = ...`",
        );
    }
}

fn check_shape(input: &Input<'_>, errors: &mut Errors) {
    let ident = input.ident();
    match input.shape {
        Shape::Named | Shape::Unit => {}
        Shape::Tuple(span) => errors.at(
            span,
            format!(
                "endpoint struct `{ident}` needs named fields, since each field is sent under \
                 its name; write `struct {ident} {{ field: Type }}`"
            ),
        ),
        Shape::Enum(span) => errors.at(
            span,
            format!(
                "`#[endpoint]` applies to structs, and `{ident}` is an enum; declare one struct \
                 per endpoint"
            ),
        ),
        Shape::Union(span) => errors.at(
            span,
            format!(
                "`#[endpoint]` applies to structs, and `{ident}` is a union; declare it as \
                 `struct {ident}`"
            ),
        ),
    }
    if input.is_generic() {
        let generics = &input.original.generics;
        errors.spanned(
            generics,
            format!(
                "endpoint struct `{ident}` cannot be generic; remove `{}` and use concrete types",
                code_text(generics)
            ),
        );
    }
}

/// Checks that need nothing but the field's own attributes.
fn check_field_attrs(field: &Field<'_>, errors: &mut Errors) {
    let name = &field.name;
    if let Some((first, second)) = field.roles.first().zip(field.roles.get(1)) {
        let message = if first.kind == second.kind {
            format!(
                "duplicate `#[{}]` on field `{name}`; remove this one",
                second.kind.as_str()
            )
        } else {
            format!(
                "field `{name}` already has `#[{}]`, so it cannot also have `#[{}]`; keep one of them",
                first.kind.as_str(),
                second.kind.as_str()
            )
        };
        errors.at(second.span, message);
    }
    for role in &field.roles {
        if let (Some(_), Some(rename)) = (role.flatten, &role.rename) {
            errors.at(
                rename.span(),
                "a `flatten` field has no name of its own (its entries are merged into the body); \
                 remove `rename`",
            );
        }
        if let Some(rename) = &role.rename {
            if rename.value().is_empty() {
                errors.at(
                    rename.span(),
                    "`rename` cannot be empty; write the name the API expects",
                );
            }
        }
        if let Some(header) = &role.header {
            let value = header.value();
            if !is_header_name(&value) {
                errors.at(
                    header.span(),
                    format!(
                        "`{value}` is not a valid header name; use only letters, digits and \
                         ``!#$%&'*+-.^_`|~``, e.g. `X-Trace-Id`"
                    ),
                );
            }
        }
    }
}

/// Checks of one field's role, which depends on the method and the path.
fn check_role(args: &Args, field: &Field<'_>, errors: &mut Errors) {
    let method = args.method.as_str();
    let name = &field.name;
    if field.in_path {
        if let Some(inner) = generic_arg(field.ty, "Option") {
            errors.spanned(
                field.ty,
                format!(
                    "field `{name}` fills the path placeholder `{{{name}}}`, which always needs \
                     a value, so it cannot be an `Option`; change its type to `{}`",
                    code_text(inner)
                ),
            );
        }
        for role in &field.roles {
            errors.at(
                role.span,
                format!(
                    "field `{name}` fills the path placeholder `{{{name}}}`, so it cannot \
                     also be `#[{}]`; remove the attribute or rename the field",
                    role.kind.as_str()
                ),
            );
        }
        return;
    }
    if !args.method.allows_body() {
        for role in field.roles.iter().filter(|r| r.kind == RoleKind::Body) {
            errors.at(
                role.span,
                format!(
                    "`{method}` requests have no body, so `#[body]` cannot be used here; \
                     remove it to send `{name}` as a query parameter"
                ),
            );
        }
    }
    if args.paginated.is_some() && args.method == Method::Get {
        if let Role::Query(query) = field.role(args.method) {
            if query == "page" || query == "per_page" {
                errors.at(
                    field.name_span(),
                    format!(
                        "the paginator sets the query parameter `{query}` on `paginated` \
                         endpoints; remove this field"
                    ),
                );
            }
        }
    }
}

fn check_placeholders(args: &Args, input: &Input<'_>, errors: &mut Errors) {
    let Some(Ok(segments)) = &input.template else {
        return;
    };
    for segment in segments {
        if let Segment::Param(name) = segment {
            if !input.fields.iter().any(|field| field.name == *name) {
                let free: Vec<&str> = input
                    .fields
                    .iter()
                    .filter(|field| !field.in_path)
                    .map(|field| field.name.as_str())
                    .collect();
                let fix = attr::suggestion(name, &free)
                    .unwrap_or_else(|| format!("add a field `{name}`"));
                errors.at(
                    args.path.span(),
                    format!("path placeholder `{{{name}}}` has no matching field; {fix}"),
                );
            }
        }
    }
}

/// Two fields sent under one name: the second one is the mistake.
fn check_names(args: &Args, input: &Input<'_>, errors: &mut Errors) {
    let mut seen: Vec<(Role, &str)> = Vec::new();
    for field in &input.fields {
        let role = field.role(args.method);
        let clash = seen.iter().find(|(other, _)| match (&role, other) {
            (Role::Query(a), Role::Query(b)) | (Role::Body(a), Role::Body(b)) => a == b,
            (Role::Header(a), Role::Header(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        });
        let Some((_, other)) = clash else {
            seen.push((role, &field.name));
            continue;
        };
        let (what, wire, fix) = match &role {
            Role::Query(wire) => (
                "query parameter",
                wire,
                "rename one with `#[query(rename = \"...\")]`",
            ),
            Role::Body(wire) => (
                "body field",
                wire,
                "rename one with `#[body(rename = \"...\")]`",
            ),
            Role::Header(wire) => ("header", wire, "remove one of them"),
            Role::Path | Role::Flatten => continue,
        };
        errors.at(
            field.name_span(),
            format!(
                "fields `{other}` and `{}` are both sent as {what} `{wire}`; {fix}",
                field.name
            ),
        );
    }
}

/// Code as the user would write it: `Vec<s4e::Finding>`, not
/// `Vec < s4e :: Finding >`.
fn code_text(tokens: impl quote::ToTokens) -> String {
    // A `::` that starts a path after a comma keeps the comma's space.
    let mut text = tokens
        .to_token_stream()
        .to_string()
        .replace(", ::", ",\0::");
    for (spaced, tight) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (" : ", ": "),
    ] {
        text = text.replace(spaced, tight);
    }
    text.replace('\0', " ")
}

/// An HTTP header name is a `token` (RFC 9110 §5.6.2).
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::{code_text, is_header_name};

    #[test]
    fn code_text_reads_as_written() {
        let ty: syn::Type = syn::parse_str("Vec<s4e::Page<(u8, ::std::string::String)>>").unwrap();
        assert_eq!(
            code_text(&ty),
            "Vec<s4e::Page<(u8, ::std::string::String)>>"
        );
        let generics: syn::Generics = syn::parse_str("<Id, T: Clone>").unwrap();
        assert_eq!(code_text(&generics), "<Id, T: Clone>");
    }

    #[test]
    fn header_names_are_http_tokens() {
        for good in [
            "X-Trace",
            "x-request-id",
            "If-Match",
            "A",
            "a!#$%&'*+-.^_`|~9",
        ] {
            assert!(is_header_name(good), "{good:?}");
        }
        for bad in [
            "", "X Trace", "X-Trace:", "X\u{e9}", "X\t", "(X)", "X\"", "a/b", "a,b",
        ] {
            assert!(!is_header_name(bad), "{bad:?}");
        }
    }
}
