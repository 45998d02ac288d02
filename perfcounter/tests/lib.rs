//! Integration tests of the perfcounter crate: parity with the real mgr prometheus module on
//! real Pacific and Reef captures, the exporter flavour on Reef's labeled counters, and
//! property tests of the naming rules.

mod lib {
    pub(crate) mod common;
    pub(crate) mod exporter;
    pub(crate) mod mgr_parity;
    pub(crate) mod properties;
}
