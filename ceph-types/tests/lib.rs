//! Integration tests of `ceph-types`: the fixture walker, the round-trip property tests and the
//! no-positional-decoding checks.

mod facts;
mod roundtrip;
mod strict;
mod walker;
