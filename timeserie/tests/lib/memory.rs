//! Memory bounded by input (issue 12): peak allocation of every decoder on
//! adversarial input, measured per thread by allocation-counter's counting
//! global allocator (linked into this test binary only).

use timeserie::{
    BoundTimeSerie, DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_POINTS, Error, decompress_block,
    decompress_block_limited,
};

use super::lz4gen::bound_bomb;

/// Runs `f` and returns its result with the most bytes it held at once.
pub(crate) fn peak<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info.bytes_max)
}

const KB: u64 = 1 << 10;
const MB: usize = 1 << 20;

/// 4 MB of data whose size prefix claims 255 times that (issue 12: 1 GB RSS).
fn claims_255x() -> Vec<u8> {
    let len = 4 * MB;
    let mut data = vec![0u8; len];
    data[..4].copy_from_slice(&(((len - 4) * 255) as u32).to_le_bytes());
    data
}

#[test]
fn regression_4mb_object_claiming_255x_allocates_nothing() {
    let data = claims_255x();
    let (r, bytes) = peak(|| BoundTimeSerie::unserialize(&data, None, 0));
    assert!(
        matches!(r, Err(Error::TooManyPoints { claimed, limit })
            if claimed == ((4 * MB as u64 - 4) * 255) / 16 && limit == DEFAULT_MAX_POINTS),
        "{r:?}"
    );
    assert!(bytes < 4 * KB, "bound buffer: {bytes} bytes");
    let (r, bytes) = peak(|| decompress_block(&data));
    assert!(matches!(r, Err(Error::Lz4OverLimit { .. })), "{r:?}");
    assert!(bytes < 4 * KB, "lz4: {bytes} bytes");
}

#[test]
fn regression_627kb_lz4_bomb_of_10m_points_allocates_nothing() {
    let bomb = bound_bomb(10_000_000);
    // The size of issue 12's bomb: a valid block, 255 times smaller.
    assert!((600_000..700_000).contains(&bomb.len()), "{}", bomb.len());
    let (r, bytes) = peak(|| BoundTimeSerie::unserialize(&bomb, None, 0));
    assert!(
        matches!(
            r,
            Err(Error::TooManyPoints {
                claimed: 10_000_000,
                ..
            })
        ),
        "{r:?}"
    );
    assert!(bytes < 4 * KB, "{bytes} bytes");
    let (r, bytes) = peak(|| decompress_block(&bomb));
    assert!(
        matches!(r, Err(Error::Lz4OverLimit { claimed: 160_000_000, limit })
        if limit == DEFAULT_MAX_PAYLOAD),
        "{r:?}"
    );
    assert!(bytes < 4 * KB, "{bytes} bytes");
}

#[test]
fn bomb_at_the_limit_decodes_within_twice_its_payload() {
    // The largest buffer accepted by default: 16 MiB of payload from ~1 MB.
    let n = DEFAULT_MAX_POINTS;
    let bomb = bound_bomb(n);
    let (r, bytes) = peak(|| BoundTimeSerie::unserialize(&bomb, None, 0).map(|b| b.len()));
    assert_eq!(r.expect("valid buffer"), n);
    // Payload scratch (16 B/point) plus timestamps and values (16 B/point).
    let payload = 16 * n as u64;
    assert!(
        bytes <= 2 * payload + 64 * KB,
        "{bytes} bytes for {payload}"
    );
    // The counter is live: the payload itself was counted.
    assert!(bytes >= payload, "{bytes} bytes counted");
    // One point more is refused before decoding.
    let (r, bytes) = peak(|| BoundTimeSerie::unserialize(&bound_bomb(n + 1), None, 0));
    assert!(matches!(r, Err(Error::TooManyPoints { .. })), "{r:?}");
    assert!(bytes < 200 * KB, "{bytes} bytes");
}

#[test]
fn limits_are_the_callers() {
    let bomb = bound_bomb(1000);
    let (r, bytes) = peak(|| BoundTimeSerie::unserialize_limited(&bomb, None, 0, 999));
    assert!(
        matches!(
            r,
            Err(Error::TooManyPoints {
                claimed: 1000,
                limit: 999
            })
        ),
        "{r:?}"
    );
    assert!(bytes < KB, "{bytes} bytes");
    assert_eq!(
        BoundTimeSerie::unserialize_limited(&bomb, None, 0, 1000)
            .unwrap()
            .len(),
        1000
    );
    let mut out = Vec::new();
    let r = decompress_block_limited(&bomb, 15_999, &mut out);
    assert!(
        matches!(
            r,
            Err(Error::Lz4OverLimit {
                claimed: 16_000,
                limit: 15_999
            })
        ),
        "{r:?}"
    );
    decompress_block_limited(&bomb, 16_000, &mut out).unwrap();
    assert_eq!(out.len(), 16_000);
}

#[test]
fn regression_back_window_past_i64_max_keeps_points() {
    // `back_window as i64` wrapped negative and moved the first block
    // timestamp into the future: every point was dropped.
    let mut bound = BoundTimeSerie::new(Some(1_000_000_000), 1 << 63).unwrap();
    let batch = [
        timeserie::Point::new(10, 1.0),
        timeserie::Point::new(20, 2.0),
    ];
    bound.set_values(&batch);
    bound.set_values(&[timeserie::Point::new(5, 0.5)]);
    assert_eq!(bound.len(), 3);
}
