//! Integration tests of the example binaries: each runs the real binary on `testdata/`.

mod promcat;
