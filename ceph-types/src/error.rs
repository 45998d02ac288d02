//! The crate's error type.

use crate::Command;

/// An error parsing the JSON output of a Ceph command.
///
/// Every variant names the [`Command`] whose output was being parsed. Positions are 1-based
/// line and column numbers in the text handed to the parser (columns count bytes, as
/// `serde_json` does); `path` is the JSON path of the value that did not fit the model, in the
/// form `pools[3].pool_name` (`.` for the document root).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON, even after quoting Ceph's bare `nan`/`inf` tokens.
    #[error("`{command}` output is not valid JSON at line {line}, column {column}")]
    Syntax {
        /// The command whose output was parsed.
        command: Command,
        /// Line of the fault, 1-based.
        line: usize,
        /// Column of the fault, 1-based.
        column: usize,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The text ends before the JSON document does (a truncated capture or socket read).
    #[error("`{command}` output ends early at line {line}, column {column}")]
    Eof {
        /// The command whose output was parsed.
        command: Command,
        /// Line where the text ends, 1-based.
        line: usize,
        /// Column where the text ends, 1-based.
        column: usize,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The text is JSON, but a value does not fit the model (wrong type, missing required field,
    /// number out of range).
    #[error("`{command}` output does not fit the model at `{path}` (line {line}, column {column})")]
    Data {
        /// The command whose output was parsed.
        command: Command,
        /// JSON path of the offending value, e.g. `osds[2].up`.
        path: Box<str>,
        /// Line of the fault, 1-based.
        line: usize,
        /// Column of the fault, 1-based.
        column: usize,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A JSON-in-a-string envelope (as ceph-mgr hands out `health` and `mon_status`) did not
    /// hold a string under the expected key.
    #[error("`{command}` envelope has no string field `{field}`")]
    Envelope {
        /// The command whose output was parsed.
        command: Command,
        /// The key that should hold the embedded JSON text.
        field: Box<str>,
    },
    /// The streaming PG reader ([`PgDumpReader`](crate::PgDumpReader)) met text that is not
    /// a PG map.
    #[error("`{command}` output is not a readable PG map at byte {offset}: {reason}")]
    Stream {
        /// The command whose output was read.
        command: Command,
        /// Byte offset of the fault from the start of the document.
        offset: u64,
        /// What was wrong there, e.g. `expected a string`.
        reason: &'static str,
    },
    /// The streaming PG reader's input failed to read.
    #[error("reading `{command}` output failed at byte {offset}")]
    Read {
        /// The command whose output was read.
        command: Command,
        /// Bytes read before the failure.
        offset: u64,
        /// The reader's error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The command whose output failed to parse.
    pub fn command(&self) -> Command {
        match self {
            Error::Syntax { command, .. }
            | Error::Eof { command, .. }
            | Error::Data { command, .. }
            | Error::Envelope { command, .. }
            | Error::Stream { command, .. }
            | Error::Read { command, .. } => *command,
        }
    }

    /// Line and column (1-based) of the fault, when the error has a position.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Error::Syntax { line, column, .. }
            | Error::Eof { line, column, .. }
            | Error::Data { line, column, .. } => Some((*line, *column)),
            Error::Envelope { .. } | Error::Stream { .. } | Error::Read { .. } => None,
        }
    }

    /// Byte offset of the fault from the start of the document, for the errors of the
    /// streaming PG reader ([`Error::Stream`], [`Error::Read`]).
    pub fn offset(&self) -> Option<u64> {
        match self {
            Error::Stream { offset, .. } | Error::Read { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// JSON path of the value that did not fit the model, for [`Error::Data`].
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Data { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Builds the error for `source`, a `serde_json` error met while parsing `command`'s output
    /// at JSON path `path`.
    pub(crate) fn from_json(command: Command, path: &str, source: serde_json::Error) -> Error {
        let (line, column) = (source.line(), source.column());
        match source.classify() {
            serde_json::error::Category::Eof => Error::Eof {
                command,
                line,
                column,
                source,
            },
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                Error::Syntax {
                    command,
                    line,
                    column,
                    source,
                }
            }
            serde_json::error::Category::Data => Error::Data {
                command,
                path: path.into(),
                line,
                column,
                source,
            },
        }
    }

    /// Moves the position of a positioned error, used to map positions in a rewritten text
    /// back to the caller's text.
    pub(crate) fn map_position(mut self, f: impl FnOnce(usize, usize) -> (usize, usize)) -> Error {
        match &mut self {
            Error::Syntax { line, column, .. }
            | Error::Eof { line, column, .. }
            | Error::Data { line, column, .. } => {
                let (l, c) = f(*line, *column);
                *line = l;
                *column = c;
            }
            Error::Envelope { .. } | Error::Stream { .. } | Error::Read { .. } => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_small() {
        assert!(
            std::mem::size_of::<Error>() <= 56,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn classify_and_display() {
        let cases: &[(&str, &str)] = &[
            (
                "{\"a\": 1",
                "`osd dump` output ends early at line 1, column 7",
            ),
            (
                "{\"a\": x}",
                "`osd dump` output is not valid JSON at line 1, column 7",
            ),
        ];
        for (text, want) in cases {
            let e = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            let err = Error::from_json(Command::OsdDump, ".", e);
            assert_eq!(err.to_string(), *want);
            assert_eq!(err.command(), Command::OsdDump);
            assert!(err.position().is_some());
            assert_eq!(err.path(), None);
        }
        let e = serde_json::from_str::<u8>("300").unwrap_err();
        let err = Error::from_json(Command::Df, "stats.total_bytes", e);
        assert_eq!(
            err.to_string(),
            "`df` output does not fit the model at `stats.total_bytes` (line 1, column 3)"
        );
        assert_eq!(err.path(), Some("stats.total_bytes"));
        let moved = err.map_position(|l, c| (l + 1, c - 1));
        assert_eq!(moved.position(), Some((2, 2)));
        let env = Error::Envelope {
            command: Command::Health,
            field: "json".into(),
        };
        assert_eq!(
            env.to_string(),
            "`health` envelope has no string field `json`"
        );
        assert_eq!(env.position(), None);
    }
}
