//! The per-bucket aggregation methods, bit-exact with Gnocchi's numpy code.

use std::ops::Range;

use timeserie::{GroupBy, Grouped, TimeSerie};

use crate::error::Error;
use crate::method::{AggregationMethod, Method};

/// Aggregates every bucket of `grouped` with `method` (Gnocchi's
/// `AggregatedTimeSerie.from_grouped_serie` without the wrapper).
///
/// # Errors
///
/// [`Error::CalendarRate`] for a `rate:` method on a calendar grouping.
pub fn aggregate(grouped: &Grouped<'_>, method: AggregationMethod) -> Result<TimeSerie, Error> {
    if !method.is_rate() {
        return Ok(aggregate_buckets(grouped, method.method()));
    }
    let Some((ts, vs)) = grouped.derive_source() else {
        let unit = match grouped.by() {
            GroupBy::Calendar(unit) => unit,
            GroupBy::Duration(_) => unreachable_duration(),
        };
        return Err(Error::CalendarRate { unit });
    };
    let (dts, dvs) = differences(ts, vs);
    let derived = Grouped::new(&dts, &dvs, grouped.by(), grouped.start());
    Ok(aggregate_buckets(&derived, method.method()))
}

/// A duration grouping always has a derive source.
#[cold]
fn unreachable_duration() -> timeserie::CalendarUnit {
    timeserie::CalendarUnit::Year
}

/// The differences series: a point at `ts[i+1]` with `v[i+1] - v[i]`.
fn differences(ts: &[i64], vs: &[f64]) -> (Vec<i64>, Vec<f64>) {
    if ts.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let dts = ts[1..].to_vec();
    let dvs = vs.windows(2).map(|w| w[1] - w[0]).collect();
    (dts, dvs)
}

/// Applies a non-rate method to every bucket.
fn aggregate_buckets(g: &Grouped<'_>, method: Method) -> TimeSerie {
    let keys = g.keys();
    let values = g.values();
    let n = keys.len();
    let mut out_ts = Vec::with_capacity(n);
    let mut out_vs = Vec::with_capacity(n);
    let mut scratch = Scratch::default();
    let sums: &[f64] = match method {
        Method::Mean | Method::Sum | Method::Std => g.bucket_sums(),
        _ => &[],
    };
    for (i, (key, range)) in g.buckets().enumerate() {
        let bucket = &values[range.clone()];
        let value = match method {
            Method::Mean => sums[i] / bucket.len() as f64,
            Method::Sum => sums[i],
            Method::Count => bucket.len() as f64,
            Method::First => bucket[0],
            Method::Last => bucket[bucket.len() - 1],
            Method::Min => min(bucket),
            Method::Max => max(bucket),
            Method::Std => match std(bucket, sums[i]) {
                Some(v) => v,
                None => continue,
            },
            Method::Median => median(bucket, &mut scratch),
            Method::Percentile(p) => percentile(bucket, range, f64::from(p.get()), &mut scratch),
        };
        out_ts.push(key);
        out_vs.push(value);
    }
    // Keys come out of the grouping strictly increasing.
    TimeSerie::from_sorted(out_ts, out_vs).unwrap_or_default()
}

/// Smallest non-NaN value; the first of equal values; NaN if all are NaN.
///
/// A lane-parallel pass finds the value (order does not matter for it);
/// only a zero result, where -0.0 and 0.0 tie, needs the ordered scan.
#[inline]
fn min(bucket: &[f64]) -> f64 {
    let mut lanes = [f64::INFINITY; 4];
    let chunks = bucket.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            lanes[k] = if c[k] < lanes[k] { c[k] } else { lanes[k] };
        }
    }
    let mut m = f64::INFINITY;
    for v in lanes.into_iter().chain(rest.iter().copied()) {
        m = if v < m { v } else { m };
    }
    if m == 0.0 || m == f64::INFINITY {
        return min_ordered(bucket);
    }
    m
}

fn min_ordered(bucket: &[f64]) -> f64 {
    let mut m = f64::NAN;
    for &v in bucket {
        if v < m || m.is_nan() {
            m = v;
        }
    }
    m
}

/// NaN if any value is NaN, else the largest; the last of equal values.
#[inline]
fn max(bucket: &[f64]) -> f64 {
    let mut lanes = [f64::NEG_INFINITY; 4];
    let mut nan = [false; 4];
    let chunks = bucket.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            nan[k] |= c[k].is_nan();
            lanes[k] = if c[k] > lanes[k] { c[k] } else { lanes[k] };
        }
    }
    let mut m = f64::NEG_INFINITY;
    let mut any_nan = nan.iter().any(|&n| n);
    for v in lanes.into_iter().chain(rest.iter().copied()) {
        any_nan |= v.is_nan();
        m = if v > m { v } else { m };
    }
    if any_nan {
        return f64::NAN;
    }
    if m == 0.0 {
        // -0.0 and 0.0 tie: the last one in series order wins.
        return bucket
            .iter()
            .rev()
            .copied()
            .find(|&v| v == 0.0)
            .unwrap_or(m);
    }
    m
}

/// ddof-1 standard deviation from the bucket's sequential sum; `None` for a
/// single point.
#[inline]
fn std(bucket: &[f64], sum: f64) -> Option<f64> {
    let n = bucket.len();
    if n < 2 {
        return None;
    }
    let mean = sum / n as f64;
    let mut ss = 0.0;
    for &v in bucket {
        let d = v - mean;
        ss += d * d;
    }
    Some((ss / (n - 1) as f64).sqrt())
}

/// Sort key: ascending, NaN last, -0.0 equal to +0.0.
#[inline]
fn order_key(v: f64) -> u64 {
    if v.is_nan() {
        return u64::MAX;
    }
    let v = if v == 0.0 { 0.0 } else { v };
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The value an order key came from (exact for every non-zero, non-NaN
/// value).
#[inline]
fn key_value(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

/// Reusable buffers for order statistics.
#[derive(Default)]
struct Scratch {
    keys: Vec<u64>,
    bin: Vec<u64>,
    pairs: Vec<(u64, u32)>,
}

/// The values at sorted positions `lo` and `hi` (`lo <= hi <= lo + 1`) of the
/// bucket ordered as numpy's stable `lexsort` orders it (NaN last, ties in
/// series order).
///
/// Equal keys have equal bits unless the bucket holds a zero (±0.0 share a
/// key) or a NaN, so selecting on keys alone is exact otherwise; those
/// buckets select on `(key, index)` pairs, which reproduce the stable order.
fn sorted_pair(bucket: &[f64], lo: usize, hi: usize, scratch: &mut Scratch) -> (f64, f64) {
    if bucket.iter().any(|&v| v == 0.0 || v.is_nan()) {
        let pairs = &mut scratch.pairs;
        pairs.clear();
        pairs.extend(
            bucket
                .iter()
                .enumerate()
                .map(|(i, &v)| (order_key(v), i as u32)),
        );
        let (_, nth, right) = pairs.select_nth_unstable(lo);
        let a = bucket[nth.1 as usize];
        if hi == lo {
            return (a, a);
        }
        let next = right.iter().min().map_or(a, |p| bucket[p.1 as usize]);
        return (a, next);
    }
    let keys = &mut scratch.keys;
    keys.clear();
    keys.extend(bucket.iter().map(|&v| order_key(v)));
    let (a, b) = if keys.len() >= RADIX_MIN {
        radix_select(keys, lo, hi, &mut scratch.bin)
    } else {
        let (_, nth, right) = keys.select_nth_unstable(lo);
        let a = *nth;
        (
            a,
            if hi == lo {
                a
            } else {
                right.iter().min().copied().unwrap_or(a)
            },
        )
    };
    (key_value(a), key_value(b))
}

/// Buckets at least this large use [`radix_select`].
const RADIX_MIN: usize = 2048;

/// The keys at sorted positions `lo` and `hi` (`hi <= lo + 1`): a histogram
/// of the keys' leading bits (relative to the minimum) finds the bin holding
/// rank `lo`, and only that bin is selected on. Same result as a sort.
fn radix_select(keys: &[u64], lo: usize, hi: usize, bin_keys: &mut Vec<u64>) -> (u64, u64) {
    const BINS: usize = 2048;
    let (mut mn, mut mx) = (u64::MAX, 0);
    for &k in keys {
        mn = mn.min(k);
        mx = mx.max(k);
    }
    if mn == mx {
        return (mn, mn);
    }
    let bits = 64 - (mx - mn).leading_zeros();
    let shift = bits.saturating_sub(BINS.trailing_zeros());
    let bin_of = |k: u64| ((k - mn) >> shift) as usize;
    let mut counts = [0u32; BINS];
    for &k in keys {
        counts[bin_of(k)] += 1;
    }
    let (mut before, mut bin) = (0usize, 0usize);
    while before + counts[bin] as usize <= lo {
        before += counts[bin] as usize;
        bin += 1;
    }
    bin_keys.clear();
    bin_keys.extend(keys.iter().copied().filter(|&k| bin_of(k) == bin));
    let local = lo - before;
    let (_, nth, right) = bin_keys.select_nth_unstable(local);
    let a = *nth;
    if hi == lo {
        return (a, a);
    }
    if let Some(&next) = right.iter().min() {
        return (a, next);
    }
    // Rank `hi` opens the next non-empty bin: its smallest key.
    let next = keys
        .iter()
        .copied()
        .filter(|&k| bin_of(k) > bin)
        .min()
        .unwrap_or(a);
    (a, next)
}

/// `(v[lo] + v[hi]) / 2.0` with `lo = n-1-n/2` and `hi = lo + (n even)`.
fn median(bucket: &[f64], scratch: &mut Scratch) -> f64 {
    let n = bucket.len();
    let lo = n - 1 - n / 2;
    let hi = lo + usize::from(n.is_multiple_of(2));
    let (a, b) = sorted_pair(bucket, lo, hi, scratch);
    (a + b) / 2.0
}

/// Gnocchi's interpolated percentile: positions are computed on the whole
/// sorted series, so the bucket's absolute offset enters the arithmetic.
fn percentile(bucket: &[f64], range: Range<usize>, q: f64, scratch: &mut Scratch) -> f64 {
    let p = range.start as f64;
    let n = bucket.len();
    let real = p + (n - 1) as f64 * (q / 100.0);
    let f = floor(real);
    let c = ceil(real);
    let lo = (f as usize).saturating_sub(range.start);
    let hi = (c as usize).saturating_sub(range.start);
    let (a, b) = sorted_pair(bucket, lo, hi.min(n - 1), scratch);
    if f == c {
        a
    } else {
        a * (c - real) + b * (real - f)
    }
}

#[inline]
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

#[inline]
fn ceil(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t < x { t + 1.0 } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;
    use timeserie::Point;

    fn run(points: &[(i64, f64)], g: i64, method: &str) -> Vec<(i64, f64)> {
        let serie = TimeSerie::from_points(
            &points
                .iter()
                .map(|&(t, v)| Point::new(t, v))
                .collect::<Vec<_>>(),
        );
        let grouped = serie.group_serie(GroupBy::Duration(g), None).unwrap();
        let out = aggregate(&grouped, method.parse().unwrap()).unwrap();
        out.iter().map(|p| (p.timestamp, p.value)).collect()
    }

    #[test]
    fn methods_table() {
        let pts = [
            (0, 1.0),
            (1, 4.0),
            (2, 2.0),
            (10, 5.0),
            (20, f64::NAN),
            (21, 3.0),
        ];
        let cases: Vec<(&str, Vec<(i64, f64)>)> = vec![
            ("mean", vec![(0, 7.0 / 3.0), (10, 5.0), (20, f64::NAN)]),
            ("sum", vec![(0, 7.0), (10, 5.0), (20, f64::NAN)]),
            ("count", vec![(0, 3.0), (10, 1.0), (20, 2.0)]),
            ("first", vec![(0, 1.0), (10, 5.0), (20, f64::NAN)]),
            ("last", vec![(0, 2.0), (10, 5.0), (20, 3.0)]),
            ("min", vec![(0, 1.0), (10, 5.0), (20, 3.0)]),
            ("max", vec![(0, 4.0), (10, 5.0), (20, f64::NAN)]),
            ("median", vec![(0, 2.0), (10, 5.0), (20, f64::NAN)]),
            ("50pct", vec![(0, 2.0), (10, 5.0), (20, f64::NAN)]),
            ("std", vec![(0, 1.5275252316519468), (20, f64::NAN)]),
            ("rate:sum", vec![(0, 1.0), (10, 3.0), (20, f64::NAN)]),
        ];
        for (method, want) in cases {
            let got = run(&pts, 10, method);
            assert_eq!(got.len(), want.len(), "{method}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.0, w.0, "{method}");
                assert_eq!(g.1.to_bits(), w.1.to_bits(), "{method}: {} vs {}", g.1, w.1);
            }
        }
    }

    #[test]
    fn percentile_depends_on_absolute_offset() {
        // spec §4.3: bucket {2.0, 7.0} at 1pct, first bucket vs after 3 points
        let first = run(&[(0, 2.0), (1, 7.0)], 10, "1pct");
        assert_eq!(first[0].1, 2.05);
        let later = run(
            &[(0, 0.0), (1, 0.0), (2, 0.0), (10, 2.0), (11, 7.0)],
            10,
            "1pct",
        );
        assert_eq!(later[1].1, 2.049999999999999);
    }

    #[test]
    fn radix_select_matches_sorting() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // (length, value generator)
        let gens: [(usize, &dyn Fn(u64) -> f64); 4] = [
            (5000, &|r| (r % 1000) as f64 - 500.5),
            (4096, &|r| f64::from_bits(r >> 2) + 1.0),
            (3000, &|r| if r % 3 == 0 { 7.25 } else { -1e300 }),
            (2048, &|r| (r >> 11) as f64 * 1e-9),
        ];
        for (n, make) in gens {
            let values: Vec<f64> = (0..n)
                .map(|_| make(next()))
                .filter(|v: &f64| !v.is_nan())
                .collect();
            let keys: Vec<u64> = values.iter().map(|&v| order_key(v)).collect();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            for lo in [0, 1, n / 2, keys.len() - 2, keys.len() - 1] {
                let hi = (lo + 1).min(keys.len() - 1);
                let mut bin = Vec::new();
                assert_eq!(
                    radix_select(&keys, lo, hi, &mut bin),
                    (sorted[lo], sorted[hi]),
                    "n={n} lo={lo}"
                );
                assert_eq!(
                    radix_select(&keys, lo, lo, &mut bin),
                    (sorted[lo], sorted[lo])
                );
            }
        }
    }

    #[test]
    fn calendar_rate_is_an_error() {
        let serie = TimeSerie::from_points(&[Point::new(0, 1.0)]);
        let g = serie
            .group_serie(GroupBy::Calendar(timeserie::CalendarUnit::Month), None)
            .unwrap();
        assert!(matches!(
            aggregate(&g, "rate:mean".parse().unwrap()),
            Err(Error::CalendarRate { .. })
        ));
    }
}
