use s4e::endpoint;

#[endpoint(LIST, "/findings")]
pub struct ListFindings {}

fn main() {}
