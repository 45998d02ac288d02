//! Integration tests of `expfmt`: byte-exact goldens, the conformance corpus for real peers,
//! and (in `parse`) the strict parser.

mod conformance;
mod golden;
mod strategies;
