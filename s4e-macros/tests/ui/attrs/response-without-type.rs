use s4e::endpoint;

#[endpoint(GET, "/findings/{id}", response)]
pub struct GetFinding {
    pub id: String,
}

fn main() {}
