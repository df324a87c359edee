use s4e::endpoint;

#[endpoint(DELETE, "/findings/{id}")]
pub struct DeleteFinding {
    #[header("X-Id")]
    pub id: String,
}

fn main() {}
