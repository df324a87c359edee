use s4e::endpoint;

#[endpoint(GET, "/findings")]
pub union ListFindings {
    pub page: u32,
}

fn main() {}
