use s4e::endpoint;

#[endpoint(POST, "/findings/search", idempotent = true)]
pub struct SearchFindings {}

fn main() {}
