use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    pub r#type: Option<String>,
    #[query(rename = "type")]
    pub kind: Option<String>,
}

fn main() {}
