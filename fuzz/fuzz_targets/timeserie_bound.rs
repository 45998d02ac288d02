//! `BoundTimeSerie::unserialize` (the `none_v3` raw buffer: size-prefixed LZ4
//! block of 16-byte records) on arbitrary bytes: an error or a buffer that
//! re-serializes to the same points, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use timeserie::BoundTimeSerie;

fuzz_target!(|data: &[u8]| {
    if let Ok(bound) = BoundTimeSerie::unserialize(data, None, 0) {
        let mut again = Vec::new();
        bound.serialize(&mut again).expect("a decoded buffer re-encodes");
        let back = BoundTimeSerie::unserialize(&again, None, 0).expect("re-encoded buffer decodes");
        assert_eq!(back.serie().timestamps(), bound.serie().timestamps());
    }
});
