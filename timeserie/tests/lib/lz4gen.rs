//! Hand-built LZ4 blocks: valid blocks of any decoded size from a few bytes of
//! input (the "bombs" of issue 12), without compressing the payload first.
//! Shared with carbonara's tests (`#[path]`).

#![allow(dead_code, reason = "each test crate uses a part")]

/// One LZ4 sequence: literals, then a match `offset` bytes back of
/// `match_len` (≥ 4) bytes.
pub(crate) struct Seq<'a> {
    pub(crate) literals: &'a [u8],
    pub(crate) offset: u16,
    pub(crate) match_len: usize,
}

/// A length past a 4-bit token nibble: 255s, then the rest.
fn extend(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

/// A raw LZ4 block (no size prefix): `seqs`, then `tail` as the last literals
/// (at least 12 bytes after the last match keeps the block within the format's
/// end rules).
pub(crate) fn block(seqs: &[Seq<'_>], tail: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in seqs {
        let ml = s.match_len - 4;
        out.push(((s.literals.len().min(15) as u8) << 4) | ml.min(15) as u8);
        if s.literals.len() >= 15 {
            extend(&mut out, s.literals.len() - 15);
        }
        out.extend_from_slice(s.literals);
        out.extend_from_slice(&s.offset.to_le_bytes());
        if ml >= 15 {
            extend(&mut out, ml - 15);
        }
    }
    out.push((tail.len().min(15) as u8) << 4);
    if tail.len() >= 15 {
        extend(&mut out, tail.len() - 15);
    }
    out.extend_from_slice(tail);
    out
}

/// The decoded length of `block(seqs, tail)`.
pub(crate) fn decoded_len(seqs: &[Seq<'_>], tail: &[u8]) -> usize {
    seqs.iter()
        .map(|s| s.literals.len() + s.match_len)
        .sum::<usize>()
        + tail.len()
}

/// python-lz4's layout: the little-endian `u32` payload length, then the block.
pub(crate) fn prefixed(payload_len: usize, block: &[u8]) -> Vec<u8> {
    let mut out = (payload_len as u32).to_le_bytes().to_vec();
    out.extend_from_slice(block);
    out
}

/// A valid `none_v3` raw buffer of `points` (≥ 3) points one ns apart, all
/// 0.0: 16 × `points` bytes of payload from about `points` / 16 bytes.
pub(crate) fn bound_bomb(points: usize) -> Vec<u8> {
    assert!(points >= 3);
    let mut head = 1_600_000_000_000_000_000i64.to_le_bytes().to_vec();
    head.extend_from_slice(&1i64.to_le_bytes());
    let zero = [0u8; 8];
    let seqs = [
        // The first timestamp and one delta of 1, the other deltas copied.
        Seq {
            literals: &head,
            offset: 8,
            match_len: 8 * (points - 2),
        },
        // One 0.0 value, the others copied but the last 12 bytes.
        Seq {
            literals: &zero,
            offset: 8,
            match_len: 8 * (points - 1) - 12,
        },
    ];
    let tail = [0u8; 12];
    debug_assert_eq!(decoded_len(&seqs, &tail), 16 * points);
    prefixed(16 * points, &block(&seqs, &tail))
}
