//! Integration tests of the example binaries: each runs the binary on `testdata/`.

mod lib {
    pub(crate) mod perf2prom;
}
