//! Python's `float(str)`, the only number parser gnocchi-statsd uses.

/// Parses `s` as CPython's `float()` does for ASCII input: surrounding
/// whitespace ignored, optional sign, decimal or exponent notation,
/// single underscores between digits, `inf`, `infinity` and `nan` in any
/// case. `None` where Python raises `ValueError`.
///
/// DIFFERENCE: CPython also accepts non-ASCII decimal digits (`"١"`); they
/// are refused here.
pub(crate) fn parse(s: &[u8]) -> Option<f64> {
    let s = trim(s);
    if s.is_empty() || !s.is_ascii() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let value = if s.contains(&b'_') {
        // Underscores only between two digits.
        for (i, &b) in s.iter().enumerate() {
            if b == b'_'
                && !(i > 0
                    && s[i - 1].is_ascii_digit()
                    && s.get(i + 1).is_some_and(u8::is_ascii_digit))
            {
                return None;
            }
        }
        text.replace('_', "").parse::<f64>().ok()?
    } else {
        text.parse::<f64>().ok()?
    };
    Some(value)
}

/// Python's `str.strip()` whitespace at both ends (ASCII, the C1/Latin-1
/// spaces and the Unicode space separators).
fn trim(mut s: &[u8]) -> &[u8] {
    while let Some((c, len)) = first_char(s) {
        if !is_py_space(c) {
            break;
        }
        s = &s[len..];
    }
    while let Some((c, len)) = last_char(s) {
        if !is_py_space(c) {
            break;
        }
        s = &s[..s.len() - len];
    }
    s
}

fn first_char(s: &[u8]) -> Option<(char, usize)> {
    let len = match *s.first()? {
        b if b < 0x80 => 1,
        b if b >= 0xf0 => 4,
        b if b >= 0xe0 => 3,
        _ => 2,
    };
    let c = std::str::from_utf8(s.get(..len)?).ok()?.chars().next()?;
    Some((c, len))
}

fn last_char(s: &[u8]) -> Option<(char, usize)> {
    let start = (s.len().saturating_sub(4)..s.len())
        .rev()
        .find(|&i| (s[i] & 0xc0) != 0x80)?;
    let c = std::str::from_utf8(&s[start..]).ok()?.chars().next()?;
    Some((c, s.len() - start))
}

/// `str.isspace()`: Unicode White_Space plus the ASCII separators
/// `\x1c`-`\x1f`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn python_float_table() {
        let inf = f64::INFINITY;
        let cases: &[(&str, Option<f64>)] = &[
            ("1", Some(1.0)),
            (" 1.5 ", Some(1.5)),
            ("\t-2e3\n", Some(-2000.0)),
            ("+.5", Some(0.5)),
            ("5.", Some(5.0)),
            ("1_000", Some(1000.0)),
            ("1_000.0_1", Some(1000.01)),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("1_.0", None),
            ("inf", Some(inf)),
            ("-Infinity", Some(-inf)),
            ("iNf", Some(inf)),
            ("", None),
            (" ", None),
            (".", None),
            ("1e", None),
            ("0x10", None),
            ("1,5", None),
            ("abc", None),
            ("1 2", None),
            ("\u{a0}7\u{2003}", Some(7.0)),
            ("\x1c3", Some(3.0)),
            ("١", None), // DIFFERENCE: Python reads 1.0
        ];
        for &(text, want) in cases {
            let got = parse(text.as_bytes());
            assert_eq!(
                got.map(f64::to_bits),
                want.map(f64::to_bits),
                "float({text:?})"
            );
        }
        assert!(parse(b"nan").is_some_and(f64::is_nan));
        assert!(parse(b"-NaN").is_some_and(f64::is_nan));
    }
}
