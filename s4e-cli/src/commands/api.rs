//! `s4e api METHOD PATH`: any authenticated call, with the SDK's retries,
//! pacing and error mapping, like `gh api`.

use std::marker::PhantomData;
use std::path::PathBuf;

use clap::Args;
use s4e::{BodyBuilder, Endpoint, Method, Page, Paginated, PathBuilder, QueryBuilder, RawResponse};
use serde_json::{Map, Value};

use crate::context::Context;
use crate::exit::{self, Failure};
use crate::output;

#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// The HTTP method.
    #[arg(value_parser = ["GET", "POST", "PUT", "PATCH", "DELETE"], ignore_case = true)]
    method: String,
    /// The path below the base URL (`/findings`, `/assets/a-1001`), with an
    /// optional query.
    path: String,
    /// A parameter as KEY=VALUE (VALUE is JSON when it parses, else text);
    /// repeatable. The query of GET and DELETE, else a body field (the query
    /// when --input gives the body).
    #[arg(short = 'f', long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,
    /// The request body: a JSON object from a file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// Fetch every page of a list (GET), merged into one JSON array (one
    /// item per line with -o ndjson).
    #[arg(long)]
    paginate: bool,
}

/// The method of a call, as a type: the SDK's endpoints declare theirs as
/// a constant.
trait Verb {
    const METHOD: Method;
    const HAS_BODY: bool;
}

macro_rules! verbs {
    ($($name:ident = $method:ident, $body:literal;)+) => {
        $(struct $name;
        impl Verb for $name {
            const METHOD: Method = Method::$method;
            const HAS_BODY: bool = $body;
        })+
    };
}

verbs! {
    Get = Get, false;
    Post = Post, true;
    Put = Put, true;
    Patch = Patch, true;
    Delete = Delete, false;
}

/// One call as the user wrote it.
struct Call<V> {
    path: String,
    query: Vec<(String, String)>,
    body: Map<String, Value>,
    verb: PhantomData<V>,
}

impl<V> Call<V> {
    fn new(path: &str, query: Vec<(String, String)>, body: Map<String, Value>) -> Self {
        Call {
            path: path.to_owned(),
            query,
            body,
            verb: PhantomData,
        }
    }

    fn write_common(&self, path: &mut PathBuilder) {
        path.literal(&self.path);
    }
}

impl<V: Verb> Endpoint for Call<V> {
    type Output = Value;
    const METHOD: Method = V::METHOD;
    const PATH: &'static str = "{s4e api}";
    const HAS_BODY: bool = V::HAS_BODY;

    fn write_path(&self, path: &mut PathBuilder) -> s4e::Result<()> {
        self.write_common(path);
        Ok(())
    }

    fn write_query(&self, query: &mut QueryBuilder) -> s4e::Result<()> {
        for (name, value) in &self.query {
            query.push(name, value);
        }
        Ok(())
    }

    fn write_body(&self, body: &mut BodyBuilder) -> s4e::Result<()> {
        for (name, value) in &self.body {
            body.field(name, value)?;
        }
        Ok(())
    }

    fn decode(response: RawResponse<'_>) -> s4e::Result<Value> {
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        Ok(serde_json::from_slice(response.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(response.body).into_owned())))
    }
}

/// A GET list, page after page.
struct List(Call<Get>);

impl Endpoint for List {
    type Output = Page<Value>;
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "{s4e api --paginate}";
    const PAGINATED: bool = true;

    fn write_path(&self, path: &mut PathBuilder) -> s4e::Result<()> {
        self.0.write_path(path)
    }

    fn write_query(&self, query: &mut QueryBuilder) -> s4e::Result<()> {
        self.0.write_query(query)
    }

    fn decode(response: RawResponse<'_>) -> s4e::Result<Page<Value>> {
        response.decode_page()
    }
}

impl Paginated for List {
    type Item = Value;
}

pub(crate) async fn run(ctx: &Context, client: &s4e::Client, args: ApiArgs) -> Result<u8, Failure> {
    let method = args.method.to_ascii_uppercase();
    let (path, mut query) = split_query(&args.path)?;
    let mut fields = Vec::new();
    for field in &args.fields {
        fields.push(super::parameter("-f", field)?);
    }
    let sends_body = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    let mut body = Map::new();
    if let Some(file) = &args.input {
        if !sends_body {
            return Err(Failure::Usage(format!("--input: {method} sends no body")));
        }
        body = match crate::definition::read_document(file)? {
            Value::Object(map) => map,
            _ => return Err(Failure::Usage("--input must hold a JSON object".into())),
        };
    }
    if sends_body && args.input.is_none() {
        body.extend(fields);
    } else {
        for (name, value) in fields {
            let text = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            query.push((name, text));
        }
    }
    // The SDK leaves out null fields; a user's null would be lost silently.
    if let Some((name, _)) = body.iter().find(|(_, value)| value.is_null()) {
        return Err(Failure::Usage(format!(
            "body field `{name}` is null; s4e api sends no null fields"
        )));
    }
    if args.paginate {
        if method != "GET" {
            return Err(Failure::Usage("--paginate works with GET".into()));
        }
        let list = client.paginate(List(Call::new(&path, query, body)));
        return super::print_values(ctx, list.per_page(s4e::MAX_PER_PAGE)).await;
    }
    let answer = match method.as_str() {
        "GET" => client.execute(Call::<Get>::new(&path, query, body)).await?,
        "POST" => {
            client
                .execute(Call::<Post>::new(&path, query, body))
                .await?
        }
        "PUT" => client.execute(Call::<Put>::new(&path, query, body)).await?,
        "PATCH" => {
            client
                .execute(Call::<Patch>::new(&path, query, body))
                .await?
        }
        _ => {
            client
                .execute(Call::<Delete>::new(&path, query, body))
                .await?
        }
    };
    output::print_json(ctx, &answer)?;
    Ok(exit::OK)
}

/// `/findings?severity=high` into its path and its query pairs.
fn split_query(text: &str) -> Result<(String, Vec<(String, String)>), Failure> {
    if !text.starts_with('/') {
        return Err(Failure::Usage(format!(
            "`{text}`: the path starts with `/` and is relative to the base URL (/findings)"
        )));
    }
    let (path, query) = text.split_once('?').unwrap_or((text, ""));
    let pairs = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect();
    Ok((path.to_owned(), pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_keeps_its_query() {
        let (path, query) = split_query("/findings?severity=high&status=open").unwrap();
        assert_eq!(path, "/findings");
        assert_eq!(
            query,
            [
                ("severity".to_owned(), "high".to_owned()),
                ("status".to_owned(), "open".to_owned())
            ]
        );
        assert!(split_query("findings").is_err());
    }
}
