use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[header("X-Trace")]
    pub trace: Option<String>,
    #[header("x-trace")]
    pub trace_again: Option<String>,
}

fn main() {}
