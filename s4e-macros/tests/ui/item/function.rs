use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub fn list_findings() {}

fn main() {}
