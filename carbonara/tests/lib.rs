//! Integration tests of the carbonara crate: the Gnocchi conformance run
//! over every golden vector and the property tests.

mod lib {
    pub(crate) mod conformance;
    pub(crate) mod json;
    pub(crate) mod properties;
}
