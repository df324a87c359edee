use s4e::endpoint;

#[endpoint(GET, "/findings/{id}/related/{id}")]
pub struct GetRelated {
    pub id: String,
}

fn main() {}
