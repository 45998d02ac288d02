//! Prometheus text exposition (0.0.4) and OpenMetrics 1.0: an encoder that always escapes and
//! never writes a family twice, and a strict parser.
//!
//! Everything in the suite ends as Prometheus text: `perfcounter` and the Ceph exporter build
//! [`MetricFamily`] values or stream samples through an [`Encoder`] into a buffer the caller
//! owns. The encoder validates names, escapes label values and HELP text, writes integers
//! exactly and floats in one of three layouts ([`FloatStyle`]), and guarantees one `# HELP` and
//! one `# TYPE` per family with contiguous samples.
//!
//! ```
//! use expfmt::{Desc, Encoder, Format, MetricType};
//!
//! let mut buf = Vec::new();
//! let mut enc = Encoder::new(&mut buf, Format::OpenMetrics);
//! let desc = Desc::new("ceph_osd_op_r", MetricType::Counter)
//!     .help("Client read operations")
//!     .label_names(&["ceph_daemon"]);
//! let mut ops = enc.family(&desc)?;
//! ops.sample(&["osd.0"], 1234u64)?;
//! ops.sample(&["osd.\"1\""], 99u64)?;
//! enc.finish();
//! assert_eq!(
//!     String::from_utf8(buf)?,
//!     "# TYPE ceph_osd_op_r counter\n\
//!      ## HELP ceph_osd_op_r Client read operations\n\
//!      ceph_osd_op_r_total{ceph_daemon=\"osd.0\"} 1234\n\
//!      ceph_osd_op_r_total{ceph_daemon=\"osd.\\\"1\\\"\"} 99\n\
//!      ## EOF\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`Encoder`] writes families; [`Desc`] describes one and [`FamilyEncoder`] writes its
//!   samples. [`Encoder::encode_family`] writes a whole [`MetricFamily`].
//! - [`MetricFamily`] is the model shared with the parser: [`Metric`]s with [`Label`]s and a
//!   [`MetricValue`] (a [`Value`], a [`Histogram`] or a [`Summary`]).
//! - [`FamilySet`] merges families by name, so names that collide (after sanitizing, say) end in
//!   one family.
//! - [`PreparedEncoder`] renders families and label sets once, and each value when it changes,
//!   so each scrape only copies bytes: the exporter's encoder for an unchanged set of series.
//! - [`negotiate`] picks the format from an HTTP `Accept` header; [`Format::content_type`] is
//!   the header to send back. [`negotiate_escaping`] also reads Prometheus 3's `escaping=`
//!   ([`EscapingScheme`], [`escape_name`], [`escape_family`]); with
//!   [`EscapingScheme::AllowUtf8`] the encoder writes UTF-8 names quoted, and both parsers read
//!   them.
//!
//! # OpenMetrics
//!
//! All eight OpenMetrics 1.0 types are modelled, parsed and written: counter, gauge,
//! histogram, summary, unknown ([`MetricType::Untyped`]), stateset, info and gaugehistogram;
//! a histogram's or summary's sum and count are optional as OpenMetrics makes them. Text 0.0.4
//! cannot say stateset, info or gaugehistogram: they are written as Prometheus' Python client
//! writes them (see [`MetricType`]). [`Exemplar`]s are modelled on a counter's total and on
//! histogram buckets ([`Metric::exemplars`]), within their 128-character label limit; text
//! 0.0.4 has no exemplars. A metric may have several points (consecutive [`Metric`]s with the
//! same labels and increasing timestamps), as OpenMetrics allows.
//!
//! ```
//! use expfmt::{Format, MetricType};
//!
//! let om = concat!(
//!     "# TYPE osd_state stateset\n",
//!     "osd_state{osd_state=\"up\"} 1\n",
//!     "osd_state{osd_state=\"down\"} 0\n",
//!     "# TYPE ceph_build info\n",
//!     "ceph_build_info{version=\"18.2.7\"} 1\n",
//!     "# EOF\n",
//! );
//! let families = expfmt::parse(om.as_bytes(), Format::OpenMetrics)?;
//! assert_eq!(families[0].metric_type, MetricType::StateSet);
//! assert_eq!(families[1].metric_type, MetricType::Info);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Float layouts
//!
//! The same shortest round-trip digits, laid out three ways: [`FloatStyle::Go`] (`1`, `1e+06`,
//! like Go's `expfmt`), [`FloatStyle::OpenMetrics`] (`1.0`, `1e+06`), and
//! [`FloatStyle::Python`] (`1.0`, `1000000.0`, like ceph-mgr's prometheus module).
//!
//! ```
//! use expfmt::{Desc, Encoder, FloatStyle, MetricType};
//!
//! let mut out = Vec::new();
//! let mut enc = Encoder::builder().float_style(FloatStyle::Python).build(&mut out);
//! let desc = Desc::new("ceph_cluster_total_bytes", MetricType::Gauge);
//! enc.family(&desc)?.sample(&[], 1e6)?;
//! enc.finish();
//! assert_eq!(
//!     String::from_utf8(out)?,
//!     "# TYPE ceph_cluster_total_bytes gauge\nceph_cluster_total_bytes 1000000.0\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Names
//!
//! ```
//! use expfmt::{Desc, Encoder, Error, Format, MetricType};
//!
//! let mut out = Vec::new();
//! let mut enc = Encoder::new(&mut out, Format::Text);
//! let up = Desc::new("ceph_osd_up", MetricType::Gauge);
//! enc.family(&up)?;
//! // A second family of the same name is refused, never written twice.
//! assert!(matches!(enc.family(&up), Err(Error::DuplicateFamily { .. })));
//! // Invalid names are refused; sanitizing always yields a valid one.
//! let bad = Desc::new("osd.op_r", MetricType::Counter);
//! assert!(matches!(enc.family(&bad), Err(Error::InvalidMetricName { .. })));
//! assert_eq!(expfmt::sanitize_metric_name("osd.op_r"), "osd_op_r");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! None: the crate depends on `itoa`, `zmij` and `thiserror` only.
#![doc(test(attr(deny(warnings))))]

mod encode;
mod error;
mod escape;
mod escaping;
mod family;
mod float;
mod name;
mod negotiate;
mod parallel;
mod parse;
mod prepared;
mod set;
mod sink;
mod types;

pub use encode::{Desc, Encoder, EncoderBuilder, FamilyEncoder};
pub use error::{Error, ParseErrorKind};
pub use escaping::{EscapingScheme, escape_family, escape_name, unescape_name};
pub use family::{
    Bucket, Exemplar, Histogram, Label, Metric, MetricFamily, MetricValue, Quantile, Summary,
};
pub use name::{
    is_valid_label_name, is_valid_metric_name, sanitize_label_name, sanitize_metric_name,
    validate_label_name, validate_metric_name,
};
pub use negotiate::{negotiate, negotiate_escaping};
pub use parallel::{PARALLEL_MIN_SAMPLES, encode_parallel};
pub use parse::{Parser, parse};
pub use prepared::{FamilyId, PreparedEncoder, SeriesId};
pub use set::FamilySet;
pub use types::{FloatStyle, Format, MetricType, Timestamp, Value};
