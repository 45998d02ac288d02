//! Encoding successive collections of one cluster with names and label sets rendered once.

use expfmt::{Desc, MetricFamily, MetricType, MetricValue, PreparedEncoder, SeriesId};

use crate::{Collection, Encoding, Exposition};

/// Encodes the collections of one cluster, one after another, rendering family metadata,
/// names and label sets once and only the values at each collection, while the cluster keeps
/// the same series (the usual case: between two scrapes an unchanged cluster has the same
/// daemons, pools and health checks).
///
/// Each collection is compared with the previous one: same families in the same order, same
/// help, unit and type, same label sets. When they are the same, only the values are set in
/// an [`expfmt::PreparedEncoder`] and its bytes copied; when anything differs, the prepared
/// exposition is rebuilt from this collection. A collection the prepared encoder cannot hold
/// (a histogram or summary, a timestamp, `_created`, exemplars, or metrics of one family with
/// different label names) is encoded by [`Collection::encode_with`]. The bytes are the same
/// either way.
///
/// ```
/// use exporter::{ClusterCollector, CollectOptions, DumpDir, Encoding, RepeatEncoder};
/// use expfmt::{FloatStyle, Format};
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/ceph/18.2.7-healthy");
/// let mut collector = ClusterCollector::new(CollectOptions::new());
/// let encoding = Encoding::new(Format::Text, FloatStyle::Python);
/// let mut repeat = RepeatEncoder::new(encoding);
/// let (mut first, mut second, mut oneshot) = (Vec::new(), Vec::new(), Vec::new());
///
/// let collection = collector.collect(&DumpDir::open(dir)?);
/// repeat.encode(&collection, &mut first)?;
/// let collection = collector.collect(&DumpDir::open(dir)?);
/// repeat.encode(&collection, &mut second)?;
/// assert!(repeat.reused());
///
/// collection.encode_with(&mut oneshot, encoding)?;
/// assert_eq!(second, oneshot);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RepeatEncoder {
    encoding: Encoding,
    prepared: Option<Prepared>,
    reused: bool,
}

/// The prepared exposition of the last collection and what it was built from.
#[derive(Debug)]
struct Prepared {
    encoder: PreparedEncoder,
    shapes: Vec<Shape>,
    /// Every series, in collection order.
    series: Vec<SeriesId>,
}

/// What a family must keep for its prepared form to stay valid.
#[derive(Debug)]
struct Shape {
    name: String,
    help: Option<String>,
    unit: Option<String>,
    metric_type: MetricType,
    label_names: Vec<String>,
    /// The label values of every metric, `label_names.len()` per metric.
    label_values: Vec<String>,
}

impl RepeatEncoder {
    /// An encoder writing as `encoding` says.
    pub fn new(encoding: Encoding) -> Self {
        RepeatEncoder {
            encoding,
            prepared: None,
            reused: false,
        }
    }

    /// The encoding written.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Whether the last [`RepeatEncoder::encode`] reused the prepared exposition of the
    /// collection before (only values written).
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// Writes `collection` to `out` (cleared first), as [`Collection::encode_with`] would.
    ///
    /// # Errors
    ///
    /// The encoder's, as [`Collection::encode_with`].
    pub fn encode(
        &mut self,
        collection: &Collection,
        out: &mut Vec<u8>,
    ) -> Result<(), expfmt::Error> {
        out.clear();
        self.reused = false;
        let families = collection.families();
        if !preparable(families) {
            self.prepared = None;
            return collection.encode_with(out, self.encoding);
        }
        if let Some(p) = self
            .prepared
            .as_mut()
            .filter(|p| same_shape(&p.shapes, families))
        {
            let values = families
                .iter()
                .flat_map(|f| &f.metrics)
                .map(|m| match &m.value {
                    MetricValue::Scalar(v) => *v,
                    // `preparable` admits scalars only.
                    _ => expfmt::Value::F64(f64::NAN),
                });
            for (id, v) in p.series.iter().zip(values) {
                p.encoder.set(*id, v)?;
            }
            p.encoder.encode(out);
            self.reused = true;
            return Ok(());
        }
        match prepare(self.encoding, families) {
            Ok(p) => {
                p.encoder.encode(out);
                self.prepared = Some(p);
                Ok(())
            }
            Err(_) => {
                // What the prepared encoder refuses, the one-shot encoder reports (or writes).
                self.prepared = None;
                collection.encode_with(out, self.encoding)
            }
        }
    }

    /// The exposition of `collection`, as [`Exposition::from_collection`] makes it.
    ///
    /// # Errors
    ///
    /// As [`RepeatEncoder::encode`].
    pub fn exposition(&mut self, collection: &Collection) -> Result<Exposition, expfmt::Error> {
        let mut body = Vec::new();
        self.encode(collection, &mut body)?;
        Ok(Exposition::new(body, self.encoding.format()))
    }
}

/// Whether every metric is a plain scalar sample and each family's metrics share label names.
fn preparable(families: &[MetricFamily<'_>]) -> bool {
    families.iter().all(|f| {
        f.metric_type.is_scalar()
            && f.metrics.iter().all(|m| {
                matches!(m.value, MetricValue::Scalar(_))
                    && m.timestamp.is_none()
                    && m.created.is_none()
                    && m.exemplars.is_empty()
                    && f.metrics.first().is_none_or(|first| {
                        first.labels.len() == m.labels.len()
                            && first
                                .labels
                                .iter()
                                .zip(&m.labels)
                                .all(|(a, b)| a.name == b.name)
                    })
            })
    })
}

/// Whether `families` have the families, metadata and label sets `shapes` were built from.
fn same_shape(shapes: &[Shape], families: &[MetricFamily<'_>]) -> bool {
    shapes.len() == families.len()
        && shapes.iter().zip(families).all(|(s, f)| {
            s.name == f.name
                && s.help.as_deref() == f.help.as_deref()
                && s.unit.as_deref() == f.unit.as_deref()
                && s.metric_type == f.metric_type
                && s.label_values.len() == f.metrics.len() * s.label_names.len()
                && f.metrics.iter().enumerate().all(|(i, m)| {
                    let n = s.label_names.len();
                    m.labels.len() == n
                        && m.labels.iter().enumerate().all(|(j, l)| {
                            l.name == s.label_names[j] && l.value == s.label_values[i * n + j]
                        })
                })
        })
}

/// A prepared exposition of `families`, values set.
fn prepare(encoding: Encoding, families: &[MetricFamily<'_>]) -> Result<Prepared, expfmt::Error> {
    let mut encoder = encoding.builder().prepare();
    let mut shapes = Vec::with_capacity(families.len());
    let mut series = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    for f in families {
        let label_names: Vec<&str> = f
            .metrics
            .first()
            .map(|m| m.labels.iter().map(|l| l.name.as_ref()).collect())
            .unwrap_or_default();
        let mut desc = Desc::new(&f.name, f.metric_type).label_names(&label_names);
        if let Some(help) = &f.help {
            desc = desc.help(help);
        }
        if let Some(unit) = &f.unit {
            desc = desc.unit(unit);
        }
        let id = encoder.family(&desc)?;
        let mut label_values = Vec::with_capacity(f.metrics.len() * label_names.len());
        for m in &f.metrics {
            values.clear();
            values.extend(m.labels.iter().map(|l| l.value.as_ref()));
            let s = encoder.series(id, &values)?;
            if let MetricValue::Scalar(v) = m.value {
                encoder.set(s, v)?;
            }
            series.push(s);
            label_values.extend(values.iter().map(|v| (*v).to_owned()));
        }
        shapes.push(Shape {
            name: f.name.to_string(),
            help: f.help.as_deref().map(str::to_owned),
            unit: f.unit.as_deref().map(str::to_owned),
            metric_type: f.metric_type,
            label_names: label_names.iter().map(|n| (*n).to_owned()).collect(),
            label_values,
        });
    }
    Ok(Prepared {
        encoder,
        shapes,
        series,
    })
}
