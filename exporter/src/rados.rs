//! Cluster commands over one long-lived librados connection (cargo feature `rados`).
//!
//! The connection is made once, by a thread of its own with a deadline, and kept for the life
//! of the process: librados reconnects to another (or the restarted) monitor by itself. Every
//! command is a `rados_mon_command` through the `ceph` crate; the monitor answers the mgr's
//! commands (`pg dump`, `osd pool stats`, ...) by forwarding them to the active mgr.
//!
//! A librados call cannot be cancelled. [`crate::Live`] runs each on a thread and stops
//! waiting at the deadline; so that abandoned calls end soon after, the connection is made
//! with `rados_mon_op_timeout` and `client_mount_timeout` set to the deadline (appended, in a
//! `[client]` section, to a private copy of the configuration file, since the `ceph` crate
//! reads options only from a file).
//!
//! Why the `ceph` crate. Measured on a Pacific 16.2.15 minicluster (1 mon, 1 mgr, 3 OSDs,
//! 2 MDS, 2 shared cores), release builds: `ceph` 3.2.5 (librados) connects in 16-59 ms, one
//! `mon metadata` round trip 1.4 ms, the 16 cluster commands 7-8 ms one after another and 5-6 ms
//! concurrently; `rados` 0.1.4 (native msgr2) connects in 2-3 ms, 0.85 ms per round trip,
//! 6-10 ms for the 16; the `ceph` CLI takes about 600 ms per command. `librados` 0.2 has no
//! command call outside its raw bindings (`unsafe`, forbidden here). `rados` is faster to
//! connect but sends monitor commands only, is young (0.1), and pulls tokio with every
//! feature, clap and a DNS resolver into a library; `ceph` is the client the `ceph` CLI itself
//! uses (librados: every auth mode and configuration option) with a safe, length-correct
//! `ceph_mon_command_without_data`. Neither offers `tell` safely (`ceph`'s `ceph_osd_command`
//! reads librados' reply, which is not NUL-terminated, with `CStr::from_ptr`; there is no
//! targeted mon command nor libcephfs' `mds_command`), so perf counters come from the admin
//! sockets ([`crate::AsokTell`]) or the `ceph` client.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ceph_types::{Command, Request, Target};

use crate::{Commander, ConnectError, FetchError, MAX_DOCUMENT_BYTES};

/// The largest configuration file read (1 MiB).
const MAX_CONF_BYTES: u64 = 1 << 20;

/// A librados connection to a cluster, made on first use and kept.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Duration;
/// use exporter::{CephCli, Live, Rados};
///
/// let rados = Rados::new("/etc/ceph/ceph.conf").timeout(Duration::from_secs(5));
/// rados.connect()?;
/// let cli = CephCli::new().conf("/etc/ceph/ceph.conf");
/// let mut live = Live::new(Arc::new(rados)).tell_through(Arc::new(cli));
/// let snapshot = live.snapshot();
/// assert!(snapshot.reachable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rados {
    conf: PathBuf,
    user: String,
    timeout: Duration,
    state: Arc<(Mutex<State>, Condvar)>,
}

/// Where the connection is.
enum State {
    Idle,
    Connecting,
    /// Made once and kept for the life of the process (librados handles are not `Send`;
    /// a shared reference to one is).
    Connected(&'static ceph::ceph::Rados),
    Failed(Arc<ConnectError>),
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            State::Idle => f.write_str("Idle"),
            State::Connecting => f.write_str("Connecting"),
            State::Connected(_) => f.write_str("Connected"),
            State::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

impl Rados {
    /// A connection as `client.admin` with the configuration file `conf` (not made yet).
    pub fn new(conf: impl Into<PathBuf>) -> Rados {
        Rados {
            conf: conf.into(),
            user: "admin".to_owned(),
            timeout: Duration::from_secs(5),
            state: Arc::new((Mutex::new(State::Idle), Condvar::new())),
        }
    }

    /// Connects as `client.<user>` instead of `client.admin`.
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Rados {
        self.user = user.into();
        self
    }

    /// The deadline of connecting and of each command (default 5 s; at least 1 s, librados
    /// counts its timeouts in whole seconds).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Rados {
        self.timeout = timeout.max(Duration::from_secs(1));
        self
    }

    /// Connects now (or waits for the connection under way), within the deadline. A
    /// connection made after the deadline is used from then on; a failed one is tried again
    /// on the next call.
    ///
    /// # Errors
    ///
    /// The configuration file cannot be read, librados refused (no monitor, wrong key), or
    /// the deadline passed first.
    pub fn connect(&self) -> Result<(), Arc<ConnectError>> {
        self.handle().map(|_| ())
    }

    fn handle(&self) -> Result<&'static ceph::ceph::Rados, Arc<ConnectError>> {
        let deadline = Instant::now() + self.timeout;
        let (lock, cvar) = &*self.state;
        let mut state = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if matches!(*state, State::Idle | State::Failed(_)) {
            *state = State::Connecting;
            let (conf, user, timeout) = (self.conf.clone(), self.user.clone(), self.timeout);
            let shared = self.state.clone();
            let spawned = std::thread::Builder::new()
                .name("rados-connect".into())
                .spawn(move || {
                    let result = connect(&conf, &user, timeout);
                    let (lock, cvar) = &*shared;
                    let mut state = lock
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    *state = match result {
                        Ok(handle) => State::Connected(handle),
                        Err(e) => State::Failed(Arc::new(e)),
                    };
                    cvar.notify_all();
                });
            if let Err(e) = spawned {
                *state = State::Idle;
                return Err(Arc::new(ConnectError::Thread(e)));
            }
        }
        loop {
            match &*state {
                State::Connected(h) => return Ok(h),
                State::Failed(e) => return Err(e.clone()),
                State::Idle | State::Connecting => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Arc::new(ConnectError::Timeout {
                    conf: self.conf.clone(),
                    after: self.timeout,
                }));
            }
            state = cvar
                .wait_timeout(state, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

/// Connects with `conf` plus the timeouts, leaking the handle (kept for the process).
fn connect(
    conf: &Path,
    user: &str,
    timeout: Duration,
) -> Result<&'static ceph::ceph::Rados, ConnectError> {
    let conf_err = |source| ConnectError::Conf {
        path: conf.to_owned(),
        source,
    };
    let file = std::fs::File::open(conf).map_err(conf_err)?;
    let mut text = String::new();
    file.take(MAX_CONF_BYTES)
        .read_to_string(&mut text)
        .map_err(conf_err)?;
    let secs = timeout.as_secs().max(1);
    text.push_str(&format!(
        "\n[client]\nclient_mount_timeout = {secs}\nrados_mon_op_timeout = {secs}\nrados_osd_op_timeout = {secs}\n"
    ));
    for option in QUIET {
        if !mentions(&text, option) {
            text.push_str(option);
            text.push_str(" = 0/0\n");
        }
    }
    let private = std::env::temp_dir().join(format!(
        "exporter-rados-{}-{}.conf",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&private, text).map_err(|source| ConnectError::Conf {
        path: private.clone(),
        source,
    })?;
    let result = ceph::ceph::connect_to_ceph(user, &private.display().to_string());
    let _ = std::fs::remove_file(&private);
    match result {
        Ok(handle) => Ok(Box::leak(Box::new(handle))),
        Err(e) => Err(ConnectError::Refused {
            conf: conf.to_owned(),
            message: e.to_string(),
        }),
    }
}

/// The client's debug levels turned down to `0/0` (nothing logged, nothing kept in memory)
/// unless the configuration sets them. With Ceph's defaults (`debug_monc = 0/10`,
/// `debug_rados = 0/5`, ...) librados builds an in-memory log entry, and wakes its log
/// thread, several times per command: about 7 % of the exporter's CPU in a live collection.
const QUIET: [&str; 5] = [
    "debug_monc",
    "debug_rados",
    "debug_objecter",
    "debug_ms",
    "debug_auth",
];

/// Whether the configuration `text` sets `option` (Ceph takes `_`, `-` and ` ` alike in
/// option names).
fn mentions(text: &str, option: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .map(|c| if c == '-' || c == ' ' { '_' } else { c })
            .collect()
    };
    let option = norm(option);
    text.lines().any(|line| {
        let key = line.split_once('=').map_or("", |(k, _)| k);
        norm(key.trim()) == option
    })
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The monitor command for `request`, as the JSON the `ceph` client sends, or `None` for a
/// request to a daemon or one the client runs itself (`rbd ls`). The monitors forward the mgr's commands to the active mgr.
pub(crate) fn mon_command(request: &Request) -> Option<serde_json::Value> {
    if matches!(request.target(), Target::Daemon | Target::Client) {
        return None;
    }
    // `mon_status` is a daemon command since Octopus; the cluster's is `quorum_status`.
    let command = match request.command() {
        Command::MonStatus => Command::QuorumStatus,
        other => other,
    };
    serde_json::from_str(&command.to_json()).ok()
}

impl Commander for Rados {
    fn command(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
        if request.target() == Target::Client {
            // Listing RBD images needs librbd (or the `rbd` client), not a monitor command.
            return Err(FetchError::NotFound);
        }
        let Some(cmd) = mon_command(request) else {
            // `tell` needs `rados_osd_command`, `rados_mon_command_target` and libcephfs,
            // which the `ceph` crate does not offer safely.
            return Err(FetchError::Refused {
                code: -95,
                message: "`tell` is not sent over the library connection".into(),
            });
        };
        let handle = self.handle().map_err(FetchError::NoConnection)?;
        match handle.ceph_mon_command_without_data(&cmd) {
            Ok((out, _status)) => {
                if out.len() as u64 > MAX_DOCUMENT_BYTES {
                    return Err(FetchError::TooLarge {
                        limit: MAX_DOCUMENT_BYTES,
                    });
                }
                Ok(out)
            }
            Err(e) => Err(refused(&e)),
        }
    }

    fn origin(&self, request: &Request) -> String {
        match mon_command(request) {
            Some(cmd) => format!("rados mon_command {cmd} ({})", self.conf.display()),
            None => format!("rados {request}"),
        }
    }
}

/// A librados error as the cluster's answer.
fn refused(e: &ceph::error::RadosError) -> FetchError {
    let code = match e {
        ceph::error::RadosError::ApiError(errno) => -(*errno as i32),
        _ => 0,
    };
    let message = e.to_string();
    if code == -110 {
        return FetchError::Timeout {
            after: Duration::ZERO,
        };
    }
    FetchError::Refused { code, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cluster_request_has_a_mon_command() {
        let cases = [
            (
                Command::HealthDetail,
                r#"{"detail":"detail","format":"json","prefix":"health"}"#,
            ),
            (
                Command::MonStatus,
                r#"{"format":"json","prefix":"quorum_status"}"#,
            ),
            (
                Command::PgDumpSum,
                r#"{"dumpcontents":["sum"],"format":"json","prefix":"pg dump"}"#,
            ),
            (
                Command::Versions,
                r#"{"format":"json","prefix":"versions"}"#,
            ),
        ];
        for (command, want) in cases {
            let cmd = mon_command(&Request::cluster(command)).unwrap();
            assert_eq!(cmd.to_string(), want, "{command}");
        }
        assert!(mon_command(&Request::daemon(Command::PerfDump, "osd.0")).is_none());
    }

    #[test]
    fn debug_levels_set_by_the_configuration_are_kept() {
        let cases = [
            ("[global]\ndebug monc = 20/20\n", "debug_monc", true),
            ("[client]\n  debug-rados=1/5\n", "debug_rados", true),
            ("[client]\ndebug_ms = 1\n", "debug_ms", true),
            (
                "[global]\nfsid = x\n# debug_monc = 20\n",
                "debug_monc",
                false,
            ),
            ("[global]\ndebug_monclient = 1\n", "debug_monc", false),
            ("", "debug_auth", false),
        ];
        for (text, option, want) in cases {
            assert_eq!(mentions(text, option), want, "{text:?} {option}");
        }
    }

    #[test]
    fn a_missing_conf_is_named() {
        let r = Rados::new("/nonexistent/ceph.conf").timeout(Duration::from_secs(2));
        let e = r.connect().unwrap_err();
        assert!(matches!(&*e, ConnectError::Conf { path, .. } if path.ends_with("ceph.conf")));
        let e = r.command(&Request::cluster(Command::OsdDump)).unwrap_err();
        assert!(matches!(e, FetchError::NoConnection(_)));
    }
}
