use s4e::endpoint;

#[endpoint(GET)]
pub struct ListFindings {}

fn main() {}
