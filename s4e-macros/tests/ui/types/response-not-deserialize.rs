use s4e::endpoint;

#[endpoint(GET, "/findings/{id}", response = Finding)]
pub struct GetFinding {
    pub id: String,
}

pub struct Finding {
    pub title: String,
}

fn main() {}
