//! `ArchivePolicy::from_rest_json` (an archive policy in Gnocchi's REST JSON
//! form, as `rollup --policy FILE` reads it) on arbitrary text, then a metric
//! under the policy fed one small batch: errors, never a panic.
#![no_main]

use carbonara::{ArchivePolicy, Metric};
use libfuzzer_sys::fuzz_target;
use timeserie::Point;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(policy) = ArchivePolicy::from_rest_json(text) else { return };
    for item in policy.definition() {
        assert!(item.granularity() > 0);
        assert!(item.points().is_none_or(|p| p > 0 && p < 1 << 63));
    }
    let mut metric = Metric::new(policy);
    const S: i64 = 1_000_000_000;
    let t0 = 1_600_000_000 * S;
    let _ = metric.add_measures(&[Point::new(t0, 1.0), Point::new(t0 + 61 * S, 2.0)]);
});
