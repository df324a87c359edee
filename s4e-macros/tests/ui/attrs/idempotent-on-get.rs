use s4e::endpoint;

#[endpoint(GET, "/findings", idempotent)]
pub struct ListFindings {}

fn main() {}
