//! Finds the README that the crate's documentation includes.
//!
//! In the repository it is the workspace's `README.md`, one directory up; in
//! the published package cargo has copied it (the `readme` key) into the
//! package root. `src/lib.rs` includes whichever exists, so both the docs and
//! the README's examples (run as doc tests) come from the one file, with no
//! copy to keep in step.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let packaged = manifest_dir.join("README.md");
    let readme = if packaged.is_file() {
        packaged
    } else {
        manifest_dir.join("..").join("README.md")
    };
    // `include_str!` makes rustc track the file's contents. The build script
    // runs again when the README it chose is gone, so a checkout that moved
    // (or a copied target directory) never keeps pointing at a stale path.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={}", readme.display());
    println!("cargo::rustc-env=S4E_README={}", readme.display());
}
