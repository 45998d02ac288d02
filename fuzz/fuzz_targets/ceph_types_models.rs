//! Every `ceph-types` model on arbitrary text, and the streaming PG reader on arbitrary bytes.
//! The first byte picks the command (one of `Command::ALL`, through `Document::parse`, which
//! maps each command to its model; then `unwrap_envelope` + `health`/`mon_status`); the rest
//! is the text (lossy UTF-8). A parse is an error with a position inside the text, or a model
//! that writes JSON which parses back to a model that writes the same JSON. For the PG-map
//! commands the raw bytes also go through `PgDumpReader`: a read, or an error whose byte
//! offset lies inside the input. Never a panic.
#![no_main]

use ceph_types::{
    Command, Document, Error, PgDumpReader, PgDumpVisitor, StreamedOsdStats, StreamedPg,
    StreamedPoolStats, StreamedStatsSum, unwrap_envelope,
};
use libfuzzer_sys::fuzz_target;

/// An error names a position inside `text` (or none, for an envelope).
fn check_error(e: &Error, text: &str) {
    let _ = e.to_string();
    if let Some((line, column)) = e.position() {
        let lines = text.split('\n').count();
        assert!(line >= 1 && line <= lines, "line {line} of {lines}: {e}");
        let len = text.split('\n').nth(line - 1).map_or(0, str::len);
        assert!(column <= len + 1, "column {column} of {len} at line {line}: {e}");
    }
    if matches!(e, Error::Data { .. }) {
        assert!(e.path().is_some(), "{e}");
    }
}

/// Parses `text` with `command`'s model; on success writes it, parses the writing and writes
/// that again.
fn run(command: Command, text: &str) {
    match Document::parse(command, text) {
        Ok(doc) => {
            let written = serde_json::to_string(&doc).expect("a model writes");
            let again = Document::parse(command, &written)
                .unwrap_or_else(|e| panic!("own output does not parse: {e}\n{written}"));
            let rewritten = serde_json::to_string(&again).expect("a model writes");
            assert_eq!(written, rewritten, "round trip differs");
        }
        Err(e) => check_error(&e, text),
    }
}

/// Touches every part the streaming reader hands out.
#[derive(Default)]
struct Touch(u64);

impl PgDumpVisitor for Touch {
    fn pg(&mut self, pg: StreamedPg<'_>) {
        self.0 += (pg.pool().len() + pg.states().count()) as u64;
        self.0 += pg.acting_primary.map_or(0, |p| p as u64);
    }
    fn wants_acting_primary(&mut self, state: &str) -> bool {
        state.len() % 2 == 0
    }
    fn pool_stats(&mut self, s: StreamedPoolStats) {
        self.0 += s.poolid as u64;
    }
    fn osd_stats(&mut self, s: StreamedOsdStats) {
        self.0 += s.osd.unwrap_or(0) as u64;
    }
    fn stats_sum(&mut self, s: StreamedStatsSum) {
        self.0 += s.num_objects_unfound.map_or(0, |n| n.as_f64() as u64);
    }
}

/// The streaming PG reader over `bytes`, with a chunk size picked by the input.
fn stream(command: Command, bytes: &[u8], chunk: usize) {
    let mut touch = Touch::default();
    match PgDumpReader::new(bytes)
        .command(command)
        .chunk_size(chunk)
        .visit(&mut touch)
    {
        Ok(()) => {}
        Err(e) => {
            let _ = e.to_string();
            assert_eq!(e.command(), command);
            let offset = e.offset().expect("stream errors carry an offset");
            assert!(offset <= bytes.len() as u64, "offset {offset} of {}", bytes.len());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let commands = Command::ALL;
    let pick = usize::from(selector) % (commands.len() + 2);
    match commands.get(pick) {
        Some(&command) => {
            run(command, &text);
            if matches!(
                command,
                Command::PgDump | Command::PgDumpBrief | Command::PgDumpSum
            ) {
                stream(command, rest, 1 + usize::from(selector) % 97);
            }
        }
        None => {
            // ceph-mgr's JSON-in-a-string values, then the model inside.
            let command = if pick == commands.len() {
                Command::Health
            } else {
                Command::MonStatus
            };
            match unwrap_envelope(command, &text) {
                Ok(inner) => run(command, &inner),
                Err(e) => check_error(&e, &text),
            }
        }
    }
});
