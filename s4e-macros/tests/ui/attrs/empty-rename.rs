use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[query(rename = "")]
    pub kind: Option<String>,
}

fn main() {}
