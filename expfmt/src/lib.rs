//! Prometheus text exposition (0.0.4) and OpenMetrics 1.0: an encoder that always escapes and
//! never writes a family twice, and a strict parser.
#![doc(test(attr(deny(warnings))))]

mod error;
mod family;
mod name;
mod parse;
mod set;
mod types;

pub use error::{Error, ParseErrorKind};
pub use family::{Bucket, Histogram, Label, Metric, MetricFamily, MetricValue, Quantile, Summary};
pub use name::{
    is_valid_label_name, is_valid_metric_name, sanitize_label_name, sanitize_metric_name,
    validate_label_name, validate_metric_name,
};
pub use parse::{Parser, parse};
pub use set::FamilySet;
pub use types::{FloatStyle, Format, MetricType, Timestamp, Value};
