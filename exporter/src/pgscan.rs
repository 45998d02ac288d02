//! A streaming reader of `ceph pg dump -f json` that keeps only what the module reads.
//!
//! On a large cluster `pg dump` is the largest input by far (about 2.3 KB per PG: 230 MB for
//! 100,000 PGs) and the module needs a few bytes of each PG (pool, state, acting primary).
//! This reader goes through the document in fixed-size chunks, extracts those fields and
//! aggregates them on the fly, and skips everything else without decoding it, so the document
//! is never held whole. It is checked against the `ceph-types` model
//! ([`ceph_types::PgDump`]) on every captured dump (see the tests).
//!
//! Skipped values are checked for string and bracket structure only (not for commas, colons
//! or number syntax), so Ceph's bare `nan`/`-nan` tokens in fields the module does not read
//! are accepted. Within a PG, once its pgid, state and (for `creating` PGs) acting primary are
//! read, the rest is skipped 64 bytes at a time: quotes and brackets as bit masks, the bytes
//! inside strings by a prefix XOR of the quote mask (blocks with a backslash go token by
//! token).
//!
//! This is the one parser of the collector that does not go through `ceph-types`: the
//! model holds every field of every PG, which at 100,000 PGs costs a 230 MB buffer and a full
//! parse where the module needs three fields.

use std::collections::HashMap;
use std::io::Read;

use expfmt::Value;

use crate::pools::PgSummary;
use crate::spec::PG_STATES;

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

/// Why the document could not be read, and where (byte offset from its start).
#[derive(Debug)]
pub(crate) struct ScanError {
    pub(crate) offset: u64,
    pub(crate) kind: ScanErrorKind,
}

#[derive(Debug)]
pub(crate) enum ScanErrorKind {
    Io(std::io::Error),
    Syntax(&'static str),
}

type Result<T> = std::result::Result<T, ScanError>;

struct Scanner<R> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset of `buf[0]` in the document.
    base: u64,
    eof: bool,
}

impl<R: Read> Scanner<R> {
    fn new(r: R, chunk: usize) -> Self {
        Scanner {
            r,
            buf: vec![0; chunk.max(1)],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    fn err<T>(&self, what: &'static str) -> Result<T> {
        Err(ScanError {
            offset: self.base + self.pos as u64,
            kind: ScanErrorKind::Syntax(what),
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
                    return Err(ScanError {
                        offset: self.base,
                        kind: ScanErrorKind::Io(e),
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
    fn number(&mut self, scratch: &mut Vec<u8>) -> Result<Value> {
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
            Ok(Value::U64(v))
        } else if let Ok(v) = text.parse::<i64>() {
            Ok(Value::I64(v))
        } else if !text.is_empty()
            && let Ok(v) = text.parse::<f64>()
        {
            Ok(Value::F64(v))
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

/// What is collected while reading.
#[derive(Default)]
struct Acc {
    /// pool -> state -> PGs.
    by_pool: HashMap<String, HashMap<String, u64>>,
    creating: HashMap<i64, u64>,
    pool_repaired: Vec<(i64, Value)>,
    osd_latency: Vec<(i64, Value, Value)>,
    objects: [Option<Value>; 3],
    key: Vec<u8>,
    s1: Vec<u8>,
    s2: Vec<u8>,
    num: Vec<u8>,
}

fn as_i64(v: Value) -> Option<i64> {
    match v {
        Value::U64(u) => i64::try_from(u).ok(),
        Value::I64(i) => Some(i),
        Value::F64(_) => None,
    }
}

impl Acc {
    fn pg<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let (mut pgid, mut state) = (std::mem::take(&mut self.s1), std::mem::take(&mut self.s2));
        let (mut has_id, mut has_state) = (false, false);
        let mut primary = -1i64;
        let (mut creating, mut has_primary) = (false, false);
        let mut key = std::mem::take(&mut self.key);
        let mut num = std::mem::take(&mut self.num);
        // A PG is about 100 keys of which 3 are read: rather than tokenizing every key and
        // value, go from quote to bracket to quote; a string at depth 1 followed by `:` is a
        // key, everything else is passed over.
        let r = (|| -> Result<()> {
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
                // Once the pgid and state are known, and the acting primary too or not needed
                // (only `creating` PGs count it), the rest of the PG is only passed over.
                if has_id && has_state && (has_primary || !creating) {
                    return s.skip_to_close(depth);
                }
                match b {
                    b'"' if depth == 1 => {
                        s.string(&mut key)?;
                        if s.peek()? != b':' {
                            continue;
                        }
                        s.pos += 1;
                        match key.as_slice() {
                            b"pgid" => {
                                has_id = true;
                                s.string(&mut pgid)?;
                            }
                            b"state" => {
                                has_state = true;
                                s.string(&mut state)?;
                                creating = state.split(|&b| b == b'+').any(|p| p == b"creating");
                            }
                            b"acting_primary" => {
                                if let Some(v) = s.null_or(|s| s.number(&mut num))? {
                                    primary = as_i64(v).unwrap_or(-1);
                                }
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
                            return Ok(());
                        }
                    }
                }
            }
        })();
        self.key = key;
        self.num = num;
        r?;
        if !has_id || !has_state {
            self.s1 = pgid;
            self.s2 = state;
            return s.err("PG without `pgid` or `state`");
        }
        let (Ok(id), Ok(st)) = (std::str::from_utf8(&pgid), std::str::from_utf8(&state)) else {
            return s.err("PG id or state is not UTF-8");
        };
        let pool = id.split_once('.').map_or(id, |(p, _)| p);
        if !self.by_pool.contains_key(pool) {
            self.by_pool.insert(pool.to_owned(), HashMap::new());
        }
        let Some(states) = self.by_pool.get_mut(pool) else {
            return s.err("unreachable: pool just inserted");
        };
        match states.get_mut(st) {
            Some(n) => *n += 1,
            None => {
                states.insert(st.to_owned(), 1);
            }
        }
        if st.split('+').any(|p| p == "creating") {
            *self.creating.entry(primary).or_insert(0) += 1;
        }
        self.s1 = pgid;
        self.s2 = state;
        Ok(())
    }

    fn pool_stat<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let ([pool], [repaired]) = numbers(s, [b"poolid"], b"stat_sum", [b"num_objects_repaired"])?;
        match pool.and_then(as_i64) {
            Some(p) => {
                self.pool_repaired
                    .push((p, repaired.unwrap_or(Value::U64(0))));
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
        if let Some(o) = osd.and_then(as_i64) {
            let ms = |v: Option<Value>| Value::F64(v.map_or(0.0, Value::as_f64));
            self.osd_latency.push((o, ms(apply), ms(commit)));
        }
        Ok(())
    }

    fn stats_sum<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<()> {
        let ([], objects) = numbers(
            s,
            [],
            b"stat_sum",
            [
                b"num_objects_degraded",
                b"num_objects_misplaced",
                b"num_objects_unfound",
            ],
        )?;
        self.objects = objects.map(|v| Some(v.unwrap_or(Value::U64(0))));
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

    fn finish(self) -> PgSummary {
        let mut by_pool: Vec<(String, [u64; PG_STATES.len()], u64)> = self
            .by_pool
            .into_iter()
            .map(|(pool, states)| {
                let mut counts = [0u64; PG_STATES.len()];
                let mut total = 0;
                for (state, n) in states {
                    for part in state.split('+') {
                        if let Some(i) = PG_STATES.iter().position(|s| *s == part) {
                            counts[i] += n;
                        }
                    }
                    total += n;
                }
                (pool, counts, total)
            })
            .collect();
        by_pool.sort_by(|a, b| a.0.cmp(&b.0));
        PgSummary {
            by_pool,
            pool_repaired: self.pool_repaired,
            osd_latency: self.osd_latency,
            objects: self.objects,
            creating: self.creating,
        }
    }
}

/// The numbers found at the top keys and at the nested keys.
type Numbers<const A: usize, const B: usize> = ([Option<Value>; A], [Option<Value>; B]);

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

/// Reads a `pg dump` document from `r` into the module's summary.
pub(crate) fn summarize(r: impl Read) -> Result<PgSummary> {
    summarize_chunked(r, CHUNK)
}

fn summarize_chunked(r: impl Read, chunk: usize) -> Result<PgSummary> {
    let mut s = Scanner::new(r, chunk);
    let mut acc = Acc::default();
    let mut key = Vec::new();
    s.object(&mut key, |s, k| {
        if k == b"pg_map" {
            let mut key = Vec::new();
            s.object(&mut key, |s, k| acc.map_key(s, k))
        } else {
            // Luminous prints the PG map's fields at the top level.
            acc.map_key(s, k)
        }
    })?;
    // Only whitespace may follow.
    loop {
        if !s.fill()? {
            break;
        }
        if matches!(s.buf[s.pos], b' ' | b'\n' | b'\r' | b'\t') {
            s.pos += 1;
        } else {
            return s.err("trailing characters");
        }
    }
    Ok(acc.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt;

    fn reference(text: &str) -> PgSummary {
        let dump = ceph_types::PgDump::parse(text).unwrap();
        PgSummary::new(&adapt::pg(&dump))
    }

    fn same(a: &PgSummary, b: &PgSummary) -> bool {
        let bits = |v: &Value| (v.as_f64().to_bits(), matches!(v, Value::F64(_)));
        a.by_pool == b.by_pool
            && a.creating == b.creating
            && a.pool_repaired.len() == b.pool_repaired.len()
            && a.pool_repaired
                .iter()
                .zip(&b.pool_repaired)
                .all(|(x, y)| x.0 == y.0 && x.1.as_f64() == y.1.as_f64())
            && a.osd_latency.len() == b.osd_latency.len()
            && a.osd_latency
                .iter()
                .zip(&b.osd_latency)
                .all(|(x, y)| x.0 == y.0 && bits(&x.1) == bits(&y.1) && bits(&x.2) == bits(&y.2))
            && a.objects
                .iter()
                .zip(&b.objects)
                .all(|(x, y)| x.map(Value::as_f64) == y.map(Value::as_f64))
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
            let want = reference(text);
            for chunk in [1, 2, 7, 64, 4096, CHUNK] {
                let got = summarize_chunked(text.as_bytes(), chunk).unwrap();
                assert!(same(&got, &want), "{path} chunk {chunk}");
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
    fn split_dumps_merge_to_the_full_summary() {
        for (path, text) in &fixtures() {
            let (brief, sum) = split(text);
            let mut got = summarize(brief.as_bytes()).unwrap();
            let s = summarize(sum.as_bytes()).unwrap();
            assert!(s.by_pool.is_empty() && s.osd_latency.is_empty());
            got.merge(s);
            assert!(same(&got, &reference(text)), "{path}");
        }
    }

    #[test]
    fn table() {
        /// Pool of the first PG, PGs counted, creating PGs on OSD 3.
        type Want = Option<(&'static str, u64, u64)>;
        let cases: [(&str, Want); 6] = [
            (
                r#"{"pg_ready":true,"pg_map":{"pg_stats":[{"state":"creating+peering","pgid":"7.a","acting_primary":3,"x":[{"y":"\"]}"}]}]}}"#,
                Some(("7", 1, 1)),
            ),
            // Luminous layout, whitespace, escapes, nan in a skipped field.
            (
                "{ \"pg_stats\" : [ { \"pgid\" : \"1\\u002e0\", \"state\" : \"active+clean\", \"f\": -nan } ] }\n",
                Some(("1", 1, 0)),
            ),
            (r#"{"pg_map":{"pg_stats":[{"pgid":"1.0"}]}}"#, None),
            (
                r#"{"pg_map":{"pg_stats":[{"pgid":"1.0","state":"active"}]}"#,
                None,
            ),
            (r#"{"pg_map":{"pg_stats":[]}} x"#, None),
            (r#"[1,2]"#, None),
        ];
        for (text, want) in cases {
            let got = summarize_chunked(text.as_bytes(), 3);
            match want {
                Some((pool, n, creating)) => {
                    let s = got.unwrap();
                    assert_eq!(s.by_pool[0].0, pool, "{text}");
                    assert_eq!(s.by_pool[0].2, n, "{text}");
                    assert_eq!(s.creating.get(&3).copied().unwrap_or(0), creating, "{text}");
                }
                None => assert!(got.is_err(), "{text}"),
            }
        }
    }

    #[test]
    fn errors_carry_the_offset_and_deep_nesting_is_refused() {
        let err = summarize(&br#"{"pg_map": {"pg_stats": [{"pgid": "1.0", "state": 5}]}}"#[..])
            .unwrap_err();
        // The `5` where a string was expected.
        assert_eq!(err.offset, 50);
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(summarize(deep.as_bytes()).is_err());
        let ok = format!("{{\"x\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(summarize(ok.as_bytes()).is_ok());
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
        let want = reference(&text);
        assert_eq!(want.by_pool.iter().map(|p| p.2).sum::<u64>(), 300);
        for chunk in [63, 64, 65, 100, 1000, CHUNK] {
            let got = summarize_chunked(text.as_bytes(), chunk).unwrap();
            assert!(same(&got, &want), "chunk {chunk}");
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
        fn arbitrary_input_is_an_error_or_a_summary_never_a_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            chunk in 1usize..64,
        ) {
            let _ = summarize_chunked(&bytes[..], chunk);
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
            let _ = summarize_chunked(&bytes[..], chunk);
        }
    }

    #[test]
    fn truncations_never_panic() {
        let (_, text) = &fixtures()[0];
        for cut in (0..text.len()).step_by(997) {
            assert!(summarize(&text.as_bytes()[..cut]).is_err(), "cut {cut}");
        }
    }
}
