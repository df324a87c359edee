use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[header(X_Trace)]
    pub trace: Option<String>,
}

fn main() {}
