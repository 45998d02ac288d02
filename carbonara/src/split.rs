//! Split keys and the two split object formats (compressed `c` + LZ4, and
//! uncompressed 9-byte slots).

use std::cmp::Ordering;
use std::fmt;

use timeserie::{TimeSerie, compress_block, decompress_block_with, round_timestamp};

use crate::error::Error;

/// Points per split object (Gnocchi's `POINTS_PER_SPLIT`).
pub const POINTS_PER_SPLIT: i64 = 3600;

/// Size of one uncompressed record: a flag byte and a little-endian `f64`.
pub const UNCOMPRESSED_RECORD_LEN: usize = 9;

/// The start of one storage chunk of an aggregated series: splits of
/// granularity `g` cover `[key, key + 3600·g)`, epoch aligned.
///
/// Keys of different samplings are never equal and do not order
/// (`partial_cmp` gives `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SplitKey {
    key: i64,
    sampling: i64,
}

impl PartialOrd for SplitKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (self.sampling == other.sampling).then(|| self.key.cmp(&other.key))
    }
}

impl SplitKey {
    /// A key at `key` ns for series of granularity `sampling` ns (not
    /// checked for alignment).
    #[must_use]
    pub const fn new(key: i64, sampling: i64) -> Self {
        SplitKey { key, sampling }
    }

    /// The key of the split holding `ts`: `round_timestamp(ts, 3600 × sampling)`.
    #[must_use]
    pub fn from_timestamp_and_sampling(ts: i64, sampling: i64) -> Self {
        SplitKey {
            key: round_timestamp(ts, sampling.saturating_mul(POINTS_PER_SPLIT)),
            sampling,
        }
    }

    /// The key timestamp in ns.
    #[must_use]
    pub const fn key(self) -> i64 {
        self.key
    }

    /// The granularity of the series this key splits, in ns.
    #[must_use]
    pub const fn sampling(self) -> i64 {
        self.sampling
    }

    /// The key of the next split.
    #[must_use]
    pub const fn next(self) -> Self {
        SplitKey {
            key: self
                .key
                .saturating_add(self.sampling.saturating_mul(POINTS_PER_SPLIT)),
            sampling: self.sampling,
        }
    }

    /// Epoch seconds as Gnocchi's `float(key)`.
    #[must_use]
    pub fn as_f64(self) -> f64 {
        self.key as f64 / 1e9
    }
}

/// `str(key)`: Python's `repr` of the epoch seconds, e.g. `1451520000.0`,
/// as used in storage object names.
impl fmt::Display for SplitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_python_float(f, self.as_f64())
    }
}

/// Writes a finite float as Python's `repr` does.
pub(crate) fn write_python_float(f: &mut impl fmt::Write, v: f64) -> fmt::Result {
    if v.is_nan() {
        return f.write_str("nan");
    }
    if v.is_infinite() {
        return f.write_str(if v > 0.0 { "inf" } else { "-inf" });
    }
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v);
    match s.split_once('e') {
        None => f.write_str(s),
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            let mantissa = mantissa.strip_suffix(".0").unwrap_or(mantissa);
            write!(f, "{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// Appends the compressed form of `serie` for split `key`: `c`, then an LZ4
/// block (size-prefixed) of n `u16` slot deltas and n `f64` values.
///
/// Deltas are computed as Gnocchi does (float division, then a cast that
/// truncates and wraps), so points outside the split give garbage, not an
/// error. An empty series gives the bytes of an empty payload.
///
/// # Errors
///
/// Only for payloads too large for an LZ4 block.
pub fn serialize_compressed(
    serie: &TimeSerie,
    key: SplitKey,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let ts = serie.timestamps();
    let n = ts.len();
    let g = key.sampling as f64;
    let mut payload = vec![0u8; n * 10];
    let (deltas, values) = payload.split_at_mut(2 * n);
    let mut prev = key.key;
    for (slot, &t) in deltas.chunks_exact_mut(2).zip(ts) {
        let d = t.wrapping_sub(prev);
        // d == g divides to exactly 1.0: skip the float division.
        let delta = if d == key.sampling {
            1
        } else {
            (d as f64 / g) as i64 as u16
        };
        slot.copy_from_slice(&delta.to_le_bytes());
        prev = t;
    }
    for (slot, &v) in values.chunks_exact_mut(8).zip(serie.values()) {
        slot.copy_from_slice(&v.to_le_bytes());
    }
    out.push(b'c');
    compress_block(&payload, out)?;
    Ok(())
}

/// Appends the uncompressed records of `serie` (one 9-byte slot per
/// granularity step from its first to its last point) and returns the byte
/// offset in the split object at which they belong.
///
/// A split holds [`POINTS_PER_SPLIT`] slots, so at most that many records are
/// written: memory follows the number of slots of one split, never the time
/// span of the points. An empty series writes nothing and returns offset 0.
///
/// # Errors
///
/// [`Error::SplitSpan`] if the points fall outside the split's slots
/// `0..3600` (before the key, or more than 3,600 granularity steps after it);
/// nothing is written then.
pub fn serialize_uncompressed(
    serie: &TimeSerie,
    key: SplitKey,
    out: &mut Vec<u8>,
) -> Result<usize, Error> {
    let ts = serie.timestamps();
    let (Some(&first), Some(&last)) = (ts.first(), ts.last()) else {
        return Ok(0);
    };
    let g = key.sampling as f64;
    // Slots as Gnocchi computes them (float division, truncation), checked
    // against the split before anything is allocated.
    let first_slot = (first.wrapping_sub(key.key) as f64 / g) as i64;
    let span = ((last.wrapping_sub(first) as f64 / g) as i64).max(0);
    let last_slot = first_slot.saturating_add(span);
    if !(0..POINTS_PER_SPLIT).contains(&first_slot) || last_slot >= POINTS_PER_SPLIT {
        return Err(Error::SplitSpan {
            first_slot,
            last_slot,
        });
    }
    let slots = span as usize + 1;
    let start = out.len();
    out.resize(start + slots * UNCOMPRESSED_RECORD_LEN, 0);
    let records = &mut out[start..];
    for (&t, &v) in ts.iter().zip(serie.values()) {
        let loc = (t.wrapping_sub(first) as f64 / g) as i64;
        if let Ok(loc) = usize::try_from(loc)
            && loc < slots
        {
            let r =
                &mut records[loc * UNCOMPRESSED_RECORD_LEN..(loc + 1) * UNCOMPRESSED_RECORD_LEN];
            r[0] = 1;
            r[1..].copy_from_slice(&v.to_le_bytes());
        }
    }
    Ok(first_slot as usize * UNCOMPRESSED_RECORD_LEN)
}

/// Reads a split object back (either format; empty data → empty series).
///
/// # Errors
///
/// LZ4 errors ([`Error::Timeserie`]), [`Error::SplitLength`],
/// [`Error::SplitCountMismatch`] and [`Error::SplitUnsorted`].
pub fn unserialize(data: &[u8], key: SplitKey) -> Result<TimeSerie, Error> {
    match data.first() {
        None => Ok(TimeSerie::new()),
        Some(b'c') => unserialize_compressed(&data[1..], key),
        Some(_) => unserialize_uncompressed(data, key),
    }
}

/// The largest compressed split payload: 3,600 slot deltas and values.
const MAX_COMPRESSED_PAYLOAD: usize = POINTS_PER_SPLIT as usize * 10;

fn unserialize_compressed(block: &[u8], key: SplitKey) -> Result<TimeSerie, Error> {
    decompress_block_with(block, MAX_COMPRESSED_PAYLOAD, |payload| {
        decode_compressed(payload, key)
    })
    .map_err(|e| match e {
        timeserie::Error::Lz4OverLimit { claimed, .. } => Error::SplitTooLarge {
            claimed,
            max: MAX_COMPRESSED_PAYLOAD,
        },
        other => Error::Timeserie(other),
    })?
}

fn decode_compressed(payload: &[u8], key: SplitKey) -> Result<TimeSerie, Error> {
    let n = payload.len() / 10;
    let tail = payload.len() - 2 * n;
    if !tail.is_multiple_of(8) {
        return Err(Error::SplitLength {
            len: payload.len(),
            record: 8,
            offset: 2 * n + tail / 8 * 8,
            trailing: tail % 8,
        });
    }
    if tail / 8 != n {
        return Err(Error::SplitCountMismatch {
            timestamps: n,
            values: tail / 8,
        });
    }
    let (deltas, values) = payload.split_at(2 * n);
    let mut timestamps = Vec::with_capacity(n);
    let mut acc = key.key;
    for (i, d) in deltas.chunks_exact(2).enumerate() {
        let d = i64::from(u16::from_le_bytes([d[0], d[1]]));
        if d == 0 && i > 0 {
            return Err(Error::SplitUnsorted { index: i });
        }
        acc = acc.wrapping_add(d.wrapping_mul(key.sampling));
        timestamps.push(acc);
    }
    let values = values
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    TimeSerie::from_sorted(timestamps, values).map_err(|e| match e {
        timeserie::Error::Unsorted { index } => Error::SplitUnsorted { index },
        other => Error::Timeserie(other),
    })
}

fn unserialize_uncompressed(data: &[u8], key: SplitKey) -> Result<TimeSerie, Error> {
    if !data.len().is_multiple_of(UNCOMPRESSED_RECORD_LEN) {
        let whole = data.len() / UNCOMPRESSED_RECORD_LEN * UNCOMPRESSED_RECORD_LEN;
        return Err(Error::SplitLength {
            len: data.len(),
            record: UNCOMPRESSED_RECORD_LEN,
            offset: whole,
            trailing: data.len() - whole,
        });
    }
    // Sized once from the flags: no growth past 16 bytes per present point.
    let present = data
        .chunks_exact(UNCOMPRESSED_RECORD_LEN)
        .filter(|r| r[0] != 0)
        .count();
    let mut timestamps = Vec::with_capacity(present);
    let mut values = Vec::with_capacity(present);
    for (i, r) in data.chunks_exact(UNCOMPRESSED_RECORD_LEN).enumerate() {
        if r[0] != 0 {
            timestamps.push(key.key.wrapping_add((i as i64).wrapping_mul(key.sampling)));
            values.push(f64::from_le_bytes(r[1..].try_into().unwrap_or([0; 8])));
        }
    }
    TimeSerie::from_sorted(timestamps, values).map_err(Error::Timeserie)
}

#[cfg(test)]
mod tests {
    use super::*;
    use timeserie::Point;

    const S: i64 = 1_000_000_000;

    #[test]
    fn split_key_table() {
        // (ts, granularity) -> (key, next, str)
        let cases = [
            (
                1_451_520_000 * S + 7,
                60 * S,
                1_451_520_000 * S,
                1_451_736_000 * S,
                "1451520000.0",
            ),
            (
                1_420_124_580 * S,
                3600 * S,
                1_412_640_000 * S,
                1_425_600_000 * S,
                "1412640000.0",
            ),
            (1_500, 1, 0, 3600, "0.0"),
        ];
        for (ts, g, key, next, text) in cases {
            let k = SplitKey::from_timestamp_and_sampling(ts, g);
            assert_eq!(k.key(), key);
            assert_eq!(k.next().key(), next);
            assert_eq!(k.to_string(), text);
        }
        let a = SplitKey::new(0, 1);
        assert_eq!(a.partial_cmp(&SplitKey::new(0, 2)), None);
        assert!(a < SplitKey::new(5, 1));
    }

    #[test]
    fn python_float_repr_table() {
        let cases = [
            (1.0, "1.0"),
            (1451520000.5, "1451520000.5"),
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
        ];
        for (v, want) in cases {
            let mut s = String::new();
            write_python_float(&mut s, v).unwrap();
            assert_eq!(s, want);
        }
    }

    #[test]
    fn spec_compressed_example() {
        // spec §8.3: g = 60 s, key 1451520000 s, slots 2, 3, 7 with 1, 2, 4
        let key = SplitKey::new(1_451_520_000 * S, 60 * S);
        let serie = TimeSerie::from_points(&[
            Point::new(key.key() + 120 * S, 1.0),
            Point::new(key.key() + 180 * S, 2.0),
            Point::new(key.key() + 420 * S, 4.0),
        ]);
        let mut out = Vec::new();
        serialize_compressed(&serie, key, &mut out).unwrap();
        assert_eq!(unserialize(&out, key).unwrap(), serie);
        let mut raw = Vec::new();
        let offset = serialize_uncompressed(&serie, key, &mut raw).unwrap();
        assert_eq!(offset, 2 * 9);
        assert_eq!(raw.len(), 6 * 9);
        let mut object = vec![0; offset];
        object.extend_from_slice(&raw);
        assert_eq!(unserialize(&object, key).unwrap(), serie);
    }

    #[test]
    fn bad_split_table() {
        let key = SplitKey::new(0, 60 * S);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![1; 10], "length"),
            (b"c\xff\xff\xff\x7f\0\0\0".to_vec(), "lz4"),
        ];
        for (data, want) in cases {
            let got = match unserialize(&data, key).unwrap_err() {
                Error::SplitLength { .. } => "length",
                Error::Timeserie(_) => "lz4",
                _ => "other",
            };
            assert_eq!(got, want);
        }
    }
}

/// The kind of a stored carbonara object, as told from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectFormat {
    /// A raw buffer (`none_v3`): size-prefixed LZ4 block of 16-byte records.
    Bound,
    /// A compressed split: `c` then a size-prefixed LZ4 block.
    CompressedSplit,
    /// An uncompressed split: 9-byte flag + value records.
    UncompressedSplit,
}

impl ObjectFormat {
    /// Tells the format of an object: `c` marks a compressed split (a raw
    /// buffer's first byte is the low byte of a multiple of 16, never `c`);
    /// otherwise a block that decodes to whole 16-byte records of increasing
    /// timestamps is a raw buffer; otherwise whole 9-byte records whose flag
    /// bytes are all 0 or 1 are an uncompressed split (Gnocchi writes its
    /// flags as booleans, so a truncated raw buffer is almost never taken for
    /// one). `None` for
    /// anything else (and for empty data, which is an empty split of either
    /// kind); [`read_object`] says why.
    #[must_use]
    pub fn detect(data: &[u8]) -> Option<ObjectFormat> {
        match data.first()? {
            b'c' => Some(ObjectFormat::CompressedSplit),
            _ if timeserie::BoundTimeSerie::unserialize(data, None, 0).is_ok() => {
                Some(ObjectFormat::Bound)
            }
            _ if looks_uncompressed(data) => Some(ObjectFormat::UncompressedSplit),
            _ => None,
        }
    }

    /// A short name: `bound`, `compressed split` or `uncompressed split`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ObjectFormat::Bound => "bound",
            ObjectFormat::CompressedSplit => "compressed split",
            ObjectFormat::UncompressedSplit => "uncompressed split",
        }
    }
}

impl fmt::Display for ObjectFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whole 9-byte records, every flag byte 0 or 1.
fn looks_uncompressed(data: &[u8]) -> bool {
    data.len().is_multiple_of(UNCOMPRESSED_RECORD_LEN)
        && data
            .chunks_exact(UNCOMPRESSED_RECORD_LEN)
            .all(|r| r[0] <= 1)
}

/// Reads a stored object of any format: tells the format as
/// [`ObjectFormat::detect`] does and decodes it, a raw buffer with at most
/// `max_points` points. Splits store slot numbers and need their `key`.
///
/// Memory is bounded by the input: at most 16 bytes per point for a raw
/// buffer (and `max_points` points), 3,600 points for a compressed split,
/// 16 bytes per 9-byte record for an uncompressed one.
///
/// ```
/// use carbonara::{ObjectFormat, read_object};
/// use timeserie::{BoundTimeSerie, Point, TimeSerie};
///
/// let serie = TimeSerie::from_points(&[Point::new(0, 1.0), Point::new(5, 2.0)]);
/// let mut stored = Vec::new();
/// BoundTimeSerie::with_serie(serie.clone(), None, 0)?.serialize(&mut stored)?;
/// assert_eq!(read_object(&stored, None, 1000)?, (ObjectFormat::Bound, serie));
/// // Cut short, it is an error, not some other kind of object.
/// assert!(read_object(&stored[..stored.len() - 2], None, 1000).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::SplitKeyRequired`] for a split without `key`;
/// [`Error::NotAnObject`] for data of no format; a raw buffer's decoding
/// error ([`Error::Timeserie`]) for data whose first 4 bytes could be a raw
/// buffer's size prefix (a multiple of 16) but that does not decode, such as
/// a truncated buffer; and the errors of [`unserialize`].
pub fn read_object(
    data: &[u8],
    key: Option<SplitKey>,
    max_points: usize,
) -> Result<(ObjectFormat, TimeSerie), Error> {
    let split = |format| {
        let key = key.ok_or(Error::SplitKeyRequired { format })?;
        Ok((format, unserialize(data, key)?))
    };
    match data.first() {
        None => Ok((ObjectFormat::UncompressedSplit, TimeSerie::new())),
        Some(b'c') => split(ObjectFormat::CompressedSplit),
        Some(_) => {
            match timeserie::BoundTimeSerie::unserialize_limited(data, None, 0, max_points) {
                Ok(bound) => Ok((ObjectFormat::Bound, bound.into_serie())),
                Err(_) if looks_uncompressed(data) => split(ObjectFormat::UncompressedSplit),
                Err(e) if data.len() >= 4 && data[0].is_multiple_of(16) => Err(Error::Timeserie(e)),
                Err(_) => Err(Error::NotAnObject { len: data.len() }),
            }
        }
    }
}

#[cfg(test)]
mod detect_tests {
    use super::*;
    use timeserie::{BoundTimeSerie, Point};

    #[test]
    fn detect_table() {
        let serie = TimeSerie::from_points(&[Point::new(0, 1.0), Point::new(60_000_000_000, 2.0)]);
        let key = SplitKey::new(0, 60_000_000_000);
        let mut bound = Vec::new();
        BoundTimeSerie::with_serie(serie.clone(), None, 0)
            .unwrap()
            .serialize(&mut bound)
            .unwrap();
        let mut compressed = Vec::new();
        serialize_compressed(&serie, key, &mut compressed).unwrap();
        let mut raw = Vec::new();
        serialize_uncompressed(&serie, key, &mut raw).unwrap();
        let mut truncated = bound.clone();
        truncated.truncate(bound.len() - 2);
        let mut bad_flags = raw.clone();
        bad_flags[9] = 2;
        let cases = [
            (bound, Some(ObjectFormat::Bound)),
            (compressed, Some(ObjectFormat::CompressedSplit)),
            (raw, Some(ObjectFormat::UncompressedSplit)),
            (vec![], None),
            (vec![1, 2, 3], None),
            (truncated, None),
            (bad_flags, None),
        ];
        for (data, want) in cases {
            assert_eq!(ObjectFormat::detect(&data), want, "{data:?}");
        }
    }
}
