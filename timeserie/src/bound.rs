//! `BoundTimeSerie`: the raw-measure buffer of a metric, and its `none_v3`
//! serialization.

use crate::error::Error;
use crate::lz4::{compress_block, decompress_block_with};

/// The most points [`BoundTimeSerie::unserialize`] decodes (2^20, a 16 MiB
/// payload): a size prefix claiming more is refused before anything is
/// allocated. [`BoundTimeSerie::unserialize_limited`] takes another limit.
pub const DEFAULT_MAX_POINTS: usize = 1 << 20;

/// Bytes per point of the `none_v3` payload (timestamp and value).
const RECORD: usize = 16;
use crate::round::round_timestamp;
use crate::series::{Point, TimeSerie};

/// A series bounded by a block size and a back window (Gnocchi's
/// `BoundTimeSerie`): it keeps the newest block and `back_window` blocks
/// before it, and silently drops incoming points older than that.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoundTimeSerie {
    serie: TimeSerie,
    block_size: Option<i64>,
    back_window: u64,
}

impl BoundTimeSerie {
    /// An empty buffer. `block_size` in ns (`None`: unbounded); `back_window`
    /// in blocks.
    ///
    /// # Errors
    ///
    /// [`Error::NonPositiveDuration`] if `block_size` is zero or negative.
    pub fn new(block_size: Option<i64>, back_window: u64) -> Result<Self, Error> {
        Self::with_serie(TimeSerie::new(), block_size, back_window)
    }

    /// A buffer holding `serie` as it is (not truncated).
    ///
    /// # Errors
    ///
    /// [`Error::NonPositiveDuration`] if `block_size` is zero or negative.
    pub fn with_serie(
        serie: TimeSerie,
        block_size: Option<i64>,
        back_window: u64,
    ) -> Result<Self, Error> {
        if let Some(b) = block_size
            && b <= 0
        {
            return Err(Error::NonPositiveDuration { nanos: b });
        }
        Ok(BoundTimeSerie {
            serie,
            block_size,
            back_window,
        })
    }

    /// The buffered points.
    #[must_use]
    pub fn serie(&self) -> &TimeSerie {
        &self.serie
    }

    /// Takes the buffered points out.
    #[must_use]
    pub fn into_serie(self) -> TimeSerie {
        self.serie
    }

    /// The block size in ns, if bounded.
    #[must_use]
    pub fn block_size(&self) -> Option<i64> {
        self.block_size
    }

    /// The back window, in blocks.
    #[must_use]
    pub fn back_window(&self) -> u64 {
        self.back_window
    }

    /// Number of buffered points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.serie.len()
    }

    /// Whether the buffer is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.serie.is_empty()
    }

    /// `round_timestamp(last, block_size) - back_window × block_size`: the
    /// oldest timestamp the buffer accepts and keeps. `None` when empty or
    /// unbounded.
    #[must_use]
    pub fn first_block_timestamp(&self) -> Option<i64> {
        let block = self.block_size?;
        let last = self.serie.last()?;
        // A back window past i64::MAX blocks keeps everything, never wraps.
        let back = i64::try_from(self.back_window)
            .unwrap_or(i64::MAX)
            .saturating_mul(block);
        Some(round_timestamp(last, block).saturating_sub(back))
    }

    /// Adds a batch (see [`BoundTimeSerie::set_values_with`]) without a
    /// callback.
    pub fn set_values(&mut self, batch: &[Point]) {
        self.set_values_with(batch, |_| ());
    }

    /// Adds a batch in Gnocchi's order and returns what `before_truncate`
    /// returned:
    ///
    /// 1. if bounded and non-empty, drop batch points older than the current
    ///    [`first_block_timestamp`](Self::first_block_timestamp) (no error);
    /// 2. merge the rest (batch wins; first occurrence inside the batch wins);
    /// 3. call `before_truncate` on the merged, untruncated buffer;
    /// 4. drop the points older than the new first block timestamp.
    ///
    /// Gnocchi expects the batch sorted; an unsorted batch is filtered point
    /// by point here, which is what a sorted one gives.
    pub fn set_values_with<R>(
        &mut self,
        batch: &[Point],
        before_truncate: impl FnOnce(&BoundTimeSerie) -> R,
    ) -> R {
        match self.first_block_timestamp() {
            Some(fbt) => {
                if batch.windows(2).all(|w| w[0].timestamp <= w[1].timestamp) {
                    let idx = batch.partition_point(|p| p.timestamp < fbt);
                    self.serie.set_values(&batch[idx..]);
                } else {
                    let kept: Vec<Point> = batch
                        .iter()
                        .copied()
                        .filter(|p| p.timestamp >= fbt)
                        .collect();
                    self.serie.set_values(&kept);
                }
            }
            None => self.serie.set_values(batch),
        }
        let ret = before_truncate(self);
        if let Some(fbt) = self.first_block_timestamp() {
            self.serie.remove_before(fbt);
        }
        ret
    }

    /// Appends the `none_v3` form: an LZ4 block (with python-lz4's size
    /// prefix) of n little-endian `u64` timestamps — the first absolute, the
    /// others deltas, wrapping — then n `f64` values.
    ///
    /// Gnocchi raises on an empty buffer; here an empty buffer gives the
    /// block of an empty payload, which Gnocchi reads back as empty.
    ///
    /// # Errors
    ///
    /// [`Error::Lz4PayloadTooLarge`] above ~134 million points.
    pub fn serialize(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let mut payload = Vec::new();
        self.encode_payload(&mut payload);
        compress_block(&payload, out)
    }

    /// Appends the uncompressed payload of [`BoundTimeSerie::serialize`].
    pub fn encode_payload(&self, out: &mut Vec<u8>) {
        let ts = self.serie.timestamps();
        out.reserve(ts.len() * 16);
        let mut prev = 0i64;
        for &t in ts {
            out.extend_from_slice(&t.wrapping_sub(prev).to_le_bytes());
            prev = t;
        }
        for &v in self.serie.values() {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// Reads the `none_v3` form back, at most [`DEFAULT_MAX_POINTS`] points.
    /// Block size and back window are not stored; they come from the archive
    /// policy. The points are taken as they are, not truncated.
    ///
    /// Memory: the decoded payload and the series, each 16 bytes per point,
    /// both bounded by the limit and by 255 × the input length.
    ///
    /// # Errors
    ///
    /// The LZ4 errors of [`decompress_block`](crate::decompress_block),
    /// [`Error::TooManyPoints`] if the size prefix claims more points than the
    /// limit, [`Error::PayloadLength`] if the payload is not `16 × n` bytes,
    /// and [`Error::Unsorted`] if the timestamps do not increase.
    pub fn unserialize(
        data: &[u8],
        block_size: Option<i64>,
        back_window: u64,
    ) -> Result<Self, Error> {
        Self::unserialize_limited(data, block_size, back_window, DEFAULT_MAX_POINTS)
    }

    /// [`BoundTimeSerie::unserialize`] with a caller-chosen limit on the
    /// number of points.
    ///
    /// # Errors
    ///
    /// As [`BoundTimeSerie::unserialize`], with `max_points` as the limit.
    pub fn unserialize_limited(
        data: &[u8],
        block_size: Option<i64>,
        back_window: u64,
        max_points: usize,
    ) -> Result<Self, Error> {
        // Round the byte limit up to a whole record so a payload with a
        // partial record past the limit still reports its length.
        let max_len = max_points.saturating_mul(RECORD).saturating_add(RECORD - 1);
        let serie =
            decompress_block_with(data, max_len, decode_payload).map_err(|e| match e {
                Error::Lz4OverLimit { claimed, .. } => Error::TooManyPoints {
                    claimed: claimed / RECORD as u64,
                    limit: max_points,
                },
                other => other,
            })??;
        Self::with_serie(serie, block_size, back_window)
    }
}

/// Decodes the uncompressed `none_v3` payload.
fn decode_payload(payload: &[u8]) -> Result<TimeSerie, Error> {
    let n = payload.len() / 16;
    if !payload.len().is_multiple_of(16) {
        return Err(Error::PayloadLength {
            len: payload.len(),
            points: n,
            offset: n * 16,
            trailing: payload.len() - n * 16,
        });
    }
    let (ts_bytes, val_bytes) = payload.split_at(n * 8);
    let mut timestamps = Vec::with_capacity(n);
    let mut acc = 0i64;
    for c in ts_bytes.chunks_exact(8) {
        acc = acc.wrapping_add(i64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        timestamps.push(acc);
    }
    let values = val_bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    if let Some(index) = timestamps.windows(2).position(|w| w[0] >= w[1]) {
        return Err(Error::Unsorted { index: index + 1 });
    }
    Ok(TimeSerie::from_sorted_unchecked(timestamps, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn set_values_steps_table() {
        // block 5 s, back_window 0: (batch, kept after truncation)
        let b = 1_139_662_800 * S;
        let steps: Vec<(Vec<i64>, Vec<i64>)> = vec![
            (vec![b + S, b + 4 * S, b + 9 * S], vec![b + 9 * S]),
            (
                vec![b + 2 * S, b + 10 * S, b + 11 * S],
                vec![b + 10 * S, b + 11 * S],
            ),
            (vec![b - 60 * S], vec![b + 10 * S, b + 11 * S]),
            (vec![b + 15 * S], vec![b + 15 * S]),
        ];
        let mut bound = BoundTimeSerie::new(Some(5 * S), 0).unwrap();
        for (batch, want) in steps {
            let pts: Vec<Point> = batch.iter().map(|&t| Point::new(t, 1.0)).collect();
            let seen = bound.set_values_with(&pts, BoundTimeSerie::len);
            assert!(seen >= bound.len());
            assert_eq!(bound.serie().timestamps(), &want[..]);
        }
    }

    #[test]
    fn serialize_matches_gnocchi() {
        // spec §8.2 example: 10^18, +5 s, +2 s; 1.5, -2.0, 3.25
        let t0 = 1_000_000_000_000_000_000;
        let serie = TimeSerie::from_points(&[
            Point::new(t0, 1.5),
            Point::new(t0 + 5 * S, -2.0),
            Point::new(t0 + 7 * S, 3.25),
        ]);
        let bound = BoundTimeSerie::with_serie(serie, None, 0).unwrap();
        let mut out = Vec::new();
        bound.serialize(&mut out).unwrap();
        let mut payload = Vec::new();
        bound.encode_payload(&mut payload);
        let hex: String = payload.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "000064a7b3b6e00d00f2052a010000000094357700000000000000000000f83f00000000000000c00000000000000a40"
        );
        let back = BoundTimeSerie::unserialize(&out, None, 0).unwrap();
        assert_eq!(back, bound);
        // Gnocchi's own bytes (python-lz4 encoder) decode to the same buffer.
        let gnocchi = "30000000f506000064a7b3b6e00d00f2052a010000000094357700010023f83f0b0090c00000000000000a40";
        let raw: Vec<u8> = (0..gnocchi.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&gnocchi[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(BoundTimeSerie::unserialize(&raw, None, 0).unwrap(), bound);
    }

    #[test]
    fn unserialize_errors_table() {
        let mut odd = Vec::new();
        compress_block(&[0u8; 17], &mut odd).unwrap();
        let mut unsorted = Vec::new();
        let payload: Vec<u8> = [5i64, -1]
            .iter()
            .flat_map(|t| t.to_le_bytes())
            .chain([0u8; 16])
            .collect();
        compress_block(&payload, &mut unsorted).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (odd, "length"),
            (unsorted, "unsorted"),
            (vec![0xff, 0xff, 0xff, 0x7f, 0x51, 0x62], "lz4"),
        ];
        for (data, want) in cases {
            let got = match BoundTimeSerie::unserialize(&data, None, 0).unwrap_err() {
                Error::PayloadLength { .. } => "length",
                Error::Unsorted { .. } => "unsorted",
                Error::Lz4SizeTooLarge { .. } | Error::Lz4Corrupt { .. } => "lz4",
                _ => "other",
            };
            assert_eq!(got, want);
        }
    }
}
