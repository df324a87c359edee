use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    #[qeury(rename = "type")]
    pub kind: Option<String>,
    // Other macros' field attributes are not ours to judge.
    #[allow(dead_code)]
    pub status: Option<String>,
}

fn main() {}
