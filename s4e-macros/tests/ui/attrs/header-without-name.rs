use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[header]
    pub trace: Option<String>,
}

fn main() {}
