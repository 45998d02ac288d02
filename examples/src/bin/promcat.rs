//! Placeholder binary: replaced by promcat.
fn main() {}
