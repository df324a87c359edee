use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub enum ListFindings {
    All,
    Open,
}

fn main() {}
