use s4e::endpoint;

#[endpoint(GET, "/findings", paginated, download)]
pub struct ListFindings {}

#[derive(serde::Deserialize)]
pub struct Finding {}

fn main() {}
