//! LZ4 blocks with python-lz4's 4-byte size prefix, as Gnocchi stores them.

use crate::error::Error;

/// The most bytes one byte of an LZ4 block can decode to (a run-length byte
/// of 255 adds 255 bytes of match or literal length).
pub const MAX_LZ4_RATIO: u64 = 255;

/// The largest payload one LZ4 block can hold (`LZ4_MAX_INPUT_SIZE`).
const LZ4_MAX_INPUT_SIZE: usize = 0x7E00_0000;

/// The largest payload [`decompress_block`] and [`decompress_block_into`]
/// decode (64 MiB): a size prefix claiming more is refused before anything is
/// allocated. [`decompress_block_limited`] takes another limit.
pub const DEFAULT_MAX_PAYLOAD: usize = 64 << 20;

/// The per-thread scratch buffer of [`decompress_block_with`] is dropped after
/// use when it grew past this, so one large object does not pin its memory.
const SCRATCH_KEEP: usize = 4 << 20;

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

/// Decodes a size-prefixed LZ4 block (python-lz4's `lz4.block.decompress`)
/// of at most [`DEFAULT_MAX_PAYLOAD`] bytes.
///
/// The claimed size is checked against what the block's length can decode to
/// and against the limit before anything is allocated, so a corrupt header
/// claiming gigabytes costs nothing, and a valid block never allocates more
/// than the limit.
///
/// # Errors
///
/// [`Error::Lz4Truncated`] for input shorter than 4 bytes,
/// [`Error::Lz4SizeTooLarge`] if the prefix claims more than
/// `block length × 255` bytes (or more than an LZ4 block can hold),
/// [`Error::Lz4OverLimit`] if it claims more than the limit, and
/// [`Error::Lz4Corrupt`] if the block does not decode to exactly the claimed
/// size.
pub fn decompress_block(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    decompress_block_limited(data, DEFAULT_MAX_PAYLOAD, &mut out)?;
    Ok(out)
}

/// Decodes a size-prefixed LZ4 block of at most `max_len` bytes into a reused
/// per-thread buffer and hands the payload to `f` (no allocation or
/// zero-filling once the buffer has grown to the payload size).
///
/// # Errors
///
/// As [`decompress_block`], with `max_len` as the limit.
pub fn decompress_block_with<R>(
    data: &[u8],
    max_len: usize,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, Error> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let expected = checked_size(data, max_len)?;
            if scratch.len() < expected {
                scratch.resize(expected, 0);
            }
            let result =
                decode(&data[4..], &mut scratch[..expected]).map(|()| f(&scratch[..expected]));
            if scratch.capacity() > SCRATCH_KEEP {
                *scratch = Vec::new();
            }
            result
        }
        // Re-entered from `f`: fall back to a fresh buffer.
        Err(_) => {
            let mut out = Vec::new();
            decompress_block_limited(data, max_len, &mut out).map(|()| f(&out))
        }
    })
}

/// Validates the size prefix against the block length and `limit`; returns
/// the size.
fn checked_size(data: &[u8], limit: usize) -> Result<usize, Error> {
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
    if claimed > limit as u64 {
        return Err(Error::Lz4OverLimit { claimed, limit });
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
    decompress_block_limited(data, DEFAULT_MAX_PAYLOAD, out)
}

/// [`decompress_block_into`] with a caller-chosen limit on the payload size:
/// a prefix claiming more than `max_len` bytes is refused before anything is
/// allocated.
///
/// # Errors
///
/// As [`decompress_block`], with `max_len` as the limit.
pub fn decompress_block_limited(
    data: &[u8],
    max_len: usize,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    out.clear();
    let expected = checked_size(data, max_len)?;
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
            // 4 MiB + 1 claimed by a block long enough to hold it.
            (
                [&(4u32 << 20 | 1).to_le_bytes()[..], &[0u8; 17_000]].concat(),
                "over limit",
            ),
        ];
        for (data, want) in cases {
            let mut out = Vec::new();
            let err = decompress_block_limited(&data, 4 << 20, &mut out).unwrap_err();
            let got = match err {
                Error::Lz4Truncated { .. } => "truncated",
                Error::Lz4SizeTooLarge { .. } => "too large",
                Error::Lz4Corrupt { .. } => "corrupt",
                Error::Lz4OverLimit { .. } => "over limit",
                _ => "other",
            };
            assert_eq!(got, want, "{data:?}: {err}");
        }
    }
}
