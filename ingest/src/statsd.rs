//! The statsd line protocol and the per-interval state of gnocchi-statsd
//! 4.7.1 (`gnocchi/statsd.py`): what a packet does to the gauges, counters
//! and timers, and what a flush hands to storage.

use std::fmt;

use indexmap::IndexMap;
use timeserie::Point;

use crate::pyfloat;

/// Longest metric name (with its `|type` suffix) Gnocchi's indexer
/// stores: the `metric.name` column is `VARCHAR(255)`, counted in
/// characters.
pub const MAX_NAME_CHARS: usize = 255;

/// A statsd metric type gnocchi-statsd knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatsdType {
    /// `c`: summed over the interval, each value divided by its sample rate.
    Counter,
    /// `g`: the last value of the interval.
    Gauge,
    /// `ms`: the last value of the interval (gnocchi-statsd keeps no
    /// timer statistics).
    Timer,
}

impl StatsdType {
    /// The type as written on the wire.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            StatsdType::Counter => "c",
            StatsdType::Gauge => "g",
            StatsdType::Timer => "ms",
        }
    }
}

impl fmt::Display for StatsdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a line (or the rest of a packet) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// The datagram is not UTF-8: gnocchi-statsd drops all of it.
    NotUtf8 {
        /// Bytes of valid UTF-8 before the fault.
        valid_up_to: usize,
    },
    /// Not one or two `|` in the line.
    PipeCount {
        /// How many there are.
        pipes: usize,
    },
    /// The sample rate field (after its first character) is not a number.
    /// Ends the packet, as the `ValueError` escapes gnocchi-statsd's loop.
    BadSampleRate,
    /// Not exactly one `:` before the first `|`. Ends the packet.
    ColonCount {
        /// How many there are.
        colons: usize,
    },
    /// The value is not a number. Ends the packet.
    BadValue,
    /// A type other than `c`, `g` and `ms`.
    UnknownType,
    /// A sample rate on a gauge or timer.
    SampleRateNotAllowed {
        /// The type of the line.
        kind: StatsdType,
    },
    /// A counter sample rate ≤ 0 or > 1.
    ///
    /// DIFFERENCE: gnocchi-statsd refuses only 0 (a `ZeroDivisionError`)
    /// and scales by negative rates and rates above 1.
    SampleRateOutOfRange,
    /// The name with its `|type` suffix holds a NUL or is longer than
    /// [`MAX_NAME_CHARS`]: gnocchi-statsd accepts the line and then fails
    /// to create the metric in its indexer at every flush.
    BadName,
}

impl RejectReason {
    /// Whether gnocchi-statsd stops reading the packet at this line (the
    /// error escapes its per-line `try`).
    #[must_use]
    pub fn ends_packet(self) -> bool {
        matches!(
            self,
            RejectReason::NotUtf8 { .. }
                | RejectReason::BadSampleRate
                | RejectReason::ColonCount { .. }
                | RejectReason::BadValue
        )
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::NotUtf8 { valid_up_to } => {
                write!(f, "datagram is not utf-8 after byte {valid_up_to}")
            }
            RejectReason::PipeCount { pipes } => write!(f, "`{pipes}` `|` instead of 1 or 2"),
            RejectReason::BadSampleRate => f.write_str("sample rate is not a number"),
            RejectReason::ColonCount { colons } => write!(f, "`{colons}` `:` instead of 1"),
            RejectReason::BadValue => f.write_str("value is not a number"),
            RejectReason::UnknownType => f.write_str("unknown metric type"),
            RejectReason::SampleRateNotAllowed { kind } => {
                write!(f, "sample rate on a `{kind}` metric")
            }
            RejectReason::SampleRateOutOfRange => f.write_str("sample rate not in (0, 1]"),
            RejectReason::BadName => write!(
                f,
                "metric name holds a NUL or more than {MAX_NAME_CHARS} characters"
            ),
        }
    }
}

/// A refused line: where it is in its packet, its bytes and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection<'a> {
    /// 1-based line number in the packet (0 for a whole datagram).
    pub line: usize,
    /// Byte offset of the line in the packet.
    pub offset: usize,
    /// The line as received.
    pub text: &'a [u8],
    /// Why.
    pub reason: RejectReason,
}

impl Rejection<'_> {
    /// The line escaped (`\xNN` for bytes outside printable ASCII) and cut
    /// to `max` bytes of input with a trailing `…`, for logs.
    #[must_use]
    pub fn escaped(&self, max: usize) -> String {
        let mut out = String::with_capacity(self.text.len().min(max) + 4);
        for &b in self.text.iter().take(max) {
            match b {
                b'\\' => out.push_str("\\\\"),
                0x20..=0x7e => out.push(char::from(b)),
                _ => {
                    use std::fmt::Write;
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
        }
        if self.text.len() > max {
            out.push('…');
        }
        out
    }
}

impl fmt::Display for Rejection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} (byte {}) `{}`: {}",
            self.line,
            self.offset,
            self.escaped(120),
            self.reason
        )
    }
}

/// What one packet did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PacketOutcome {
    /// Lines accepted.
    pub accepted: usize,
    /// Lines refused (a packet-ending refusal counts once).
    pub rejected: usize,
    /// Lines never read because an earlier one ended the packet.
    pub skipped: usize,
}

/// Running totals of a statsd daemon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsdCounters {
    /// Datagrams received.
    pub packets: u64,
    /// Lines accepted.
    pub accepted: u64,
    /// Lines refused.
    pub rejected: u64,
    /// Lines not read after a packet-ending refusal.
    pub skipped: u64,
}

/// The measures of one interval, keyed by `name|type` as Gnocchi names
/// the metrics, in first-arrival order per type.
///
/// ```
/// use ingest::Stats;
///
/// let mut stats = Stats::new();
/// let t = 1_700_000_000_000_000_000;
/// stats.ingest(b"hits:1|c|@0.5\nhits:3|c\nload:0.7|g\nbad line", t, |r| {
///     assert_eq!(r.line, 4);
/// });
/// let flushed = stats.flush();
/// let got: Vec<(&str, f64)> = flushed.iter().map(|(n, p)| (n.as_str(), p.value)).collect();
/// assert_eq!(got, [("load|g", 0.7), ("hits|c", 5.0)]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Stats {
    gauges: IndexMap<String, Point>,
    counters: IndexMap<String, Point>,
    times: IndexMap<String, Point>,
    key: String,
    counts: StatsdCounters,
}

/// One parsed line.
struct Line<'a> {
    name: &'a str,
    kind: &'a str,
    value: f64,
    sampling: Option<f64>,
}

impl Stats {
    /// Empty state.
    #[must_use]
    pub fn new() -> Self {
        Stats::default()
    }

    /// Running totals since creation.
    #[must_use]
    pub fn counters(&self) -> StatsdCounters {
        self.counts
    }

    /// Metrics waiting for the next flush.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.gauges.len() + self.counters.len() + self.times.len()
    }

    /// Applies one datagram received at `now` (ns since the epoch; Gnocchi
    /// takes the clock in microseconds, see [`gnocchi_now`]). `on_reject`
    /// sees every refused line.
    pub fn ingest(
        &mut self,
        packet: &[u8],
        now: i64,
        mut on_reject: impl FnMut(&Rejection<'_>),
    ) -> PacketOutcome {
        let mut outcome = PacketOutcome::default();
        self.counts.packets += 1;
        if let Err(e) = std::str::from_utf8(packet) {
            outcome.rejected = 1;
            self.counts.rejected += 1;
            on_reject(&Rejection {
                line: 0,
                offset: 0,
                text: packet,
                reason: RejectReason::NotUtf8 {
                    valid_up_to: e.valid_up_to(),
                },
            });
            return outcome;
        }
        let mut offset = 0;
        let mut number = 0;
        let mut rest = packet;
        while !rest.is_empty() {
            let (line, next) = match memchr(b'\n', rest) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            let line_offset = offset;
            offset += line.len() + 1;
            rest = next;
            if line.is_empty() {
                continue;
            }
            number += 1;
            match self.apply(line, now) {
                Ok(()) => outcome.accepted += 1,
                Err(reason) => {
                    outcome.rejected += 1;
                    on_reject(&Rejection {
                        line: number,
                        offset: line_offset,
                        text: line,
                        reason,
                    });
                    if reason.ends_packet() {
                        outcome.skipped = rest
                            .split(|&b| b == b'\n')
                            .filter(|l| !l.is_empty())
                            .count();
                        break;
                    }
                }
            }
        }
        self.counts.accepted += outcome.accepted as u64;
        self.counts.rejected += outcome.rejected as u64;
        self.counts.skipped += outcome.skipped as u64;
        outcome
    }

    /// Takes the interval's measures, gauges then counters then timers
    /// (`name|type`, point), and starts a new interval.
    pub fn flush(&mut self) -> Vec<(String, Point)> {
        let mut out = Vec::with_capacity(self.pending());
        out.extend(self.gauges.drain(..));
        out.extend(self.counters.drain(..));
        out.extend(self.times.drain(..));
        out
    }

    fn apply(&mut self, line: &[u8], now: i64) -> Result<(), RejectReason> {
        let parsed = parse_line(line)?;
        let kind = match parsed.kind {
            "c" => StatsdType::Counter,
            "g" => StatsdType::Gauge,
            "ms" => StatsdType::Timer,
            _ => return Err(RejectReason::UnknownType),
        };
        if kind != StatsdType::Counter && parsed.sampling.is_some() {
            return Err(RejectReason::SampleRateNotAllowed { kind });
        }
        if let Some(rate) = parsed.sampling
            && (rate <= 0.0 || rate > 1.0)
        {
            return Err(RejectReason::SampleRateOutOfRange);
        }
        let full_chars = parsed.name.chars().count() + 1 + parsed.kind.len();
        if full_chars > MAX_NAME_CHARS || parsed.name.contains('\0') {
            return Err(RejectReason::BadName);
        }
        self.key.clear();
        self.key.push_str(parsed.name);
        self.key.push('|');
        self.key.push_str(parsed.kind);
        let map = match kind {
            StatsdType::Counter => &mut self.counters,
            StatsdType::Gauge => &mut self.gauges,
            StatsdType::Timer => &mut self.times,
        };
        let value = match kind {
            StatsdType::Counter => {
                // `current + value * (1 / sampling)`, with current 0 at first.
                let scaled = parsed.value * (1.0 / parsed.sampling.unwrap_or(1.0));
                let current = map.get(self.key.as_str()).map_or(0.0, |p| p.value);
                current + scaled
            }
            StatsdType::Gauge | StatsdType::Timer => parsed.value,
        };
        let point = Point::new(now, value);
        match map.get_mut(self.key.as_str()) {
            Some(p) => *p = point,
            None => {
                map.insert(self.key.clone(), point);
            }
        }
        Ok(())
    }
}

/// Splits a line as gnocchi-statsd does, in its order of checks.
fn parse_line(line: &[u8]) -> Result<Line<'_>, RejectReason> {
    // The packet was checked to be UTF-8 and `\n`, `|`, `:` are ASCII, so
    // every piece is UTF-8 too.
    let text = std::str::from_utf8(line).map_err(|e| RejectReason::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    let mut pipes = text.split('|');
    let head = pipes.next().unwrap_or("");
    let kind = pipes.next();
    let rate = pipes.next();
    let extra = pipes.count();
    let Some(kind) = kind else {
        return Err(RejectReason::PipeCount { pipes: 0 });
    };
    if extra > 0 {
        return Err(RejectReason::PipeCount { pipes: 2 + extra });
    }
    // `float(sampling[1:])`: the first character (normally `@`) is dropped
    // unseen.
    let sampling = match rate {
        Some(r) => {
            let skip = r.chars().next().map_or(0, char::len_utf8);
            Some(pyfloat::parse(&r.as_bytes()[skip..]).ok_or(RejectReason::BadSampleRate)?)
        }
        None => None,
    };
    let mut colon = head.split(':');
    let name = colon.next().unwrap_or("");
    let value = colon.next();
    let more = colon.count();
    let Some(value) = value else {
        return Err(RejectReason::ColonCount { colons: 0 });
    };
    if more > 0 {
        return Err(RejectReason::ColonCount { colons: 1 + more });
    }
    let value = pyfloat::parse(value.as_bytes()).ok_or(RejectReason::BadValue)?;
    Ok(Line {
        name,
        kind,
        value,
        sampling,
    })
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// The current time as gnocchi-statsd stamps a measure:
/// `int(datetime_to_unix(utcnow()) * 1e9)`, a microsecond clock turned
/// into float seconds and back.
#[must_use]
pub fn gnocchi_now() -> i64 {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    gnocchi_timestamp(micros)
}

/// Gnocchi's nanosecond timestamp of a microsecond clock reading.
#[must_use]
pub fn gnocchi_timestamp(micros: i64) -> i64 {
    // `timedelta.total_seconds()` is `micros / 10**6` (correctly rounded),
    // then `* int(10e8)` as a float, then `int()` truncates.
    let seconds = micros as f64 / 1e6;
    (seconds * 1e9) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000_000_000_000;

    type Flushed = Vec<(String, f64)>;
    type Refused = Vec<(usize, RejectReason)>;
    type Case<'a> = (&'a [u8], &'a [(&'a str, f64)], &'a [(usize, RejectReason)]);

    fn run(packet: &[u8]) -> (Flushed, Refused, PacketOutcome) {
        let mut stats = Stats::new();
        let mut rejected = Vec::new();
        let outcome = stats.ingest(packet, T, |r| rejected.push((r.line, r.reason)));
        let flushed = stats
            .flush()
            .into_iter()
            .map(|(n, p)| (n, p.value))
            .collect();
        (flushed, rejected, outcome)
    }

    #[test]
    fn lines_table() {
        use RejectReason::*;
        let cases: &[Case<'_>] = &[
            (b"a:1|c", &[("a|c", 1.0)], &[]),
            (b"a:1|c\na:2|c|@0.5", &[("a|c", 5.0)], &[]),
            (b"a:1|c|#0.25", &[("a|c", 4.0)], &[]),
            (b"a:1|c|@0.1", &[("a|c", 1.0 * (1.0 / 0.1))], &[]),
            (b"g:1|g\ng:-2|g", &[("g|g", -2.0)], &[]),
            (b"t:3|ms\nt:4|ms", &[("t|ms", 4.0)], &[]),
            (
                b"x:1|g\ny:2|c\nz:3|ms\nw:4|g",
                &[("x|g", 1.0), ("w|g", 4.0), ("y|c", 2.0), ("z|ms", 3.0)],
                &[],
            ),
            (b"\n\na:1|g\n\n", &[("a|g", 1.0)], &[]),
            (b":1|g", &[("|g", 1.0)], &[]),
            (b"a: 1_0 |g", &[("a|g", 10.0)], &[]),
            (b"a:1", &[], &[(1, PipeCount { pipes: 0 })]),
            (
                b"a:1|c|@1|x\nb:1|g",
                &[("b|g", 1.0)],
                &[(1, PipeCount { pipes: 3 })],
            ),
            (b"a:1|s\nb:1|g", &[("b|g", 1.0)], &[(1, UnknownType)]),
            (
                b"a:1|g|@0.5\nb:1|g",
                &[("b|g", 1.0)],
                &[(
                    1,
                    SampleRateNotAllowed {
                        kind: StatsdType::Gauge,
                    },
                )],
            ),
            (
                b"a:1|ms|@1\nb:1|g",
                &[("b|g", 1.0)],
                &[(
                    1,
                    SampleRateNotAllowed {
                        kind: StatsdType::Timer,
                    },
                )],
            ),
            (
                b"a:1|c|@0\nb:1|g",
                &[("b|g", 1.0)],
                &[(1, SampleRateOutOfRange)],
            ),
            (
                b"a:1|c|@-1\nb:1|g",
                &[("b|g", 1.0)],
                &[(1, SampleRateOutOfRange)],
            ),
            (
                b"a:1|c|@2\nb:1|g",
                &[("b|g", 1.0)],
                &[(1, SampleRateOutOfRange)],
            ),
            // Packet-ending faults: later lines are not read.
            (b"b:1|g\na:x|g\nc:1|g", &[("b|g", 1.0)], &[(2, BadValue)]),
            (b"a:1:2|g\nc:1|g", &[], &[(1, ColonCount { colons: 2 })]),
            (b"a|g\nc:1|g", &[], &[(1, ColonCount { colons: 0 })]),
            (b"a:1|c|@\nc:1|g", &[], &[(1, BadSampleRate)]),
            (b"a:1|c|@x\nc:1|g", &[], &[(1, BadSampleRate)]),
            // The rate is parsed before the type is checked.
            (b"a:1|g|@x\nc:1|g", &[], &[(1, BadSampleRate)]),
            (b"a\0b:1|g\nc:1|g", &[("c|g", 1.0)], &[(1, BadName)]),
            (b"\xff:1|g\nc:1|g", &[], &[(0, NotUtf8 { valid_up_to: 0 })]),
        ];
        for &(packet, want, want_rejected) in cases {
            let (got, rejected, _) = run(packet);
            let got: Vec<(&str, u64)> =
                got.iter().map(|(n, v)| (n.as_str(), v.to_bits())).collect();
            let want: Vec<(&str, u64)> = want.iter().map(|&(n, v)| (n, v.to_bits())).collect();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(packet));
            assert_eq!(
                rejected,
                want_rejected,
                "{}",
                String::from_utf8_lossy(packet)
            );
        }
    }

    #[test]
    fn long_names_are_refused_by_characters() {
        let ok = format!("{}:1|g", "é".repeat(253));
        let (got, rejected, _) = run(ok.as_bytes());
        assert_eq!((got.len(), rejected.len()), (1, 0));
        let long = format!("{}:1|g", "é".repeat(254));
        let (got, rejected, _) = run(long.as_bytes());
        assert_eq!(got.len(), 0);
        assert_eq!(rejected, [(1, RejectReason::BadName)]);
    }

    #[test]
    fn outcome_counts_skipped_lines() {
        let (_, _, outcome) = run(b"a:1|g\nb:x|g\nc:1|g\n\nd:1|g");
        assert_eq!(
            outcome,
            PacketOutcome {
                accepted: 1,
                rejected: 1,
                skipped: 2
            }
        );
    }

    #[test]
    fn escaped_rejection_is_cut() {
        let r = Rejection {
            line: 1,
            offset: 0,
            text: b"a\x00\\b\xffcdef",
            reason: RejectReason::BadValue,
        };
        assert_eq!(r.escaped(5), "a\\x00\\\\b\\xff…");
        assert_eq!(r.escaped(100), "a\\x00\\\\b\\xffcdef");
    }

    #[test]
    fn gnocchi_timestamps_go_through_float_seconds() {
        // 1764859200.123456 s: the float product is not the exact ns.
        let micros = 1_764_859_200_123_456;
        let ns = gnocchi_timestamp(micros);
        assert_eq!(ns, ((micros as f64 / 1e6) * 1e9) as i64);
        assert!((ns - micros * 1000).abs() < 512);
        assert_eq!(gnocchi_timestamp(0), 0);
    }
}
