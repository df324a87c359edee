use s4e::endpoint;

#[endpoint(GET, "findings/{id}")]
pub struct GetFinding {
    pub id: String,
}

fn main() {}
