use s4e::endpoint;

#[endpoint(GET, "/findings/{finding_id}", pagniated, idempotent)]
pub struct GetFinding {
    pub id: String,
    #[body]
    pub status: Option<String>,
    #[header("X Trace")]
    pub trace: Option<String>,
}

fn main() {}
