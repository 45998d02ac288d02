//! Integration tests of `ceph-types`: the fixture walker and the round-trip property tests.

mod roundtrip;
mod walker;
