//! Raw measures as `timestamp,value` text lines (what `rollup` reads), with
//! every error naming its line and column.

use std::fmt;
use std::io::BufRead;

use timeserie::{Point, parse_timestamp};

use crate::error::Error;

/// The longest line [`MeasureReader`] reads, in bytes: longer ones are an
/// error, never buffered whole.
pub const MAX_MEASURE_LINE: usize = 4096;

/// The most characters of the input an error message quotes.
const EXCERPT_CHARS: usize = 40;

/// One line of a measures file.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum MeasureLine {
    /// A measure.
    Point(Point),
    /// A blank line: the end of a batch, like a separate POST.
    BatchEnd,
    /// A `#` comment.
    Comment,
}

/// Why a measure line is refused (see [`Error::Measure`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// No comma between timestamp and value.
    #[error("expected `timestamp,value`, got `{text}`")]
    MissingComma {
        /// The line, control characters escaped, cut to a short window.
        text: Excerpt,
    },
    /// The timestamp is neither RFC 3339 nor epoch seconds in range.
    #[error("cannot parse timestamp `{text}`")]
    Timestamp {
        /// The timestamp as given (escaped, cut).
        text: Excerpt,
    },
    /// The value is not a number.
    #[error("cannot parse value `{text}`")]
    Value {
        /// The value as given (escaped, cut).
        text: Excerpt,
    },
    /// The line is not UTF-8.
    #[error("line is not utf-8")]
    NotUtf8,
    /// The line is longer than [`MAX_MEASURE_LINE`] bytes.
    #[error("line is longer than {max} bytes")]
    TooLong {
        /// The limit in bytes.
        max: usize,
    },
}

/// A piece of input quoted in an error: control characters and backslashes
/// escaped (`\n`, `\u{1b}`), cut to 40 printed characters (escapes
/// included), `...` where it was cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt(String);

impl Excerpt {
    /// Quotes `text`, escaped and cut.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut out = String::new();
        let mut width = 0;
        for c in text.chars() {
            let escaped = c.is_control() || c == '\\';
            let w = if escaped {
                c.escape_default().count()
            } else {
                1
            };
            // The window counts what is printed, escapes included.
            if width + w > EXCERPT_CHARS {
                out.push_str("...");
                break;
            }
            width += w;
            if escaped {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        Excerpt(out)
    }

    /// The escaped text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses one line (without its line ending): blank → [`MeasureLine::BatchEnd`],
/// `#...` → [`MeasureLine::Comment`], else `timestamp,value` with the
/// timestamp as [`parse_timestamp`] takes it and the value a float (`nan`,
/// `inf` allowed). Surrounding blanks are ignored.
///
/// `line_no` only names the line in errors.
///
/// ```
/// use carbonara::{MeasureLine, parse_measure_line};
/// use timeserie::Point;
///
/// assert_eq!(parse_measure_line(1, "1600000000,2.5")?, MeasureLine::Point(Point::new(1_600_000_000_000_000_000, 2.5)));
/// assert_eq!(parse_measure_line(2, "  ")?, MeasureLine::BatchEnd);
/// let err = parse_measure_line(3, "2020-13-01T00:00:00Z,1").unwrap_err();
/// assert_eq!(err.to_string(), "line 3, column 1: cannot parse timestamp `2020-13-01T00:00:00Z`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Measure`] with the line, the 1-based column (in characters) and
/// the [`MeasureError`].
pub fn parse_measure_line(line_no: u64, line: &str) -> Result<MeasureLine, Error> {
    parse_line(line).map_err(|(column, reason)| Error::Measure {
        line: line_no,
        column,
        reason,
    })
}

fn parse_line(line: &str) -> Result<MeasureLine, (usize, MeasureError)> {
    let lead = line.len() - line.trim_start().len();
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Ok(MeasureLine::BatchEnd);
    }
    if trimmed.starts_with('#') {
        return Ok(MeasureLine::Comment);
    }
    let column = |byte: usize| line[..byte].chars().count() + 1;
    let Some((ts, value)) = trimmed.split_once(',') else {
        return Err((
            column(lead),
            MeasureError::MissingComma {
                text: Excerpt::new(trimmed),
            },
        ));
    };
    let Some(timestamp) = parse_timestamp(ts) else {
        let at = lead + (ts.len() - ts.trim_start().len());
        return Err((
            column(at),
            MeasureError::Timestamp {
                text: Excerpt::new(ts.trim()),
            },
        ));
    };
    let Ok(v) = value.trim().parse::<f64>() else {
        let at = lead + ts.len() + 1 + (value.len() - value.trim_start().len());
        return Err((
            column(at),
            MeasureError::Value {
                text: Excerpt::new(value.trim()),
            },
        ));
    };
    Ok(MeasureLine::Point(Point::new(timestamp, v)))
}

/// Reads measure lines from a [`BufRead`], numbering them: an iterator of
/// `(line number, MeasureLine)`. Lines are read up to
/// [`MAX_MEASURE_LINE`] bytes, so memory does not follow the input.
///
/// ```
/// use carbonara::{MeasureLine, MeasureReader};
///
/// let text = "# measures\n1600000000,1\n\n1600000060,oops\n";
/// let mut lines = MeasureReader::new(text.as_bytes());
/// assert_eq!(lines.next().transpose()?, Some((1, MeasureLine::Comment)));
/// assert!(matches!(lines.next().transpose()?, Some((2, MeasureLine::Point(_)))));
/// assert_eq!(lines.next().transpose()?, Some((3, MeasureLine::BatchEnd)));
/// let err = lines.next().unwrap().unwrap_err();
/// assert_eq!(err.to_string(), "line 4, column 12: cannot parse value `oops`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MeasureReader<R> {
    inner: R,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> MeasureReader<R> {
    /// Reads from `inner`.
    pub fn new(inner: R) -> Self {
        MeasureReader {
            inner,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The number of the last line read (0 before the first).
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    fn read_line(&mut self) -> Result<Option<(u64, MeasureLine)>, Error> {
        self.buf.clear();
        let line = self.line + 1;
        let limit = MAX_MEASURE_LINE as u64 + 1;
        let n = std::io::Read::take(&mut self.inner, limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|source| Error::MeasureRead { line, source })?;
        if n == 0 {
            return Ok(None);
        }
        self.line = line;
        let measure = |column, reason| Error::Measure {
            line,
            column,
            reason,
        };
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        } else if n as u64 == limit {
            return Err(measure(
                MAX_MEASURE_LINE + 1,
                MeasureError::TooLong {
                    max: MAX_MEASURE_LINE,
                },
            ));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let text = std::str::from_utf8(&self.buf).map_err(|e| {
            let column = String::from_utf8_lossy(&self.buf[..e.valid_up_to()])
                .chars()
                .count()
                + 1;
            measure(column, MeasureError::NotUtf8)
        })?;
        parse_measure_line(line, text).map(|m| Some((line, m)))
    }
}

impl<R: BufRead> Iterator for MeasureReader<R> {
    type Item = Result<(u64, MeasureLine), Error>;

    /// The next line; after the first error, `None` (a line too long cannot
    /// be resynchronised).
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.read_line().transpose();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_errors_table() {
        // (line, column, message)
        let cases = [
            ("nothing", 1, "expected `timestamp,value`, got `nothing`"),
            ("  x,1", 3, "cannot parse timestamp `x`"),
            ("1600000000,  y ", 14, "cannot parse value `y`"),
            ("é,1", 1, "cannot parse timestamp `é`"),
            (
                "1600000000,\u{1b}[31m",
                12,
                "cannot parse value `\\u{1b}[31m`",
            ),
            (
                "1600000000,1111111111222222222233333333334444444444x",
                12,
                "cannot parse value `1111111111222222222233333333334444444444...`",
            ),
            ("a\\b,1", 1, "cannot parse timestamp `a\\\\b`"),
            // Fuzz finding: escapes counted in the window, not input chars.
            (
                "1607796970\0\0\0\0\0\0\0\0\0\0\0\0,1",
                1,
                "cannot parse timestamp `1607796970\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}...`",
            ),
        ];
        for (line, col, msg) in cases {
            let (c, e) = parse_line(line).unwrap_err();
            assert_eq!((c, e.to_string().as_str()), (col, msg), "{line:?}");
        }
    }

    #[test]
    fn reader_errors_name_their_line() {
        let long = format!("1,{}\n", "1".repeat(MAX_MEASURE_LINE));
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                b"1,1\n2,\xff\n".to_vec(),
                "line 2, column 3: line is not utf-8",
            ),
            (
                long.into_bytes(),
                "line 1, column 4097: line is longer than 4096 bytes",
            ),
            (
                b"1,1\r\n\r\n#\n1,2,3\n".to_vec(),
                "line 4, column 3: cannot parse value `2,3`",
            ),
        ];
        for (input, msg) in cases {
            let err = MeasureReader::new(&input[..])
                .find_map(Result::err)
                .expect("an error");
            assert_eq!(err.to_string(), msg);
        }
    }

    #[test]
    fn regression_escaped_excerpt_stays_short() {
        // Found by the carbonara_measures fuzz target: 40 NUL bytes escaped
        // to 200 characters in the message.
        for text in ["\0".repeat(1000), "\u{1b}".repeat(50), "\\".repeat(100)] {
            let e = Excerpt::new(&text);
            assert!(e.as_str().chars().count() <= EXCERPT_CHARS + 3, "{e}");
            assert!(!e.as_str().chars().any(char::is_control));
        }
    }

    #[test]
    fn reader_stops_after_an_error() {
        let mut r = MeasureReader::new(&b"x\n1,1\n"[..]);
        assert!(r.next().unwrap().is_err());
        assert!(r.next().is_none());
        assert_eq!(r.line(), 1);
    }
}
