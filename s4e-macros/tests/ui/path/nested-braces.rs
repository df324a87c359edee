use s4e::endpoint;

#[endpoint(GET, "/findings/{id{x}}")]
pub struct GetFinding {
    pub id: String,
}

fn main() {}
