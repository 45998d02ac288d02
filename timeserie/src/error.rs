//! The error type of the crate.

/// What went wrong in a `timeserie` operation.
///
/// Decoding errors carry the byte offset or length that was wrong; no error
/// is ever produced by allocating a size read from the input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Grouping was asked for a series whose first point is before 1970-01-01
    /// (Gnocchi's `BeforeEpochError`).
    #[error("timestamp `{timestamp}` ns is before the Unix epoch")]
    BeforeEpoch {
        /// The offending first timestamp, in ns since the epoch.
        timestamp: i64,
    },
    /// A non-positive duration was given where a granularity or block size is
    /// required.
    #[error("duration `{nanos}` ns must be positive")]
    NonPositiveDuration {
        /// The offending duration in ns.
        nanos: i64,
    },
    /// Timestamps and values of different lengths were given.
    #[error("`{timestamps}` timestamps but `{values}` values")]
    LengthMismatch {
        /// Number of timestamps.
        timestamps: usize,
        /// Number of values.
        values: usize,
    },
    /// Timestamps given as already sorted are not strictly increasing.
    #[error("timestamp at index {index} is not after the previous one")]
    Unsorted {
        /// Index of the first timestamp that is not strictly greater than its
        /// predecessor.
        index: usize,
    },
    /// The input is shorter than the 4-byte size prefix of an LZ4 block.
    #[error("lz4 block of {len} bytes is shorter than its 4-byte size prefix")]
    Lz4Truncated {
        /// Length of the input in bytes.
        len: usize,
    },
    /// The 4-byte size prefix claims more bytes than the block can decode to.
    #[error(
        "lz4 size prefix claims `{claimed}` bytes, more than the `{max}` bytes a {len}-byte block can hold"
    )]
    Lz4SizeTooLarge {
        /// The decompressed size the prefix claims.
        claimed: u64,
        /// The largest size a block of this length can decode to.
        max: u64,
        /// Length of the compressed block (after the prefix) in bytes.
        len: usize,
    },
    /// The 4-byte size prefix claims more bytes than the caller's limit.
    #[error("lz4 size prefix claims `{claimed}` bytes, more than the limit of `{limit}` bytes")]
    Lz4OverLimit {
        /// The decompressed size the prefix claims.
        claimed: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// A serialized buffer claims more points than the caller's limit.
    #[error("serialized buffer claims `{claimed}` points, more than the limit of `{limit}`")]
    TooManyPoints {
        /// The number of points the size prefix implies.
        claimed: u64,
        /// The limit in points.
        limit: usize,
    },
    /// The LZ4 block is corrupt or does not decode to exactly the size its
    /// prefix claims.
    #[error(
        "lz4 block at byte offset 4 does not decode to the `{expected}` bytes its prefix claims"
    )]
    Lz4Corrupt {
        /// The decompressed size the prefix claims.
        expected: usize,
        /// The decoder's report, when it gave one.
        #[source]
        source: Option<lz4_flex::block::DecompressError>,
    },
    /// A payload to compress is larger than an LZ4 block can hold.
    #[error("payload of {len} bytes is too large for one lz4 block")]
    Lz4PayloadTooLarge {
        /// Length of the payload in bytes.
        len: usize,
    },
    /// A decoded payload is not made of whole records.
    #[error(
        "payload of {len} bytes does not split into `{points}` timestamps and `{points}` values: {trailing} bytes left at byte offset {offset}"
    )]
    PayloadLength {
        /// Length of the decoded payload.
        len: usize,
        /// Number of points the payload header part implies.
        points: usize,
        /// Byte offset in the payload where the unexpected data starts.
        offset: usize,
        /// Number of bytes that do not fit.
        trailing: usize,
    },
}
