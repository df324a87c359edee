use s4e::endpoint;

#[endpoint(PATCH, "/findings/{id}")]
pub struct UpdateFinding {
    pub id: String,
    pub note: Option<String>,
    #[body(rename = "note")]
    pub comment: Option<String>,
}

fn main() {}
