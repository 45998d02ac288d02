//! Encoding a large exposition on two threads.

use crate::{EncoderBuilder, Error, Format, MetricFamily};

/// From this many samples, [`encode_parallel`] uses two threads for text.
pub const PARALLEL_MIN_SAMPLES: usize = 50_000;

/// Encodes a whole exposition (`# EOF` included for OpenMetrics) with the options of
/// `builder`, writing text on two threads when `threads > 1` and there are at least
/// [`PARALLEL_MIN_SAMPLES`] samples: the families are split in two halves of about as many
/// samples, each half is encoded into its own buffer, and the second is appended to the first.
/// The bytes are the same as from one [`Encoder`](crate::Encoder).
///
/// OpenMetrics is always encoded on one thread: its encoder also checks sample names across
/// families (`x_total` of a counter `x`), which two halves could not see.
///
/// ```
/// use expfmt::{Encoder, Format, Metric, MetricFamily, MetricType, encode_parallel};
///
/// let families: Vec<MetricFamily<'static>> = (0..4)
///     .map(|f| {
///         let mut fam = MetricFamily::new(format!("f{f}"), MetricType::Gauge);
///         fam.metrics = (0..20_000u64).map(|i| Metric::scalar(vec![], i)).collect();
///         fam
///     })
///     .collect();
/// let mut two = Vec::new();
/// encode_parallel(Encoder::builder().format(Format::Text), &families, &mut two, 2)?;
/// let mut one = Vec::new();
/// Encoder::new(&mut one, Format::Text).encode_families(&families)?;
/// assert!(one == two);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The first error of [`Encoder::encode_family`](crate::Encoder::encode_family); the buffer
/// may then hold part of the exposition.
pub fn encode_parallel(
    builder: &EncoderBuilder,
    families: &[MetricFamily<'_>],
    out: &mut Vec<u8>,
    threads: usize,
) -> Result<(), Error> {
    let samples: usize = families.iter().map(|f| f.metrics.len()).sum();
    if builder.format_of() != Format::Text || threads < 2 || samples < PARALLEL_MIN_SAMPLES {
        let mut enc = builder.build(out);
        enc.encode_families(families)?;
        enc.finish();
        return Ok(());
    }
    let mut seen = 0;
    let split = families
        .iter()
        .position(|f| {
            seen += f.metrics.len();
            seen >= samples / 2
        })
        .map_or(families.len(), |i| i + 1);
    let (first, second) = families.split_at(split);
    let mut tail = Vec::new();
    std::thread::scope(|scope| {
        let h = scope.spawn(|| builder.build(&mut tail).encode_families(second));
        let r = builder.build(out).encode_families(first);
        let t = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        r.and(t)
    })?;
    out.extend_from_slice(&tail);
    Ok(())
}
