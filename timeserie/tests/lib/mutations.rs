//! Deeper properties (issue 12): generators build *valid* LZ4 blocks and raw
//! buffers, check them against a model, then mutate them. Whatever the
//! mutation, decoding gives a value or an error, never a panic, and never
//! allocates more than the input can claim.

use proptest::prelude::*;
use timeserie::{
    BoundTimeSerie, DEFAULT_MAX_POINTS, MAX_LZ4_RATIO, Point, TimeSerie, decompress_block,
};

use super::lz4gen::{Seq, block, prefixed};
use super::memory::peak;

/// A sequence as generated: literals, a match offset as a fraction of what
/// was decoded so far, a match length.
type RawSeq = (Vec<u8>, f64, usize);

/// Valid LZ4 blocks with the payload they decode to (computed by a model of
/// the format: literals copied, then a byte-by-byte overlapping match copy).
fn lz4_block() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    let seq = (
        proptest::collection::vec(any::<u8>(), 0..24),
        0.0f64..1.0,
        prop_oneof![4usize..20, 20usize..600],
    );
    (
        proptest::collection::vec(any::<u8>(), 1..8),
        proptest::collection::vec(seq, 0..12),
        proptest::collection::vec(any::<u8>(), 12..30),
    )
        .prop_map(|(first, seqs, tail): (Vec<u8>, Vec<RawSeq>, Vec<u8>)| {
            let mut payload = Vec::new();
            let mut kept = Vec::new();
            for (i, (mut literals, frac, match_len)) in seqs.into_iter().enumerate() {
                if i == 0 {
                    // Something to match against.
                    literals.splice(0..0, first.iter().copied());
                }
                payload.extend_from_slice(&literals);
                if payload.is_empty() {
                    continue;
                }
                let back =
                    ((payload.len() as f64 * frac) as usize).clamp(1, payload.len().min(65_535));
                for _ in 0..match_len {
                    payload.push(payload[payload.len() - back]);
                }
                kept.push((literals, back as u16, match_len));
            }
            payload.extend_from_slice(&tail);
            let seqs: Vec<Seq<'_>> = kept
                .iter()
                .map(|(l, o, m)| Seq {
                    literals: l,
                    offset: *o,
                    match_len: *m,
                })
                .collect();
            let data = prefixed(payload.len(), &block(&seqs, &tail));
            (data, payload)
        })
}

/// Ways to damage an object.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Truncate(usize),
    Insert(usize, u8),
    Append(Vec<u8>),
    Prefix(u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Mutation::SetByte(i, v)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Mutation::Insert(i, v)),
        proptest::collection::vec(any::<u8>(), 1..16).prop_map(Mutation::Append),
        any::<u32>().prop_map(Mutation::Prefix),
    ]
}

/// Applies `mutations` in turn (indexes taken modulo the length).
fn mutate(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let n = data.len().max(1);
        match m {
            Mutation::FlipBit(i, b) if !data.is_empty() => data[i % n] ^= 1 << b,
            Mutation::SetByte(i, v) if !data.is_empty() => data[i % n] = *v,
            Mutation::Truncate(i) => data.truncate(i % n),
            Mutation::Insert(i, v) => data.insert(i % (data.len() + 1), *v),
            Mutation::Append(bytes) => data.extend_from_slice(bytes),
            Mutation::Prefix(p) if data.len() >= 4 => data[..4].copy_from_slice(&p.to_le_bytes()),
            _ => {}
        }
    }
    data
}

/// The most a decoder may hold for `data`: what its prefix can claim (255
/// bytes per input byte), `factor` times over, plus a little.
fn bound_for(data: &[u8], factor: u64) -> u64 {
    factor * data.len() as u64 * MAX_LZ4_RATIO + 4096
}

/// Sorted unique points, deltas from 1 ns to hours.
fn serie() -> impl Strategy<Value = TimeSerie> {
    proptest::collection::vec(
        (prop_oneof![1i64..10, 1i64..3_600_000_000_000], any::<f64>()),
        0..200,
    )
    .prop_map(|steps| {
        let mut t = 1_600_000_000_000_000_000i64;
        let points: Vec<Point> = steps
            .into_iter()
            .map(|(d, v)| {
                t += d;
                Point::new(t, v)
            })
            .collect();
        TimeSerie::from_points(&points)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_lz4_blocks_decode_as_the_model((data, payload) in lz4_block()) {
        prop_assert_eq!(decompress_block(&data).unwrap(), payload);
    }

    #[test]
    fn mutated_lz4_blocks_error_or_decode_within_their_claim(
        (data, _) in lz4_block(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let data = mutate(data, &mutations);
        let (r, bytes) = peak(|| decompress_block(&data));
        if let Ok(p) = r {
            let claimed = u32::from_le_bytes(data[..4].try_into().unwrap()) as usize;
            prop_assert_eq!(p.len(), claimed);
            prop_assert!(p.len() as u64 <= (data.len() as u64 - 4) * MAX_LZ4_RATIO);
        }
        prop_assert!(bytes <= bound_for(&data, 1), "{} bytes from {}", bytes, data.len());
    }

    #[test]
    fn mutated_bound_buffers_error_or_decode_sorted(
        serie in serie(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let mut stored = Vec::new();
        BoundTimeSerie::with_serie(serie, None, 0).unwrap().serialize(&mut stored).unwrap();
        let data = mutate(stored, &mutations);
        let (r, bytes) = peak(|| BoundTimeSerie::unserialize(&data, None, 0));
        if let Ok(b) = r {
            prop_assert!(b.len() <= DEFAULT_MAX_POINTS);
            prop_assert!(b.serie().timestamps().windows(2).all(|w| w[0] < w[1]));
        }
        // The payload scratch, then timestamps and values: twice the claim.
        prop_assert!(bytes <= bound_for(&data, 2), "{} bytes from {}", bytes, data.len());
    }
}
