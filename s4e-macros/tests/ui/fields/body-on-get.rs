use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[body]
    pub severity: Option<String>,
}

fn main() {}
