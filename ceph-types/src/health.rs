//! `ceph health`, `ceph health detail`, and the JSON-in-a-string envelope of the mgr.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::cow::{CowStr, KeySeed};
use crate::owned::into_owned;
use crate::parse::model;
use crate::{Command, Error, Map, num};

/// A cluster or check health level, with the numeric code ceph-mgr exports
/// (`ceph_health_status`: OK=0, WARN=1, ERR=2).
///
/// Parsing a dump never fails on an unexpected level: any other string (the `HEALTH_CRITICAL`
/// of some test fixtures, a future level) reads as [`HealthStatus::Unknown`].
///
/// ```
/// use ceph_types::HealthStatus;
///
/// let s: HealthStatus = "HEALTH_WARN".parse()?;
/// assert_eq!(s.code(), Some(1));
/// assert_eq!(HealthStatus::try_from(2)?, HealthStatus::Err);
/// assert_eq!(s.to_string(), "HEALTH_WARN");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum HealthStatus {
    /// `HEALTH_OK`.
    #[default]
    Ok,
    /// `HEALTH_WARN`.
    Warn,
    /// `HEALTH_ERR`.
    Err,
    /// Any other level; written back as `HEALTH_UNKNOWN`.
    Unknown,
}

impl HealthStatus {
    /// The level as Ceph writes it (`HEALTH_OK`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Ok => "HEALTH_OK",
            HealthStatus::Warn => "HEALTH_WARN",
            HealthStatus::Err => "HEALTH_ERR",
            HealthStatus::Unknown => "HEALTH_UNKNOWN",
        }
    }

    /// The ceph-mgr numeric code: OK=0, WARN=1, ERR=2; `None` for [`HealthStatus::Unknown`].
    pub const fn code(self) -> Option<u8> {
        match self {
            HealthStatus::Ok => Some(0),
            HealthStatus::Warn => Some(1),
            HealthStatus::Err => Some(2),
            HealthStatus::Unknown => None,
        }
    }

    /// The level of a string, [`HealthStatus::Unknown`] for anything else.
    pub fn from_str_lossy(s: &str) -> HealthStatus {
        s.parse().unwrap_or(HealthStatus::Unknown)
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A health level string or code that is not one of OK, WARN, ERR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown health status `{text}`")]
pub struct UnknownHealthStatus {
    /// The text (or the code, in decimal) that was not recognised.
    pub text: Box<str>,
}

impl FromStr for HealthStatus {
    type Err = UnknownHealthStatus;

    /// Accepts `HEALTH_OK`, `HEALTH_WARN`, `HEALTH_ERR` (and `HEALTH_UNKNOWN`).
    fn from_str(s: &str) -> Result<Self, UnknownHealthStatus> {
        match s {
            "HEALTH_OK" => Ok(HealthStatus::Ok),
            "HEALTH_WARN" => Ok(HealthStatus::Warn),
            "HEALTH_ERR" => Ok(HealthStatus::Err),
            "HEALTH_UNKNOWN" => Ok(HealthStatus::Unknown),
            _ => Err(UnknownHealthStatus { text: s.into() }),
        }
    }
}

impl TryFrom<u8> for HealthStatus {
    type Error = UnknownHealthStatus;

    /// The level of a ceph-mgr code: 0, 1 or 2.
    fn try_from(code: u8) -> Result<Self, UnknownHealthStatus> {
        match code {
            0 => Ok(HealthStatus::Ok),
            1 => Ok(HealthStatus::Warn),
            2 => Ok(HealthStatus::Err),
            _ => Err(UnknownHealthStatus {
                text: code.to_string().into(),
            }),
        }
    }
}

impl<'de> Deserialize<'de> for HealthStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = CowStr::deserialize(d)?;
        Ok(HealthStatus::from_str_lossy(&s.0))
    }
}

impl Serialize for HealthStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

into_owned!(HealthStatus);

/// The one-line summary of a health check.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CheckSummary<'a> {
    /// The message, e.g. `1 osds down`.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// How many items the check counts (Octopus and later).
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
}

into_owned!(CheckSummary<'a> { message, count });

/// One detail line of a health check (`ceph health detail` only).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CheckDetail<'a> {
    /// The message, e.g. `osd.2 (root=default,host=node2) is down`.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
}

into_owned!(CheckDetail<'a> { message });

/// One active health check (Luminous and later), keyed by its code (`OSD_DOWN`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthCheck<'a> {
    /// The check's level.
    pub severity: HealthStatus,
    /// The summary line.
    #[serde(borrow)]
    pub summary: CheckSummary<'a>,
    /// Detail lines; empty in `ceph health` (without `detail`).
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<CheckDetail<'a>>,
    /// Whether the check is muted (`ceph health mute`, Octopus and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
}

impl HealthCheck<'_> {
    /// The leading integer of the summary message (`42 slow ops, oldest ...` → 42), as ceph-mgr
    /// reads `SLOW_OPS`.
    pub fn leading_count(&self) -> Option<u64> {
        let m = self.summary.message.trim_start();
        let end = m.find(|c: char| !c.is_ascii_digit()).unwrap_or(m.len());
        m[..end].parse().ok()
    }
}

into_owned!(HealthCheck<'a> { severity, summary, detail, muted });

/// A muted health check (`mutes`, Octopus and later).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthMute<'a> {
    /// The muted check's code.
    #[serde(borrow)]
    pub code: Cow<'a, str>,
    /// Whether the mute survives the check clearing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticky: Option<bool>,
    /// The summary when muted.
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<Cow<'a, str>>,
    /// The count when muted.
    #[serde(
        default,
        deserialize_with = "num::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
}

into_owned!(HealthMute<'a> { code, sticky, summary, count });

/// A pre-Luminous health summary line (`summary: [{"severity", "summary"}]`, Jewel).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LegacyHealthSummary<'a> {
    /// The line's level.
    pub severity: HealthStatus,
    /// The text.
    #[serde(borrow)]
    pub summary: Cow<'a, str>,
}

into_owned!(LegacyHealthSummary<'a> { severity, summary });

/// `ceph health -f json` and `ceph health detail -f json`; also the `health` section of
/// `ceph status` and what ceph-mgr's `get('health')` wraps in a `{"json": "..."}` envelope
/// (see [`unwrap_envelope`]).
///
/// Releases: Luminous and later print `status` and `checks` (Luminous also the deprecated
/// `overall_status`); Octopus adds `mutes`, `summary.count` and `muted`. Jewel prints
/// `overall_status`, a `summary` list and `timechecks` instead, which land in
/// [`Health::overall_status`] and [`Health::summary`]. Use [`Health::effective_status`] for the
/// level whatever the release. `health detail` differs only by the `detail` lines of each check;
/// parse it with `Health::parse_as(Command::HealthDetail, ..)` so that errors name it.
///
/// ```
/// use ceph_types::{Health, HealthStatus};
///
/// let h = Health::parse(r#"{"status":"HEALTH_WARN","checks":{"OSD_DOWN":{"severity":"HEALTH_WARN",
///     "summary":{"message":"1 osds down","count":1},"muted":false}},"mutes":[]}"#)?;
/// assert_eq!(h.effective_status().and_then(HealthStatus::code), Some(1));
/// assert_eq!(h.checks.get("OSD_DOWN").and_then(|c| c.leading_count()), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Health<'a> {
    /// The cluster's level (Luminous and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<HealthStatus>,
    /// The active checks by code (Luminous and later).
    #[serde(borrow, default)]
    pub checks: Map<'a, HealthCheck<'a>>,
    /// Muted checks (Octopus and later).
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub mutes: Vec<HealthMute<'a>>,
    /// The pre-Luminous level (Jewel; Luminous still prints it, deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_status: Option<HealthStatus>,
    /// The pre-Luminous summary lines (Jewel).
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<LegacyHealthSummary<'a>>,
}

impl Health<'_> {
    /// The cluster's level: `status`, or `overall_status` on Jewel.
    pub fn effective_status(&self) -> Option<HealthStatus> {
        self.status.or(self.overall_status)
    }
}

into_owned!(Health<'a> { status, checks, mutes, overall_status, summary });
model!(Health<'a>, Health);

/// Visitor for [`unwrap_envelope`]: a JSON string, or an object with a string under `json`.
/// With `nested` false it reads only a string (anything else is `None`): the `json` field.
struct EnvelopeVisitor {
    nested: bool,
}

/// The value of the `json` field: a string, or `None` for any other value.
struct EnvelopeField<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for EnvelopeField<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EnvelopeVisitor { nested: false })
            .map(EnvelopeField)
    }
}

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an object with a `json` string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(k) = map.next_key_seed(KeySeed)? {
            if self.nested && k == "json" && found.is_none() {
                found = map.next_value::<EnvelopeField<'de>>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Unwraps JSON that was handed out inside a JSON string, as ceph-mgr's `get('health')` and
/// `get('mon_status')` do (`{"json": "{\"status\": ...}"}`), or as a bare JSON string.
///
/// Returns the embedded text, to be parsed with the model of `command`.
///
/// ```
/// use ceph_types::{Command, Health, HealthStatus, unwrap_envelope};
///
/// let wrapped = r#"{"json": "{\"status\": \"HEALTH_OK\", \"checks\": {}}"}"#;
/// let inner = unwrap_envelope(Command::Health, wrapped)?;
/// assert_eq!(Health::parse(&inner)?.status, Some(HealthStatus::Ok));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Syntax`]/[`Error::Eof`] when `input` is not JSON, [`Error::Envelope`] when it is
/// neither a string nor an object with a string under `json`.
pub fn unwrap_envelope(command: Command, input: &str) -> Result<Cow<'_, str>, Error> {
    let mut de = serde_json::Deserializer::from_str(input);
    let found = de
        .deserialize_any(EnvelopeVisitor { nested: true })
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| Error::from_json(command, ".", e))?;
    found.ok_or_else(|| Error::Envelope {
        command,
        field: "json".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Model;

    #[test]
    fn status_codes() {
        let cases = [
            ("HEALTH_OK", HealthStatus::Ok, Some(0)),
            ("HEALTH_WARN", HealthStatus::Warn, Some(1)),
            ("HEALTH_ERR", HealthStatus::Err, Some(2)),
            ("HEALTH_CRITICAL", HealthStatus::Unknown, None),
        ];
        for (text, status, code) in cases {
            assert_eq!(HealthStatus::from_str_lossy(text), status);
            assert_eq!(status.code(), code);
            if let Some(c) = code {
                assert_eq!(HealthStatus::try_from(c), Ok(status));
                assert_eq!(status.as_str().parse::<HealthStatus>(), Ok(status));
            }
        }
        assert!(HealthStatus::try_from(3).is_err());
        assert!("HEALTH_CRITICAL".parse::<HealthStatus>().is_err());
    }

    #[test]
    fn legacy_and_current_shapes() {
        let jewel = r#"{"summary":[{"severity":"HEALTH_WARN","summary":"48 pgs backfill_wait"}],
            "overall_status":"HEALTH_CRITICAL","detail":[],"timechecks":{"epoch":32}}"#;
        let h = Health::parse(jewel).unwrap();
        assert_eq!(h.effective_status(), Some(HealthStatus::Unknown));
        assert_eq!(h.summary[0].summary, "48 pgs backfill_wait");
        let detail = r#"{"status":"HEALTH_WARN","checks":{"SLOW_OPS":{"severity":"HEALTH_WARN",
            "summary":{"message":"42 slow ops, oldest one blocked for 31 sec","count":42},
            "detail":[{"message":"osd.1 has slow ops"}],"muted":true}},"mutes":[{"code":"SLOW_OPS","sticky":false,"summary":"42 slow ops","count":42}]}"#;
        let h = Health::parse_as(Command::HealthDetail, detail).unwrap();
        let c = h.checks.get("SLOW_OPS").unwrap();
        assert_eq!(
            (c.leading_count(), c.muted, c.detail.len()),
            (Some(42), Some(true), 1)
        );
        assert_eq!(h.mutes[0].code, "SLOW_OPS");
        let err = Health::parse_as(
            Command::HealthDetail,
            r#"{"checks":{"X":{"severity":"HEALTH_OK"}}}"#,
        )
        .unwrap_err();
        assert_eq!(err.command(), Command::HealthDetail);
        assert_eq!(err.path(), Some("checks.X"));
    }

    #[test]
    fn envelopes() {
        let ok: &[(&str, &str)] = &[
            (r#"{"json": "{\"a\":1}"}"#, r#"{"a":1}"#),
            (r#""{\"a\":1}""#, r#"{"a":1}"#),
            (r#"{"other": 1, "json": "x"}"#, "x"),
        ];
        for (input, want) in ok {
            assert_eq!(unwrap_envelope(Command::MonStatus, input).unwrap(), *want);
        }
        for input in [
            r#"{"json": 1}"#,
            "[]",
            "1",
            r#"{"status":"HEALTH_OK"}"#,
            "null",
        ] {
            let e = unwrap_envelope(Command::Health, input).unwrap_err();
            assert!(matches!(e, Error::Envelope { .. }), "{input}: {e}");
        }
        assert!(matches!(
            unwrap_envelope(Command::Health, "{"),
            Err(Error::Eof { .. })
        ));
        assert!(matches!(
            unwrap_envelope(Command::Health, "\"a\" x"),
            Err(Error::Syntax { .. })
        ));
    }
}
