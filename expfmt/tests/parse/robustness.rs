//! Arbitrary bytes and mutated expositions: the parser never panics, and every error points
//! inside the input.

use expfmt::{Error, Format};
use proptest::prelude::*;

/// A valid exposition using every feature of the text format.
const TEXT: &str = "# A comment\n\
# HELP ceph_osd_up OSD \\\\ status\\nup\n\
# TYPE ceph_osd_up gauge\n\
ceph_osd_up{ceph_daemon=\"osd.0\",host=\"a\\\"b\\\\c\\nd\"} 1 1700000000000\n\
ceph_osd_up{ceph_daemon=\"osd.1\",} 0.5\n\
\n\
# TYPE lat histogram\n\
lat_bucket{op=\"r\",le=\"0.5\"} 1\n\
lat_bucket{op=\"r\",le=\"+Inf\"} 3\n\
lat_sum{op=\"r\"} 1.5e3\n\
lat_count{op=\"r\"} 3\n\
# TYPE q summary\n\
q{quantile=\"0.5\"} NaN\n\
q_sum -Inf\n\
q_count 0\n\
untyped_thing -7\n";

/// A valid OpenMetrics exposition using every feature the parser supports.
const OPENMETRICS: &str = "# TYPE ceph_ops_bytes counter\n\
# UNIT ceph_ops_bytes bytes\n\
# HELP ceph_ops_bytes Operations \\\"quoted\\\"\n\
ceph_ops_bytes_total{d=\"osd.0\"} 17 1520879607.789 # {trace_id=\"x\"} 1 1520879607.7\n\
ceph_ops_bytes_created{d=\"osd.0\"} 1520430000.123 1520879607.789\n\
# TYPE lat_seconds histogram\n\
# UNIT lat_seconds seconds\n\
lat_seconds_bucket{le=\"0.1\"} 8 # {} 0.054\n\
lat_seconds_bucket{le=\"+Inf\"} 17\n\
lat_seconds_count 17\n\
lat_seconds_sum 324789.3\n\
lat_seconds_created 1520430000.123\n\
# TYPE g gauge\n\
g{a=\"\\\\\"} 1.0\n\
# EOF\n";

/// Checks that `input` parses or fails cleanly at a position inside it.
fn check(input: &[u8], format: Format) -> Result<(), TestCaseError> {
    let result = std::panic::catch_unwind(|| expfmt::parse(input, format));
    let Ok(result) = result else {
        return Err(TestCaseError::fail(format!(
            "panic on {:?}",
            String::from_utf8_lossy(input)
        )));
    };
    match result {
        Ok(_) => {}
        Err(Error::Parse { line, column, .. }) => {
            let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
            prop_assert!(
                line >= 1 && line <= lines.len(),
                "line {line} of {}",
                lines.len()
            );
            prop_assert!(
                column >= 1 && column <= lines[line - 1].len() + 1,
                "column {column} of line {line} ({} bytes) in {:?}",
                lines[line - 1].len(),
                String::from_utf8_lossy(input)
            );
        }
        Err(other) => prop_assert!(false, "not a parse error: {other}"),
    }
    // The streaming parser agrees with `parse`, and stops after an error.
    let items: Vec<_> = expfmt::Parser::new(input, format).collect();
    let errors = items.iter().filter(|r| r.is_err()).count();
    prop_assert!(
        errors <= 1
            && items
                .iter()
                .take(items.len().saturating_sub(1))
                .all(Result::is_ok)
    );
    Ok(())
}

/// One edit of an exposition.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Replace(usize, u8),
    Delete(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        Just(b'\n'),
        Just(b' '),
        Just(b'\t'),
        Just(b'"'),
        Just(b'\\'),
        Just(b'{'),
        Just(b'}'),
        Just(b','),
        Just(b'='),
        Just(b'#'),
        Just(b'.'),
        Just(b'-'),
        Just(b'+'),
        Just(b'e'),
        Just(b'_'),
        Just(b'0'),
        Just(b'9'),
        Just(0xff),
        Just(0xc3),
        any::<u8>(),
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), 1..8usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(input: &mut Vec<u8>, e: &Edit) {
    let len = input.len().max(1);
    match *e {
        Edit::Insert(i, b) => input.insert(i % (input.len() + 1), b),
        Edit::Replace(i, b) => {
            if !input.is_empty() {
                input[i % len] = b;
            }
        }
        Edit::Delete(i, n) => {
            if !input.is_empty() {
                let start = i % len;
                let end = (start + n).min(input.len());
                input.drain(start..end);
            }
        }
        Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
            let mut lines: Vec<Vec<u8>> =
                input.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let n = lines.len();
            match *e {
                Edit::DuplicateLine(_) => {
                    let line = lines[i % n].clone();
                    lines.insert(i % n, line);
                }
                Edit::SwapLines(a, b) => lines.swap(a % n, b % n),
                _ => {}
            }
            *input = lines.join(&b'\n');
        }
        Edit::Truncate(i) => input.truncate(i % len),
    }
}

proptest! {
    // 1,024 cases each by default; `PROPTEST_CASES` raises it for a longer hunt.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1024)
    ))]

    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&input, Format::Text)?;
        check(&input, Format::OpenMetrics)?;
    }

    #[test]
    fn grammar_soup_never_panics(input in "[a-z_{}=\",. \\t\\n#+\\-0-9eEINafnT\\\\]{0,200}") {
        check(input.as_bytes(), Format::Text)?;
        check(input.as_bytes(), Format::OpenMetrics)?;
        let om = format!("{input}\n# EOF\n");
        check(om.as_bytes(), Format::OpenMetrics)?;
    }

    #[test]
    fn mutated_expositions_never_panic(edits in proptest::collection::vec(edit(), 1..5)) {
        for (base, format) in [(TEXT, Format::Text), (OPENMETRICS, Format::OpenMetrics)] {
            let mut input = base.as_bytes().to_vec();
            for e in &edits {
                apply(&mut input, e);
            }
            check(&input, format)?;
            check(&input, if format == Format::Text { Format::OpenMetrics } else { Format::Text })?;
        }
    }
}

#[test]
fn the_corpora_are_valid() {
    let text = expfmt::parse(TEXT.as_bytes(), Format::Text).unwrap();
    assert_eq!(text.len(), 4);
    let om = expfmt::parse(OPENMETRICS.as_bytes(), Format::OpenMetrics).unwrap();
    assert_eq!(om.len(), 3);
}

/// Every error message of the parsers on `input`: no raw control character, at most a short
/// window of the input.
fn assert_clean_messages(input: &[u8], format: Format) -> usize {
    let mut errors = 0;
    for item in expfmt::Parser::new(input, format) {
        if let Err(e) = item {
            let msg = e.to_string();
            assert!(!msg.chars().any(char::is_control), "{msg:?}");
            assert!(msg.len() < 200, "{} bytes: {msg:?}", msg.len());
            errors += 1;
        }
    }
    errors
}

/// Fuzz finding (`expfmt_text`, first minutes): a value with NUL bytes was echoed raw in the
/// error message.
#[test]
fn fuzz_text_nul_bytes_in_a_value_are_escaped_in_the_message() {
    let input = b"# TYPE f gauge\nf{case=\"e15\"} 10000\0\0\0\0\0\0\0\0\x0000000000000.0\n";
    assert_eq!(assert_clean_messages(input, Format::Text), 1);
    let Err(e) = expfmt::parse(input, Format::Text) else {
        panic!("accepted");
    };
    assert_eq!(
        e.to_string(),
        "2:15: expected float as value, got `10000\\0\\0\\0\\0\\0\\0\\0\\0\\000000000000.0`"
    );
}

/// Fuzz finding (`expfmt_openmetrics`, first minutes): a label name with control bytes was
/// echoed raw.
#[test]
fn fuzz_openmetrics_control_bytes_in_a_label_name_are_escaped_in_the_message() {
    let input = b"# TYPE g gauge\ng{ser\x02\0\0n=\"1\"} 1\n# EOF\n";
    assert_eq!(assert_clean_messages(input, Format::OpenMetrics), 1);
}

/// Issue 12: a 1M-digit value gave a 1 MB error line.
#[test]
fn a_huge_bad_value_gives_a_short_message() {
    let mut input = b"g 1".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1_000_000));
    input.push(b'\n');
    assert_eq!(assert_clean_messages(&input, Format::Text), 1);
}

/// Fuzz finding (`expfmt_text`, second run): the character after a bad backslash was echoed
/// raw (a tab).
#[test]
fn fuzz_text_tab_after_a_backslash_is_escaped_in_the_message() {
    let input = b"# TYPE f gauge\nf{a=\"x\\\t\"} 1\n";
    assert_eq!(assert_clean_messages(input, Format::Text), 1);
    let Err(e) = expfmt::parse(input, Format::Text) else {
        panic!("accepted");
    };
    assert_eq!(e.to_string(), "2:7: invalid escape sequence `\\\\t`");
}
