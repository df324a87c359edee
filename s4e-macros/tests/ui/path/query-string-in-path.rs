use s4e::endpoint;

#[endpoint(GET, "/findings?status=open")]
pub struct ListOpenFindings {}

fn main() {}
