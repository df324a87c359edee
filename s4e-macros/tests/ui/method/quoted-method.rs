use s4e::endpoint;

#[endpoint("GET", "/findings")]
pub struct ListFindings {}

fn main() {}
