//! Integration tests of `ceph-types`: the fixture walker and the round-trip property tests.

mod facts;
mod roundtrip;
mod walker;
