//! Byte sinks: the caller's `Vec<u8>`, and a small stack buffer that gathers the end of a
//! sample line so it reaches the output in one copy.

/// Something bytes are appended to.
pub(crate) trait Out {
    /// Appends `s`.
    fn put(&mut self, s: &[u8]);
    /// Appends one byte.
    fn put_byte(&mut self, b: u8);

    /// Appends the decimal digits of `n`.
    #[inline]
    fn put_u64(&mut self, n: u64) {
        let mut buf = [0u8; 20];
        let start = digits_into(&mut buf, n);
        self.put(&buf[start..]);
    }

    /// Appends the six digits of `frac` (below 10⁶, leading zeros kept) without their
    /// trailing zeros; `frac` is not zero.
    #[inline(always)]
    fn put_fraction6(&mut self, frac: u64) {
        let (d, len) = fraction6(frac);
        self.put(&d[..len]);
    }
}

/// The digits of `n` (below 10⁸) right-aligned in 8 bytes, and how many there are.
#[inline(always)]
fn eight_digits(n: u64) -> ([u8; 8], usize) {
    let (a, b, c, d) = (
        (n / 1_000_000 % 100) as usize * 2,
        (n / 10_000 % 100) as usize * 2,
        (n / 100 % 100) as usize * 2,
        (n % 100) as usize * 2,
    );
    let digits = [
        PAIRS[a],
        PAIRS[a + 1],
        PAIRS[b],
        PAIRS[b + 1],
        PAIRS[c],
        PAIRS[c + 1],
        PAIRS[d],
        PAIRS[d + 1],
    ];
    (digits, decimal_len(n))
}

/// The six digits of `frac` (below 10⁶) in an 8-byte array, and how many remain once trailing
/// zeros are dropped (at least one).
#[inline(always)]
fn fraction6(frac: u64) -> ([u8; 8], usize) {
    // `frac × 100` has the six digits, leading zeros kept, then `00`.
    let (d, _) = eight_digits(frac * 100);
    let mut len = 6;
    while len > 1 && d[len - 1] == b'0' {
        len -= 1;
    }
    (d, len)
}

impl Out for Vec<u8> {
    #[inline]
    fn put(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
    }

    #[inline]
    fn put_byte(&mut self, b: u8) {
        self.push(b);
    }
}

/// The line buffer's size. The end of a line needs at most [`LINE_END_ROOM`] bytes; the fast
/// path only puts the name and labels in when they leave that much room.
const LINE_END: usize = 256;

/// Room for `"} ` + the longest value (`-1.7976931348623157e+308`, 24 bytes; an `i64`, 20) +
/// ` ` + the longest timestamp (`i128::MIN` nanoseconds as OpenMetrics seconds:
/// `-170141183460469231731687303715.884105728`, 41 bytes) + `\n`, with margin.
pub(crate) const LINE_END_ROOM: usize = 96;

/// A fixed stack buffer for a sample line (or, with a larger `N`, for a batch of lines),
/// copied to the output in one piece. Writers check the room they need (see
/// [`LINE_END_ROOM`]); a longer write would be a bug in this crate, and is dropped rather than
/// allowed to panic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<const N: usize = LINE_END> {
    bytes: [u8; N],
    len: usize,
}

impl Line {
    #[inline]
    pub(crate) fn new() -> Self {
        Line::sized()
    }
}

impl<const N: usize> Line<N> {
    /// An empty buffer of `N` bytes.
    #[inline]
    pub(crate) fn sized() -> Self {
        Line {
            bytes: [0; N],
            len: 0,
        }
    }

    /// The number of bytes in use.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// All `N` bytes, in use or not.
    #[inline]
    pub(crate) fn as_array(&self) -> &[u8; N] {
        &self.bytes
    }

    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Empties the line (the bytes stay, only the length resets).
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends the first `len` bytes of `padded`, whose length is a multiple of 16, copying
    /// 16 bytes at a time (fixed-size copies, no call). False, with nothing written, when the
    /// line would not keep [`LINE_END_ROOM`] free.
    #[inline(always)]
    pub(crate) fn put_padded(&mut self, padded: &[u8], len: usize) -> bool {
        if self.len + padded.len() + LINE_END_ROOM > N {
            return false;
        }
        let mut at = self.len;
        for c in padded.chunks_exact(16) {
            let mut w = [0u8; 16];
            w.copy_from_slice(c);
            self.bytes[at..at + 16].copy_from_slice(&w);
            at += 16;
        }
        self.len += len;
        true
    }

    /// Appends a label value that needs no escaping, eight bytes at a time, checking as it
    /// copies. False when a byte needs escaping or the line would not keep [`LINE_END_ROOM`]
    /// free; the line's length is then unchanged (bytes past it may have been written).
    #[inline(always)]
    pub(crate) fn put_clean_label_value(&mut self, s: &[u8]) -> bool {
        if self.len + s.len() + 8 + LINE_END_ROOM > N {
            return false;
        }
        let mut at = self.len;
        let mut chunks = s.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            if crate::escape::word_needs_escape(u64::from_le_bytes(w), true) {
                return false;
            }
            self.bytes[at..at + 8].copy_from_slice(&w);
            at += 8;
        }
        // The 0 to 7 bytes left, with fixed-size (overlapping) loads and stores: no copy call.
        let rest = chunks.remainder();
        let n = rest.len();
        if n >= 4 {
            let mut a = [0u8; 4];
            let mut b = [0u8; 4];
            a.copy_from_slice(&rest[..4]);
            b.copy_from_slice(&rest[n - 4..]);
            let w = u64::from(u32::from_le_bytes(a)) | (u64::from(u32::from_le_bytes(b)) << 32);
            if crate::escape::word_needs_escape(w, true) {
                return false;
            }
            self.bytes[at..at + 4].copy_from_slice(&a);
            self.bytes[at + n - 4..at + n].copy_from_slice(&b);
        } else {
            for (i, &c) in rest.iter().enumerate() {
                if matches!(c, b'\\' | b'"' | b'\n') {
                    return false;
                }
                self.bytes[at + i] = c;
            }
        }
        self.len = at + n;
        true
    }

    /// Appends the first `len` (at most 32) bytes of `bytes` with one fixed-size copy; the
    /// caller has checked the room ([`LINE_END_ROOM`] after [`Line::put_padded`]).
    #[inline(always)]
    pub(crate) fn put32(&mut self, bytes: &[u8; 32], len: usize) {
        // One 32-byte copy; `len` of its bytes count.
        if let Some(dst) = self.bytes.get_mut(self.len..self.len + 32) {
            dst.copy_from_slice(bytes);
            self.len += len.min(32);
        }
    }

    /// Appends the first `len` (at most 4) bytes of `bytes` with one fixed-size copy.
    #[inline(always)]
    pub(crate) fn put4(&mut self, bytes: &[u8; 4], len: usize) {
        if let Some(dst) = self.bytes.get_mut(self.len..self.len + 4) {
            dst.copy_from_slice(bytes);
            self.len += len.min(4);
        }
    }
}

impl<const N: usize> Out for Line<N> {
    #[inline]
    fn put(&mut self, s: &[u8]) {
        let end = self.len + s.len();
        if let Some(dst) = self.bytes.get_mut(self.len..end) {
            dst.copy_from_slice(s);
            self.len = end;
        }
    }

    #[inline]
    fn put_byte(&mut self, b: u8) {
        if let Some(dst) = self.bytes.get_mut(self.len) {
            *dst = b;
            self.len += 1;
        }
    }

    /// Below 10⁸: the eight digit bytes shifted so the number starts the word, one fixed
    /// 8-byte store.
    #[inline(always)]
    fn put_u64(&mut self, n: u64) {
        if n >= 100_000_000 {
            self.put_u64_long(n);
            return;
        }
        let (digits, count) = eight_digits(n);
        let word = u64::from_le_bytes(digits) >> (8 * (8 - count));
        if let Some(dst) = self.bytes.get_mut(self.len..self.len + 8) {
            dst.copy_from_slice(&word.to_le_bytes());
            self.len += count;
        }
    }

    /// One fixed-size 8-byte store.
    #[inline(always)]
    fn put_fraction6(&mut self, frac: u64) {
        let (d, len) = fraction6(frac);
        if let Some(dst) = self.bytes.get_mut(self.len..self.len + 8) {
            dst.copy_from_slice(&d);
            self.len += len;
        }
    }
}

impl<const N: usize> Line<N> {
    /// Digits written in place, two per division, without an intermediate buffer.
    #[inline(always)]
    fn put_u64_long(&mut self, mut n: u64) {
        let end = self.len + decimal_len(n);
        if end > N {
            return;
        }
        let mut i = end;
        while n >= 10_000 {
            let quad = n % 10_000;
            n /= 10_000;
            let (hi, lo) = ((quad / 100) as usize * 2, (quad % 100) as usize * 2);
            i -= 4;
            self.bytes[i] = PAIRS[hi];
            self.bytes[i + 1] = PAIRS[hi + 1];
            self.bytes[i + 2] = PAIRS[lo];
            self.bytes[i + 3] = PAIRS[lo + 1];
        }
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            i -= 2;
            self.bytes[i] = PAIRS[pair];
            self.bytes[i + 1] = PAIRS[pair + 1];
        }
        if n >= 10 {
            let pair = n as usize * 2;
            self.bytes[i - 2] = PAIRS[pair];
            self.bytes[i - 1] = PAIRS[pair + 1];
        } else {
            self.bytes[i - 1] = b'0' + n as u8;
        }
        self.len = end;
    }
}

/// Two-digit pairs `00`..`99` for integer formatting.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// 10^i for i in 0..20.
const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// The number of decimal digits of `n`: the bit length gives an estimate (`× log10 2`) that is
/// exact or one too many, corrected with one comparison.
#[inline]
pub(crate) fn decimal_len(n: u64) -> usize {
    let bits = 64 - (n | 1).leading_zeros() as usize;
    let guess = (bits * 1233) >> 12; // floor(bits × log10(2))
    (guess + usize::from(n >= POW10[guess])).max(1)
}

/// Writes the digits of `n` right-aligned in `buf`; returns where they start (the `itoa`
/// algorithm: two digits per division).
#[inline]
fn digits_into(buf: &mut [u8; 20], mut n: u64) -> usize {
    let mut i = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i] = PAIRS[pair];
        buf[i + 1] = PAIRS[pair + 1];
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i] = PAIRS[pair];
        buf[i + 1] = PAIRS[pair + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    i
}

/// Appends the decimal digits of `n`.
#[inline]
pub(crate) fn put_u64<O: Out>(out: &mut O, n: u64) {
    out.put_u64(n);
}

/// Appends the decimal digits of `n`, with a `-` when negative.
#[inline]
pub(crate) fn put_i64<O: Out>(out: &mut O, n: i64) {
    if n < 0 {
        out.put_byte(b'-');
    }
    put_u64(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_label_values_copy_exactly_and_dirty_ones_are_refused() {
        for len in 0..=20 {
            let clean: Vec<u8> = (0..len).map(|i| b"osd.0123456789_-:/ab"[i % 20]).collect();
            let mut line = Line::new();
            line.put(b"x{");
            assert!(line.put_clean_label_value(&clean), "{len}");
            assert_eq!(&line.as_bytes()[2..], &clean[..], "{len}");
            for pos in 0..len {
                for special in [b'\\', b'"', b'\n'] {
                    let mut dirty = clean.clone();
                    dirty[pos] = special;
                    let mut line = Line::new();
                    assert!(!line.put_clean_label_value(&dirty), "{len} {pos} {special}");
                }
            }
        }
        // Too long for the buffer: refused, so the caller takes the piece-by-piece path.
        let mut line = Line::new();
        assert!(!line.put_clean_label_value(&[b'a'; 300]));
        assert!(!line.put_padded(&[0; 256], 10));
    }

    #[test]
    fn integers() {
        let cases: [(i64, &str); 8] = [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (99, "99"),
            (100, "100"),
            (12345, "12345"),
            (-42, "-42"),
            (i64::MIN, "-9223372036854775808"),
        ];
        for (n, want) in cases {
            let mut v = Vec::new();
            put_i64(&mut v, n);
            assert_eq!(v, want.as_bytes());
            let mut e = Line::new();
            put_i64(&mut e, n);
            assert_eq!(e.as_bytes(), want.as_bytes());
        }
        for n in [
            u64::MAX,
            10_000_000_000_000_000_000,
            9_999_999_999_999_999_999,
            1,
            0,
        ] {
            let mut v = Vec::new();
            put_u64(&mut v, n);
            let mut e = Line::new();
            put_u64(&mut e, n);
            assert_eq!(v, n.to_string().as_bytes());
            assert_eq!(e.as_bytes(), n.to_string().as_bytes());
        }
    }
}
