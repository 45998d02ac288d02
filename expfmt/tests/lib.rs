//! Integration tests of `expfmt`.

mod parse;
