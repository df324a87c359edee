use s4e::endpoint;

#[endpoint(GET, "/findings", paginated)]
pub struct ListFindings {}

fn main() {}
