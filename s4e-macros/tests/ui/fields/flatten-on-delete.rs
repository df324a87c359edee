use s4e::endpoint;

#[endpoint(DELETE, "/findings")]
pub struct DeleteFindings {
    #[body(flatten)]
    pub filters: Option<serde_json::Value>,
}

fn main() {}
