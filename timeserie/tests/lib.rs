//! Integration tests of the timeserie crate: property tests and hostile
//! serialized input.

mod lib {
    pub(crate) mod hostile;
    pub(crate) mod properties;
}
