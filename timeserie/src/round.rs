//! Bucket starts: Gnocchi's `round_timestamp` and the calendar groupings.

use std::fmt;
use std::str::FromStr;

/// Nanoseconds in one day.
const DAY_NS: i64 = 86_400_000_000_000;

/// Floor of a double, exact for every value an `i64` quotient can take.
///
/// `f64::floor` is a libm call on baseline x86-64; the cast-based form is the
/// same function for `|q| < 2^63` and several times faster.
#[inline(always)]
fn floor(q: f64) -> f64 {
    let t = q as i64;
    let tf = t as f64;
    if tf > q { (t - 1) as f64 } else { tf }
}

/// The start of the `freq`-wide bucket that holds `ts`, exactly as Gnocchi
/// 4.7.1 computes it (both in ns since the epoch).
///
/// Gnocchi divides the two values as doubles, floors the quotient and
/// multiplies back as a double, so a timestamp a few hundred nanoseconds
/// before a bucket boundary (at epochs after ~2006) lands in the **next**
/// bucket. This function reproduces that artifact bit for bit. `freq` must be
/// positive; for other values the result is meaningless (but defined).
///
/// ```
/// use timeserie::round_timestamp;
/// let minute = 60_000_000_000;
/// assert_eq!(round_timestamp(90_000_000_000, minute), 60_000_000_000);
/// // 2023-11-14T22:13:59.999999999 goes to 22:14:00, as in Gnocchi.
/// assert_eq!(round_timestamp(1_700_000_039_999_999_999, minute), 1_700_000_040_000_000_000);
/// ```
#[inline]
#[must_use]
pub fn round_timestamp(ts: i64, freq: i64) -> i64 {
    let g = freq as f64;
    (floor(ts as f64 / g) * g) as i64
}

/// A calendar grouping of Gnocchi's aggregates API (`Y`, `H`, `Q`, `M`,
/// `W`): buckets start at 00:00 UTC of the first day of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CalendarUnit {
    /// `Y`: January 1.
    Year,
    /// `H`: January 1 or July 1.
    Half,
    /// `Q`: first day of the quarter.
    Quarter,
    /// `M`: first day of the month.
    Month,
    /// `W`: the Sunday on or before the date.
    Week,
}

impl CalendarUnit {
    /// Every calendar unit, in Gnocchi's order.
    pub const ALL: [CalendarUnit; 5] = [
        CalendarUnit::Year,
        CalendarUnit::Half,
        CalendarUnit::Quarter,
        CalendarUnit::Month,
        CalendarUnit::Week,
    ];

    /// The one-letter name Gnocchi uses.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CalendarUnit::Year => "Y",
            CalendarUnit::Half => "H",
            CalendarUnit::Quarter => "Q",
            CalendarUnit::Month => "M",
            CalendarUnit::Week => "W",
        }
    }

    /// The start of the calendar period holding `ts` (ns since the epoch,
    /// UTC).
    #[must_use]
    pub fn key(self, ts: i64) -> i64 {
        let days = ts.div_euclid(DAY_NS);
        let start_days = match self {
            CalendarUnit::Week => (days + 4).div_euclid(7) * 7 - 4,
            _ => {
                let (y, m, _) = civil_from_days(days);
                let m0 = m - 1;
                let first = match self {
                    CalendarUnit::Year => 0,
                    CalendarUnit::Half => m0 / 6 * 6,
                    CalendarUnit::Quarter => m0 / 3 * 3,
                    _ => m0,
                };
                days_from_civil(y, first + 1, 1)
            }
        };
        start_days * DAY_NS
    }
}

impl fmt::Display for CalendarUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`CalendarUnit`] from a string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown calendar unit `{0}` (expected Y, H, Q, M or W)")]
pub struct ParseCalendarUnitError(String);

impl FromStr for CalendarUnit {
    type Err = ParseCalendarUnitError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CalendarUnit::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| ParseCalendarUnitError(s.to_owned()))
    }
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), proleptic
/// Gregorian.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month 1..=12, day) to days since 1970-01-01, proleptic Gregorian.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_timestamp_table() {
        let s = 1_000_000_000;
        let cases = [
            (0, 60 * s, 0),
            (59 * s, 60 * s, 0),
            (60 * s, 60 * s, 60 * s),
            (-1, 60 * s, -60 * s),
            (-60 * s, 60 * s, -60 * s),
            // float artifact: 1 ns before a minute boundary at a 2023 epoch
            (1_700_000_039_999_999_999, 60 * s, 1_700_000_040_000_000_000),
            (1_700_000_039_999_999_900, 60 * s, 1_700_000_040_000_000_000),
            (1_700_000_039_999_999_000, 60 * s, 1_699_999_980_000_000_000),
            (1_700_000_039_000_000_000, 60 * s, 1_699_999_980_000_000_000),
        ];
        for (ts, freq, want) in cases {
            assert_eq!(round_timestamp(ts, freq), want, "ts={ts} freq={freq}");
        }
    }

    #[test]
    fn calendar_keys_table() {
        // 2020-05-20T12:00Z, a Wednesday.
        let ts = 1_589_976_000_000_000_000;
        let cases = [
            (CalendarUnit::Year, 1_577_836_800),    // 2020-01-01
            (CalendarUnit::Half, 1_577_836_800),    // 2020-01-01
            (CalendarUnit::Quarter, 1_585_699_200), // 2020-04-01
            (CalendarUnit::Month, 1_588_291_200),   // 2020-05-01
            (CalendarUnit::Week, 1_589_673_600),    // Sunday 2020-05-17
        ];
        for (unit, want_s) in cases {
            assert_eq!(unit.key(ts), want_s * 1_000_000_000, "{unit}");
            assert_eq!(unit.as_str().parse::<CalendarUnit>(), Ok(unit));
        }
        assert!("D".parse::<CalendarUnit>().is_err());
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
