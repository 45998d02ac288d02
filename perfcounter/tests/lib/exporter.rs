//! The exporter flavour.
