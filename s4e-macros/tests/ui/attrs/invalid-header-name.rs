use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[header("X Trace")]
    pub trace: Option<String>,
}

fn main() {}
