//! Integration tests of the example binaries: each runs the binary on `testdata/`.

mod ceph_exporter;
