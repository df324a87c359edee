use s4e::endpoint;

#[endpoint(POST, "/findings/export")]
pub struct ExportFindings {
    #[query]
    #[body]
    pub format: String,
}

fn main() {}
