use s4e::endpoint;

#[endpoint]
pub struct ListFindings {}

fn main() {}
