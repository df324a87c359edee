use s4e::endpoint;

#[endpoint(get, "/findings")]
pub struct ListFindings {}

fn main() {}
