use s4e::endpoint;

#[endpoint(POST, "/findings/export", download, response = Finding)]
pub struct ExportFindings {
    pub format: String,
}

#[derive(serde::Deserialize)]
pub struct Finding {}

fn main() {}
