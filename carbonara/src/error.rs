//! The error type of the crate.

/// What went wrong in a `carbonara` operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An aggregation method name Gnocchi does not know (Gnocchi's
    /// `UnknownAggregationMethod`).
    #[error("unknown aggregation method `{name}`")]
    UnknownMethod {
        /// The name as given.
        name: String,
    },
    /// A `rate:` method was asked for a calendar grouping (Gnocchi raises
    /// `TypeError`).
    #[error("cannot derive `rate:` aggregates on calendar granularity `{unit}`")]
    CalendarRate {
        /// The calendar unit.
        unit: timeserie::CalendarUnit,
    },
    /// An error from the `timeserie` layer (before-epoch grouping, LZ4 and
    /// bound-buffer decoding).
    #[error("time series error")]
    Timeserie(#[from] timeserie::Error),
    /// An uncompressed split whose length is not a multiple of 9 bytes, or a
    /// compressed split payload whose value part is not whole doubles
    /// (Gnocchi's `InvalidData`).
    #[error(
        "split data of {len} bytes is not made of whole {record}-byte records: {trailing} bytes left at byte offset {offset}"
    )]
    SplitLength {
        /// Length of the (decompressed) data.
        len: usize,
        /// Record size in bytes.
        record: usize,
        /// Byte offset where the incomplete record starts.
        offset: usize,
        /// Bytes that do not make a whole record.
        trailing: usize,
    },
    /// A compressed split payload with different numbers of timestamps and
    /// values (Gnocchi lets a plain `ValueError` escape).
    #[error("compressed split holds `{timestamps}` timestamps but `{values}` values")]
    SplitCountMismatch {
        /// Number of timestamp deltas (payload length / 10).
        timestamps: usize,
        /// Number of doubles after them.
        values: usize,
    },
    /// A compressed split whose size prefix claims more than the 3,600
    /// points a split holds; refused before anything is allocated.
    #[error(
        "compressed split claims a payload of `{claimed}` bytes, more than the `{max}` bytes of 3600 points"
    )]
    SplitTooLarge {
        /// The payload size the LZ4 prefix claims.
        claimed: u64,
        /// The largest payload of a split.
        max: usize,
    },
    /// Points to write as an uncompressed split fall outside the split's
    /// slots `0..3600`.
    #[error("points span slots `{first_slot}` to `{last_slot}`, outside the split's 0..3600")]
    SplitSpan {
        /// Slot of the first point relative to the split key.
        first_slot: i64,
        /// Slot of the last point relative to the split key.
        last_slot: i64,
    },
    /// A split decodes to timestamps that do not increase.
    #[error("split slot delta at index {index} is zero: timestamps must increase")]
    SplitUnsorted {
        /// Index of the offending point.
        index: usize,
    },
    /// A split object was given without the split key its slots count from.
    #[error("a {format} stores slot numbers: its split key and granularity are required")]
    SplitKeyRequired {
        /// The format detected.
        format: crate::ObjectFormat,
    },
    /// Data of no carbonara object format.
    #[error(
        "not a carbonara object ({len} bytes): no `c` + lz4, no 9-byte records flagged 0 or 1, no raw buffer"
    )]
    NotAnObject {
        /// Length of the data.
        len: usize,
    },
    /// A measure line that does not parse.
    #[error("line {line}, column {column}: {reason}")]
    Measure {
        /// 1-based line number.
        line: u64,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        reason: crate::MeasureError,
    },
    /// Reading measures failed.
    #[error("cannot read line {line}")]
    MeasureRead {
        /// The line being read.
        line: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An archive policy definition is invalid.
    #[error("invalid archive policy: {reason}")]
    InvalidPolicy {
        /// What is wrong, naming the field.
        reason: PolicyError,
    },
    /// An archive policy in Gnocchi's REST JSON form could not be parsed.
    #[error("archive policy json does not parse")]
    PolicyJson(#[source] serde_json::Error),
    /// No archive policy rule matches a metric name.
    #[error("no archive policy rule matches metric `{metric}`")]
    NoRuleMatch {
        /// The metric name (empty when the metric has none).
        metric: String,
    },
    /// A policy names a granularity it does not define.
    #[error("archive policy has no granularity `{granularity}` ns with method `{method}`")]
    NoSuchAggregation {
        /// The method asked for.
        method: String,
        /// The granularity asked for, in ns.
        granularity: i64,
    },
}

/// Why an archive policy is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// `definition[index]` gives fewer than two of granularity, points and
    /// timespan (and no granularity).
    #[error("definition[{index}]: at least two of granularity/points/timespan must be given")]
    MissingFields {
        /// Index in the definition list.
        index: usize,
    },
    /// `definition[index]`: timespan ≠ granularity × points.
    #[error("definition[{index}]: timespan is not granularity x points")]
    Inconsistent {
        /// Index in the definition list.
        index: usize,
    },
    /// `definition[index]`: granularity ≤ 0.
    #[error("definition[{index}]: granularity `{nanos}` ns must be > 0")]
    Granularity {
        /// Index in the definition list.
        index: usize,
        /// The granularity in ns.
        nanos: i64,
    },
    /// `definition[index]`: zero points (given or computed).
    #[error("definition[{index}]: number of points must be > 0")]
    Points {
        /// Index in the definition list.
        index: usize,
    },
    /// `definition[index]`: 2^63 points or more (the timespan would wrap).
    #[error("definition[{index}]: number of points `{points}` must be below 2^63")]
    TooManyPoints {
        /// Index in the definition list.
        index: usize,
        /// The number of points given.
        points: u64,
    },
    /// `back_window` of 2^63 blocks or more (the window would wrap).
    #[error("back_window `{blocks}` must be below 2^63")]
    BackWindow {
        /// The back window given, in blocks.
        blocks: u64,
    },
    /// `definition[index]`: a timespan string that does not parse.
    #[error("definition[{index}].{field}: cannot parse timespan `{value}`")]
    Timespan {
        /// Index in the definition list.
        index: usize,
        /// `granularity` or `timespan`.
        field: &'static str,
        /// The string given.
        value: String,
    },
    /// The definition list is empty.
    #[error("definition: at least one item is required")]
    Empty,
    /// Two items share a granularity.
    #[error("more than one archive policy item uses granularity `{nanos}` ns")]
    DuplicateGranularity {
        /// The repeated granularity in ns.
        nanos: i64,
    },
    /// An `aggregation_methods` entry Gnocchi rejects.
    #[error("aggregation_methods: invalid value `{value}`")]
    Method {
        /// The entry.
        value: String,
    },
    /// Mixing plain and `+`/`-` entries left a `+x`/`-x` string in the
    /// resolved set (Gnocchi keeps it as a bogus method name).
    #[error(
        "aggregation_methods: `{value}` stays in the resolved set when plain and +/- entries are mixed"
    )]
    MixedMethodSpec {
        /// The leftover entry.
        value: String,
    },
}
