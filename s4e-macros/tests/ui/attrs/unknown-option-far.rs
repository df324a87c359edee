use s4e::endpoint;

#[endpoint(GET, "/findings", timeout = 30)]
pub struct ListFindings {}

fn main() {}
