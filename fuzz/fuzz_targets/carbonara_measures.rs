//! `rollup`'s input: `timestamp,value` lines read by `MeasureReader` and fed
//! batch by batch to a metric under the `low` policy, as `rollup` does. Every
//! error names a line within the input, and its message is short and free of
//! control characters, whatever the input holds.
#![no_main]

use carbonara::{ArchivePolicy, Error, MeasureLine, MeasureReader, Metric};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut metric = Metric::new(ArchivePolicy::builtin("low").expect("built in"));
    let mut batch = Vec::new();
    for item in MeasureReader::new(data) {
        match item {
            Ok((_, MeasureLine::Point(p))) => {
                batch.push(p);
                if batch.len() == 7 {
                    let _ = metric.add_measures(&batch);
                    batch.clear();
                }
            }
            Ok(_) => {
                let _ = metric.add_measures(&batch);
                batch.clear();
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.len() < 200, "{} bytes: {msg}", msg.len());
                assert!(!msg.chars().any(char::is_control), "{msg:?}");
                match e {
                    Error::Measure { line, .. } | Error::MeasureRead { line, .. } => {
                        assert!((1..=lines).contains(&line), "line {line} of {lines}");
                    }
                    other => panic!("unexpected error {other:?}"),
                }
                return;
            }
        }
    }
    let _ = metric.add_measures(&batch);
});
