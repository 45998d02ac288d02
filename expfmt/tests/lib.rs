//! Integration tests of `expfmt`: byte-exact goldens, encode → parse round trips, the
//! conformance corpus for real peers, and (in `parse`) the strict parser.

mod conformance;
mod golden;
mod roundtrip;
mod strategies;
