use s4e::endpoint;

#[endpoint(GET, "/findings/{finding_id}", response = Finding)]
pub struct GetFinding {
    pub id: String,
    pub expand: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct Finding {}

// Code using the struct compiles on: the one error above is all there is.
pub fn uses(id: String) -> GetFinding {
    let _: &str = <GetFinding as s4e::Endpoint>::PATH;
    GetFinding { id, expand: None }.expand("asset")
}

fn main() {}
