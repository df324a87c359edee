use s4e::endpoint;

#[endpoint(POST, "/findings/search", paginated, response = Finding)]
pub struct SearchFindings {
    pub query: String,
}

#[derive(serde::Deserialize)]
pub struct Finding {}

fn main() {}
