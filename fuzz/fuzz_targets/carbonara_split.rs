//! `carbonara::unserialize` (both split formats) and `ObjectFormat::detect`
//! on arbitrary bytes. The first input byte picks the granularity, the second
//! the split key; the rest is the object. A decoded split never holds more
//! points than its records allow and re-encodes to the same points.
#![no_main]

use carbonara::{ObjectFormat, SplitKey, UNCOMPRESSED_RECORD_LEN, serialize_compressed, unserialize};
use libfuzzer_sys::fuzz_target;

const S: i64 = 1_000_000_000;
const GRANULARITIES: [i64; 8] = [1, 1_000, S, 5 * S, 60 * S, 300 * S, 3600 * S, 86_400 * S];

fuzz_target!(|input: &[u8]| {
    let [g, k, data @ ..] = input else { return };
    let g = GRANULARITIES[usize::from(*g) % GRANULARITIES.len()];
    let key = SplitKey::new(i64::from(*k).saturating_mul(3600).saturating_mul(g), g);
    let _ = ObjectFormat::detect(data);
    let Ok(serie) = unserialize(data, key) else { return };
    let records = match data.first() {
        Some(b'c') => data.len().saturating_sub(5).saturating_mul(255) / 10,
        _ => data.len() / UNCOMPRESSED_RECORD_LEN,
    };
    assert!(serie.len() <= records, "{} points from {} bytes", serie.len(), data.len());
    let mut again = Vec::new();
    serialize_compressed(&serie, key, &mut again).expect("a decoded split re-encodes");
    // Slot deltas are u16 and computed through f64 as Gnocchi does: check the
    // round trip where every delta is a whole number of slots below 2^16 and
    // exact in f64 (spans under 2^53 ns).
    let mut prev = key.key();
    let exact = g <= 60 * S
        && serie.timestamps().iter().enumerate().all(|(i, &t)| {
            let ok = t
                .checked_sub(prev)
                .is_some_and(|d| d % g == 0 && (i64::from(i > 0)..=i64::from(u16::MAX)).contains(&(d / g)));
            prev = t;
            ok
        });
    if exact {
        assert_eq!(unserialize(&again, key).expect("re-encoded split decodes"), serie);
    }
});
