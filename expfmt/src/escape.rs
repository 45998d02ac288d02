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

/// Appends `s`, escaping every byte whose class has `mask`.
#[inline]
fn escape(out: &mut Vec<u8>, s: &str, mask: u8) {
    let b = s.as_bytes();
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
