// Parsing of `#[endpoint(...)]` and of the field role attributes
// (`#[query]`, `#[body]`, `#[header]`). Syntax only: whether a combination
// makes sense is valid.rs's business.
//
// `crate = path` names where the runtime lives, so generated code says
// `<path>::__private::...` instead of `::s4e::__private::...`. The s4e crate
// writes `crate = crate` for its own endpoints; that exact path also turns on
// "SDK mode" (setters on `crate::Request` and `crate::Paginator`). Rarely
// needed, so not offered in the "use ..." list of unknown-option errors.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt as _;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Error, Ident, LitStr, Meta, Path, Result, Token, Type};

mod kw {
    syn::custom_keyword!(GET);
    syn::custom_keyword!(POST);
    syn::custom_keyword!(PUT);
    syn::custom_keyword!(PATCH);
    syn::custom_keyword!(DELETE);
    syn::custom_keyword!(paginated);
    syn::custom_keyword!(idempotent);
    syn::custom_keyword!(download);
    syn::custom_keyword!(response);
    syn::custom_keyword!(rename);
    syn::custom_keyword!(flatten);
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    const ALL: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The variant name of the runtime's `Method` enum.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Patch => "Patch",
            Method::Delete => "Delete",
        }
    }

    /// Whether requests of this method carry a body at all.
    pub(crate) fn allows_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

pub(crate) struct Args {
    pub(crate) method: Method,
    pub(crate) path: LitStr,
    pub(crate) paginated: Option<Span>,
    pub(crate) idempotent: Option<Span>,
    pub(crate) download: Option<Span>,
    pub(crate) response: Option<Type>,
    pub(crate) krate: Option<Path>,
    // Unknown and repeated options: the parser skips them and goes on, so
    // that valid.rs reports them together with every other mistake.
    pub(crate) errors: Vec<Error>,
}

impl Args {
    /// `crate = crate`: we are expanding inside the s4e crate itself.
    pub(crate) fn sdk_mode(&self) -> bool {
        self.krate.as_ref().is_some_and(|path| {
            path.leading_colon.is_none() && path.segments.len() == 1 && path.is_ident("crate")
        })
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        if input.is_empty() {
            return Err(Error::new(
                Span::call_site(),
                "`#[endpoint]` needs a method and a path; write `#[endpoint(GET, \"/findings\")]`",
            ));
        }
        let (method, method_span) = parse_method(input)?;
        let method_name = method.as_str();
        if input.is_empty() {
            return Err(Error::new(
                method_span,
                format!(
                    "the path is missing after `{method_name}`; add it: \
                     `#[endpoint({method_name}, \"/findings\")]`"
                ),
            ));
        }
        if !input.peek(Token![,]) {
            return Err(unexpected(
                input,
                &format!("expected `,` after `{method_name}`"),
                &format!("write `#[endpoint({method_name}, \"/findings\")]`"),
            ));
        }
        input.parse::<Token![,]>()?;
        if !input.peek(LitStr) {
            let fix = match input.fork().call(Ident::parse_any) {
                Ok(word) => format!("write `\"/{word}\"`"),
                Err(_) => "write it as a string, e.g. `\"/findings\"`".to_owned(),
            };
            return Err(unexpected(input, "expected the path as a string", &fix));
        }
        let path: LitStr = input.parse()?;
        let mut args = Args {
            method,
            path,
            paginated: None,
            idempotent: None,
            download: None,
            response: None,
            krate: None,
            errors: Vec::new(),
        };
        let skip_to_comma = |input: ParseStream<'_>| -> Result<()> {
            while !input.is_empty() && !input.peek(Token![,]) {
                input.parse::<TokenTree>()?;
            }
            Ok(())
        };
        while !input.is_empty() {
            if !input.peek(Token![,]) {
                args.errors.push(unexpected(
                    input,
                    "expected `,`",
                    "separate the options with commas",
                ));
                skip_to_comma(input)?;
                continue;
            }
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            if let Err(error) = args.parse_option(input) {
                args.errors.push(error);
                skip_to_comma(input)?;
            }
        }
        Ok(args)
    }
}

fn parse_method(input: ParseStream<'_>) -> Result<(Method, Span)> {
    let lookahead = input.lookahead1();
    let method = if lookahead.peek(kw::GET) {
        Method::Get
    } else if lookahead.peek(kw::POST) {
        Method::Post
    } else if lookahead.peek(kw::PUT) {
        Method::Put
    } else if lookahead.peek(kw::PATCH) {
        Method::Patch
    } else if lookahead.peek(kw::DELETE) {
        Method::Delete
    } else {
        return Err(unknown_method(input));
    };
    let ident: Ident = input.parse()?;
    Ok((method, ident.span()))
}

/// "{what}, found `token`; {fix}", on the next token.
fn unexpected(input: ParseStream<'_>, what: &str, fix: &str) -> Error {
    match input.cursor().token_tree() {
        Some((token, _)) => Error::new(token.span(), format!("{what}, found `{token}`; {fix}")),
        None => input.error(format!("{what}; {fix}")),
    }
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Names what was written instead of a method, and the method it most likely
/// was: `get` (capitals), `GTE` (a typo), `"GET"` (quoted).
fn unknown_method(input: ParseStream<'_>) -> Error {
    let all = "use one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`";
    if let Ok(ident) = input.fork().call(Ident::parse_any) {
        let word = ident.to_string();
        let upper = word.to_ascii_uppercase();
        let message = if Method::ALL.iter().any(|m| m.as_str() == upper) {
            format!("HTTP method `{word}` is written in capitals; write `{upper}`")
        } else {
            let fix = suggestion(&upper, &METHODS).unwrap_or_else(|| all.to_owned());
            format!("unknown HTTP method `{word}`; {fix}")
        };
        return Error::new(ident.span(), message);
    }
    if let Ok(lit) = input.fork().parse::<LitStr>() {
        let upper = lit.value().to_ascii_uppercase();
        let message = match METHODS.iter().find(|m| **m == upper) {
            Some(method) => format!(
                "the HTTP method is a word, not a string; write `{method}` instead of `{}`",
                lit.token()
            ),
            None => format!("expected an HTTP method, found `{}`; {all}", lit.token()),
        };
        return Error::new(lit.span(), message);
    }
    match input.cursor().token_tree() {
        Some((token, _)) => Error::new(
            token.span(),
            format!("expected an HTTP method, found `{token}`; {all}"),
        ),
        None => input.error(format!("expected an HTTP method; {all}")),
    }
}

impl Args {
    fn parse_option(&mut self, input: ParseStream<'_>) -> Result<()> {
        if input.peek(Token![crate]) {
            let key: Token![crate] = input.parse()?;
            input.parse::<Token![=]>()?;
            let path = input.call(Path::parse_mod_style)?;
            return set(&mut self.krate, path, key.span, "crate");
        }
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::paginated) {
            let key: kw::paginated = input.parse()?;
            flag(input, key.span, "paginated")?;
            set(&mut self.paginated, key.span, key.span, "paginated")
        } else if lookahead.peek(kw::idempotent) {
            let key: kw::idempotent = input.parse()?;
            flag(input, key.span, "idempotent")?;
            set(&mut self.idempotent, key.span, key.span, "idempotent")
        } else if lookahead.peek(kw::download) {
            let key: kw::download = input.parse()?;
            flag(input, key.span, "download")?;
            set(&mut self.download, key.span, key.span, "download")
        } else if lookahead.peek(kw::response) {
            let key: kw::response = input.parse()?;
            if !input.peek(Token![=]) {
                return Err(Error::new(
                    key.span,
                    "`response` needs the type a success decodes to; write `response = Finding`",
                ));
            }
            input.parse::<Token![=]>()?;
            let ty: Type = input.parse()?;
            set(&mut self.response, ty, key.span, "response")
        } else if let Ok(ident) = input.call(Ident::parse_any) {
            let fix =
                suggestion(&ident.to_string(), &OPTIONS).unwrap_or_else(|| EXPECTED.to_owned());
            Err(Error::new(
                ident.span(),
                format!("unknown option `{ident}` in `#[endpoint(...)]`; {fix}"),
            ))
        } else if let Ok(lit) = input.fork().parse::<LitStr>() {
            let word = lit.value();
            let message = match nearest(&word, &OPTIONS) {
                Some(option) => format!(
                    "options are words, not strings; write `{option}` instead of `{}`",
                    lit.token()
                ),
                None => format!(
                    "unexpected `{}` in `#[endpoint(...)]`; {EXPECTED}",
                    lit.token()
                ),
            };
            Err(Error::new(lit.span(), message))
        } else {
            drop(lookahead);
            Err(match input.cursor().token_tree() {
                Some((token, _)) => Error::new(
                    token.span(),
                    format!("unexpected `{token}` in `#[endpoint(...)]`; {EXPECTED}"),
                ),
                None => input.error(EXPECTED),
            })
        }
    }
}

const OPTIONS: [&str; 4] = ["paginated", "idempotent", "download", "response"];
const EXPECTED: &str = "use `paginated`, `idempotent`, `download` or `response = Type`";

/// `paginated = true` and the like: the flag alone says it.
fn flag(input: ParseStream<'_>, span: Span, name: &str) -> Result<()> {
    if input.peek(Token![=]) {
        return Err(Error::new(
            span,
            format!("`{name}` takes no value; write just `{name}`"),
        ));
    }
    Ok(())
}

fn set<T>(slot: &mut Option<T>, value: T, span: Span, name: &str) -> Result<()> {
    if slot.is_some() {
        return Err(Error::new(
            span,
            format!("duplicate `{name}` in `#[endpoint(...)]`; remove this one"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// "did you mean `x`?" for the nearest known word, if it is near enough.
pub(crate) fn suggestion(word: &str, known: &[&str]) -> Option<String> {
    nearest(word, known).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// The known word closest to `word`: equal but for case, or within
/// `max_distance` edits.
pub(crate) fn nearest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(word)) {
        return Some(same);
    }
    known
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= max_distance(word, candidate))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Up to two edits, and never half of the longer word or more, so that `id`
/// does not suggest `to`.
fn max_distance(word: &str, candidate: &str) -> usize {
    let longer = word.chars().count().max(candidate.chars().count());
    2.min(longer.saturating_sub(1) / 2)
}

/// Levenshtein distance where swapping two neighbours is one edit (the
/// "optimal string alignment" distance), so `GTE` is one edit from `GET`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for transpositions), previous, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

/// One piece of a path template.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Param(String),
}

/// Splits `/findings/{id}/notes` into literals and placeholders. The error is
/// a complete message; the caller spans it on the string literal.
pub(crate) fn parse_template(path: &str) -> std::result::Result<Vec<Segment>, String> {
    if !path.starts_with('/') {
        return Err(format!(
            "the path must start with `/`; write `\"/{}\"`",
            path.trim_start_matches('/')
        ));
    }
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut rest = path;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!(
                "unmatched `}}` in the path `{path}`; remove it or open a placeholder with `{{`"
            ));
        }
        literal.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(['{', '}']);
        let name = match close {
            Some(close) if after[close..].starts_with('}') => &after[..close],
            Some(_) => {
                return Err(format!(
                    "nested `{{` in the path `{path}`; a placeholder is a field name like `{{id}}`"
                ));
            }
            None => {
                return Err(format!(
                    "unclosed `{{` in the path `{path}`; close the placeholder with `}}`"
                ));
            }
        };
        if name.is_empty() {
            return Err(
                "empty placeholder `{}` in the path; put a field name inside, e.g. `{id}`"
                    .to_owned(),
            );
        }
        if !is_identifier(name) {
            return Err(format!(
                "path placeholder `{{{name}}}` is not a valid field name; write `{{{}}}`",
                to_identifier(name)
            ));
        }
        if segments
            .iter()
            .any(|segment| matches!(segment, Segment::Param(seen) if seen == name))
        {
            return Err(format!(
                "path placeholder `{{{name}}}` appears twice; each field fills one placeholder, so remove one"
            ));
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(std::mem::take(&mut literal)));
        }
        segments.push(Segment::Param(name.to_owned()));
        rest = &after[name.len() + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    for segment in &segments {
        if let Segment::Literal(text) = segment {
            if let Some(c) = text.chars().find(|c| matches!(c, '?' | '#')) {
                return Err(format!(
                    "the path contains `{c}`; declare query parameters as fields instead of \
                     writing them in the path"
                ));
            }
        }
    }
    Ok(segments)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

fn to_identifier(name: &str) -> String {
    let name = name.strip_prefix("r#").unwrap_or(name);
    let mut ident: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !ident.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') || ident == "_" {
        ident.insert(0, '_');
    }
    ident
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RoleKind {
    Query,
    Body,
    Header,
}

impl RoleKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RoleKind::Query => "query",
            RoleKind::Body => "body",
            RoleKind::Header => "header",
        }
    }
}

/// One `#[query]`, `#[body(...)]` or `#[header("...")]` on a field.
pub(crate) struct RoleAttr {
    pub(crate) kind: RoleKind,
    /// The attribute's name, where errors about the attribute as a whole go.
    pub(crate) span: Span,
    pub(crate) rename: Option<LitStr>,
    pub(crate) flatten: Option<Span>,
    pub(crate) header: Option<LitStr>,
}

pub(crate) fn role_kind(attr: &Attribute) -> Option<RoleKind> {
    let path = attr.path();
    if path.is_ident("query") {
        Some(RoleKind::Query)
    } else if path.is_ident("body") {
        Some(RoleKind::Body)
    } else if path.is_ident("header") {
        Some(RoleKind::Header)
    } else {
        None
    }
}

const ROLES: [&str; 3] = ["query", "body", "header"];

/// The role attribute that `attr` most likely misspells (`#[qeury]`,
/// `#[Header]`). Only one edit away: other macros' field attributes
/// (`#[serde]`, `#[builder]`) must pass through untouched.
pub(crate) fn misspelt_role(attr: &Attribute) -> Option<&'static str> {
    let word = attr.path().get_ident()?.to_string();
    ROLES.iter().copied().find(|role| {
        *role != word
            && (role.eq_ignore_ascii_case(&word)
                || (word.len() >= 3 && edit_distance(&word, role) == 1))
    })
}

/// The role attributes of one field, in order. Malformed ones are reported to
/// `errors` and left out.
pub(crate) fn roles(attrs: &[Attribute], errors: &mut Vec<Error>) -> Vec<RoleAttr> {
    let mut roles = Vec::new();
    for attr in attrs {
        if let Some(role) = misspelt_role(attr) {
            let path = attr.path();
            let word = path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            errors.push(Error::new_spanned(
                path,
                format!("unknown field attribute `#[{word}]`; did you mean `#[{role}]`?"),
            ));
            continue;
        }
        let Some(kind) = role_kind(attr) else {
            continue;
        };
        match parse_role(attr, kind) {
            Ok(role) => roles.push(role),
            Err(error) => errors.push(error),
        }
    }
    roles
}

fn parse_role(attr: &Attribute, kind: RoleKind) -> Result<RoleAttr> {
    let mut role = RoleAttr {
        kind,
        span: attr.path().span(),
        rename: None,
        flatten: None,
        header: None,
    };
    match (&attr.meta, kind) {
        (Meta::Path(_), RoleKind::Query | RoleKind::Body) => Ok(role),
        (Meta::List(list), RoleKind::Query) => {
            list.parse_args_with(|input: ParseStream<'_>| {
                while !input.is_empty() {
                    let lookahead = input.lookahead1();
                    if lookahead.peek(kw::rename) {
                        parse_rename(input, &mut role.rename)?;
                    } else {
                        return Err(unknown_role_arg(input, lookahead, "query", &["rename"]));
                    }
                    if !input.is_empty() {
                        if !input.peek(Token![,]) {
                            return Err(unexpected(
                                input,
                                "expected `,`",
                                "separate the arguments with commas",
                            ));
                        }
                        input.parse::<Token![,]>()?;
                    }
                }
                Ok(())
            })?;
            Ok(role)
        }
        (Meta::List(list), RoleKind::Body) => {
            list.parse_args_with(|input: ParseStream<'_>| {
                while !input.is_empty() {
                    let lookahead = input.lookahead1();
                    if lookahead.peek(kw::rename) {
                        parse_rename(input, &mut role.rename)?;
                    } else if lookahead.peek(kw::flatten) {
                        let key: kw::flatten = input.parse()?;
                        if role.flatten.is_some() {
                            return Err(Error::new(
                                key.span,
                                "duplicate `flatten` in `#[body(...)]`; remove this one",
                            ));
                        }
                        role.flatten = Some(key.span);
                    } else {
                        return Err(unknown_role_arg(
                            input,
                            lookahead,
                            "body",
                            &["rename", "flatten"],
                        ));
                    }
                    if !input.is_empty() {
                        if !input.peek(Token![,]) {
                            return Err(unexpected(
                                input,
                                "expected `,`",
                                "separate the arguments with commas",
                            ));
                        }
                        input.parse::<Token![,]>()?;
                    }
                }
                Ok(())
            })?;
            Ok(role)
        }
        (Meta::List(list), RoleKind::Header) => {
            let name = list.parse_args_with(|input: ParseStream<'_>| {
                if !input.peek(LitStr) {
                    return Err(unexpected(
                        input,
                        "expected the header name as a string",
                        "write `#[header(\"X-Name\")]`",
                    ));
                }
                let name: LitStr = input.parse()?;
                if !input.is_empty() {
                    return Err(unexpected(
                        input,
                        "`#[header(...)]` takes only the header name",
                        "remove what follows it",
                    ));
                }
                Ok(name)
            })?;
            role.header = Some(name);
            Ok(role)
        }
        (Meta::Path(path), RoleKind::Header) => Err(Error::new_spanned(
            path,
            "`#[header]` needs the header name; write `#[header(\"X-Name\")]`",
        )),
        (Meta::NameValue(meta), _) => Err(Error::new_spanned(
            meta,
            match kind {
                RoleKind::Header => {
                    "`#[header = ...]` is not the syntax; write `#[header(\"X-Name\")]`"
                }
                RoleKind::Query => {
                    "`#[query = ...]` is not the syntax; write `#[query(rename = \"name\")]`"
                }
                RoleKind::Body => {
                    "`#[body = ...]` is not the syntax; write `#[body(rename = \"name\")]`"
                }
            },
        )),
    }
}

fn parse_rename(input: ParseStream<'_>, slot: &mut Option<LitStr>) -> Result<()> {
    let key: kw::rename = input.parse()?;
    if !input.peek(Token![=]) {
        return Err(Error::new(
            key.span,
            "`rename` needs the name to send; write `rename = \"type\"`",
        ));
    }
    input.parse::<Token![=]>()?;
    if !input.peek(LitStr) {
        let word = input.fork().call(Ident::parse_any);
        let word = word.as_ref().map_or("type".to_owned(), ToString::to_string);
        return Err(unexpected(
            input,
            "`rename` takes a string",
            &format!("write `rename = \"{word}\"`"),
        ));
    }
    let name: LitStr = input.parse()?;
    if slot.is_some() {
        return Err(Error::new(key.span, "duplicate `rename`; remove this one"));
    }
    *slot = Some(name);
    Ok(())
}

fn unknown_role_arg(
    input: ParseStream<'_>,
    lookahead: syn::parse::Lookahead1<'_>,
    attr: &str,
    known: &[&str],
) -> Error {
    let expected: Vec<String> = known
        .iter()
        .map(|&arg| match arg {
            "rename" => "`rename = \"...\"`".to_owned(),
            arg => format!("`{arg}`"),
        })
        .collect();
    let expected = format!("use {}", expected.join(" or "));
    drop(lookahead);
    let Ok(ident) = input.fork().call(Ident::parse_any) else {
        return match input.cursor().token_tree() {
            Some((token, _)) => Error::new(
                token.span(),
                format!("unexpected `{token}` in `#[{attr}(...)]`; {expected}"),
            ),
            None => input.error(expected),
        };
    };
    let fix = suggestion(&ident.to_string(), known).unwrap_or(expected);
    Error::new(
        ident.span(),
        format!("unknown argument `{ident}` in `#[{attr}(...)]`; {fix}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(path: &str) -> Vec<String> {
        parse_template(path)
            .unwrap()
            .into_iter()
            .filter_map(|segment| match segment {
                Segment::Param(name) => Some(name),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    #[test]
    fn template_splits_literals_and_placeholders() {
        assert_eq!(
            parse_template("/findings/{id}/notes/{note_id}").unwrap(),
            vec![
                Segment::Literal("/findings/".into()),
                Segment::Param("id".into()),
                Segment::Literal("/notes/".into()),
                Segment::Param("note_id".into()),
            ]
        );
        assert_eq!(
            parse_template("/findings").unwrap(),
            vec![Segment::Literal("/findings".into())]
        );
        assert_eq!(
            parse_template("/a/{x}{y}").unwrap(),
            vec![
                Segment::Literal("/a/".into()),
                Segment::Param("x".into()),
                Segment::Param("y".into()),
            ]
        );
        assert_eq!(
            params("/{type}/{_private}/{a1}"),
            ["type", "_private", "a1"]
        );
        assert_eq!(
            parse_template("/").unwrap(),
            vec![Segment::Literal("/".into())]
        );
    }

    #[test]
    fn template_rejects_malformed_paths() {
        let cases = [
            ("findings", "must start with `/`; write `\"/findings\"`"),
            ("", "must start with `/`"),
            ("/findings?status=open", "contains `?`"),
            ("/a/{id", "unclosed `{`"),
            ("/a/id}", "unmatched `}`"),
            ("/a/}{id}", "unmatched `}`"),
            ("/a/{id}}", "unmatched `}`"),
            ("/a/{x{y}}", "nested `{`"),
            ("/a/{}", "empty placeholder"),
            (
                "/a/{finding-id}",
                "`{finding-id}` is not a valid field name; write `{finding_id}`",
            ),
            ("/a/{1st}", "write `{_1st}`"),
            ("/a/{_}", "`{_}` is not a valid field name"),
            ("/a/{r#type}", "write `{type}`"),
            ("/a/{id}/b/{id}", "`{id}` appears twice"),
        ];
        for (path, expected) in cases {
            let error = parse_template(path).expect_err(path);
            assert!(error.contains(expected), "{path:?}: {error}");
        }
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(
            suggestion("pagniated", &OPTIONS).as_deref(),
            Some("did you mean `paginated`?")
        );
        assert_eq!(
            suggestion("respons", &OPTIONS).as_deref(),
            Some("did you mean `response`?")
        );
        assert_eq!(suggestion("timeout", &OPTIONS), None);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn args_parse_in_any_order() {
        let args: Args = syn::parse_str(
            "POST, \"/x\", response = Vec<u8>, idempotent, crate = crate, download,",
        )
        .unwrap();
        assert_eq!(args.method, Method::Post);
        assert_eq!(args.path.value(), "/x");
        assert!(args.idempotent.is_some() && args.download.is_some());
        assert!(args.paginated.is_none() && args.response.is_some());
        assert!(args.sdk_mode() && args.errors.is_empty());
        let args: Args = syn::parse_str("GET, \"/x\", crate = ::s4e").unwrap();
        assert!(!args.sdk_mode());
    }

    #[test]
    fn args_recover_from_unknown_and_repeated_options() {
        let args: Args =
            syn::parse_str("GET, \"/x\", pagniated, paginated, paginated, foo = 1 + 2, download")
                .unwrap();
        let messages: Vec<String> = args.errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("did you mean `paginated`"));
        assert!(messages[1].starts_with("duplicate `paginated`"));
        assert!(messages[2].starts_with("unknown option `foo`"));
        assert!(args.download.is_some());
    }

    #[test]
    fn method_errors() {
        let message = |args: &str| syn::parse_str::<Args>(args).err().unwrap().to_string();
        assert_eq!(
            message("GTE, \"/x\""),
            "unknown HTTP method `GTE`; did you mean `GET`?"
        );
        assert_eq!(
            message("DELTE, \"/x\""),
            "unknown HTTP method `DELTE`; did you mean `DELETE`?"
        );
        // Two edits from both `PUT` and `POST`: no guess.
        assert_eq!(
            message("PUSH, \"/x\""),
            "unknown HTTP method `PUSH`; use one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`"
        );
        assert_eq!(
            message("LIST, \"/x\""),
            "unknown HTTP method `LIST`; use one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`"
        );
        assert_eq!(
            message("get, \"/x\""),
            "HTTP method `get` is written in capitals; write `GET`"
        );
        assert_eq!(
            message("pots, \"/x\""),
            "unknown HTTP method `pots`; did you mean `POST`?"
        );
        assert_eq!(
            message("\"GET\", \"/x\""),
            "the HTTP method is a word, not a string; write `GET` instead of `\"GET\"`"
        );
        assert_eq!(
            message("1, \"/x\""),
            "expected an HTTP method, found `1`; use one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`"
        );
    }

    #[test]
    fn malformed_args_name_the_token() {
        let message = |args: &str| syn::parse_str::<Args>(args).err().unwrap().to_string();
        assert_eq!(
            message("GET \"/x\""),
            "expected `,` after `GET`, found `\"/x\"`; write `#[endpoint(GET, \"/findings\")]`"
        );
        assert_eq!(
            message("GET, findings"),
            "expected the path as a string, found `findings`; write `\"/findings\"`"
        );
        let errors = |args: &str| -> Vec<String> {
            let args: Args = syn::parse_str(args).unwrap();
            args.errors.iter().map(ToString::to_string).collect()
        };
        assert_eq!(
            errors("GET, \"/x\" paginated, response = u8"),
            ["expected `,`, found `paginated`; separate the options with commas"]
        );
        assert_eq!(
            errors("GET, \"/x\", idempotent = true, pagniated"),
            [
                "`idempotent` takes no value; write just `idempotent`",
                "unknown option `pagniated` in `#[endpoint(...)]`; did you mean `paginated`?",
            ]
        );
        let args: Args =
            syn::parse_str("GET, \"/x\", 42, response, \"idempotent\", \"x\", timeout = 3")
                .unwrap();
        let messages: Vec<String> = args.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "unexpected `42` in `#[endpoint(...)]`; use `paginated`, `idempotent`, `download` or `response = Type`",
                "`response` needs the type a success decodes to; write `response = Finding`",
                "options are words, not strings; write `idempotent` instead of `\"idempotent\"`",
                "unexpected `\"x\"` in `#[endpoint(...)]`; use `paginated`, `idempotent`, `download` or `response = Type`",
                "unknown option `timeout` in `#[endpoint(...)]`; use `paginated`, `idempotent`, `download` or `response = Type`",
            ]
        );
    }

    #[test]
    fn malformed_role_attributes_name_the_token() {
        let message = |text: &str| {
            let field: syn::Field =
                syn::parse::Parser::parse_str(syn::Field::parse_named, &format!("{text} x: u8"))
                    .unwrap();
            let mut errors = Vec::new();
            let roles = roles(&field.attrs, &mut errors);
            assert!(roles.is_empty(), "{text}");
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            message("#[header(X)]"),
            "expected the header name as a string, found `X`; write `#[header(\"X-Name\")]`"
        );
        assert_eq!(
            message("#[header(\"X\", \"Y\")]"),
            "`#[header(...)]` takes only the header name, found `,`; remove what follows it"
        );
        assert_eq!(
            message("#[query(rename = type)]"),
            "`rename` takes a string, found `type`; write `rename = \"type\"`"
        );
        assert_eq!(
            message("#[query(rename = 1)]"),
            "`rename` takes a string, found `1`; write `rename = \"type\"`"
        );
        assert_eq!(
            message("#[body(rename)]"),
            "`rename` needs the name to send; write `rename = \"type\"`"
        );
        assert_eq!(
            message("#[body(42)]"),
            "unexpected `42` in `#[body(...)]`; use `rename = \"...\"` or `flatten`"
        );
        assert_eq!(
            message("#[body(flatten rename = \"x\")]"),
            "expected `,`, found `rename`; separate the arguments with commas"
        );
        assert_eq!(
            message("#[query(skip)]"),
            "unknown argument `skip` in `#[query(...)]`; use `rename = \"...\"`"
        );
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one_edit() {
        assert_eq!(edit_distance("GTE", "GET"), 1);
        assert_eq!(edit_distance("pagniated", "paginated"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("asset", "asset_id"), 3);
        assert_eq!(edit_distance("aset_id", "asset_id"), 1);
    }

    #[test]
    fn nearest_prefers_case_then_the_closest_word() {
        let fields = ["asset_id", "name", "id"];
        assert_eq!(nearest("aset_id", &fields), Some("asset_id"));
        assert_eq!(nearest("asset_ids", &fields), Some("asset_id"));
        assert_eq!(nearest("ID", &fields), Some("id"));
        // Too short to guess: `to` is two edits from `id`, as is everything.
        assert_eq!(nearest("to", &fields), None);
        assert_eq!(nearest("scan_id", &fields), None);
        assert_eq!(nearest("nmae", &fields), Some("name"));
    }

    #[test]
    fn misspelt_role_attributes_are_recognised_narrowly() {
        let attr = |text: &str| -> Attribute {
            let field: syn::Field =
                syn::parse::Parser::parse_str(syn::Field::parse_named, &format!("{text} x: u8"))
                    .unwrap();
            field.attrs.into_iter().next().unwrap()
        };
        assert_eq!(misspelt_role(&attr("#[qeury]")), Some("query"));
        assert_eq!(misspelt_role(&attr("#[Body]")), Some("body"));
        assert_eq!(misspelt_role(&attr("#[headr(\"X\")]")), Some("header"));
        assert_eq!(misspelt_role(&attr("#[headers(\"X\")]")), Some("header"));
        for other in [
            "#[query]",
            "#[serde(rename = \"x\")]",
            "#[doc = \"x\"]",
            "#[builder]",
            "#[bon]",
            "#[cfg(test)]",
        ] {
            assert_eq!(misspelt_role(&attr(other)), None, "{other}");
        }
    }
}
