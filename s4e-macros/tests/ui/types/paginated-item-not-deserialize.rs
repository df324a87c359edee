use s4e::endpoint;

#[endpoint(GET, "/findings", paginated, response = Finding)]
pub struct ListFindings {}

pub struct Finding {
    pub title: String,
}

fn main() {}
