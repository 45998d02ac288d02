//! The text 0.0.4 parser on arbitrary bytes: never panics; an error names a position inside
//! the input and its message stays short.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    expfmt_fuzz_check(data, expfmt::Format::Text);
});

fn expfmt_fuzz_check(data: &[u8], format: expfmt::Format) {
    for item in expfmt::Parser::new(data, format) {
        if let Err(e) = item {
            if let expfmt::Error::Parse { line, column, .. } = &e {
                assert!(*line >= 1 && *column >= 1);
                assert!(*line <= data.len() + 1, "line {line} past the input");
            }
            let msg = e.to_string();
            assert!(msg.len() < 1024, "error message of {} bytes", msg.len());
            assert!(!msg.bytes().any(|b| b < 0x20), "raw control byte in {msg:?}");
        }
    }
}
