use s4e::endpoint;

#[endpoint(GTE, "/findings")]
pub struct ListFindings {}

fn main() {}
