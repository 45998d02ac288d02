//! Timestamps as text: RFC 3339 and epoch seconds, the forms Gnocchi's API
//! accepts.

use std::fmt;

use crate::round::{civil_from_days, days_from_civil};

const NS_PER_S: i64 = 1_000_000_000;
const DAY_S: i64 = 86_400;

/// Parses a timestamp as Gnocchi's API does, to ns since the epoch:
///
/// * a number (`1600000000`, `1600000000.25`, `-3.5`) is seconds since the
///   epoch, converted as Gnocchi does (`int(float(v) × 10e8)`, so digits past
///   the microsecond are not exact);
/// * otherwise RFC 3339 / ISO 8601: `2020-09-13T12:26:40`, an optional
///   fraction of up to 9 digits, and an optional `Z` or `±HH:MM` offset (no
///   offset means UTC); a space may replace the `T`.
///
/// Returns `None` for anything else or out of the `i64` ns range.
///
/// ```
/// use timeserie::parse_timestamp;
/// assert_eq!(parse_timestamp("1600000000"), Some(1_600_000_000_000_000_000));
/// assert_eq!(parse_timestamp("2020-09-13T12:26:40.000000001Z"), Some(1_600_000_000_000_000_001));
/// assert_eq!(parse_timestamp("2020-09-13T14:26:40+02:00"), Some(1_600_000_000_000_000_000));
/// assert_eq!(parse_timestamp("yesterday"), None);
/// ```
#[must_use]
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && let Ok(secs) = s.parse::<f64>()
    {
        let ns = secs * 10e8;
        return (ns.is_finite() && ns.abs() < 9.2e18).then_some(ns as i64);
    }
    parse_rfc3339(s.as_bytes())
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = b.get(at..at + n)?;
    part.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn parse_rfc3339(b: &[u8]) -> Option<i64> {
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (month, day) = (digits(b, 5, 2)?, digits(b, 8, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * DAY_S;
    let mut i = 10;
    let mut nanos = 0i64;
    if i < b.len() {
        if !matches!(b[i], b'T' | b't' | b' ') || b.get(i + 3) != Some(&b':') {
            return None;
        }
        let (h, m) = (digits(b, i + 1, 2)?, digits(b, i + 4, 2)?);
        i += 6;
        let mut sec = 0;
        if b.get(i) == Some(&b':') {
            sec = digits(b, i + 1, 2)?;
            i += 3;
        }
        if h > 23 || m > 59 || sec > 60 {
            return None;
        }
        secs += h * 3600 + m * 60 + sec;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..9 {
                nanos *= 10;
            }
        }
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') if i + 1 == b.len() => {}
            Some(&sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let offset = digits(b, i + 1, 2)? * 3600 + digits(b, i + 4, 2)? * 60;
                secs -= if sign == b'+' { offset } else { -offset };
            }
            _ => return None,
        }
    }
    secs.checked_mul(NS_PER_S)?.checked_add(nanos)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Writes `ts` (ns since the epoch) as RFC 3339 in UTC with nanoseconds,
/// e.g. `2020-09-13T12:26:40.000000000Z`.
///
/// # Errors
///
/// Only those of the writer.
///
/// ```
/// let mut s = String::new();
/// timeserie::write_timestamp(&mut s, 1_600_000_000_000_000_001)?;
/// assert_eq!(s, "2020-09-13T12:26:40.000000001Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_timestamp(w: &mut impl fmt::Write, ts: i64) -> fmt::Result {
    let secs = ts.div_euclid(NS_PER_S);
    let nanos = ts.rem_euclid(NS_PER_S);
    let days = secs.div_euclid(DAY_S);
    let sod = secs.rem_euclid(DAY_S);
    let (y, m, d) = civil_from_days(days);
    write!(
        w,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases = [
            ("0", Some(0)),
            ("1.5", Some(1_500_000_000)),
            ("-1", Some(-NS_PER_S)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1970-01-01", Some(0)),
            ("1970-01-01 00:01", Some(60 * NS_PER_S)),
            (
                "2000-02-29T00:00:00.5+00:00",
                Some((951_782_400) * NS_PER_S + 500_000_000),
            ),
            ("1969-12-31T23:59:59.999999999Z", Some(-1)),
            ("2001-02-29T00:00:00Z", None),
            ("2020-13-01T00:00:00Z", None),
            ("2020-01-01T00:00:00Q", None),
            ("2020-01-01T25:00:00Z", None),
            ("", None),
            ("nan", None),
            ("1e300", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_timestamp(text), want, "{text}");
        }
    }

    #[test]
    fn format_round_trips_table() {
        for ts in [
            0,
            -1,
            1_600_000_000_000_000_001,
            951_782_400 * NS_PER_S,
            -8_000_000_000 * NS_PER_S,
        ] {
            let mut s = String::new();
            write_timestamp(&mut s, ts).unwrap();
            assert_eq!(parse_timestamp(&s), Some(ts), "{s}");
        }
    }
}
