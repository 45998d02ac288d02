//! Integration tests of `ceph-types`: the fixture walker, the round-trip property tests,
//! the no-positional-decoding checks and peak allocation on adversarial input.

mod facts;
mod jsonpath;
mod memory;
mod roundtrip;
mod strict;
mod walker;
