use s4e::endpoint;

#[endpoint(GET, "/findings/{id}")]
pub struct GetFinding<Id> {
    pub id: Id,
}

fn main() {}
