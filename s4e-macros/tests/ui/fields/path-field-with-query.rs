use s4e::endpoint;

#[endpoint(GET, "/findings/{id}")]
pub struct GetFinding {
    #[query]
    pub id: String,
}

fn main() {}
