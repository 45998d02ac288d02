//! Integration tests of the timeserie crate: property tests, hostile
//! serialized input and peak allocation on adversarial input.

mod lib {
    pub(crate) mod hostile;
    pub(crate) mod lz4gen;
    pub(crate) mod memory;
    pub(crate) mod mutations;
    pub(crate) mod properties;
}
