//! `--jq EXPR`: a jq filter over the JSON a command prints, evaluated
//! in-process by jaq (a jq implementation in Rust), so no `jq` binary is
//! needed.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;

use crate::exit::Failure;

/// A filter checked at start, before any request.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    code: String,
}

type Compiled = jaq_core::Filter<data::JustLut<Val>>;

fn compile(code: &str) -> Result<Compiled, String> {
    let program = File { code, path: () };
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(&arena, program)
        .map_err(|errors| format!("{} error(s) reading it: {errors:?}", errors.len()))?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| format!("{} error(s) compiling it: {errors:?}", errors.len()))
}

impl Filter {
    /// Checks `code`; a filter jaq cannot read is a usage error (exit 2).
    pub(crate) fn compile(code: &str) -> Result<Filter, Failure> {
        compile(code).map_err(|message| Failure::Usage(format!("--jq `{code}`: {message}")))?;
        Ok(Filter {
            code: code.to_owned(),
        })
    }

    /// Runs the filter on `input`: every output, in order.
    pub(crate) fn run(&self, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, Failure> {
        let filter = compile(&self.code).map_err(Failure::Usage)?;
        let text =
            serde_json::to_vec(input).map_err(|e| Failure::file("encoding JSON", e.into()))?;
        let input = jaq_json::read::parse_single(&text)
            .map_err(|e| Failure::Usage(format!("--jq: the input is not JSON: {e}")))?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
        filter
            .id
            .run((ctx, input))
            .map(unwrap_valr)
            .map(|output| match output {
                Ok(value) => serde_json::from_str(&value.to_string()).map_err(|e| {
                    Failure::Usage(format!("--jq produced a value that is not JSON: {e}"))
                }),
                Err(e) => Err(Failure::Usage(format!("--jq `{}`: {e}", self.code))),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_like_jq_and_refuses_what_it_cannot_read() {
        let filter = Filter::compile("map(select(.severity == \"high\")) | length").unwrap();
        let input = json!([{"severity": "high"}, {"severity": "low"}, {"severity": "high"}]);
        assert_eq!(filter.run(&input).unwrap(), [json!(2)]);
        let many = Filter::compile(".[] | .id").unwrap();
        assert_eq!(
            many.run(&json!([{"id": "a"}, {"id": "b"}])).unwrap(),
            [json!("a"), json!("b")]
        );
        assert!(matches!(Filter::compile(".["), Err(Failure::Usage(_))));
        assert!(
            Filter::compile(".a").unwrap().run(&json!(3)).is_err(),
            "a runtime error"
        );
    }
}
