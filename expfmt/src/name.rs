//! Metric and label name validation and sanitizing.

use crate::Error;

/// Byte classes, one bit each; shared by validation here and the parser's lexer.
pub(crate) const METRIC_START: u8 = 1;
pub(crate) const METRIC_CONT: u8 = 2;
pub(crate) const LABEL_START: u8 = 4;
pub(crate) const LABEL_CONT: u8 = 8;
/// Bytes that end a name without making it invalid; the grammar decides what may follow.
pub(crate) const DELIMITER: u8 = 16;
/// `"`, `\\` and line feed: the bytes an escaped string stops at.
pub(crate) const QUOTE: u8 = 32;
pub(crate) const BACKSLASH: u8 = 64;
pub(crate) const LINE_FEED: u8 = 128;

pub(crate) const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let alpha = c.is_ascii_alphabetic() || c == b'_';
        let mut v = 0;
        if alpha || c == b':' {
            v |= METRIC_START | METRIC_CONT;
        }
        if c.is_ascii_digit() {
            v |= METRIC_CONT | LABEL_CONT;
        }
        if alpha {
            v |= LABEL_START | LABEL_CONT;
        }
        if matches!(
            c,
            b' ' | b'\t' | b'\n' | b'{' | b'}' | b',' | b'"' | b'=' | b'#'
        ) {
            v |= DELIMITER;
        }
        v |= match c {
            b'"' => QUOTE,
            b'\\' => BACKSLASH,
            b'\n' => LINE_FEED,
            _ => 0,
        };
        t[i] = v;
        i += 1;
    }
    t
};

/// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
///
/// ```
/// assert!(expfmt::is_valid_metric_name("ceph_osd_op_r"));
/// assert!(expfmt::is_valid_metric_name("ceph_prioritycache:meta_pri0_bytes"));
/// assert!(!expfmt::is_valid_metric_name("0day"));
/// assert!(!expfmt::is_valid_metric_name("osd.op"));
/// ```
pub fn is_valid_metric_name(name: &str) -> bool {
    let b = name.as_bytes();
    match b.split_first() {
        None => false,
        Some((first, rest)) => {
            CLASS[usize::from(*first)] & 1 != 0
                && rest.iter().all(|&c| CLASS[usize::from(c)] & 2 != 0)
        }
    }
}

/// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`. Reserved names (`__`
/// prefix) are valid here; [`validate_label_name`] rejects them.
///
/// ```
/// assert!(expfmt::is_valid_label_name("ceph_daemon"));
/// assert!(!expfmt::is_valid_label_name("pool:id"));
/// ```
pub fn is_valid_label_name(name: &str) -> bool {
    let b = name.as_bytes();
    match b.split_first() {
        None => false,
        Some((first, rest)) => {
            CLASS[usize::from(*first)] & 4 != 0
                && rest.iter().all(|&c| CLASS[usize::from(c)] & 8 != 0)
        }
    }
}

/// Checks a metric name.
///
/// # Errors
///
/// [`Error::InvalidMetricName`] when `name` does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn validate_metric_name(name: &str) -> Result<(), Error> {
    if is_valid_metric_name(name) {
        Ok(())
    } else {
        Err(Error::InvalidMetricName { name: name.into() })
    }
}

/// Checks a label name for use in an exposition.
///
/// # Errors
///
/// [`Error::InvalidLabelName`] when `name` does not match `[a-zA-Z_][a-zA-Z0-9_]*`,
/// [`Error::ReservedLabelName`] when it starts with `__` (reserved for Prometheus' own use).
pub fn validate_label_name(name: &str) -> Result<(), Error> {
    if !is_valid_label_name(name) {
        Err(Error::InvalidLabelName { name: name.into() })
    } else if name.starts_with("__") {
        Err(Error::ReservedLabelName { name: name.into() })
    } else {
        Ok(())
    }
}

/// Turns any string into a valid metric name: every byte outside `[a-zA-Z0-9_:]` becomes `_`
/// (one `_` per invalid UTF-8 character), a leading digit gets a `_` prefix, and an empty
/// string becomes `_`. This is Prometheus' `underscores` escaping scheme.
///
/// ```
/// assert_eq!(expfmt::sanitize_metric_name("osd.op_r-lat"), "osd_op_r_lat");
/// assert_eq!(expfmt::sanitize_metric_name("1st"), "_1st");
/// assert_eq!(expfmt::sanitize_metric_name(""), "_");
/// ```
pub fn sanitize_metric_name(name: &str) -> String {
    sanitize(name, METRIC_CONT)
}

/// Turns any string into a valid, non-reserved label name: every character outside
/// `[a-zA-Z0-9_]` becomes `_`, a leading digit gets a `_` prefix, a leading `__` is cut to one
/// `_`, and an empty string becomes `_`.
///
/// ```
/// assert_eq!(expfmt::sanitize_label_name("pool:id"), "pool_id");
/// assert_eq!(expfmt::sanitize_label_name("__name__"), "_name__");
/// assert_eq!(expfmt::sanitize_label_name("9"), "_9");
/// ```
pub fn sanitize_label_name(name: &str) -> String {
    let mut out = sanitize(name, LABEL_CONT);
    while out.starts_with("__") {
        out.remove(0);
    }
    out
}

fn sanitize(name: &str, continue_bit: u8) -> String {
    let mut out = String::with_capacity(name.len() + 1);
    if name.as_bytes().first().is_none_or(u8::is_ascii_digit) {
        out.push('_');
    }
    for ch in name.chars() {
        let ok = ch.is_ascii() && CLASS[ch as usize] & continue_bit != 0;
        out.push(if ok { ch } else { '_' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        let cases = [
            ("a", true),
            ("_", true),
            (":", true),
            ("a:b_c9", true),
            ("ceph_osd_op_r_latency_sum", true),
            ("", false),
            ("9a", false),
            ("a-b", false),
            ("a.b", false),
            ("a b", false),
            ("é", false),
            ("a\n", false),
        ];
        for (name, ok) in cases {
            assert_eq!(is_valid_metric_name(name), ok, "{name:?}");
            assert_eq!(validate_metric_name(name).is_ok(), ok, "{name:?}");
        }
    }

    #[test]
    fn label_names() {
        let cases = [
            ("a", Ok(())),
            ("_", Ok(())),
            ("ceph_daemon", Ok(())),
            ("a9", Ok(())),
            ("__name__", Err("reserved")),
            ("__", Err("reserved")),
            ("", Err("invalid")),
            ("a:b", Err("invalid")),
            ("9", Err("invalid")),
            ("a-b", Err("invalid")),
        ];
        for (name, want) in cases {
            let got = validate_label_name(name).map_err(|e| match e {
                Error::ReservedLabelName { .. } => "reserved",
                Error::InvalidLabelName { .. } => "invalid",
                _ => "other",
            });
            assert_eq!(got, want, "{name:?}");
        }
    }

    #[test]
    fn sanitizing() {
        let cases = [
            ("", "_", "_"),
            ("abc", "abc", "abc"),
            ("a.b/c d", "a_b_c_d", "a_b_c_d"),
            ("a:b", "a:b", "a_b"),
            ("0x", "_0x", "_0x"),
            ("__x", "__x", "_x"),
            ("____", "____", "_"),
            ("é€", "__", "_"),
        ];
        for (input, metric, label) in cases {
            assert_eq!(sanitize_metric_name(input), metric, "{input:?}");
            assert_eq!(sanitize_label_name(input), label, "{input:?}");
            assert!(is_valid_metric_name(&sanitize_metric_name(input)));
            assert!(validate_label_name(&sanitize_label_name(input)).is_ok());
        }
    }
}
