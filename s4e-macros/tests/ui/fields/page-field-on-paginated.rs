use s4e::endpoint;

#[endpoint(GET, "/findings", paginated, response = Finding)]
pub struct ListFindings {
    pub page: Option<u32>,
}

#[derive(serde::Deserialize)]
pub struct Finding {}

fn main() {}
