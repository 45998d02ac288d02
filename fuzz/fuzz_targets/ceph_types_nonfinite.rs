//! `quote_non_finite`, the tolerant pre-pass, on arbitrary text: it only inserts quotes (the
//! text without `"` is unchanged), leaves strict JSON alone, and is idempotent. Never a panic.
#![no_main]

use std::borrow::Cow;

use ceph_types::quote_non_finite;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let quoted = quote_non_finite(&text);
    let unquoted = |s: &str| s.replace('"', "");
    assert_eq!(unquoted(&quoted), unquoted(&text), "only quotes are inserted");
    assert!(quoted.len() >= text.len());
    if serde_json::from_str::<serde_json::Value>(&text).is_ok() {
        assert!(matches!(quoted, Cow::Borrowed(_)), "strict JSON is left alone");
    }
    let twice = quote_non_finite(&quoted);
    assert_eq!(twice.as_ref(), quoted.as_ref(), "idempotent");
});
