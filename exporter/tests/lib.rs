//! Integration tests of the `exporter` crate: parity with the real mgr prometheus module on
//! the live captures in `testdata/ceph/` (the module's own `/metrics`, and the module run over
//! the very same dump files in `testdata/exporter/`); the admin-socket client and the per-host
//! collector against stand-in daemons serving the captured dumps and broken replies.

mod expo;
mod parity;
mod repeat;

mod lib {
    pub(crate) mod asok;
}

use std::path::{Path, PathBuf};

/// The repository's `testdata/`.
fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}
