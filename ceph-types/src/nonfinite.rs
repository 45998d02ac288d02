//! The pre-pass for Ceph's non-JSON number tokens (`nan`, `-nan`, `inf`).
//!
//! Ceph's C++ JSON formatter writes doubles through an `ostream`, so a NaN or infinite value
//! comes out as a bare `nan`, `-nan`, `inf` or `-inf` (seen in `osd df` `utilization`/`var` of
//! an OSD with no capacity, and in `osd perf` on some releases); Python parts of the mgr write
//! `NaN` and `Infinity`. None of these is JSON. The pre-pass puts such a token in quotes, outside
//! of strings only, so that `-nan` becomes `"-nan"`; the crate's float fields accept those
//! strings (see [`crate::num`]). Model `parse` functions run the pre-pass by themselves, and only
//! after a first strict parse failed, so well-formed output costs nothing extra.

use std::borrow::Cow;

/// One token that was put in quotes: where its opening quote sits in the rewritten text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Insert {
    /// 1-based line of the token.
    line: usize,
    /// 1-based column of the opening quote in the rewritten text.
    open: usize,
    /// Byte length of the token itself.
    len: usize,
}

/// A rewritten text with the record needed to map positions back to the original.
#[derive(Debug)]
pub(crate) struct Quoted {
    pub(crate) text: String,
    inserts: Vec<Insert>,
}

impl Quoted {
    /// Maps a (line, column) of the rewritten text to the original text.
    pub(crate) fn original_position(&self, line: usize, column: usize) -> (usize, usize) {
        let mut shift = 0;
        for ins in self.inserts.iter().filter(|i| i.line == line) {
            let close = ins.open + ins.len + 1;
            if column > close {
                shift += 2;
            } else if column > ins.open {
                shift += 1;
            }
        }
        (line, column.saturating_sub(shift).max(1))
    }
}

/// The non-finite spellings accepted, lowercase, longest first so `infinity` wins over `inf`.
const WORDS: [&str; 3] = ["infinity", "nan", "inf"];

/// Length of a non-finite token starting at `rest[0]`, if one starts there and is followed by a
/// JSON delimiter (or the end of the text).
fn token_len(rest: &[u8]) -> Option<usize> {
    let sign = usize::from(matches!(rest.first(), Some(b'-' | b'+')));
    let body = rest.get(sign..)?;
    WORDS.iter().find_map(|w| {
        let n = w.len();
        let candidate = body.get(..n)?;
        if !candidate.eq_ignore_ascii_case(w.as_bytes()) {
            return None;
        }
        match body.get(n) {
            None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') => Some(sign + n),
            Some(_) => None,
        }
    })
}

/// Scans `input` and quotes every bare non-finite token found in value position outside of
/// strings. Returns `None` when there is none (the text is unchanged).
pub(crate) fn quote(input: &str) -> Option<Quoted> {
    let bytes = input.as_bytes();
    let mut out: Option<Quoted> = None;
    let mut copied = 0; // bytes of `input` already copied to `out`
    let mut in_string = false;
    let mut escaped = false;
    // Last significant byte outside strings; a value may start after `:`, `[`, `,` or at the
    // start of the text.
    let mut last: u8 = b',';
    let mut line = 1;
    let mut line_start = 0; // byte offset in `input` where the current line starts
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                last = b'"';
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b' ' | b'\t' | b'\r' => {}
            b'-' | b'+' | b'n' | b'N' | b'i' | b'I' if matches!(last, b':' | b'[' | b',') => {
                if let Some(n) = token_len(&bytes[i..]) {
                    let q = out.get_or_insert_with(|| Quoted {
                        text: String::with_capacity(input.len() + 16),
                        inserts: Vec::new(),
                    });
                    q.text.push_str(&input[copied..i]);
                    // Columns of this line already shifted by earlier tokens on it.
                    let earlier = q.inserts.iter().filter(|x| x.line == line).count() * 2;
                    q.inserts.push(Insert {
                        line,
                        open: i - line_start + 1 + earlier,
                        len: n,
                    });
                    q.text.push('"');
                    q.text.push_str(&input[i..i + n]);
                    q.text.push('"');
                    copied = i + n;
                    i += n;
                    last = b'"';
                    continue;
                }
                last = b;
            }
            _ => last = b,
        }
        i += 1;
    }
    if let Some(q) = out.as_mut() {
        q.text.push_str(&input[copied..]);
    }
    out
}

/// Quotes Ceph's bare non-finite number tokens (`nan`, `-nan`, `inf`, `-inf`, `NaN`,
/// `Infinity`, any case and sign) found in value position outside of strings, so that the text
/// becomes JSON. Borrows the input when it has none.
///
/// The models' `parse` functions already do this when needed; use this pre-pass to feed Ceph
/// output to other JSON tools.
///
/// ```
/// let fixed = ceph_types::quote_non_finite(r#"{"utilization": -nan, "note": "nan"}"#);
/// assert_eq!(fixed, r#"{"utilization": "-nan", "note": "nan"}"#);
/// let v: serde_json::Value = serde_json::from_str(&fixed)?;
/// assert_eq!(v["utilization"], "-nan");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quote_non_finite(input: &str) -> Cow<'_, str> {
    match quote(input) {
        Some(q) => Cow::Owned(q.text),
        None => Cow::Borrowed(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_table() {
        let cases: &[(&str, &str)] = &[
            ("{}", "{}"),
            ("nan", "\"nan\""),
            (
                "[nan,-nan,inf,-inf,+inf]",
                r#"["nan","-nan","inf","-inf","+inf"]"#,
            ),
            (
                "[NaN, Infinity, -Infinity]",
                r#"["NaN", "Infinity", "-Infinity"]"#,
            ),
            (r#"{"a": -nan}"#, r#"{"a": "-nan"}"#),
            (r#"{"a":nan }"#, r#"{"a":"nan" }"#),
            // Strings are left alone, escapes included.
            (
                r#"{"nan": "x nan", "b\"": inf}"#,
                r#"{"nan": "x nan", "b\"": "inf"}"#,
            ),
            // Not a token: a longer word, a number, a keyword.
            (
                r#"{"a": nanny, "b": -1.5, "c": null}"#,
                r#"{"a": nanny, "b": -1.5, "c": null}"#,
            ),
            (r#"{"a": info}"#, r#"{"a": info}"#),
            // Not in value position.
            ("x nan", "x nan"),
            // End of text right after the token.
            ("[1,\ninf", "[1,\n\"inf\""),
        ];
        for (input, want) in cases {
            assert_eq!(quote_non_finite(input), *want, "input {input:?}");
        }
        assert!(matches!(quote_non_finite("{\"a\": 1}"), Cow::Borrowed(_)));
    }

    #[test]
    fn positions_map_back() {
        // Original: `[nan, x]` (x at column 7); rewritten: `["nan", x]` (x at column 9).
        let q = quote("[nan, x]").unwrap();
        assert_eq!(q.text, r#"["nan", x]"#);
        let cases = [(9, 7), (1, 1), (2, 2), (3, 2), (6, 5), (7, 5), (8, 6)];
        for (new, old) in cases {
            assert_eq!(q.original_position(1, new), (1, old), "column {new}");
        }
        // Two tokens on line 2 of the text.
        let q = quote("[\ninf,-nan, y]").unwrap();
        assert_eq!(q.text, "[\n\"inf\",\"-nan\", y]");
        assert_eq!(q.original_position(2, 16), (2, 12));
        assert_eq!(q.original_position(1, 1), (1, 1));
    }
}
