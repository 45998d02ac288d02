//! Integration tests of `expfmt`: byte-exact goldens, encode → parse round trips, the
//! conformance corpus for real peers, and the strict parser on hand-written and real input.

mod conformance;
mod golden;
mod negotiate;
mod parse;
mod roundtrip;
mod strategies;
