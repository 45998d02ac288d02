//! The crate's one error type.

use std::fmt;

/// Which input document an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Document {
    /// A `perf schema` or `counter schema` document.
    Schema,
    /// A `perf dump` or `counter dump` document.
    Dump,
}

impl Document {
    /// `schema` or `dump`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Document::Schema => "schema",
            Document::Dump => "dump",
        }
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong decoding perf-counter vocabularies and documents.
///
/// Problems with a single counter while mapping (a value missing from the dump, a value of the
/// wrong shape, a type the flavour cannot export) are not errors: the counter is skipped and
/// reported as a [`Skipped`](crate::Skipped), as the mgr module skips what it cannot use.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A raw `type` value has bits outside `TIME|U64|LONGRUNAVG|COUNTER|HISTOGRAM` (`0x1f`).
    #[error("unknown perf-counter type bits `{bits:#x}`")]
    UnknownTypeBits {
        /// The raw value.
        bits: u64,
    },
    /// A perf-counter type name is not one of `NONE`, `TIME`, `U64`, `LONGRUNAVG`, `COUNTER`,
    /// `HISTOGRAM`.
    #[error("unknown perf-counter type name `{name}`")]
    UnknownTypeName {
        /// The offending name.
        name: Box<str>,
    },
    /// A schema `metric_type` is neither `gauge` nor `counter`.
    #[error("unknown perf-counter metric type `{name}`")]
    UnknownMetricKind {
        /// The offending string.
        name: Box<str>,
    },
    /// A schema `value_type` is not one Ceph writes.
    #[error("unknown perf-counter value type `{name}`")]
    UnknownValueType {
        /// The offending string.
        name: Box<str>,
    },
    /// A `units` string or number is neither bytes nor none.
    #[error("unknown perf-counter unit `{name}`")]
    UnknownUnit {
        /// The offending string (a number is written in decimal).
        name: Box<str>,
    },
    /// A priority name is not one of the five named levels and not a number in `0..=255`.
    #[error("unknown perf-counter priority `{name}`")]
    UnknownPriority {
        /// The offending string.
        name: Box<str>,
    },
    /// A numeric priority is outside `0..=255`.
    #[error("perf-counter priority `{value}` is out of range")]
    PriorityOutOfRange {
        /// The offending value.
        value: i64,
    },
    /// A flavour name is neither `mgr` nor `exporter`.
    #[error("unknown flavour `{name}`")]
    UnknownFlavor {
        /// The offending string.
        name: Box<str>,
    },
    /// A document is not valid JSON or not shaped like a perf-counter document.
    #[error("cannot read the {document}")]
    Parse {
        /// Which document.
        document: Document,
        /// The `ceph-types` error: position, JSON path, cause.
        #[source]
        source: ceph_types::Error,
    },
}
