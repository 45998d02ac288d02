//! `ceph-exporter`: the command line and the HTTP server on real captures. (Parity with the
//! mgr prometheus module is tested on the library, in `exporter/tests/parity`.)

mod asok;
mod cli;
// The exposition reader the exporter crate's parity tests use: one copy for both.
#[path = "../../../exporter/tests/expo/mod.rs"]
#[allow(dead_code, reason = "these tests use part of the shared reader")]
mod expo;
mod http;
mod starvation;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ceph-exporter"))
}

/// The repository's `testdata/`.
fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ceph-exporter-test-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A dump directory for capture `name` (`18.2.7-healthy`): the JSON files of
/// `testdata/ceph/<name>/` plus the exporter's extra metadata in `testdata/exporter/<name>/`.
fn dump_dir(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    for sub in ["ceph", "exporter"] {
        for entry in std::fs::read_dir(testdata().join(sub).join(name)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    dir
}

/// Runs the binary with `args`.
fn run(args: &[&str]) -> Output {
    exe().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
