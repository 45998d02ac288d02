//! LZ4 blocks with python-lz4's 4-byte size prefix, as Gnocchi stores them.

use crate::error::Error;

/// The most bytes one byte of an LZ4 block can decode to (a run-length byte
/// of 255 adds 255 bytes of match or literal length).
pub const MAX_LZ4_RATIO: u64 = 255;

/// The largest payload one LZ4 block can hold (`LZ4_MAX_INPUT_SIZE`).
const LZ4_MAX_INPUT_SIZE: usize = 0x7E00_0000;

/// Appends `payload` in python-lz4's `lz4.block.compress` layout: the
/// little-endian `u32` payload length, then one raw LZ4 block.
///
/// The block comes from `lz4_flex`'s encoder: valid LZ4 that Gnocchi reads,
/// but not always the same bytes as python-lz4 (whose streaming encoder
/// hashes 5-byte sequences); decompressed payloads are identical.
///
/// # Errors
///
/// [`Error::Lz4PayloadTooLarge`] if the payload exceeds what one LZ4 block
/// can hold (about 2 GiB).
pub fn compress_block(payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let too_large = || Error::Lz4PayloadTooLarge { len: payload.len() };
    if payload.len() > LZ4_MAX_INPUT_SIZE {
        return Err(too_large());
    }
    let bound = lz4_flex::block::get_maximum_output_size(payload.len());
    let start = out.len();
    out.resize(start + 4 + bound, 0);
    out[start..start + 4].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    let written =
        lz4_flex::block::compress_into(payload, &mut out[start + 4..]).map_err(|_| too_large())?;
    out.truncate(start + 4 + written);
    Ok(())
}

/// Decodes a size-prefixed LZ4 block (python-lz4's `lz4.block.decompress`).
///
/// The claimed size is checked against what the block's length can decode to
/// before anything is allocated, so a corrupt header claiming gigabytes costs
/// nothing.
///
/// # Errors
///
/// [`Error::Lz4Truncated`] for input shorter than 4 bytes,
/// [`Error::Lz4SizeTooLarge`] if the prefix claims more than
/// `block length × 255` bytes (or more than an LZ4 block can hold), and
/// [`Error::Lz4Corrupt`] if the block does not decode to exactly the claimed
/// size.
pub fn decompress_block(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    decompress_block_into(data, &mut out)?;
    Ok(out)
}

/// Decodes a size-prefixed LZ4 block into a reused per-thread buffer and
/// hands the payload to `f` (no allocation or zero-filling once the buffer
/// has grown to the payload size).
///
/// # Errors
///
/// As [`decompress_block`].
pub fn decompress_block_with<R>(data: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let expected = checked_size(data)?;
            if scratch.len() < expected {
                scratch.resize(expected, 0);
            }
            decode(&data[4..], &mut scratch[..expected])?;
            Ok(f(&scratch[..expected]))
        }
        // Re-entered from `f`: fall back to a fresh buffer.
        Err(_) => decompress_block(data).map(|p| f(&p)),
    })
}

/// Validates the size prefix against the block length; returns the size.
fn checked_size(data: &[u8]) -> Result<usize, Error> {
    let Some((prefix, block)) = data.split_first_chunk::<4>() else {
        return Err(Error::Lz4Truncated { len: data.len() });
    };
    let claimed = u64::from(u32::from_le_bytes(*prefix));
    let max = (block.len() as u64)
        .saturating_mul(MAX_LZ4_RATIO)
        .min(LZ4_MAX_INPUT_SIZE as u64);
    if claimed > max {
        return Err(Error::Lz4SizeTooLarge {
            claimed,
            max,
            len: block.len(),
        });
    }
    Ok(claimed as usize)
}

/// Decodes `block` into exactly `out.len()` bytes.
fn decode(block: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let expected = out.len();
    match lz4_flex::block::decompress_into(block, out) {
        Ok(n) if n == expected => Ok(()),
        Ok(_) => Err(Error::Lz4Corrupt {
            expected,
            source: None,
        }),
        Err(e) => Err(Error::Lz4Corrupt {
            expected,
            source: Some(e),
        }),
    }
}

/// [`decompress_block`] into a caller-owned buffer (cleared first).
///
/// # Errors
///
/// As [`decompress_block`].
pub fn decompress_block_into(data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    out.clear();
    let expected = checked_size(data)?;
    out.resize(expected, 0);
    let result = decode(&data[4..], out);
    if result.is_err() {
        out.clear();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_table() {
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![7],
            (0..1000u32).flat_map(u32::to_le_bytes).collect(),
            vec![0; 100_000],
        ];
        for payload in cases {
            let mut out = Vec::new();
            compress_block(&payload, &mut out).unwrap();
            assert_eq!(&out[..4], &(payload.len() as u32).to_le_bytes());
            assert_eq!(decompress_block(&out).unwrap(), payload);
        }
    }

    #[test]
    fn gnocchi_empty_block() {
        // lz4.block.compress(b"") from python-lz4 4.4.5
        let mut out = Vec::new();
        compress_block(&[], &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 0, 0]);
    }

    #[test]
    fn bad_input_table() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "truncated"),
            (vec![1, 0, 0], "truncated"),
            (vec![0xff, 0xff, 0xff, 0x7f, 0x10, 0x00], "too large"),
            (vec![0xff, 0xff, 0xff, 0xff], "too large"),
            (vec![10, 0, 0, 0, 0xf0, 1, 2], "corrupt"),
            (vec![1, 0, 0, 0, 0x00], "corrupt"),
        ];
        for (data, want) in cases {
            let err = decompress_block(&data).unwrap_err();
            let got = match err {
                Error::Lz4Truncated { .. } => "truncated",
                Error::Lz4SizeTooLarge { .. } => "too large",
                Error::Lz4Corrupt { .. } => "corrupt",
                _ => "other",
            };
            assert_eq!(got, want, "{data:?}: {err}");
        }
    }
}
