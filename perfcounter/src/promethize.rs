//! Perf-counter paths to metric names: the mgr module's and ceph-exporter's `promethize`.

/// The mgr prometheus module's `promethize` (Python): the metric name for a perf-counter path
/// such as `osd.op_r_latency`.
///
/// In order: every `.`, `/`, whitespace character (Python's `\s`) and `::` becomes `_`; every
/// `+` becomes `_plus`; then a trailing `-` becomes `_minus` (other `-` are kept), or, without a
/// trailing `-`, every `-` becomes `_`; finally `ceph_` is prefixed. Nothing else is changed, so
/// the result can be an invalid metric name (`:` alone is valid); the mapping sanitizes those
/// (see [`Mapper`](crate::Mapper)).
///
/// ```
/// use perfcounter::promethize;
///
/// assert_eq!(promethize("osd.op_r_latency"), "ceph_osd_op_r_latency");
/// assert_eq!(promethize("AsyncMessenger::Worker-0.msgr_recv_bytes"), "ceph_AsyncMessenger_Worker_0_msgr_recv_bytes");
/// assert_eq!(promethize("mds_mem.ino+"), "ceph_mds_mem_ino_plus");
/// assert_eq!(promethize("a-b-"), "ceph_a-b_minus");
/// ```
pub fn promethize(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 16);
    out.push_str("ceph_");
    let body_start = out.len();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' | '/' => out.push('_'),
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                out.push('_');
            }
            '+' => out.push_str("_plus"),
            c if is_python_space(c) => out.push('_'),
            c => out.push(c),
        }
    }
    if out.len() > body_start && out.ends_with('-') {
        out.pop();
        out.push_str("_minus");
    } else if out[body_start..].contains('-') {
        out = out.replace('-', "_");
    }
    out
}

/// ceph-exporter's `promethize` (C++, `src/exporter/util.cc`): the metric name for a labeled
/// counter's `<group>_<counter>` string.
///
/// In order: a trailing `-` becomes `_minus`; every `.`, `/`, space (`' '` only) and `-` becomes
/// `_`; every `::` becomes `_`; every `+` becomes `_plus`; finally `ceph_` is prefixed. It
/// differs from [`promethize`] on a `-` before a trailing one (`a-b-` → `ceph_a_b_minus`) and on
/// whitespace other than a space (kept).
///
/// ```
/// use perfcounter::promethize_exporter;
///
/// assert_eq!(promethize_exporter("osd_op_r_latency"), "ceph_osd_op_r_latency");
/// assert_eq!(promethize_exporter("AsyncMessenger::Worker_msgr_connection_ready_timeouts"),
///            "ceph_AsyncMessenger_Worker_msgr_connection_ready_timeouts");
/// assert_eq!(promethize_exporter("a-b-"), "ceph_a_b_minus");
/// ```
pub fn promethize_exporter(name: &str) -> String {
    let trailing_minus = name.ends_with('-');
    let body = if trailing_minus {
        &name[..name.len() - 1]
    } else {
        name
    };
    let mut out = String::with_capacity(name.len() + 16);
    out.push_str("ceph_");
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' | '/' | ' ' | '-' => out.push('_'),
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                out.push('_');
            }
            '+' => out.push_str("_plus"),
            c => out.push(c),
        }
    }
    if trailing_minus {
        // The trailing `-` became `_`, then `minus` was appended; a `:` right before it cannot
        // pair with the `_`, so handling it here matches the C++ order of replacements.
        out.push_str("_minus");
    }
    out
}

/// Python's `\s` for `str` patterns: Unicode White_Space plus U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_and_cpp_tables() {
        // (input, Python/mgr, C++/exporter)
        let cases = [
            ("osd.op_r", "ceph_osd_op_r", "ceph_osd_op_r"),
            ("osd_op_r", "ceph_osd_op_r", "ceph_osd_op_r"),
            (
                "AsyncMessenger::Worker-0.msgr_recv_messages",
                "ceph_AsyncMessenger_Worker_0_msgr_recv_messages",
                "ceph_AsyncMessenger_Worker_0_msgr_recv_messages",
            ),
            (
                "prioritycache:meta.pri0_bytes",
                "ceph_prioritycache:meta_pri0_bytes",
                "ceph_prioritycache:meta_pri0_bytes",
            ),
            (
                "bluestore-pricache:data.pri0_bytes",
                "ceph_bluestore_pricache:data_pri0_bytes",
                "ceph_bluestore_pricache:data_pri0_bytes",
            ),
            (
                "throttle-osd_client_bytes.val",
                "ceph_throttle_osd_client_bytes_val",
                "ceph_throttle_osd_client_bytes_val",
            ),
            (
                "mds_mem.ino+",
                "ceph_mds_mem_ino_plus",
                "ceph_mds_mem_ino_plus",
            ),
            (
                "osd_flag_nodeep-scrub",
                "ceph_osd_flag_nodeep_scrub",
                "ceph_osd_flag_nodeep_scrub",
            ),
            (
                "mds_mem.ino-",
                "ceph_mds_mem_ino_minus",
                "ceph_mds_mem_ino_minus",
            ),
            ("a-b-", "ceph_a-b_minus", "ceph_a_b_minus"),
            ("a-b", "ceph_a_b", "ceph_a_b"),
            ("-", "ceph__minus", "ceph__minus"),
            ("a+-", "ceph_a_plus_minus", "ceph_a_plus_minus"),
            ("x::-", "ceph_x__minus", "ceph_x__minus"),
            (":::", "ceph__:", "ceph__:"),
            ("a:b", "ceph_a:b", "ceph_a:b"),
            ("a/b c", "ceph_a_b_c", "ceph_a_b_c"),
            ("a\tb\nc", "ceph_a_b_c", "ceph_a\tb\nc"),
            ("a\u{a0}b\u{1f}c", "ceph_a_b_c", "ceph_a\u{a0}b\u{1f}c"),
            (
                "rbd_mirror_image_replay",
                "ceph_rbd_mirror_image_replay",
                "ceph_rbd_mirror_image_replay",
            ),
            (
                "data-sync-from-zone.fetch_bytes_sum",
                "ceph_data_sync_from_zone_fetch_bytes_sum",
                "ceph_data_sync_from_zone_fetch_bytes_sum",
            ),
            ("é.x", "ceph_é_x", "ceph_é_x"),
            ("", "ceph_", "ceph_"),
        ];
        for (input, py, cpp) in cases {
            assert_eq!(promethize(input), py, "python {input:?}");
            assert_eq!(promethize_exporter(input), cpp, "c++ {input:?}");
        }
    }

    #[test]
    fn python_space_class() {
        for c in [
            ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1f}', '\u{85}', '\u{3000}',
        ] {
            assert!(is_python_space(c), "{c:?}");
        }
        for c in ['a', '_', '\u{0}', '\u{1b}', '\u{200b}'] {
            assert!(!is_python_space(c), "{c:?}");
        }
    }
}
