//! Integration tests of the carbonara crate: the Gnocchi conformance run
//! over every golden vector, the property tests, and hostile input (memory
//! bounded by input, no silent loss).

mod lib {
    pub(crate) mod conformance;
    pub(crate) mod hostile;
    pub(crate) mod json;
    pub(crate) mod properties;
}
