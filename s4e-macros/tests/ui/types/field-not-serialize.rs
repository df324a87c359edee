use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub struct ListFindings {
    pub severity: Option<Vec<Severity>>,
}

pub enum Severity {
    High,
}

fn main() {}
