//! Integration tests of the exporter library: parity with the real mgr prometheus module on
//! the live captures in `testdata/ceph/` (the module's own `/metrics`, and the module run over
//! the very same dump files in `testdata/exporter/`).

mod expo;
mod parity;

use std::path::{Path, PathBuf};

/// The repository's `testdata/`.
fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}
