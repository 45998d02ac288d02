//! A cursor over the input bytes: position and line tracking, error construction, and the
//! lexical pieces both formats share (names, quoted strings, tokens).

use std::borrow::Cow;

use crate::{Error, ParseErrorKind};

use crate::name::{
    BACKSLASH, CLASS, DELIMITER, LABEL_CONT, LABEL_START, LINE_FEED, METRIC_CONT, METRIC_START,
    QUOTE,
};

/// How backslash escapes in a quoted string or a HELP text are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Escapes {
    /// Text 0.0.4 label values: `\\`, `\"`, `\n`; anything else is an error.
    TextLabel,
    /// Text 0.0.4 HELP: `\\`, `\n`; anything else (`\"` included) is an error.
    TextHelp,
    /// OpenMetrics `escaped-string`: `\\`, `\"`, `\n`; a backslash before any other
    /// character stands for itself (the ABNF's `BS normal-char`). A raw `"` is not allowed.
    OpenMetrics,
}

/// The parser's internal error: boxed, so that results on the hot path stay small.
pub(super) type Fault = Box<Error>;

/// A position for an error raised after the cursor moved on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Pos {
    pub(super) line: usize,
    pub(super) column: usize,
}

impl Pos {
    /// The error at this position.
    #[cold]
    pub(super) fn error(self, kind: ParseErrorKind) -> Fault {
        Box::new(Error::Parse {
            line: self.line,
            column: self.column,
            kind,
        })
    }
}

/// The cursor. Everything before `pos` has been read.
#[derive(Debug)]
pub(super) struct Cursor<'a> {
    /// The whole input.
    pub(super) bytes: &'a [u8],
    /// The longest prefix of the input that is valid UTF-8; every string handed out is a
    /// slice of it.
    text: &'a str,
    /// The next byte to read.
    pub(super) pos: usize,
    /// The 1-based line of `pos`.
    line: usize,
    /// Where that line starts.
    line_start: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        };
        Cursor {
            bytes,
            text,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The byte at `pos`, if any.
    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Whether the whole input has been read.
    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Where the first invalid UTF-8 byte is, if the input has one.
    pub(super) fn utf8_error_at(&self) -> Option<usize> {
        (self.text.len() < self.bytes.len()).then_some(self.text.len())
    }

    /// The line/column of byte `at`, which must be on the current line.
    pub(super) fn pos_of(&self, at: usize) -> Pos {
        Pos {
            line: self.line,
            column: at.saturating_sub(self.line_start) + 1,
        }
    }

    /// The error `kind` at byte `at` of the current line.
    #[cold]
    pub(super) fn error(&self, at: usize, kind: ParseErrorKind) -> Fault {
        self.pos_of(at).error(kind)
    }

    /// "Expected `expected`, found what is at `at`".
    #[cold]
    pub(super) fn unexpected(&self, at: usize, expected: &'static str) -> Fault {
        self.error(
            at,
            ParseErrorKind::Unexpected {
                expected,
                found: self.describe(at),
            },
        )
    }

    /// A short description of what is at byte `at`.
    fn describe(&self, at: usize) -> Box<str> {
        match self.bytes.get(at) {
            None => "end of input".into(),
            Some(b'\n') => "end of line".into(),
            Some(b'\t') => "tab".into(),
            Some(b'\r') => "carriage return".into(),
            Some(&b) => match self.char_at(at) {
                Some(c) if !c.is_control() => format!("`{c}`").into(),
                Some(c) => format!("control character U+{:04X}", u32::from(c)).into(),
                None => format!("byte 0x{b:02X}").into(),
            },
        }
    }

    /// The character starting at byte `at`, if it is valid UTF-8.
    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|s| s.chars().next())
    }

    /// The input `start..end` as a string.
    ///
    /// # Errors
    ///
    /// [`ParseErrorKind::InvalidUtf8`] at the first invalid byte when the range holds one.
    #[inline]
    pub(super) fn str(&self, start: usize, end: usize) -> Result<&'a str, Fault> {
        match self.text.get(start..end) {
            Some(s) => Ok(s),
            None => Err(self.error(self.text.len().max(start), ParseErrorKind::InvalidUtf8)),
        }
    }

    /// Skips spaces and tabs.
    #[inline]
    pub(super) fn skip_blanks(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` or fails with "expected `expected`".
    #[inline]
    pub(super) fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), Fault> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(self.pos, expected))
        }
    }

    /// Consumes the line feed ending the current line and starts the next line.
    #[inline]
    pub(super) fn end_line(&mut self) -> Result<(), Fault> {
        self.expect(b'\n', "end of line")?;
        self.line += 1;
        self.line_start = self.pos;
        Ok(())
    }

    /// Skips the rest of the line (checking it is UTF-8) and its line feed.
    pub(super) fn skip_line(&mut self) -> Result<(), Fault> {
        let end = self.find_line_end();
        self.str(self.pos, end)?;
        self.pos = end;
        self.end_line()
    }

    /// The index of the next line feed, or the input length.
    fn find_line_end(&self) -> usize {
        self.bytes[self.pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| self.pos + i)
    }

    /// Reads a token up to the next space, tab or line feed (possibly empty).
    #[inline]
    pub(super) fn token(&mut self) -> Result<&'a str, Fault> {
        let start = self.pos;
        let rest = &self.bytes[start..];
        let len = rest
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t' | b'\n'))
            .unwrap_or(rest.len());
        self.pos = start + len;
        self.str(start, self.pos)
    }

    /// Reads a metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`, which must end at a delimiter (a
    /// blank, `{`, end of line, ...) or the end of input.
    pub(super) fn metric_name(&mut self) -> Result<&'a str, Fault> {
        self.name(0, METRIC_START, METRIC_CONT, "metric name", |name| {
            ParseErrorKind::InvalidMetricName { name }
        })
    }

    /// As [`Cursor::metric_name`], for a name that may start with `prefix`, a valid metric
    /// name (the current family's name). Also says whether it does.
    #[inline]
    pub(super) fn metric_name_with_prefix(
        &mut self,
        prefix: &str,
    ) -> Result<(&'a str, bool), Fault> {
        let known = if self.bytes[self.pos..].starts_with(prefix.as_bytes()) {
            prefix.len()
        } else {
            0
        };
        let name = self.name(known, METRIC_START, METRIC_CONT, "metric name", |name| {
            ParseErrorKind::InvalidMetricName { name }
        })?;
        Ok((name, known > 0))
    }

    /// Reads a Prometheus 3 quoted name at `"`: any non-empty UTF-8, with `\\`, `\"` and `\n`
    /// escaped. Returns the text between the quotes as written (escapes kept), which the
    /// parser uses as the name's key; [`name_value`] gives the name.
    pub(super) fn quoted_name(
        &mut self,
        invalid: fn(Box<str>) -> ParseErrorKind,
    ) -> Result<&'a str, Fault> {
        let open = self.pos;
        self.expect(b'"', "`\"` starting a quoted name")?;
        let start = self.pos;
        let name = self.escaped(b'"', Escapes::OpenMetrics)?;
        if name.is_empty() {
            return Err(self.error(open, invalid("\"\"".into())));
        }
        // The name as written, escapes and all (without its quotes): the parser keys names by
        // their text, and `quoted_name_value` gives the name itself.
        self.str(start, self.pos - 1)
    }

    /// A metric name, plain or quoted (`# HELP "my.metric" ...`).
    pub(super) fn metric_name_or_quoted(&mut self) -> Result<&'a str, Fault> {
        if self.peek() == Some(b'"') {
            self.quoted_name(|name| ParseErrorKind::InvalidMetricName { name })
        } else {
            self.metric_name()
        }
    }

    /// Reads a label name, `[a-zA-Z_][a-zA-Z0-9_]*`, which must end at a delimiter.
    pub(super) fn label_name(&mut self) -> Result<&'a str, Fault> {
        self.name(0, LABEL_START, LABEL_CONT, "label name", |name| {
            ParseErrorKind::InvalidLabelName { name }
        })
    }

    /// Takes `name`, a valid name read before, if the input continues with it and a delimiter
    /// (or the end) follows: exactly when [`Cursor::label_name`] would read it.
    #[inline]
    pub(super) fn take_name(&mut self, name: &str) -> bool {
        let rest = &self.bytes[self.pos..];
        let fits = rest.starts_with(name.as_bytes())
            && rest
                .get(name.len())
                .is_none_or(|&c| CLASS[usize::from(c)] & DELIMITER != 0);
        if fits {
            self.pos += name.len();
        }
        fits
    }

    /// Reads a name whose first `known` bytes are already known to be valid.
    #[inline]
    fn name(
        &mut self,
        known: usize,
        start_class: u8,
        cont_class: u8,
        what: &'static str,
        invalid: fn(Box<str>) -> ParseErrorKind,
    ) -> Result<&'a str, Fault> {
        let start = self.pos;
        let b = self.bytes;
        let mut i = start;
        if known > 0
            || b.get(i)
                .is_some_and(|&c| CLASS[usize::from(c)] & start_class != 0)
        {
            i += known.max(1);
            let rest = b.get(i..).unwrap_or_default();
            i += rest
                .iter()
                .position(|&c| CLASS[usize::from(c)] & cont_class == 0)
                .unwrap_or(rest.len());
        }
        match b.get(i) {
            Some(&c) if CLASS[usize::from(c)] & DELIMITER == 0 => {
                Err(self.error(i, invalid(self.word(start))))
            }
            _ if i == start => Err(self.unexpected(start, what)),
            _ => {
                self.pos = i;
                self.str(start, i)
            }
        }
    }

    /// The word starting at `start` (up to a delimiter, at most 128 bytes), for messages.
    fn word(&self, start: usize) -> Box<str> {
        let rest = &self.bytes[start..];
        let len = rest
            .iter()
            .take(128)
            .position(|&c| CLASS[usize::from(c)] & DELIMITER != 0)
            .unwrap_or(rest.len().min(128));
        String::from_utf8_lossy(&rest[..len]).into()
    }

    /// Reads an escaped string that ends at `end` (`"` for label values, which is
    /// consumed, or a line feed for HELP, which is not). Borrows when there is no escape.
    #[inline]
    pub(super) fn escaped(&mut self, end: u8, escapes: Escapes) -> Result<Cow<'a, str>, Fault> {
        let start = self.pos;
        let b = self.bytes;
        let stops = stop_class(end, escapes);
        let rest = b.get(start..).unwrap_or_default();
        let i = start
            + rest
                .iter()
                .position(|&c| CLASS[usize::from(c)] & stops != 0)
                .unwrap_or(rest.len());
        match b.get(i) {
            Some(&c) if c == end => {
                let s = self.str(start, i)?;
                self.pos = if end == b'"' { i + 1 } else { i };
                Ok(Cow::Borrowed(s))
            }
            Some(b'\\') => self.unescape(start, i, end, escapes).map(Cow::Owned),
            Some(b'\n') => Err(self.error(i, ParseErrorKind::UnescapedNewline)),
            Some(_) => Err(self.unexpected(i, "`\\\"` (a double quote must be escaped)")),
            None => Err(self.unexpected(i, string_end(end))),
        }
    }

    /// The slow path of [`Cursor::escaped`]: `start..first` has no escape, `first` is a
    /// backslash.
    #[cold]
    fn unescape(
        &mut self,
        start: usize,
        first: usize,
        end: u8,
        escapes: Escapes,
    ) -> Result<String, Fault> {
        let b = self.bytes;
        let mut out = String::with_capacity(first - start + 16);
        out.push_str(self.str(start, first)?);
        let mut i = first;
        loop {
            match b.get(i) {
                Some(&c) if c == end => {
                    self.pos = if end == b'"' { i + 1 } else { i };
                    return Ok(out);
                }
                Some(b'\\') => {
                    match (b.get(i + 1), escapes) {
                        (Some(b'\\'), _) => out.push('\\'),
                        (Some(b'n'), _) => out.push('\n'),
                        (Some(b'"'), Escapes::TextLabel | Escapes::OpenMetrics) => out.push('"'),
                        (Some(b'\n') | None, Escapes::OpenMetrics) | (None, _) => {
                            return Err(self.unexpected(i + 1, "escaped character"));
                        }
                        (Some(_), Escapes::OpenMetrics) => {
                            // `BS normal-char`: the backslash stands for itself; the
                            // character is read on the next turn.
                            out.push('\\');
                            i += 1;
                            continue;
                        }
                        (Some(_), _) => {
                            let found = self.char_at(i + 1).ok_or_else(|| {
                                self.error(self.text.len(), ParseErrorKind::InvalidUtf8)
                            })?;
                            return Err(self.error(i, ParseErrorKind::InvalidEscape { found }));
                        }
                    }
                    i += 2;
                }
                Some(b'\n') => return Err(self.error(i, ParseErrorKind::UnescapedNewline)),
                Some(b'"') if escapes == Escapes::OpenMetrics => {
                    return Err(self.unexpected(i, "`\\\"` (a double quote must be escaped)"));
                }
                Some(_) => {
                    let om = escapes == Escapes::OpenMetrics;
                    let run = b[i..]
                        .iter()
                        .position(|&c| c == end || c == b'\\' || c == b'\n' || (om && c == b'"'))
                        .map_or(b.len(), |n| i + n.max(1));
                    out.push_str(self.str(i, run)?);
                    i = run;
                }
                None => return Err(self.unexpected(i, string_end(end))),
            }
        }
    }

    /// Reads an OpenMetrics unit: `[a-zA-Z0-9_:]*`, possibly empty.
    pub(super) fn unit(&mut self) -> Result<&'a str, Fault> {
        let start = self.pos;
        let rest = &self.bytes[start..];
        let len = rest
            .iter()
            .position(|&c| CLASS[usize::from(c)] & METRIC_CONT == 0)
            .unwrap_or(rest.len());
        self.pos = start + len;
        self.str(start, self.pos)
    }
}

/// The classes an escaped string ending at `end` stops at.
/// The name a name's text stands for: the text itself, or for a quoted name with escapes, the
/// text unescaped (`\\`, `\"`, `\n`; another backslash stays, as in label values).
pub(super) fn name_value(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('n') => out.push('\n'),
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    Cow::Owned(out)
}

fn stop_class(end: u8, escapes: Escapes) -> u8 {
    let quote = end == b'"' || escapes == Escapes::OpenMetrics;
    BACKSLASH | LINE_FEED | if quote { QUOTE } else { 0 }
}

/// What ends a string ending at `end`, for messages.
fn string_end(end: u8) -> &'static str {
    if end == b'"' {
        "`\"` ending the label value"
    } else {
        "end of line"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(r: Result<impl std::fmt::Debug, Fault>) -> (usize, usize, ParseErrorKind) {
        match r.map_err(|e| *e) {
            Err(Error::Parse { line, column, kind }) => (line, column, kind),
            other => panic!("not a parse error: {other:?}"),
        }
    }

    #[test]
    fn names() {
        let cases: &[(&str, Result<&str, usize>)] = &[
            ("abc ", Ok("abc")),
            ("a:b_c9{", Ok("a:b_c9")),
            ("_\n", Ok("_")),
            ("x", Ok("x")),
            ("x=", Ok("x")),
            ("9x ", Err(1)),
            ("a.b ", Err(2)),
            ("a-b", Err(2)),
            ("aé", Err(2)),
            (" a", Err(1)),
            ("", Err(1)),
        ];
        for (input, want) in cases {
            let mut c = Cursor::new(input.as_bytes());
            match (c.metric_name().map_err(|e| *e), want) {
                (Ok(name), Ok(w)) => assert_eq!(name, *w, "{input:?}"),
                (Err(Error::Parse { column, .. }), Err(w)) => assert_eq!(column, *w, "{input:?}"),
                (got, _) => panic!("{input:?}: {got:?}"),
            }
        }
        let mut c = Cursor::new(b"a:b=");
        assert!(matches!(
            kind(c.label_name()).2,
            ParseErrorKind::InvalidLabelName { name } if &*name == "a:b"
        ));
    }

    #[test]
    fn quoted_names_are_keyed_by_their_text_and_unescaped_for_the_model() {
        for (input, text, value) in [
            ("\"a.b\" ", "a.b", "a.b"),
            ("\"a\\\"b\" ", "a\\\"b", "a\"b"),
            ("\"a\\\\b\\nc\" ", "a\\\\b\\nc", "a\\b\nc"),
            // Another backslash stands for itself, as in OpenMetrics label values.
            ("\"a\\tb\" ", "a\\tb", "a\\tb"),
        ] {
            let mut c = Cursor::new(input.as_bytes());
            let got = c
                .quoted_name(|name| ParseErrorKind::InvalidMetricName { name })
                .unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
            assert_eq!(got, text, "{input:?}");
            assert_eq!(name_value(got), value, "{input:?}");
            assert_eq!(c.peek(), Some(b' '), "{input:?}");
        }
    }

    #[test]
    fn escaped_strings() {
        use Escapes::*;
        type Case<'a> = (&'a str, u8, Escapes, Result<&'a str, (usize, &'a str)>);
        let cases: &[Case<'_>] = &[
            ("abc\"", b'"', TextLabel, Ok("abc")),
            ("\"", b'"', TextLabel, Ok("")),
            ("a\\\\b\\\"c\\nd\"", b'"', TextLabel, Ok("a\\b\"c\nd")),
            ("é\\n€\"", b'"', TextLabel, Ok("é\n€")),
            ("a\\tb\"", b'"', TextLabel, Err((2, "InvalidEscape"))),
            ("a\nb\"", b'"', TextLabel, Err((2, "UnescapedNewline"))),
            ("abc", b'"', TextLabel, Err((4, "Unexpected"))),
            ("a\\", b'"', TextLabel, Err((3, "Unexpected"))),
            ("say \"hi\"\n", b'\n', TextHelp, Ok("say \"hi\"")),
            ("a\\\\b\\nc\n", b'\n', TextHelp, Ok("a\\b\nc")),
            ("a\\\"\n", b'\n', TextHelp, Err((2, "InvalidEscape"))),
            ("a\\\n", b'\n', TextHelp, Err((2, "InvalidEscape"))),
            ("a\\\"b\\\\\\n\n", b'\n', OpenMetrics, Ok("a\"b\\\n")),
            ("a\\tb\\é\n", b'\n', OpenMetrics, Ok("a\\tb\\é")),
            ("a\"b\n", b'\n', OpenMetrics, Err((2, "Unexpected"))),
            ("a\\\n", b'\n', OpenMetrics, Err((3, "Unexpected"))),
            ("x\\n\"y\n", b'\n', OpenMetrics, Err((4, "Unexpected"))),
        ];
        for (input, end, escapes, want) in cases {
            let mut c = Cursor::new(input.as_bytes());
            let got = c.escaped(*end, *escapes).map_err(|e| *e);
            match (got, want) {
                (Ok(s), Ok(w)) => {
                    assert_eq!(s, *w, "{input:?}");
                    assert_eq!(matches!(s, Cow::Borrowed(_)), !input.contains('\\'));
                }
                (Err(Error::Parse { column, kind, .. }), Err((col, name))) => {
                    assert_eq!(column, *col, "{input:?}");
                    assert!(format!("{kind:?}").starts_with(name), "{input:?}: {kind:?}");
                }
                (got, _) => panic!("{input:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn invalid_utf8_is_reported_where_it_is() {
        let mut c = Cursor::new(b"ab\xffc\"");
        let (line, column, kind) = kind(c.escaped(b'"', Escapes::TextLabel));
        assert_eq!((line, column, kind), (1, 3, ParseErrorKind::InvalidUtf8));
        assert_eq!(Cursor::new(b"ab\xff").utf8_error_at(), Some(2));
        assert_eq!(Cursor::new(b"ab").utf8_error_at(), None);
    }

    #[test]
    fn descriptions() {
        let c = Cursor::new("a\n\t\u{1}é".as_bytes());
        let d: Vec<_> = (0..6).map(|i| c.describe(i)).collect();
        assert_eq!(
            d.iter().map(AsRef::as_ref).collect::<Vec<&str>>(),
            [
                "`a`",
                "end of line",
                "tab",
                "control character U+0001",
                "`é`",
                "byte 0xA9"
            ]
        );
    }
}
