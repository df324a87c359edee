use s4e::endpoint;

#[endpoint(POST, "/findings/export")]
pub struct ExportFindings {
    #[body(flaten)]
    pub extra: Option<serde_json::Value>,
}

fn main() {}
