use s4e::endpoint;

#[endpoint(GET, "/assets/{aset_id}", response = Asset)]
pub struct GetAsset {
    pub asset_id: String,
}

#[derive(serde::Deserialize)]
pub struct Asset {}

fn main() {}
