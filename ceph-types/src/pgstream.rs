//! A streaming reader of `ceph pg dump -f json`: the PGs, pool statistics, OSD statistics and
//! totals a monitoring tool reads, handed to a visitor while the document goes by in
//! fixed-size chunks, never held whole.
//!
//! On a large cluster `pg dump` is the largest document by far (about 2.3 KB per PG: 230 MB
//! for 100,000 PGs) and a monitoring tool needs a few bytes of each PG (its id, state and
//! acting primary). [`PgDump`](crate::PgDump) holds every field of every PG, which at that
//! size costs the whole text plus a full parse; [`PgDumpReader`] extracts those few fields
//! and passes over everything else without decoding it. It is checked against
//! [`PgDump`](crate::PgDump) on every captured dump (see the tests).
//!
//! Passed-over values are checked for string and bracket structure only (not for commas,
//! colons or number syntax), so Ceph's bare `nan`/`-nan` tokens in fields nobody reads are
//! accepted. Within a PG, once its pgid, state and (when the visitor asks for it) acting
//! primary are read, the rest is passed over 64 bytes at a time: quotes and brackets as bit
//! masks, the bytes inside strings by a prefix XOR of the quote mask (blocks with a backslash
//! go token by token).

use std::io::Read;

use crate::{Command, Error, Number};

/// The chunk size.
const CHUNK: usize = 1 << 20;
/// The deepest nesting skipped (Ceph's documents are 6 levels deep).
const MAX_DEPTH: usize = 128;
/// The longest string extracted (pgids, states, keys).
const MAX_STRING: usize = 4096;

/// Bytes that matter when skipping a container: quotes and brackets.
static STRUCTURAL: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = 1;
    t[b'{' as usize] = 1;
    t[b'}' as usize] = 1;
    t[b'[' as usize] = 1;
    t[b']' as usize] = 1;
    t
};

/// Bytes of a number or a literal (`true`, `null`, `-nan`, `1e-05`).
static SCALAR: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'+' || c == b'.' {
            t[b] = 1;
        }
        b += 1;
    }
    t
};

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that equals `b` (exact for the lowest such byte).
#[inline]
fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// The high bit of each byte of `w` that equals `b`, every such byte (no borrow between
/// bytes: each byte's low seven bits are added apart from its high bit).
#[inline]
fn eq_mask_exact(w: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (LO * u64::from(b));
    !(((x & LOW7) + LOW7) | x) & HI
}

#[inline]
fn word(s: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(a)
}

/// The position of the first quote or backslash in `s`, eight bytes at a time.
#[inline]
fn find_quote(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = word(s, i);
        let m = eq_mask(w, b'"') | eq_mask(w, b'\\');
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|p| i + p)
}

/// The position of the first quote or bracket in `s`, eight bytes at a time.
#[inline]
fn find_structural(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = word(s, i);
        let m = eq_mask(w, b'"')
            | eq_mask(w, b'{')
            | eq_mask(w, b'}')
            | eq_mask(w, b'[')
            | eq_mask(w, b']');
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| STRUCTURAL[usize::from(c)] != 0)
        .map(|p| i + p)
}

/// The quotes, opening and closing brackets of 64 bytes, one bit per byte, and whether they
/// hold a backslash (`backslash` non-zero).
struct Block {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

impl Block {
    fn new(bytes: &[u8]) -> Block {
        const CASE: u64 = 0x2020_2020_2020_2020;
        let mut b = Block {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
        };
        for (k, chunk) in bytes.chunks_exact(8).enumerate() {
            let w = word(chunk, 0);
            let shift = 8 * k;
            b.quote |= gather(eq_mask_exact(w, b'"')) << shift;
            // Only whether there is one matters (the lowest-match mask says so).
            b.backslash |= eq_mask(w, b'\\');
            // `{` 0x7b and `[` 0x5b differ in bit 0x20 only, as do `}` 0x7d and `]` 0x5d.
            let folded = w | CASE;
            b.open |= gather(eq_mask_exact(folded, b'{')) << shift;
            b.close |= gather(eq_mask_exact(folded, b'}')) << shift;
        }
        b
    }
}

/// The high bits of the bytes of `m` (other bits clear), packed into 8 bits: byte 0 to bit 0.
#[inline]
fn gather(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Bit `i` set when an odd number of bits at or below `i` are set in `x`: from an opening
/// quote (included) to its closing quote (excluded).
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}
type Result<T> = std::result::Result<T, Error>;

/// One PG of `pg_map.pg_stats`, as [`PgDumpReader`] hands it to [`PgDumpVisitor::pg`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StreamedPg<'s> {
    /// `pgid`, such as `5.1e`.
    pub pgid: &'s str,
    /// `state`, such as `active+clean`.
    pub state: &'s str,
    /// `acting_primary`: read only when [`PgDumpVisitor::wants_acting_primary`] asked for it
    /// (or when it came before `pgid` and `state`); `None` when not read, `null` or absent.
    pub acting_primary: Option<i64>,
}

impl<'s> StreamedPg<'s> {
    /// The pool part of the pgid (`"5"` of `"5.1e"`), as written.
    pub fn pool(&self) -> &'s str {
        self.pgid
            .split_once('.')
            .map_or(self.pgid, |(pool, _)| pool)
    }

    /// The `+`-separated parts of the state (`active`, `clean`).
    pub fn states(&self) -> impl Iterator<Item = &'s str> + use<'s> {
        self.state.split('+')
    }
}

/// One entry of `pg_map.pool_stats`, as [`PgDumpReader`] hands it to
/// [`PgDumpVisitor::pool_stats`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct StreamedPoolStats {
    /// `poolid` (required: an entry without it is an error).
    pub poolid: i64,
    /// `stat_sum.num_objects_repaired`, `None` when absent (releases before Octopus).
    pub num_objects_repaired: Option<Number>,
}

/// One entry of `pg_map.osd_stats`, as [`PgDumpReader`] hands it to
/// [`PgDumpVisitor::osd_stats`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct StreamedOsdStats {
    /// `osd`, `None` when absent or not an integer.
    pub osd: Option<i64>,
    /// `perf_stat.apply_latency_ms`, `None` when absent.
    pub apply_latency_ms: Option<Number>,
    /// `perf_stat.commit_latency_ms`, `None` when absent.
    pub commit_latency_ms: Option<Number>,
}

/// `pg_map.pg_stats_sum.stat_sum`'s object counts, as [`PgDumpReader`] hands them to
/// [`PgDumpVisitor::stats_sum`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct StreamedStatsSum {
    /// `num_objects_degraded`, `None` when absent.
    pub num_objects_degraded: Option<Number>,
    /// `num_objects_misplaced`, `None` when absent.
    pub num_objects_misplaced: Option<Number>,
    /// `num_objects_unfound`, `None` when absent.
    pub num_objects_unfound: Option<Number>,
}

/// What [`PgDumpReader::visit`] calls for each part of the PG map, in document order. Every
/// method has a default that ignores its part.
///
/// The strings of a [`StreamedPg`] borrow the reader's scratch space: copy what you keep.
pub trait PgDumpVisitor {
    /// Called for each PG of `pg_stats`.
    fn pg(&mut self, pg: StreamedPg<'_>) {
        let _ = pg;
    }

    /// Whether to read the `acting_primary` of a PG in state `state` (default: no). The rest
    /// of a PG is passed over as soon as what is wanted is read, so answering `false` for
    /// most PGs keeps the reader fast.
    fn wants_acting_primary(&mut self, state: &str) -> bool {
        let _ = state;
        false
    }

    /// Called for each entry of `pool_stats`.
    fn pool_stats(&mut self, stats: StreamedPoolStats) {
        let _ = stats;
    }

    /// Called for each entry of `osd_stats`.
    fn osd_stats(&mut self, stats: StreamedOsdStats) {
        let _ = stats;
    }

    /// Called once for `pg_stats_sum`, when the document has it.
    fn stats_sum(&mut self, sum: StreamedStatsSum) {
        let _ = sum;
    }
}

/// Reads a `pg dump` document from an [`std::io::Read`] in one pass, handing its PGs, pool
/// and OSD statistics and totals to a [`PgDumpVisitor`], with a fixed-size buffer.
///
/// It reads the full dump (`ceph pg dump -f json`, the PG map under `pg_map`), the Luminous
/// layout (the map's fields at the top level), and the two smaller dumps a client may ask for
/// instead ([`Command::PgDumpBrief`], [`Command::PgDumpSum`]). Errors carry the byte offset
/// from the start of the document ([`Error::offset`]) and the command set with
/// [`PgDumpReader::command`]; no input makes it panic, and nothing it allocates is sized by a
/// number read from the input (strings are capped at 4 KiB, nesting at 128 levels).
///
/// ```
/// use ceph_types::{PgDumpReader, PgDumpVisitor, StreamedPg};
///
/// #[derive(Default)]
/// struct Count { pgs: usize, creating_on: Vec<i64> }
///
/// impl PgDumpVisitor for Count {
///     fn pg(&mut self, pg: StreamedPg<'_>) {
///         self.pgs += 1;
///         if pg.states().any(|s| s == "creating") {
///             self.creating_on.extend(pg.acting_primary);
///         }
///     }
///     fn wants_acting_primary(&mut self, state: &str) -> bool {
///         state.split('+').any(|s| s == "creating")
///     }
/// }
///
/// let text = r#"{"pg_ready": true, "pg_map": {"pg_stats": [
///     {"pgid": "1.0", "state": "active+clean", "acting_primary": 0},
///     {"pgid": "1.1", "state": "creating+peering", "acting_primary": 2}]}}"#;
/// let mut count = Count::default();
/// PgDumpReader::new(text.as_bytes()).visit(&mut count)?;
/// assert_eq!((count.pgs, count.creating_on), (2, vec![2]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PgDumpReader<R> {
    reader: R,
    command: Command,
    chunk: usize,
}

impl<R: Read> PgDumpReader<R> {
    /// A reader of `reader`'s `pg dump` output, with 1 MiB chunks.
    pub fn new(reader: R) -> Self {
        PgDumpReader {
            reader,
            command: Command::PgDump,
            chunk: CHUNK,
        }
    }

    /// The command whose output this is, for errors (default [`Command::PgDump`]).
    #[must_use]
    pub fn command(mut self, command: Command) -> Self {
        self.command = command;
        self
    }

    /// The read buffer's size in bytes (default 1 MiB; clamped to 1 byte .. 64 MiB). The
    /// result does not depend on it.
    #[must_use]
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk = bytes.clamp(1, 64 << 20);
        self
    }

    /// Reads the whole document, calling `visitor` for each part in document order.
    ///
    /// # Errors
    ///
    /// [`Error::Stream`] when the document is not a PG map (malformed JSON, a PG without
    /// `pgid` or `state`, a pool entry without `poolid`, a string longer than 4 KiB, nesting
    /// deeper than 128 levels, trailing characters), [`Error::Read`] when the reader fails;
    /// both with the byte offset. Parts visited before the error were visited.
    pub fn visit<V: PgDumpVisitor + ?Sized>(self, visitor: &mut V) -> Result<()> {
        let mut s = Scanner::new(self.reader, self.command, self.chunk);
        let mut walk = Walk {
            visitor,
            key: Vec::new(),
            pgid: Vec::new(),
            state: Vec::new(),
            num: Vec::new(),
        };
        let mut key = Vec::new();
        s.object(&mut key, |s, k| {
            if k == b"pg_map" {
                let mut key = Vec::new();
                s.object(&mut key, |s, k| walk.map_key(s, k))
            } else {
                // Luminous prints the PG map's fields at the top level.
                walk.map_key(s, k)
            }
        })?;
        // Only whitespace may follow.
        while s.fill()? {
            if matches!(s.buf[s.pos], b' ' | b'\n' | b'\r' | b'\t') {
                s.pos += 1;
            } else {
                return s.err("trailing characters");
            }
        }
        Ok(())
    }
}

impl crate::PgDump<'_> {
    /// Hands this parsed dump to `visitor` as [`PgDumpReader::visit`] hands the same text,
    /// for code that already holds the model: the same calls, in the same order within each
    /// kind (the reader follows the document; this calls PGs, pool statistics, OSD statistics,
    /// then the totals), with the model's values (`num_objects_repaired` is 0 where a release
    /// lacks it, latencies are floats).
    ///
    /// ```
    /// use ceph_types::{PgDump, PgDumpVisitor, StreamedPg};
    ///
    /// struct Pools(Vec<String>);
    /// impl PgDumpVisitor for Pools {
    ///     fn pg(&mut self, pg: StreamedPg<'_>) {
    ///         self.0.push(pg.pool().to_owned());
    ///     }
    /// }
    ///
    /// let dump = PgDump::parse(r#"{"pg_map": {"pg_stats": [{"pgid": "3.1f", "state": "active+clean",
    ///     "stat_sum": {}, "up": [], "acting": []}]}}"#)?;
    /// let mut pools = Pools(Vec::new());
    /// dump.visit(&mut pools);
    /// assert_eq!(pools.0, ["3"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visit<V: PgDumpVisitor + ?Sized>(&self, visitor: &mut V) {
        let m = &self.pg_map;
        for p in &m.pg_stats {
            let state = p.state.as_str();
            let acting_primary = if visitor.wants_acting_primary(state) {
                p.acting_primary.map(i64::from)
            } else {
                None
            };
            visitor.pg(StreamedPg {
                pgid: &p.pgid,
                state,
                acting_primary,
            });
        }
        for p in &m.pool_stats {
            visitor.pool_stats(StreamedPoolStats {
                poolid: p.poolid,
                num_objects_repaired: Some(Number::Uint(p.stat_sum.num_objects_repaired)),
            });
        }
        for o in &m.osd_stats {
            visitor.osd_stats(StreamedOsdStats {
                osd: o.osd,
                apply_latency_ms: Some(Number::Float(o.perf_stat.apply_latency_ms)),
                commit_latency_ms: Some(Number::Float(o.perf_stat.commit_latency_ms)),
            });
        }
        if let Some(sum) = &m.pg_stats_sum {
            let s = &sum.stat_sum;
            visitor.stats_sum(StreamedStatsSum {
                num_objects_degraded: Some(Number::Uint(s.num_objects_degraded)),
                num_objects_misplaced: Some(Number::Uint(s.num_objects_misplaced)),
                num_objects_unfound: Some(Number::Uint(s.num_objects_unfound)),
            });
        }
    }
}

/// The visitor and the scratch buffers of one read.
struct Walk<'v, V: ?Sized> {
    visitor: &'v mut V,
    key: Vec<u8>,
    pgid: Vec<u8>,
    state: Vec<u8>,
    num: Vec<u8>,
}

fn as_i64(v: Number) -> Option<i64> {
    match v {
        Number::Uint(u) => i64::try_from(u).ok(),
        Number::Int(i) => Some(i),
        Number::Float(_) => None,
    }
}

impl<V: PgDumpVisitor + ?Sized> Walk<'_, V> {
    fn pg<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let (mut has_id, mut has_state) = (false, false);
        let mut primary = None;
        let (mut wanted, mut has_primary) = (false, false);
        let Walk {
            visitor,
            key,
            pgid,
            state,
            num,
        } = self;
        pgid.clear();
        state.clear();
        // A PG is about 100 keys of which 3 are read: rather than tokenizing every key and
        // value, go from quote to bracket to quote; a string at depth 1 followed by `:` is a
        // key, everything else is passed over.
        s.expect(b'{', "expected an object")?;
        let mut depth = 1usize;
        loop {
            if !s.fill()? {
                return s.err("unexpected end of input");
            }
            let chunk = &s.buf[s.pos..s.end];
            let Some(i) = find_structural(chunk) else {
                s.pos = s.end;
                continue;
            };
            let b = chunk[i];
            s.pos += i;
            // Once the pgid and state are known, and the acting primary too or not wanted,
            // the rest of the PG is only passed over.
            if has_id && has_state && (has_primary || !wanted) {
                s.skip_to_close(depth)?;
                break;
            }
            match b {
                b'"' if depth == 1 => {
                    s.string(key)?;
                    if s.peek()? != b':' {
                        continue;
                    }
                    s.pos += 1;
                    match key.as_slice() {
                        b"pgid" => {
                            has_id = true;
                            s.string(pgid)?;
                        }
                        b"state" => {
                            has_state = true;
                            s.string(state)?;
                            wanted = std::str::from_utf8(state)
                                .is_ok_and(|st| visitor.wants_acting_primary(st));
                        }
                        b"acting_primary" => {
                            primary = s.null_or(|s| s.number(num))?.and_then(as_i64);
                            has_primary = true;
                        }
                        _ => {}
                    }
                }
                b'"' => {
                    s.pos += 1;
                    s.skip_string_body()?;
                }
                b'{' | b'[' => {
                    s.pos += 1;
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return s.err("nested too deeply");
                    }
                }
                _ => {
                    s.pos += 1;
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
        }
        if !has_id || !has_state {
            return s.err("PG without `pgid` or `state`");
        }
        let (Ok(pgid), Ok(state)) = (std::str::from_utf8(pgid), std::str::from_utf8(state)) else {
            return s.err("PG id or state is not UTF-8");
        };
        visitor.pg(StreamedPg {
            pgid,
            state,
            acting_primary: primary,
        });
        Ok(())
    }

    fn pool_stat<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let ([pool], [repaired]) = numbers(s, [b"poolid"], b"stat_sum", [b"num_objects_repaired"])?;
        match pool.and_then(as_i64) {
            Some(poolid) => {
                self.visitor.pool_stats(StreamedPoolStats {
                    poolid,
                    num_objects_repaired: repaired,
                });
                Ok(())
            }
            None => s.err("pool stats without `poolid`"),
        }
    }

    fn osd_stat<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let ([osd], [apply, commit]) = numbers(
            s,
            [b"osd"],
            b"perf_stat",
            [b"apply_latency_ms", b"commit_latency_ms"],
        )?;
        self.visitor.osd_stats(StreamedOsdStats {
            osd: osd.and_then(as_i64),
            apply_latency_ms: apply,
            commit_latency_ms: commit,
        });
        Ok(())
    }

    fn stats_sum<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let ([], [degraded, misplaced, unfound]) = numbers(
            s,
            [],
            b"stat_sum",
            [
                b"num_objects_degraded",
                b"num_objects_misplaced",
                b"num_objects_unfound",
            ],
        )?;
        self.visitor.stats_sum(StreamedStatsSum {
            num_objects_degraded: degraded,
            num_objects_misplaced: misplaced,
            num_objects_unfound: unfound,
        });
        Ok(())
    }

    /// One key of the PG map (or of a Luminous top level).
    fn map_key<R: Read>(&mut self, s: &mut Scanner<R>, k: &[u8]) -> Result<()> {
        match k {
            b"pg_stats" => s.array(|s| self.pg(s)),
            b"pool_stats" => s.array(|s| self.pool_stat(s)),
            b"osd_stats" => s.array(|s| self.osd_stat(s)),
            b"pg_stats_sum" => self.stats_sum(s),
            _ => s.skip_value(),
        }
    }
}

/// The numbers found at the top keys and at the nested keys.
type Numbers<const A: usize, const B: usize> = ([Option<Number>; A], [Option<Number>; B]);

/// Reads the numbers at keys `top` of an object and at keys `inner` of its `nested` object
/// (absent keys are `None`), skipping everything else.
fn numbers<R: Read, const A: usize, const B: usize>(
    s: &mut Scanner<R>,
    top: [&[u8]; A],
    nested: &[u8],
    inner: [&[u8]; B],
) -> Result<Numbers<A, B>> {
    let (mut a, mut b) = ([None; A], [None; B]);
    let (mut key, mut key2, mut num) = (Vec::new(), Vec::new(), Vec::new());
    s.object(&mut key, |s, k| {
        if let Some(i) = top.iter().position(|t| *t == k) {
            a[i] = Some(s.number(&mut num)?);
            Ok(())
        } else if k == nested {
            s.object(&mut key2, |s, k| match inner.iter().position(|t| *t == k) {
                Some(i) => {
                    b[i] = Some(s.number(&mut num)?);
                    Ok(())
                }
                None => s.skip_value(),
            })
        } else {
            s.skip_value()
        }
    })?;
    Ok((a, b))
}

struct Scanner<R> {
    r: R,
    command: Command,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset of `buf[0]` in the document.
    base: u64,
    eof: bool,
}

impl<R: Read> Scanner<R> {
    fn new(r: R, command: Command, chunk: usize) -> Self {
        Scanner {
            r,
            command,
            buf: vec![0; chunk.max(1)],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    fn err<T>(&self, what: &'static str) -> Result<T> {
        Err(Error::Stream {
            command: self.command,
            offset: self.base + self.pos as u64,
            reason: what,
        })
    }

    /// Refills the buffer when it is used up; `false` at the end of the input.
    #[inline]
    fn fill(&mut self) -> Result<bool> {
        if self.pos < self.end {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.r.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::Read {
                        command: self.command,
                        offset: self.base,
                        source: e,
                    });
                }
            }
        }
    }

    #[inline]
    fn next(&mut self) -> Result<u8> {
        if !self.fill()? {
            return self.err("unexpected end of input");
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    /// The next byte that is not whitespace, without consuming it.
    #[inline]
    fn peek(&mut self) -> Result<u8> {
        loop {
            if !self.fill()? {
                return self.err("unexpected end of input");
            }
            let b = self.buf[self.pos];
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Ok(b);
            }
        }
    }

    fn expect(&mut self, want: u8, what: &'static str) -> Result<()> {
        if self.peek()? == want {
            self.pos += 1;
            Ok(())
        } else {
            self.err(what)
        }
    }

    /// After a value inside an object or array: `true` for `,`, `false` for `close`.
    fn more(&mut self, close: u8) -> Result<bool> {
        match self.peek()? {
            b',' => {
                self.pos += 1;
                Ok(true)
            }
            b if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => self.err("expected `,` or the end of the object or array"),
        }
    }

    /// Reads a string (the opening quote next), decoding escapes into `out`.
    fn string(&mut self, out: &mut Vec<u8>) -> Result<()> {
        out.clear();
        self.expect(b'"', "expected a string")?;
        loop {
            if !self.fill()? {
                return self.err("unterminated string");
            }
            // Copy the run up to the next quote or backslash.
            let chunk = &self.buf[self.pos..self.end];
            let run = find_quote(chunk).unwrap_or(chunk.len());
            if out.len() + run > MAX_STRING {
                return self.err("string too long");
            }
            out.extend_from_slice(&chunk[..run]);
            self.pos += run;
            if self.pos == self.end {
                continue;
            }
            match self.next()? {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.next()?;
                    let c = match e {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let mut v = 0u32;
                            for _ in 0..4 {
                                let h = self.next()?;
                                let d = (h as char).to_digit(16);
                                match d {
                                    Some(d) => v = v * 16 + d,
                                    None => return self.err("invalid \\u escape"),
                                }
                            }
                            // Surrogates are kept as U+FFFD: no field read here has them.
                            let ch = char::from_u32(v).unwrap_or('\u{fffd}');
                            let mut tmp = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                            continue;
                        }
                        _ => return self.err("invalid escape"),
                    };
                    out.push(c);
                }
                _ => return self.err("unterminated string"),
            }
        }
    }

    /// Skips a string (the opening quote consumed).
    fn skip_string_body(&mut self) -> Result<()> {
        loop {
            if !self.fill()? {
                return self.err("unterminated string");
            }
            let chunk = &self.buf[self.pos..self.end];
            match find_quote(chunk) {
                Some(i) => {
                    self.pos += i + 1;
                    if chunk[i] == b'\\' {
                        self.next()?;
                    } else {
                        return Ok(());
                    }
                }
                None => self.pos = self.end,
            }
        }
    }

    /// Skips one value of any kind.
    fn skip_value(&mut self) -> Result<()> {
        match self.peek()? {
            b'{' | b'[' => self.skip_container(),
            b'"' => {
                self.pos += 1;
                self.skip_string_body()
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                // A number or a literal: the rest of its run.
                while self.fill()? {
                    let chunk = &self.buf[self.pos..self.end];
                    let n = chunk
                        .iter()
                        .position(|&b| SCALAR[usize::from(b)] == 0)
                        .unwrap_or(chunk.len());
                    self.pos += n;
                    if self.pos < self.end {
                        break;
                    }
                }
                Ok(())
            }
            _ => self.err("unexpected character"),
        }
    }

    /// Skips an object or array (its opening bracket next): only strings and brackets are
    /// looked at, everything between them is passed over.
    fn skip_container(&mut self) -> Result<()> {
        self.skip_to_close(0)
    }

    /// Skips to just after the bracket that closes the container the position is in, `depth`
    /// levels down (0: the container starts at the position). The position must not be inside
    /// a string.
    ///
    /// Where 64 bytes without a backslash are at hand they are classified at once: quotes,
    /// brackets and the bytes inside strings as 64-bit masks, so only brackets outside strings
    /// are looked at one by one. Anything else goes a token at a time.
    fn skip_to_close(&mut self, mut depth: usize) -> Result<()> {
        let mut in_string = false;
        loop {
            if in_string {
                self.skip_string_body()?;
                in_string = false;
            }
            if !self.fill()? {
                return self.err("unexpected end of input");
            }
            if self.end - self.pos >= 64 {
                let block = Block::new(&self.buf[self.pos..self.pos + 64]);
                if block.backslash == 0 {
                    let inside = prefix_xor(block.quote);
                    let mut brackets = (block.open | block.close) & !inside;
                    while brackets != 0 {
                        let i = brackets.trailing_zeros();
                        if block.open >> i & 1 == 1 {
                            depth += 1;
                            if depth > MAX_DEPTH {
                                self.pos += i as usize;
                                return self.err("nested too deeply");
                            }
                        } else {
                            if depth == 0 {
                                self.pos += i as usize;
                                return self.err("unexpected end of object or array");
                            }
                            depth -= 1;
                            if depth == 0 {
                                self.pos += i as usize + 1;
                                return Ok(());
                            }
                        }
                        brackets &= brackets - 1;
                    }
                    self.pos += 64;
                    in_string = inside >> 63 == 1;
                    continue;
                }
            }
            // One token.
            let chunk = &self.buf[self.pos..self.end];
            let Some(i) = find_structural(chunk) else {
                self.pos = self.end;
                continue;
            };
            let b = chunk[i];
            self.pos += i + 1;
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        self.pos -= 1;
                        return self.err("nested too deeply");
                    }
                }
                _ => {
                    if depth == 0 {
                        self.pos -= 1;
                        return self.err("unexpected end of object or array");
                    }
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Reads a number as written (integers exact).
    fn number(&mut self, scratch: &mut Vec<u8>) -> Result<Number> {
        self.peek()?;
        scratch.clear();
        while self.fill()? {
            let b = self.buf[self.pos];
            if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E') {
                if scratch.len() == 64 {
                    return self.err("number too long");
                }
                scratch.push(b);
                self.pos += 1;
            } else {
                break;
            }
        }
        let text = std::str::from_utf8(scratch).unwrap_or("");
        if let Ok(v) = text.parse::<u64>() {
            Ok(Number::Uint(v))
        } else if let Ok(v) = text.parse::<i64>() {
            Ok(Number::Int(v))
        } else if !text.is_empty()
            && let Ok(v) = text.parse::<f64>()
        {
            Ok(Number::Float(v))
        } else {
            self.err("expected a number")
        }
    }

    /// Calls `f` with each key of an object (the opening brace next); `f` must consume the
    /// value.
    fn object(
        &mut self,
        key: &mut Vec<u8>,
        mut f: impl FnMut(&mut Self, &[u8]) -> Result<()>,
    ) -> Result<()> {
        self.expect(b'{', "expected an object")?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.string(key)?;
            self.expect(b':', "expected `:`")?;
            let k = std::mem::take(key);
            let r = f(self, &k);
            *key = k;
            r?;
            if !self.more(b'}')? {
                return Ok(());
            }
        }
    }

    /// Calls `f` for each element of an array (the opening bracket next).
    fn array(&mut self, mut f: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.expect(b'[', "expected an array")?;
        if self.peek()? == b']' {
            self.pos += 1;
            return Ok(());
        }
        loop {
            f(self)?;
            if !self.more(b']')? {
                return Ok(());
            }
        }
    }

    fn null_or<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.peek()? == b'n' {
            self.skip_value()?;
            return Ok(None);
        }
        f(self).map(Some)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a read hands out, with the acting primary of every PG or of none.
    #[derive(Debug, Default, PartialEq)]
    struct Record {
        all_primaries: bool,
        pgs: Vec<(String, String, Option<i64>)>,
        pools: Vec<(i64, Option<f64>)>,
        osds: Vec<(Option<i64>, Option<u64>, Option<u64>)>,
        sum: Option<[Option<f64>; 3]>,
    }

    fn bits(n: Option<Number>) -> Option<u64> {
        n.map(|n| n.as_f64().to_bits())
    }

    impl PgDumpVisitor for Record {
        fn pg(&mut self, pg: StreamedPg<'_>) {
            let primary = if self.all_primaries {
                pg.acting_primary
            } else {
                None
            };
            self.pgs
                .push((pg.pgid.to_owned(), pg.state.to_owned(), primary));
        }
        fn wants_acting_primary(&mut self, _: &str) -> bool {
            self.all_primaries
        }
        fn pool_stats(&mut self, s: StreamedPoolStats) {
            self.pools
                .push((s.poolid, s.num_objects_repaired.map(Number::as_f64)));
        }
        fn osd_stats(&mut self, s: StreamedOsdStats) {
            self.osds
                .push((s.osd, bits(s.apply_latency_ms), bits(s.commit_latency_ms)));
        }
        fn stats_sum(&mut self, s: StreamedStatsSum) {
            let f = |n: Option<Number>| n.map(Number::as_f64);
            self.sum = Some([
                f(s.num_objects_degraded),
                f(s.num_objects_misplaced),
                f(s.num_objects_unfound),
            ]);
        }
    }

    /// What the model ([`crate::PgDump`]) reads from `text`.
    fn reference(text: &str, all_primaries: bool) -> Record {
        let dump = crate::PgDump::parse(text).unwrap();
        let m = &dump.pg_map;
        Record {
            all_primaries,
            pgs: m
                .pg_stats
                .iter()
                .map(|p| {
                    let primary = all_primaries
                        .then(|| p.acting_primary.map(i64::from))
                        .flatten();
                    (p.pgid.to_string(), p.state.as_str().to_owned(), primary)
                })
                .collect(),
            pools: m
                .pool_stats
                .iter()
                .map(|p| (p.poolid, Some(p.stat_sum.num_objects_repaired as f64)))
                .collect(),
            osds: m
                .osd_stats
                .iter()
                .map(|o| {
                    (
                        o.osd,
                        Some(o.perf_stat.apply_latency_ms.to_bits()),
                        Some(o.perf_stat.commit_latency_ms.to_bits()),
                    )
                })
                .collect(),
            sum: m.pg_stats_sum.as_ref().map(|s| {
                let s = &s.stat_sum;
                [
                    Some(s.num_objects_degraded as f64),
                    Some(s.num_objects_misplaced as f64),
                    Some(s.num_objects_unfound as f64),
                ]
            }),
        }
    }

    fn read(bytes: &[u8], chunk: usize, all_primaries: bool) -> Result<Record> {
        let mut r = Record {
            all_primaries,
            ..Record::default()
        };
        PgDumpReader::new(bytes).chunk_size(chunk).visit(&mut r)?;
        Ok(r)
    }

    /// Every `pg_dump*.json` under `testdata/ceph`.
    fn fixtures() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/ceph");
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("pg_dump") && n.ends_with(".json"))
                {
                    out.push((
                        p.display().to_string(),
                        std::fs::read_to_string(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn agrees_with_the_model_on_every_captured_dump_at_any_chunk_size() {
        let all = fixtures();
        assert!(all.len() >= 4, "{}", all.len());
        for (path, text) in &all {
            for primaries in [false, true] {
                let want = reference(text, primaries);
                assert!(!want.pgs.is_empty(), "{path}");
                for chunk in [1, 2, 7, 64, 4096, CHUNK] {
                    let got = read(text.as_bytes(), chunk, primaries).unwrap();
                    assert_eq!(got, want, "{path} chunk {chunk} primaries {primaries}");
                }
            }
        }
    }

    #[test]
    fn the_model_visits_what_the_stream_visits() {
        for (path, text) in &fixtures() {
            for primaries in [false, true] {
                let dump = crate::PgDump::parse(text).unwrap();
                let mut want = Record {
                    all_primaries: primaries,
                    ..Record::default()
                };
                dump.visit(&mut want);
                assert_eq!(
                    read(text.as_bytes(), CHUNK, primaries).unwrap(),
                    want,
                    "{path}"
                );
            }
        }
    }

    /// `pg dump pgs_brief pools osds` and `pg dump sum` as the mgr prints them, from a full
    /// `pg dump` (`{"pg_ready", <sections at the top level>}` and `{"pg_ready", "pg_map":
    /// {<basic fields>}}`).
    fn split(text: &str) -> (String, String) {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let map = &v["pg_map"];
        let brief_pgs: Vec<serde_json::Value> = map["pg_stats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                serde_json::json!({"pgid": p["pgid"], "state": p["state"], "up": p["up"],
                    "acting": p["acting"], "up_primary": p["up_primary"],
                    "acting_primary": p["acting_primary"]})
            })
            .collect();
        let brief = serde_json::json!({"pg_ready": true, "pool_stats": map["pool_stats"],
            "osd_stats": map["osd_stats"], "pg_stats": brief_pgs});
        let sum = serde_json::json!({"pg_ready": true, "pg_map": {"version": map["version"],
            "pg_stats_sum": map["pg_stats_sum"], "osd_stats_sum": map["osd_stats_sum"]}});
        (brief.to_string(), sum.to_string())
    }

    #[test]
    fn split_dumps_hold_the_parts_of_the_full_dump() {
        for (path, text) in &fixtures() {
            let (brief, sum) = split(text);
            let want = reference(text, true);
            let b = read(brief.as_bytes(), CHUNK, true).unwrap();
            let s = read(sum.as_bytes(), CHUNK, true).unwrap();
            assert!(
                s.pgs.is_empty() && s.osds.is_empty() && b.sum.is_none(),
                "{path}"
            );
            // The sections of the brief dump come in another order.
            let mut pgs = want.pgs.clone();
            pgs.sort();
            let mut got = b.pgs.clone();
            got.sort();
            assert_eq!(got, pgs, "{path}");
            assert_eq!((b.pools, b.osds), (want.pools, want.osds), "{path}");
            assert_eq!(s.sum, want.sum, "{path}");
        }
    }

    #[test]
    fn table() {
        /// The first PG's pgid and acting primary (read for every state), PGs read.
        type Want = Option<(&'static str, Option<i64>, usize)>;
        let cases: [(&str, Want); 8] = [
            (
                r#"{"pg_ready":true,"pg_map":{"pg_stats":[{"state":"creating+peering","pgid":"7.a","acting_primary":3,"x":[{"y":"\"]}"}]}]}}"#,
                Some(("7.a", Some(3), 1)),
            ),
            // Luminous layout, whitespace, escapes, nan in a skipped field.
            (
                "{ \"pg_stats\" : [ { \"pgid\" : \"1\\u002e0\", \"state\" : \"active+clean\", \"f\": -nan } ] }\n",
                Some(("1.0", None, 1)),
            ),
            (
                r#"{"pg_stats":[{"pgid":"1.0","state":"x","acting_primary":null},{"pgid":"1.1","state":"y"}]}"#,
                Some(("1.0", None, 2)),
            ),
            (r#"{"pg_map":{"pg_stats":[{"pgid":"1.0"}]}}"#, None),
            (
                r#"{"pg_map":{"pg_stats":[{"pgid":"1.0","state":"active"}]}"#,
                None,
            ),
            (r#"{"pg_map":{"pg_stats":[]}} x"#, None),
            (r#"{"pg_map":{"pool_stats":[{"stat_sum":{}}]}}"#, None),
            (r#"[1,2]"#, None),
        ];
        for (text, want) in cases {
            let got = read(text.as_bytes(), 3, true);
            match want {
                Some((pgid, primary, n)) => {
                    let r = got.unwrap();
                    assert_eq!(r.pgs[0].0, pgid, "{text}");
                    assert_eq!(r.pgs[0].2, primary, "{text}");
                    assert_eq!(r.pgs.len(), n, "{text}");
                }
                None => assert!(matches!(got, Err(Error::Stream { .. })), "{text}"),
            }
        }
    }

    #[test]
    fn errors_carry_the_command_and_offset_and_deep_nesting_is_refused() {
        let text = br#"{"pg_map": {"pg_stats": [{"pgid": "1.0", "state": 5}]}}"#;
        let err = PgDumpReader::new(&text[..])
            .command(Command::PgDumpBrief)
            .visit(&mut Record::default())
            .unwrap_err();
        // The `5` where a string was expected.
        assert_eq!(err.offset(), Some(50));
        assert_eq!(err.command(), Command::PgDumpBrief);
        assert_eq!(
            err.to_string(),
            "`pg dump pgs_brief pools osds` output is not a readable PG map at byte 50: expected a string"
        );
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(read(deep.as_bytes(), CHUNK, false).is_err());
        let ok = format!("{{\"x\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(read(ok.as_bytes(), CHUNK, false).is_ok());
        let long = format!(
            r#"{{"pg_stats":[{{"pgid":"{}","state":"x"}}]}}"#,
            "9".repeat(5000)
        );
        let err = read(long.as_bytes(), CHUNK, false).unwrap_err();
        assert!(err.to_string().ends_with("string too long"), "{err}");
    }

    #[test]
    fn read_errors_are_reported_with_the_offset() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let text = br#"{"pg_map": {"pg_stats": ["#;
                if self.0 < text.len() {
                    let n = (text.len() - self.0).min(buf.len());
                    buf[..n].copy_from_slice(&text[self.0..self.0 + n]);
                    self.0 += n;
                    Ok(n)
                } else {
                    Err(std::io::Error::other("disk on fire"))
                }
            }
        }
        let err = PgDumpReader::new(Failing(0))
            .visit(&mut Record::default())
            .unwrap_err();
        assert!(matches!(err, Error::Read { offset: 25, .. }), "{err:?}");
        assert_eq!(
            std::error::Error::source(&err).map(ToString::to_string),
            Some("disk on fire".to_owned())
        );
    }

    /// Strings with quotes, backslashes and brackets in skipped fields, around block and
    /// chunk boundaries.
    #[test]
    fn tricky_skipped_strings_agree_with_the_model() {
        let tricky = [
            r#"a\"}]{["#,
            r#"\\"#,
            r#"x\\\"]"#,
            r#"{\"pgid\":\"9.9\",\"state\":\"creating\"}"#,
            "",
            r#"\u005d\u007b"#,
        ];
        let mut pgs = Vec::new();
        for i in 0..300 {
            let t = tricky[i % tricky.len()];
            let pad = "p".repeat(i % 97);
            pgs.push(format!(
                r#"{{"pgid":"{pool}.{i:x}","version":"{t}","state":"{state}","last_scrub":"{pad}{t}","stat_sum":{{"num_objects":{i},"nested":[{{"s":"{t}"}},[]]}},"acting_primary":{p},"up":[1,2]}}"#,
                pool = i % 3 + 1,
                state = if i % 11 == 0 { "creating+peering" } else { "active+clean" },
                p = i % 5,
            ));
        }
        let text = format!(
            r#"{{"pg_ready":true,"pg_map":{{"pg_stats":[{}],"pool_stats":[],"osd_stats":[]}}}}"#,
            pgs.join(",")
        );
        for primaries in [false, true] {
            let want = reference(&text, primaries);
            assert_eq!(want.pgs.len(), 300);
            for chunk in [63, 64, 65, 100, 1000, CHUNK] {
                let got = read(text.as_bytes(), chunk, primaries).unwrap();
                assert_eq!(got, want, "chunk {chunk}");
            }
        }
    }

    #[test]
    fn block_masks_match_a_byte_by_byte_reference() {
        let mut text = Vec::new();
        for i in 0..4096u32 {
            text.push(b"\"{}[]\\az#\x01\x7f\xff 0"[(i * 7 + i / 13) as usize % 14]);
        }
        for start in 0..text.len() - 64 {
            let bytes = &text[start..start + 64];
            let b = Block::new(bytes);
            let mask = |f: &dyn Fn(u8) -> bool| {
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| f(**c))
                    .fold(0u64, |m, (i, _)| m | 1 << i)
            };
            assert_eq!(b.quote, mask(&|c| c == b'"'));
            assert_eq!(b.backslash != 0, mask(&|c| c == b'\\') != 0);
            assert_eq!(b.open, mask(&|c| c == b'{' || c == b'['));
            assert_eq!(b.close, mask(&|c| c == b'}' || c == b']'));
        }
        for x in [0u64, 1, 0b1001, 1 << 63, u64::MAX, 0x8000_0000_0000_0001] {
            let mut inside = false;
            let mut want = 0u64;
            for i in 0..64 {
                inside ^= x >> i & 1 == 1;
                want |= u64::from(inside) << i;
            }
            assert_eq!(prefix_xor(x), want, "{x:#x}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_is_an_error_or_a_read_never_a_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            chunk in 1usize..64,
        ) {
            if let Err(e) = read(&bytes, chunk, true) {
                proptest::prop_assert!(e.offset().is_some_and(|o| o <= bytes.len() as u64));
            }
        }

        #[test]
        fn mutated_dumps_never_panic(
            at in 0usize..100_000,
            byte in proptest::prelude::any::<u8>(),
            chunk in 1usize..4096,
        ) {
            static FIRST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let text = FIRST.get_or_init(|| fixtures().swap_remove(0).1);
            let mut bytes = text.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = byte;
            let _ = read(&bytes, chunk, true);
        }
    }

    #[test]
    fn truncations_never_panic() {
        let (_, text) = &fixtures()[0];
        for cut in (0..text.len()).step_by(997) {
            let err = read(&text.as_bytes()[..cut], CHUNK, true).unwrap_err();
            assert!(err.offset().is_some_and(|o| o <= cut as u64), "cut {cut}");
        }
    }
}
