use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[query]
    #[query(rename = "type")]
    pub kind: Option<String>,
}

fn main() {}
