use s4e::endpoint;

#[endpoint(GET, "/findings/{}")]
pub struct GetFinding {
    pub id: String,
}

fn main() {}
