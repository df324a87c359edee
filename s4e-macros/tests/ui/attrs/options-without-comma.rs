use s4e::endpoint;

#[endpoint(GET, "/findings" paginated, response = Finding)]
pub struct ListFindings {}

#[derive(serde::Deserialize)]
pub struct Finding {}

fn main() {}
