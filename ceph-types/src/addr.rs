//! Ceph entity addresses: `v2:127.0.0.1:6800/1234`, `[::1]:6789/0`, address vectors.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::num;
use crate::owned::into_owned;

/// The messenger protocol of an address (`type` in an address vector, prefix in the text).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AddrKind {
    /// No prefix, or `legacy`/`v1`: the msgr v1 protocol.
    #[default]
    V1,
    /// `v2`: the msgr2 protocol (Nautilus and later).
    V2,
    /// `any`: either protocol (client addresses).
    Any,
    /// `none`: an unset address.
    None,
    /// `cidr`: an address range (Reef and later, range blocklists).
    Cidr,
    /// A type this crate does not know (read leniently from JSON; written as `unknown`).
    Unknown,
}

impl AddrKind {
    /// The prefix as Ceph writes it (`v1`, `v2`, `any`, `none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            AddrKind::V1 => "v1",
            AddrKind::V2 => "v2",
            AddrKind::Any => "any",
            AddrKind::None => "none",
            AddrKind::Cidr => "cidr",
            AddrKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for AddrKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AddrKind {
    type Err = AddrError;

    fn from_str(s: &str) -> Result<Self, AddrError> {
        match s {
            "v1" | "legacy" => Ok(AddrKind::V1),
            "v2" | "msgr2" => Ok(AddrKind::V2),
            "any" => Ok(AddrKind::Any),
            "none" => Ok(AddrKind::None),
            "cidr" => Ok(AddrKind::Cidr),
            _ => Err(AddrError::new(s, "unknown address type")),
        }
    }
}

/// An address that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ceph address `{text}`: {reason}")]
pub struct AddrError {
    /// The text that was parsed.
    pub text: Box<str>,
    /// What was wrong with it.
    pub reason: &'static str,
}

impl AddrError {
    fn new(text: &str, reason: &'static str) -> Self {
        AddrError {
            text: text.into(),
            reason,
        }
    }
}

/// A parsed Ceph entity address: protocol, IP, port and nonce.
///
/// Text forms: `[v2:|v1:|any:]IP:PORT[/NONCE]` with IPv6 in brackets (`[::1]:6789/0`); the IP
/// part may be missing for an unbound client (`:/0`, `-`). `public_addr` style fields use the
/// form without a prefix; address vectors in text (`[v2:1.2.3.4:3300/0,v1:1.2.3.4:6789/0]`) are
/// parsed by [`EntityAddr::parse_vec`].
///
/// ```
/// use ceph_types::{AddrKind, EntityAddr};
///
/// let a: EntityAddr = "v2:127.0.0.1:6800/1234".parse()?;
/// assert_eq!((a.kind, a.port, a.nonce), (AddrKind::V2, 6800, 1234));
/// assert_eq!(a.ip, Some("127.0.0.1".parse()?));
/// assert_eq!(a.to_string(), "v2:127.0.0.1:6800/1234");
///
/// let v = EntityAddr::parse_vec("[v2:10.0.0.1:3300/0,v1:10.0.0.1:6789/0]")?;
/// assert_eq!(v[1].port, 6789);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EntityAddr {
    /// The protocol.
    pub kind: AddrKind,
    /// The IP address, `None` for a blank address (`:/0`, `-`).
    pub ip: Option<IpAddr>,
    /// The TCP port (0 when unbound).
    pub port: u16,
    /// The nonce that tells apart instances of a daemon on the same address.
    pub nonce: u32,
}

impl EntityAddr {
    /// Parses a text address vector, `[a,b]`, or a single address.
    ///
    /// # Errors
    ///
    /// When an element is not an address.
    pub fn parse_vec(text: &str) -> Result<Vec<EntityAddr>, AddrError> {
        let t = text.trim();
        match t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            // `[::1]` alone is a bracketed IPv6 host, not a vector (`[::1]:6789/0` does not
            // end with `]` at all).
            Some(inner) if !is_ipv6_literal(inner) => inner.split(',').map(str::parse).collect(),
            _ => Ok(vec![t.parse()?]),
        }
    }
}

/// Whether `s` looks like the inside of `[IPv6]` rather than a list of addresses.
fn is_ipv6_literal(s: &str) -> bool {
    s.parse::<std::net::Ipv6Addr>().is_ok()
}

impl FromStr for EntityAddr {
    type Err = AddrError;

    fn from_str(text: &str) -> Result<Self, AddrError> {
        let t = text.trim();
        if t.is_empty() || t == "-" {
            return Ok(EntityAddr {
                kind: AddrKind::None,
                ..EntityAddr::default()
            });
        }
        // Protocol prefix.
        let (kind, rest) = match t.split_once(':') {
            Some((p, r)) if matches!(p, "v1" | "v2" | "any" | "legacy" | "none" | "msgr2") => {
                (p.parse()?, r)
            }
            _ => (AddrKind::V1, t),
        };
        // Nonce after the last `/`.
        let (hostport, nonce) = match rest.rsplit_once('/') {
            Some((hp, n)) => (
                hp,
                n.parse::<u32>()
                    .map_err(|_| AddrError::new(text, "nonce is not a 32-bit integer"))?,
            ),
            None => (rest, 0),
        };
        // Port after the last `:`; IPv6 hosts are bracketed.
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                if p.is_empty() {
                    0
                } else {
                    p.parse::<u16>()
                        .map_err(|_| AddrError::new(text, "port is not a 16-bit integer"))?
                },
            ),
            None => (hostport, 0),
        };
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let ip = if host.is_empty() {
            None
        } else {
            Some(
                host.parse::<IpAddr>()
                    .map_err(|_| AddrError::new(text, "host is not an IP address"))?,
            )
        };
        Ok(EntityAddr {
            kind,
            ip,
            port,
            nonce,
        })
    }
}

impl fmt::Display for EntityAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == AddrKind::None && self.ip.is_none() {
            return f.write_str("-");
        }
        write!(f, "{}:", self.kind)?;
        match self.ip {
            Some(IpAddr::V6(ip)) => write!(f, "[{ip}]")?,
            Some(IpAddr::V4(ip)) => write!(f, "{ip}")?,
            None => {}
        }
        write!(f, ":{}/{}", self.port, self.nonce)
    }
}

impl<'de> Deserialize<'de> for AddrKind {
    /// Reads the `type` of an address vector entry; unknown types read as
    /// [`AddrKind::Unknown`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = crate::cow::CowStr::deserialize(d)?;
        Ok(s.0.parse().unwrap_or(AddrKind::Unknown))
    }
}

impl Serialize for AddrKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One element of an address vector as JSON: `{"type": "v2", "addr": "127.0.0.1:6800",
/// "nonce": 1234}`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AddrVecEntry<'a> {
    /// The protocol (`type`).
    #[serde(rename = "type")]
    pub kind: AddrKind,
    /// `IP:PORT`.
    #[serde(borrow)]
    pub addr: Cow<'a, str>,
    /// The nonce.
    #[serde(default, deserialize_with = "num::int")]
    pub nonce: u32,
}

impl AddrVecEntry<'_> {
    /// The entry as a parsed address.
    ///
    /// # Errors
    ///
    /// When `addr` is not a valid `IP:PORT`.
    pub fn parse(&self) -> Result<EntityAddr, AddrError> {
        let mut a: EntityAddr = self.addr.parse()?;
        a.kind = self.kind;
        a.nonce = self.nonce;
        Ok(a)
    }
}

into_owned!(AddrKind);
into_owned!(AddrVecEntry<'a> { kind, addr, nonce });

/// An address vector as JSON (Nautilus and later): `{"addrvec": [...]}`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AddrVec<'a> {
    /// The addresses, usually a `v2` and a `v1` one.
    #[serde(borrow, default)]
    pub addrvec: Vec<AddrVecEntry<'a>>,
}

impl AddrVec<'_> {
    /// The addresses, parsed.
    ///
    /// # Errors
    ///
    /// When an entry is not a valid address.
    pub fn parse(&self) -> Result<Vec<EntityAddr>, AddrError> {
        self.addrvec.iter().map(AddrVecEntry::parse).collect()
    }
}

into_owned!(AddrVec<'a> { addrvec });

/// Parses an optional text address field.
pub(crate) fn parse_opt(text: Option<&Cow<'_, str>>) -> Option<Result<EntityAddr, AddrError>> {
    text.map(|t| t.parse())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text, kind, IP, port, nonce, and the text written back.
    type Case = (
        &'static str,
        AddrKind,
        Option<&'static str>,
        u16,
        u32,
        &'static str,
    );

    #[test]
    fn addresses_table() {
        let ok: &[Case] = &[
            (
                "v2:127.0.0.1:6800/1234",
                AddrKind::V2,
                Some("127.0.0.1"),
                6800,
                1234,
                "v2:127.0.0.1:6800/1234",
            ),
            (
                "127.0.0.1:40029/2720044764",
                AddrKind::V1,
                Some("127.0.0.1"),
                40029,
                2720044764,
                "v1:127.0.0.1:40029/2720044764",
            ),
            (
                "v1:10.0.0.1:6789/0",
                AddrKind::V1,
                Some("10.0.0.1"),
                6789,
                0,
                "v1:10.0.0.1:6789/0",
            ),
            (
                "any:[::1]:6789/7",
                AddrKind::Any,
                Some("::1"),
                6789,
                7,
                "any:[::1]:6789/7",
            ),
            (
                "[fe80::1]:3300",
                AddrKind::V1,
                Some("fe80::1"),
                3300,
                0,
                "v1:[fe80::1]:3300/0",
            ),
            (
                "127.0.0.1:0/2597433989",
                AddrKind::V1,
                Some("127.0.0.1"),
                0,
                2597433989,
                "v1:127.0.0.1:0/2597433989",
            ),
            (":/0", AddrKind::V1, None, 0, 0, "v1::0/0"),
            ("-", AddrKind::None, None, 0, 0, "-"),
        ];
        for (text, kind, ip, port, nonce, shown) in ok {
            let a: EntityAddr = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(a.kind, *kind, "{text}");
            assert_eq!(a.ip, ip.map(|i| i.parse().unwrap()), "{text}");
            assert_eq!((a.port, a.nonce), (*port, *nonce), "{text}");
            assert_eq!(a.to_string(), *shown, "{text}");
            assert_eq!(a.to_string().parse::<EntityAddr>().unwrap(), a, "{text}");
        }
        let bad = [
            "v3:1.2.3.4:1/0",
            "1.2.3.4:99999/0",
            "1.2.3.4:1/x",
            "1.2.3.4:1/4294967296",
            "host.example:1/0",
            "1.2.3:1/0",
        ];
        for text in bad {
            let e = text.parse::<EntityAddr>().unwrap_err();
            assert_eq!(&*e.text, text);
        }
    }

    #[test]
    fn vectors() {
        let v = EntityAddr::parse_vec("[v2:127.0.0.1:40000/0,v1:127.0.0.1:40001/0]").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].kind, v[1].kind, v[1].port),
            (AddrKind::V2, AddrKind::V1, 40001)
        );
        assert_eq!(EntityAddr::parse_vec("[::1]:6789/0").unwrap()[0].port, 6789);
        assert_eq!(EntityAddr::parse_vec("1.2.3.4:5/6").unwrap()[0].nonce, 6);
        assert!(EntityAddr::parse_vec("[v2:1.2.3.4:1/0,bad]").is_err());
        let json = r#"{"addrvec":[{"type":"v2","addr":"127.0.0.1:40028","nonce":2720044764}]}"#;
        let av: AddrVec<'_> = serde_json::from_str(json).unwrap();
        let parsed = av.parse().unwrap();
        assert_eq!(
            (parsed[0].kind, parsed[0].port, parsed[0].nonce),
            (AddrKind::V2, 40028, 2720044764)
        );
        let odd = r#"{"addrvec":[{"type":"v9","addr":"127.0.0.1:1","nonce":0}]}"#;
        let av: AddrVec<'_> = serde_json::from_str(odd).unwrap();
        assert_eq!(av.addrvec[0].kind, AddrKind::Unknown);
        let bad = r#"{"addrvec":[{"type":"v2","addr":"host:1","nonce":0}]}"#;
        let av: AddrVec<'_> = serde_json::from_str(bad).unwrap();
        assert!(av.parse().is_err());
        let big = r#"{"addrvec":[{"type":"v2","addr":"127.0.0.1:1","nonce":4294967296}]}"#;
        assert!(serde_json::from_str::<AddrVec<'_>>(big).is_err());
    }
}
