use s4e::endpoint;

#[endpoint(GET, "/findings/{id}", response = Finding, response = Finding)]
pub struct GetFinding {
    pub id: String,
}

#[derive(serde::Deserialize)]
pub struct Finding {}

fn main() {}
