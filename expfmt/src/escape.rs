//! Escaping of label values and HELP text.

/// Bit 0: escaped in label values and OpenMetrics HELP (`\`, `"`, LF). Bit 1: escaped in 0.0.4
/// HELP (`\`, LF).
const ESC: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'\\' as usize] = 3;
    t[b'\n' as usize] = 3;
    t[b'"' as usize] = 1;
    t
};

/// Whether any byte of the word `x` equals the byte broadcast in `b` (the classic SWAR
/// "has zero byte" test on `x ^ b`).
#[inline]
fn has_byte(x: u64, b: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let y = x ^ b;
    (y.wrapping_sub(LO) & !y & HI) != 0
}

/// Whether the eight bytes of `w` hold a `\\` or a line feed, or a `"` when `quotes`.
#[inline(always)]
pub(crate) fn word_needs_escape(w: u64, quotes: bool) -> bool {
    const BACKSLASH: u64 = 0x5c5c_5c5c_5c5c_5c5c;
    const NEWLINE: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    const QUOTE: u64 = 0x2222_2222_2222_2222;
    has_byte(w, BACKSLASH) || has_byte(w, NEWLINE) || (quotes && has_byte(w, QUOTE))
}

/// Whether `s` has no byte to escape: eight bytes at a time, `"` only when `quotes`.
#[inline(always)]
fn is_clean(s: &[u8], quotes: bool) -> bool {
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if word_needs_escape(u64::from_le_bytes(w), quotes) {
            return false;
        }
    }
    // The tail, padded with a byte that never needs escaping.
    let rest = chunks.remainder();
    let mut w = [b'a'; 8];
    w[..rest.len()].copy_from_slice(rest);
    !word_needs_escape(u64::from_le_bytes(w), quotes)
}

/// Appends `s`, escaping every byte whose class has `mask`.
#[inline(always)]
fn escape(out: &mut Vec<u8>, s: &str, mask: u8) {
    let b = s.as_bytes();
    if is_clean(b, mask == 1) {
        out.extend_from_slice(b);
    } else {
        escape_slow(out, b, mask);
    }
}

/// The rare case: `b` has bytes to escape.
#[cold]
#[inline(never)]
fn escape_slow(out: &mut Vec<u8>, b: &[u8], mask: u8) {
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if ESC[usize::from(c)] & mask != 0 {
            out.extend_from_slice(&b[start..i]);
            out.extend_from_slice(match c {
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                _ => b"\\\"",
            });
            start = i + 1;
        }
    }
    out.extend_from_slice(&b[start..]);
}

/// Appends a label value with `\`, `"` and LF escaped.
#[inline]
pub(crate) fn label_value(out: &mut Vec<u8>, s: &str) {
    escape(out, s, 1);
}

/// Appends HELP text: `\` and LF escaped, plus `"` when `quotes` (OpenMetrics).
pub(crate) fn help(out: &mut Vec<u8>, s: &str, quotes: bool) {
    escape(out, s, if quotes { 1 } else { 2 });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        // input, label value, 0.0.4 HELP, OpenMetrics HELP
        let cases = [
            ("plain", "plain", "plain", "plain"),
            ("", "", "", ""),
            (r"a\b", r"a\\b", r"a\\b", r"a\\b"),
            ("say \"hi\"", r#"say \"hi\""#, "say \"hi\"", r#"say \"hi\""#),
            ("two\nlines", r"two\nlines", r"two\nlines", r"two\nlines"),
            ("\\n", r"\\n", r"\\n", r"\\n"),
            ("é\"\n\\", r#"é\"\n\\"#, "é\"\\n\\\\", r#"é\"\n\\"#),
            ("exactly8", "exactly8", "exactly8", "exactly8"),
            (
                "sixteen_bytes_ok",
                "sixteen_bytes_ok",
                "sixteen_bytes_ok",
                "sixteen_bytes_ok",
            ),
            ("eight+1\"", "eight+1\\\"", "eight+1\"", "eight+1\\\""),
            ("0123456\n", "0123456\\n", "0123456\\n", "0123456\\n"),
            (
                "\u{5c5c}\u{2222}",
                "\u{5c5c}\u{2222}",
                "\u{5c5c}\u{2222}",
                "\u{5c5c}\u{2222}",
            ),
        ];
        for (input, lv, h004, hom) in cases {
            let mut out = Vec::new();
            label_value(&mut out, input);
            assert_eq!(String::from_utf8(out).unwrap(), lv, "{input:?}");
            let mut out = Vec::new();
            help(&mut out, input, false);
            assert_eq!(String::from_utf8(out).unwrap(), h004, "{input:?}");
            let mut out = Vec::new();
            help(&mut out, input, true);
            assert_eq!(String::from_utf8(out).unwrap(), hom, "{input:?}");
        }
    }
}
