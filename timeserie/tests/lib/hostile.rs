//! Corrupt, truncated and lying serialized input gives typed errors.

use proptest::prelude::*;
use timeserie::{BoundTimeSerie, Error, Point, TimeSerie, decompress_block};

#[test]
fn hostile_headers_table() {
    let mut valid = Vec::new();
    BoundTimeSerie::with_serie(
        TimeSerie::from_points(&[Point::new(1, 1.0), Point::new(2, 2.0)]),
        None,
        0,
    )
    .unwrap()
    .serialize(&mut valid)
    .unwrap();
    let truncated = valid[..valid.len() - 3].to_vec();
    let mut lying = valid.clone();
    lying[..4].copy_from_slice(&0x4000_0000u32.to_le_bytes()); // claims 1 GiB
    type Case = (&'static str, Vec<u8>, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        ("empty", vec![], |e| {
            matches!(e, Error::Lz4Truncated { len: 0 })
        }),
        ("3 bytes", vec![1, 2, 3], |e| {
            matches!(e, Error::Lz4Truncated { len: 3 })
        }),
        ("4 GiB claim", vec![0xff, 0xff, 0xff, 0xff, 0], |e| {
            matches!(
                e,
                Error::Lz4SizeTooLarge {
                    claimed: 0xffff_ffff,
                    ..
                }
            )
        }),
        ("1 GiB claim", lying, |e| {
            matches!(
                e,
                Error::Lz4SizeTooLarge {
                    claimed: 0x4000_0000,
                    ..
                }
            )
        }),
        ("truncated block", truncated, |e| {
            matches!(e, Error::Lz4Corrupt { .. })
        }),
    ];
    for (name, data, ok) in cases {
        let err = BoundTimeSerie::unserialize(&data, None, 0).unwrap_err();
        assert!(ok(&err), "{name}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

proptest! {
    #[test]
    fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = BoundTimeSerie::unserialize(&data, Some(1), 0);
        if let Ok(p) = decompress_block(&data) {
            prop_assert!(p.len() as u64 <= data.len() as u64 * timeserie::MAX_LZ4_RATIO);
        }
    }
}
