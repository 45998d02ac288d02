//! Every `ceph-types` model on arbitrary text. The first byte picks the model (the commands
//! in `COMMANDS`, then `unwrap_envelope` + `health`/`mon_status`); the rest is the text (lossy
//! UTF-8). A parse is an error with a position inside the text, or a model that writes JSON
//! which parses back to a model that writes the same JSON. Never a panic.
#![no_main]

use ceph_types::{
    Command, CounterDump, CounterSchema, Df, Error, FsDump, Health, MdsMetadata, MgrDump,
    MgrMetadata, Model, MonDump, MonMetadata,
    MonStatus, OsdCrushDump, OsdDf, OsdDump, OsdMetadata, OsdPerf, OsdPoolStats, OsdTree,
    PerfDump, PerfSchema, PgDump, PgStat, QuorumStatus, ServiceDump, Status, Versions,
    unwrap_envelope,
};
use libfuzzer_sys::fuzz_target;

/// The commands the selector byte picks from (modulo the length, plus the two envelopes).
const COMMANDS: [Command; 28] = [
    Command::PerfDump,
    Command::PerfSchema,
    Command::CounterDump,
    Command::CounterSchema,
    Command::Health,
    Command::HealthDetail,
    Command::Status,
    Command::Df,
    Command::DfDetail,
    Command::OsdDump,
    Command::OsdTree,
    Command::OsdDf,
    Command::OsdPerf,
    Command::OsdMetadata,
    Command::OsdCrushDump,
    Command::OsdPoolStats,
    Command::PgDump,
    Command::PgStat,
    Command::MonDump,
    Command::QuorumStatus,
    Command::MonStatus,
    Command::MgrDump,
    Command::FsDump,
    Command::ServiceDump,
    Command::Versions,
    Command::MonMetadata,
    Command::MgrMetadata,
    Command::MdsMetadata,
];

/// Parses `text` as `$t`; on success writes it, parses the writing and writes that again.
macro_rules! check {
    ($t:ident, $command:expr, $text:expr) => {{
        let (command, text): (Command, &str) = ($command, $text);
        match $t::parse_as(command, text) {
            Ok(model) => {
                let written = serde_json::to_string(&model).expect("a model writes");
                let again = $t::parse_as(command, &written)
                    .unwrap_or_else(|e| panic!("own output does not parse: {e}\n{written}"));
                let rewritten = serde_json::to_string(&again).expect("a model writes");
                assert_eq!(written, rewritten, "round trip differs");
            }
            Err(e) => check_error(&e, text),
        }
    }};
}

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

fn run(command: Command, text: &str) {
    match command {
        Command::PerfDump => check!(PerfDump, command, text),
        Command::PerfSchema => check!(PerfSchema, command, text),
        Command::CounterDump => check!(CounterDump, command, text),
        Command::CounterSchema => check!(CounterSchema, command, text),
        Command::Health | Command::HealthDetail => check!(Health, command, text),
        Command::Status => check!(Status, command, text),
        Command::Df | Command::DfDetail => check!(Df, command, text),
        Command::OsdDump => check!(OsdDump, command, text),
        Command::OsdTree => check!(OsdTree, command, text),
        Command::OsdDf => check!(OsdDf, command, text),
        Command::OsdPerf => check!(OsdPerf, command, text),
        Command::OsdMetadata => check!(OsdMetadata, command, text),
        Command::OsdCrushDump => check!(OsdCrushDump, command, text),
        Command::OsdPoolStats => check!(OsdPoolStats, command, text),
        Command::PgDump => check!(PgDump, command, text),
        Command::PgStat => check!(PgStat, command, text),
        Command::MonDump => check!(MonDump, command, text),
        Command::QuorumStatus => check!(QuorumStatus, command, text),
        Command::MonStatus => check!(MonStatus, command, text),
        Command::MgrDump => check!(MgrDump, command, text),
        Command::FsDump => check!(FsDump, command, text),
        Command::ServiceDump => check!(ServiceDump, command, text),
        Command::Versions => check!(Versions, command, text),
        Command::MonMetadata => check!(MonMetadata, command, text),
        Command::MgrMetadata => check!(MgrMetadata, command, text),
        Command::MdsMetadata => check!(MdsMetadata, command, text),
        _ => unreachable!("not in COMMANDS"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let pick = usize::from(selector) % (COMMANDS.len() + 2);
    match COMMANDS.get(pick) {
        Some(&command) => run(command, &text),
        None => {
            // ceph-mgr's JSON-in-a-string values, then the model inside.
            let command = if pick == COMMANDS.len() {
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
