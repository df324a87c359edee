use s4e::endpoint;

#[endpoint(DELETE, "/findings/{id}")]
pub struct DeleteFinding {
    pub id: FindingId,
}

pub struct FindingId(pub String);

fn main() {}
