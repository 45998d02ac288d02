//! Integration tests of the example binaries: each runs a binary on
//! testdata and checks its output.

mod lib {
    pub(crate) mod carbonara_dump;
    pub(crate) mod rollup;
}
