//! `decompress_block` (python-lz4's size-prefixed LZ4 block) on arbitrary
//! bytes: an error, or exactly the claimed size and never more than
//! `MAX_LZ4_RATIO` bytes per input byte. Any input also round-trips through
//! `compress_block`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use timeserie::{MAX_LZ4_RATIO, compress_block, decompress_block};

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = decompress_block(data) {
        let claimed = u32::from_le_bytes(data[..4].try_into().unwrap()) as usize;
        assert_eq!(payload.len(), claimed);
        assert!(payload.len() as u64 <= (data.len() as u64 - 4) * MAX_LZ4_RATIO);
    }
    let mut block = Vec::new();
    compress_block(data, &mut block).expect("small payloads compress");
    assert_eq!(decompress_block(&block).expect("our own block decodes"), data);
});
