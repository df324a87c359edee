use s4e::endpoint;

#[endpoint(GET, "/findings/{finding-id}")]
pub struct GetFinding {
    pub finding_id: String,
}

fn main() {}
