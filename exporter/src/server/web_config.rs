//! The web config file of Prometheus' exporter-toolkit (`--web.config.file`): TLS and basic
//! auth, so operators reuse what they already wrote for node_exporter.
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: server.crt   # PEM, the chain: leaf first
//!   key_file: server.key    # PEM, PKCS#8, PKCS#1 or SEC1
//! basic_auth_users:
//!   prometheus: $2y$10$...  # bcrypt
//! ```
//!
//! Relative file names are relative to the config file's folder, as in exporter-toolkit.
//! Fields exporter-toolkit has but this server does not implement (client certificates, TLS
//! version and cipher choices, `http_server_config`) are refused by name rather than ignored.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use hyper::header::HeaderValue;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

/// A malformed web config: the file, the field, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebConfigError {
    /// The config file cannot be read.
    #[error("cannot read web config `{}`", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config is not valid YAML of the expected shape (an unknown field, a wrong type);
    /// the source names the field and its line.
    #[error("web config `{}`", path.display())]
    Yaml {
        /// The config file.
        path: PathBuf,
        /// The parser's error, with the line and column.
        #[source]
        source: serde_norway::Error,
    },
    /// A field exporter-toolkit has that this server does not implement.
    #[error("web config `{}`: `{field}` is not supported", path.display())]
    Unsupported {
        /// The config file.
        path: PathBuf,
        /// The field, as a dotted path.
        field: &'static str,
    },
    /// A required field is missing.
    #[error("web config `{}`: `{field}` is missing", path.display())]
    Missing {
        /// The config file.
        path: PathBuf,
        /// The field, as a dotted path.
        field: &'static str,
    },
    /// A certificate or key file named by the config cannot be used.
    #[error("web config `{}`: `{field}` (`{}`): {reason}", path.display(), file.display())]
    Pem {
        /// The config file.
        path: PathBuf,
        /// `tls_server_config.cert_file` or `tls_server_config.key_file`.
        field: &'static str,
        /// The file it names, resolved.
        file: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the certificate and key (a key that does not match the certificate, an
    /// unsupported key type).
    #[error("web config `{}`: `tls_server_config`", path.display())]
    Tls {
        /// The config file.
        path: PathBuf,
        /// rustls' error.
        #[source]
        source: rustls::Error,
    },
    /// A `basic_auth_users` entry is not a bcrypt hash.
    #[error("web config `{}`: `basic_auth_users.{user}` is not a bcrypt hash", path.display())]
    Hash {
        /// The config file.
        path: PathBuf,
        /// The user name.
        user: String,
        /// bcrypt's error.
        #[source]
        source: bcrypt::BcryptError,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    tls_server_config: Option<RawTls>,
    #[serde(default)]
    http_server_config: Option<serde_norway::Value>,
    #[serde(default)]
    basic_auth_users: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    #[serde(default)]
    cert_file: Option<PathBuf>,
    #[serde(default)]
    key_file: Option<PathBuf>,
    #[serde(default)]
    cert: Option<serde_norway::Value>,
    #[serde(default)]
    key: Option<serde_norway::Value>,
    #[serde(default)]
    client_auth_type: Option<String>,
    #[serde(default)]
    client_ca_file: Option<serde_norway::Value>,
    #[serde(default)]
    client_allowed_sans: Option<serde_norway::Value>,
    #[serde(default)]
    min_version: Option<serde_norway::Value>,
    #[serde(default)]
    max_version: Option<serde_norway::Value>,
    #[serde(default)]
    cipher_suites: Option<serde_norway::Value>,
    #[serde(default)]
    prefer_server_cipher_suites: Option<serde_norway::Value>,
    #[serde(default)]
    curve_preferences: Option<serde_norway::Value>,
}

/// A loaded and checked web config: the TLS server config and the basic-auth users, each
/// optional.
///
/// ```no_run
/// use exporter::{ServeOptions, WebConfig};
///
/// let web = WebConfig::load("/etc/ceph-exporter/web.yml")?;
/// let options = ServeOptions::new().web_config(web);
/// assert!(options.max_head_time() > std::time::Duration::ZERO);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct WebConfig {
    pub(super) tls: Option<Arc<rustls::ServerConfig>>,
    pub(super) users: Option<Arc<Users>>,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("tls", &self.tls.is_some())
            .field("users", &self.users.as_ref().map(|u| u.hashes.len()))
            .finish()
    }
}

impl WebConfig {
    /// Reads and checks the config at `path`: the YAML, the certificate chain and key it
    /// names (they must match), and every password hash.
    ///
    /// # Errors
    ///
    /// [`WebConfigError`], naming the file and the field.
    pub fn load(path: impl AsRef<Path>) -> Result<WebConfig, WebConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| WebConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        WebConfig::parse(&text, path)
    }

    /// Checks a config given as text; relative file names are resolved against the folder
    /// of `path`, which also names the config in errors.
    ///
    /// # Errors
    ///
    /// As [`WebConfig::load`].
    pub fn parse(text: &str, path: &Path) -> Result<WebConfig, WebConfigError> {
        let raw: Option<RawConfig> =
            serde_norway::from_str(text).map_err(|source| WebConfigError::Yaml {
                path: path.to_owned(),
                source,
            })?;
        let Some(raw) = raw else {
            // An empty file: plain HTTP, no auth, as exporter-toolkit.
            return Ok(WebConfig {
                tls: None,
                users: None,
            });
        };
        let unsupported = |field| WebConfigError::Unsupported {
            path: path.to_owned(),
            field,
        };
        if raw.http_server_config.is_some() {
            return Err(unsupported("http_server_config"));
        }
        let tls = match raw.tls_server_config {
            None => None,
            Some(t) => Some(Arc::new(tls(t, path, unsupported)?)),
        };
        let users = match raw.basic_auth_users {
            None => None,
            Some(u) if u.is_empty() => None,
            Some(u) => Some(Arc::new(Users::new(u, path)?)),
        };
        Ok(WebConfig { tls, users })
    }

    /// Whether connections are TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Whether requests need basic auth.
    pub fn has_users(&self) -> bool {
        self.users.is_some()
    }
}

fn tls(
    t: RawTls,
    path: &Path,
    unsupported: impl Fn(&'static str) -> WebConfigError,
) -> Result<rustls::ServerConfig, WebConfigError> {
    let checks: [(&'static str, bool); 10] = [
        ("tls_server_config.cert", t.cert.is_some()),
        ("tls_server_config.key", t.key.is_some()),
        (
            "tls_server_config.client_ca_file",
            t.client_ca_file.is_some(),
        ),
        (
            "tls_server_config.client_allowed_sans",
            t.client_allowed_sans.is_some(),
        ),
        ("tls_server_config.min_version", t.min_version.is_some()),
        ("tls_server_config.max_version", t.max_version.is_some()),
        ("tls_server_config.cipher_suites", t.cipher_suites.is_some()),
        (
            "tls_server_config.prefer_server_cipher_suites",
            t.prefer_server_cipher_suites.is_some(),
        ),
        (
            "tls_server_config.curve_preferences",
            t.curve_preferences.is_some(),
        ),
        (
            "tls_server_config.client_auth_type",
            t.client_auth_type
                .as_deref()
                .is_some_and(|a| a != "NoClientCert"),
        ),
    ];
    if let Some((field, _)) = checks.iter().find(|(_, set)| *set) {
        return Err(unsupported(field));
    }
    let missing = |field| WebConfigError::Missing {
        path: path.to_owned(),
        field,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let cert_file = dir.join(
        t.cert_file
            .ok_or_else(|| missing("tls_server_config.cert_file"))?,
    );
    let key_file = dir.join(
        t.key_file
            .ok_or_else(|| missing("tls_server_config.key_file"))?,
    );
    let pem = |field, file: &Path, reason: String| WebConfigError::Pem {
        path: path.to_owned(),
        field,
        file: file.to_owned(),
        reason,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_file)
        .and_then(Iterator::collect)
        .map_err(|e| pem("tls_server_config.cert_file", &cert_file, pem_reason(&e)))?;
    if certs.is_empty() {
        return Err(pem(
            "tls_server_config.cert_file",
            &cert_file,
            "no certificate in the file".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&key_file)
        .map_err(|e| pem("tls_server_config.key_file", &key_file, pem_reason(&e)))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls_error = |source| WebConfigError::Tls {
        path: path.to_owned(),
        source,
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(tls_error)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn pem_reason(e: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::NoItemsFound => "no PEM item of the expected kind in the file".into(),
        Error::Io(io) => io.to_string(),
        other => format!("not valid PEM: {other:?}"),
    }
}

/// The `basic_auth_users`, and the credentials already verified (bcrypt is slow by design;
/// exporter-toolkit caches too).
pub(super) struct Users {
    hashes: BTreeMap<String, String>,
    /// `Authorization` header values that passed, at most [`VERIFIED_CAP`].
    verified: Mutex<HashSet<Vec<u8>>>,
    /// A hash to verify against for unknown users, so that they take as long as known ones.
    dummy: String,
}

/// How many verified credentials are remembered.
const VERIFIED_CAP: usize = 64;

impl Users {
    fn new(hashes: BTreeMap<String, String>, path: &Path) -> Result<Users, WebConfigError> {
        let mut cost = 10;
        for (user, hash) in &hashes {
            let parts: bcrypt::HashParts = hash.parse().map_err(|source| WebConfigError::Hash {
                path: path.to_owned(),
                user: user.clone(),
                source,
            })?;
            cost = parts.get_cost();
        }
        let dummy = bcrypt::hash("not a password", cost).unwrap_or_default();
        Ok(Users {
            hashes,
            verified: Mutex::new(HashSet::new()),
            dummy,
        })
    }

    /// Whether `authorization` (`Basic base64(user:password)`) names a user with that
    /// password. Blocks for a bcrypt verification on a new credential.
    pub(super) fn check(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let raw = value.as_bytes();
        if self
            .verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(raw)
        {
            return true;
        }
        let Some((user, password)) = basic_credentials(raw) else {
            return false;
        };
        let ok = match self.hashes.get(&user) {
            Some(hash) => bcrypt::verify(&password, hash).unwrap_or(false),
            None => {
                let _ = bcrypt::verify(&password, &self.dummy);
                false
            }
        };
        if ok {
            let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
            if verified.len() < VERIFIED_CAP {
                verified.insert(raw.to_vec());
            }
        }
        ok
    }
}

/// The user and password of a `Basic` `Authorization` value.
pub(super) fn basic_credentials(value: &[u8]) -> Option<(String, Vec<u8>)> {
    let value = value.trim_ascii();
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"basic ") {
        return None;
    }
    let decoded = base64_decode(rest.trim_ascii())?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let user = String::from_utf8(decoded[..colon].to_vec()).ok()?;
    Some((user, decoded[colon + 1..].to_vec()))
}

/// Standard base64 with padding (RFC 4648 §4), as `Basic` credentials use; `None` on anything
/// else.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let chunks = s.len() / 4;
    for (i, chunk) in s.chunks_exact(4).enumerate() {
        let pad = match chunk {
            [_, _, b'=', b'='] => 2,
            [_, _, _, b'='] => 1,
            _ => 0,
        };
        if pad > 0 && i + 1 != chunks {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_table() {
        let cases: [(&[u8], Option<&[u8]>); 9] = [
            (b"", Some(b"")),
            (b"Zg==", Some(b"f")),
            (b"Zm8=", Some(b"fo")),
            (b"Zm9v", Some(b"foo")),
            (b"Zm9vYmFy", Some(b"foobar")),
            (b"YWxpY2U6czNjcjN0", Some(b"alice:s3cr3t")),
            (b"Zm9", None),
            (b"Zg==Zm9v", None),
            (b"Zm9*", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                base64_decode(input).as_deref(),
                want,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// A header value and the user and password in it.
    type CredentialCase<'a> = (&'a [u8], Option<(&'a str, &'a [u8])>);

    #[test]
    fn basic_credentials_table() {
        let cases: [CredentialCase<'_>; 6] = [
            (b"Basic YWxpY2U6czNjcjN0", Some(("alice", b"s3cr3t"))),
            (b"basic YWxpY2U6czNjcjN0", Some(("alice", b"s3cr3t"))),
            (b"Basic YWxpY2U6", Some(("alice", b""))),
            (b"Bearer YWxpY2U6czNjcjN0", None),
            (b"Basic YWxpY2U", None),
            (b"Basic", None),
        ];
        for (input, want) in cases {
            let got = basic_credentials(input);
            assert_eq!(
                got.as_ref().map(|(u, p)| (u.as_str(), p.as_slice())),
                want,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn config_errors_name_the_field() {
        let path = Path::new("/nonexistent/web.yml");
        let cases = [
            (
                "tls_server_config:\n  cert_file: a\n",
                "tls_server_config.key_file",
            ),
            (
                "tls_server_config:\n  key_file: a\n",
                "tls_server_config.cert_file",
            ),
            (
                "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n",
                "`tls_server_config.cert_file` (`/nonexistent/a.crt`)",
            ),
            ("tls_server_config:\n  min_version: TLS13\n", "min_version"),
            ("tls_server_config:\n  certfile: a\n", "certfile"),
            (
                "basic_auth_users:\n  alice: hunter2\n",
                "basic_auth_users.alice",
            ),
            ("basic_auth_users: [a]\n", "basic_auth_users"),
            (
                "http_server_config:\n  http2: false\n",
                "http_server_config",
            ),
            ("tls_server_config: {\n", "web.yml"),
        ];
        for (text, field) in cases {
            let e = WebConfig::parse(text, path).unwrap_err();
            let msg = crate_error_chain(&e);
            assert!(msg.contains(field), "{text}: {msg}");
            assert!(msg.contains("/nonexistent/web.yml"), "{text}: {msg}");
        }
    }

    #[test]
    fn empty_config_is_plain_http() {
        for text in ["", "basic_auth_users: {}\n"] {
            let c = WebConfig::parse(text, Path::new("w.yml")).unwrap();
            assert!(!c.is_tls() && !c.has_users(), "{text}");
        }
    }

    #[test]
    fn users_check_passwords() {
        let hash = bcrypt::hash("s3cr3t", 4).unwrap();
        let c = WebConfig::parse(
            &format!("basic_auth_users:\n  alice: '{hash}'\n"),
            Path::new("w.yml"),
        )
        .unwrap();
        let users = c.users.unwrap();
        let header = |s: &'static str| HeaderValue::from_static(s);
        // alice:s3cr3t, alice:wrong, bob:s3cr3t
        assert!(users.check(Some(&header("Basic YWxpY2U6czNjcjN0"))));
        assert!(users.check(Some(&header("Basic YWxpY2U6czNjcjN0")))); // cached
        assert!(!users.check(Some(&header("Basic YWxpY2U6d3Jvbmc="))));
        assert!(!users.check(Some(&header("Basic Ym9iOnMzY3IzdA=="))));
        assert!(!users.check(None));
    }

    /// Standard base64 with padding, for the properties.
    fn base64_encode(data: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let mut n = [0u8; 3];
            n[..chunk.len()].copy_from_slice(chunk);
            let v = u32::from_be_bytes([0, n[0], n[1], n[2]]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(v >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn base64_round_trips(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            proptest::prop_assert_eq!(base64_decode(base64_encode(&data).as_bytes()), Some(data));
        }

        #[test]
        fn credentials_round_trip(user in "[^:]{0,16}", password in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..32)) {
            let mut raw = user.as_bytes().to_vec();
            raw.push(b':');
            raw.extend_from_slice(&password);
            let header = format!("Basic {}", base64_encode(&raw));
            proptest::prop_assert_eq!(basic_credentials(header.as_bytes()), Some((user, password)));
        }

        #[test]
        fn any_authorization_value_is_answered_without_panic(value in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96)) {
            let _ = basic_credentials(&value);
            let _ = base64_decode(&value);
        }
    }

    fn crate_error_chain(e: &dyn std::error::Error) -> String {
        let mut s = e.to_string();
        let mut src = e.source();
        while let Some(x) = src {
            s.push_str(": ");
            s.push_str(&x.to_string());
            src = x.source();
        }
        s
    }
}
