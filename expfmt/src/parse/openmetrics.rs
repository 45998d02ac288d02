//! OpenMetrics 1.0: `# TYPE`, `# UNIT`, `# HELP` and `# EOF` lines.

use super::cursor::Escapes;
use super::{Meta, Parser};
use crate::{Error, MetricType, ParseErrorKind};

impl Parser<'_> {
    /// Reads one line of OpenMetrics.
    pub(super) fn openmetrics_line(&mut self) -> Result<(), Error> {
        if self.cur.peek() == Some(b'#') {
            self.openmetrics_metadata()
        } else {
            self.sample_line()
        }
    }

    /// Reads a `# TYPE`, `# UNIT`, `# HELP` or `# EOF` line.
    fn openmetrics_metadata(&mut self) -> Result<(), Error> {
        let c = &mut self.cur;
        c.pos += 1;
        c.expect(b' ', "` ` after `#`")?;
        let keyword_start = c.pos;
        let meta = match c.token()? {
            "EOF" => return self.eof(),
            "HELP" => Meta::Help,
            "TYPE" => Meta::Type,
            "UNIT" => Meta::Unit,
            other => {
                return Err(c.error(
                    keyword_start,
                    ParseErrorKind::Unexpected {
                        expected: "`TYPE`, `UNIT`, `HELP` or `EOF`",
                        found: format!("`{other}`").into(),
                    },
                ));
            }
        };
        c.expect(b' ', "` ` after the keyword")?;
        let at = c.pos_of(c.pos);
        let name = c.metric_name()?;
        c.expect(b' ', "` ` after the metric name")?;
        match meta {
            Meta::Help => {
                let help = c.escaped(b'\n', Escapes::OpenMetrics)?;
                c.end_line()?;
                let help = (!help.is_empty()).then_some(help);
                self.meta_family(name, at, meta)?.set_help(help, at)
            }
            Meta::Unit => {
                let unit = c.unit()?;
                c.end_line()?;
                let unit = (!unit.is_empty()).then_some(unit);
                self.meta_family(name, at, meta)?.set_unit(unit, at)
            }
            Meta::Type => {
                let type_at = c.pos;
                let keyword = c.token()?;
                let t = openmetrics_type(keyword).ok_or_else(|| {
                    c.error(
                        type_at,
                        ParseErrorKind::UnknownType {
                            keyword: keyword.into(),
                        },
                    )
                })?;
                c.end_line()?;
                self.meta_family(name, at, meta)?.set_type(t, at)
            }
        }
    }

    /// After `# EOF`: an optional line feed, then nothing.
    fn eof(&mut self) -> Result<(), Error> {
        let c = &mut self.cur;
        if !c.at_end() {
            c.end_line()?;
            if !c.at_end() {
                return Err(c.error(c.pos, ParseErrorKind::ContentAfterEof));
            }
        }
        self.finish_input()
    }
}

/// An OpenMetrics 1.0 type keyword this crate can represent.
fn openmetrics_type(keyword: &str) -> Option<MetricType> {
    Some(match keyword {
        "counter" => MetricType::Counter,
        "gauge" => MetricType::Gauge,
        "histogram" => MetricType::Histogram,
        "summary" => MetricType::Summary,
        "unknown" => MetricType::Untyped,
        _ => return None,
    })
}
