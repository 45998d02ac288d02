//! Text format 0.0.4: blank lines, comments, `# HELP` and `# TYPE` lines.

use std::borrow::Cow;

use super::cursor::Escapes;
use super::{Meta, Parser};
use crate::{Error, MetricType, ParseErrorKind};

impl Parser<'_> {
    /// Reads one line of text format.
    pub(super) fn text_line(&mut self) -> Result<(), Error> {
        self.cur.skip_blanks();
        match self.cur.peek() {
            // Trailing blanks at the end of the input.
            None => Ok(()),
            Some(b'\n') => self.cur.end_line(),
            Some(b'#') => self.text_comment(),
            Some(_) => self.sample_line(),
        }
    }

    /// Reads a line starting with `#`: `# HELP`, `# TYPE`, or a comment.
    fn text_comment(&mut self) -> Result<(), Error> {
        let c = &mut self.cur;
        c.pos += 1;
        c.skip_blanks();
        let keyword_start = c.pos;
        let meta = match c.token()? {
            "HELP" => Meta::Help,
            "TYPE" => Meta::Type,
            _ => {
                c.pos = keyword_start;
                return c.skip_line();
            }
        };
        if !matches!(c.peek(), Some(b' ' | b'\t')) {
            return Err(c.unexpected(c.pos, "blank and metric name after the keyword"));
        }
        c.skip_blanks();
        let at = c.pos_of(c.pos);
        let name = c.metric_name()?;
        if meta == Meta::Help {
            let help = match c.peek() {
                Some(b'\n') => Cow::Borrowed(""),
                Some(b' ' | b'\t') => {
                    c.skip_blanks();
                    c.escaped(b'\n', Escapes::TextHelp)?
                }
                _ => return Err(c.unexpected(c.pos, "blank or end of line after the metric name")),
            };
            c.end_line()?;
            return self.meta_family(name, at, meta)?.set_help(Some(help), at);
        }
        if !matches!(c.peek(), Some(b' ' | b'\t')) {
            return Err(c.unexpected(c.pos, "blank and metric type after the metric name"));
        }
        c.skip_blanks();
        let type_at = c.pos;
        let keyword = c.token()?;
        c.skip_blanks();
        c.end_line()?;
        let t = text_type(keyword).ok_or_else(|| {
            c.error(
                type_at,
                ParseErrorKind::UnknownType {
                    keyword: keyword.into(),
                },
            )
        });
        // The line is complete: report the error on it before moving to the next line.
        let t = t?;
        self.meta_family(name, at, meta)?.set_type(t, at)
    }
}

/// A 0.0.4 type keyword, in any case as Go's parser accepts it.
fn text_type(keyword: &str) -> Option<MetricType> {
    [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Untyped,
    ]
    .into_iter()
    .find(|t| t.as_str().eq_ignore_ascii_case(keyword))
}
