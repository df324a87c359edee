use s4e::endpoint;

#[endpoint(GET, "/findings/{id}", response = Finding)]
pub struct GetFinding {
    pub id: Option<s4e::FindingId>,
}

#[derive(serde::Deserialize)]
pub struct Finding {}

// Code using the struct compiles on: the one error above is all there is.
pub fn uses() -> GetFinding {
    GetFinding { id: None }
}

fn main() {}
