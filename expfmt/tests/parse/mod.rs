//! The parser on real Ceph output, and properties over generated and mutated input.

mod ceph;
mod properties;
mod robustness;

use std::path::PathBuf;

/// A file under the repository's `testdata/expfmt/`.
fn testdata(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/expfmt")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}
