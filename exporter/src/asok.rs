//! A client of Ceph's admin socket (`*.asok`), spoken natively.
//!
//! The protocol, as Ceph's `AdminSocket::do_accept` (`src/common/admin_socket.cc`) serves it
//! and `ceph_daemon.py`'s `admin_socket()` speaks it: the client writes one JSON command
//! (`{"prefix": "perf dump"}`), ended by a NUL byte (the daemon reads at most 1,023 bytes up to
//! a NUL or a newline); the daemon answers with the reply's length as a 4-byte big-endian
//! integer, then the reply, and closes the connection. One connection carries one command.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest command a daemon reads (its buffer is 1,024 bytes with the terminator).
pub const MAX_COMMAND_BYTES: usize = 1023;

/// The default cap on one reply (32 MiB). The largest captured reply, an OSD's
/// `counter schema`, is 245 KB.
pub const DEFAULT_MAX_REPLY_BYTES: usize = 32 << 20;

/// How many bytes are read at a time: the reply buffer grows with the bytes that arrive, never
/// with the length the daemon claims.
const CHUNK: usize = 64 << 10;

/// A daemon's admin socket, and the limits every command on it runs with.
///
/// ```no_run
/// use std::time::Duration;
/// use exporter::AdminSocket;
///
/// let socket = AdminSocket::new("/var/run/ceph/ceph-osd.0.asok")
///     .timeout(Duration::from_secs(2));
/// let dump = socket.command("perf dump")?;
/// assert!(dump.starts_with(b"{"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AdminSocket {
    path: PathBuf,
    timeout: Duration,
    max_reply: usize,
}

impl AdminSocket {
    /// The socket at `path`, with a 5 s deadline per command and replies up to
    /// [`DEFAULT_MAX_REPLY_BYTES`].
    pub fn new(path: impl Into<PathBuf>) -> Self {
        AdminSocket {
            path: path.into(),
            timeout: Duration::from_secs(5),
            max_reply: DEFAULT_MAX_REPLY_BYTES,
        }
    }

    /// The deadline of one whole command: connecting, writing it and reading the reply.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest reply accepted, in bytes. A daemon claiming more is an error, and nothing
    /// is read or allocated beyond what arrived before the claim was checked.
    #[must_use]
    pub fn max_reply(mut self, bytes: usize) -> Self {
        self.max_reply = bytes;
        self
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `prefix` (`perf dump`, `counter schema`, `version`, ...) and returns the reply.
    ///
    /// # Errors
    ///
    /// See [`AdminSocket::command_into`].
    pub fn command(&self, prefix: &str) -> Result<Vec<u8>, AsokError> {
        let mut buf = Vec::new();
        self.command_into(prefix, &mut buf)?;
        Ok(buf)
    }

    /// Runs `prefix` and puts the reply into `buf` (cleared first), asking for compact JSON.
    ///
    /// # Errors
    ///
    /// An [`AsokError`] naming the socket and the command: the daemon is gone
    /// ([`AsokError::is_missing`]), the deadline passed, the reply's length is over the limit,
    /// the reply is cut short, or the connection failed.
    pub fn command_into(&self, prefix: &str, buf: &mut Vec<u8>) -> Result<(), AsokError> {
        let deadline = Instant::now() + self.timeout;
        self.run(prefix, buf, deadline)
            .map_err(|kind| AsokError::new(&self.path, prefix, kind))
    }

    fn run(&self, prefix: &str, buf: &mut Vec<u8>, deadline: Instant) -> Result<(), AsokErrorKind> {
        buf.clear();
        let request = request(prefix)?;
        let stream = connect(&self.path, deadline)?;
        let mut io = DeadlineStream {
            stream: &stream,
            deadline,
        };
        io.write_all(&request)
            .map_err(|e| io_kind(e, self.timeout))?;
        read_reply(&mut io, self.max_reply, buf).map_err(|e| match e {
            ReplyError::Io(e) => io_kind(e, self.timeout),
            other => AsokErrorKind::Reply(other),
        })
    }
}

/// The request bytes for a command: its JSON, asking for compact JSON output, and the NUL.
fn request(prefix: &str) -> Result<Vec<u8>, AsokErrorKind> {
    let mut out = serde_json::to_vec(&serde_json::json!({"prefix": prefix, "format": "json"}))
        .map_err(|_| AsokErrorKind::CommandTooLong { len: prefix.len() })?;
    if out.len() > MAX_COMMAND_BYTES {
        return Err(AsokErrorKind::CommandTooLong { len: out.len() });
    }
    out.push(0);
    Ok(out)
}

/// Connects with the deadline: the socket's send timeout bounds a connect that waits for room
/// in a full listen queue.
fn connect(path: &Path, deadline: Instant) -> Result<UnixStream, AsokErrorKind> {
    let remaining = remaining(deadline).ok_or(AsokErrorKind::Timeout {
        after: Duration::ZERO,
    })?;
    let addr = socket2::SockAddr::unix(path).map_err(AsokErrorKind::Connect)?;
    let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)
        .map_err(AsokErrorKind::Connect)?;
    socket
        .set_write_timeout(Some(remaining))
        .map_err(AsokErrorKind::Connect)?;
    match socket.connect(&addr) {
        Ok(()) => Ok(UnixStream::from(std::os::fd::OwnedFd::from(socket))),
        Err(e) if is_gone(&e) => Err(AsokErrorKind::Missing(e)),
        Err(e) if is_timeout(&e) => Err(AsokErrorKind::Timeout { after: remaining }),
        Err(e) => Err(AsokErrorKind::Connect(e)),
    }
}

/// No daemon behind the path: the file is gone, or nothing listens on it any more.
fn is_gone(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
    )
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn io_kind(e: io::Error, timeout: Duration) -> AsokErrorKind {
    if is_timeout(&e) {
        AsokErrorKind::Timeout { after: timeout }
    } else {
        AsokErrorKind::Io(e)
    }
}

fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}

/// A stream whose every read and write waits at most until the deadline.
struct DeadlineStream<'s> {
    stream: &'s UnixStream,
    deadline: Instant,
}

impl DeadlineStream<'_> {
    fn arm(&self, write: bool) -> io::Result<()> {
        let left = remaining(self.deadline).ok_or(io::ErrorKind::TimedOut)?;
        if write {
            self.stream.set_write_timeout(Some(left))
        } else {
            self.stream.set_read_timeout(Some(left))
        }
    }
}

impl Read for DeadlineStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm(false)?;
        (&mut &*self.stream).read(buf)
    }
}

impl Write for DeadlineStream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm(true)?;
        (&mut &*self.stream).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads one admin-socket reply from `reader` into `buf` (cleared first): a 4-byte big-endian
/// length, then that many bytes. Bytes after the reply are not read.
///
/// The buffer grows as bytes arrive, at most by 64 KiB beyond them, so a length claiming
/// gigabytes allocates nothing before it is refused, and a short reply allocates only what
/// came.
///
/// ```
/// use exporter::{ReplyError, read_reply};
///
/// let mut buf = Vec::new();
/// read_reply(&mut &b"\0\0\0\x02{}"[..], 1024, &mut buf)?;
/// assert_eq!(buf, b"{}");
///
/// let err = read_reply(&mut &b"\xff\xff\xff\xff{"[..], 1024, &mut buf).unwrap_err();
/// assert!(matches!(err, ReplyError::TooLarge { claimed: 4294967295, limit: 1024 }));
/// let err = read_reply(&mut &b"\0\0\0\x09{}"[..], 1024, &mut buf).unwrap_err();
/// assert!(matches!(err, ReplyError::Truncated { expected: 9, received: 2 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ReplyError::NoLength`] when the stream ends within the length,
/// [`ReplyError::TooLarge`] when the length is over `limit`, [`ReplyError::Truncated`] when
/// the stream ends before the reply does, [`ReplyError::Io`] when reading fails.
pub fn read_reply<R: Read + ?Sized>(
    reader: &mut R,
    limit: usize,
    buf: &mut Vec<u8>,
) -> Result<(), ReplyError> {
    buf.clear();
    let mut head = [0u8; 4];
    let got = read_full(reader, &mut head)?;
    if got < head.len() {
        return Err(ReplyError::NoLength { received: got });
    }
    let claimed = u32::from_be_bytes(head);
    let len = usize::try_from(claimed)
        .ok()
        .filter(|l| *l <= limit)
        .ok_or(ReplyError::TooLarge {
            claimed: u64::from(claimed),
            limit: limit as u64,
        })?;
    // The zeroed room beyond `filled` is used up before the buffer grows again, so the work
    // per byte is constant however the bytes trickle in.
    let mut filled = 0;
    let result = loop {
        if filled == len {
            break Ok(());
        }
        if filled == buf.len() {
            buf.resize(filled + (len - filled).min(CHUNK), 0);
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => {
                break Err(ReplyError::Truncated {
                    expected: u64::from(claimed),
                    received: filled as u64,
                });
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(ReplyError::Io(e)),
        }
    };
    buf.truncate(filled);
    result
}

/// Reads until `buf` is full or the stream ends; the number of bytes read.
fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> Result<usize, ReplyError> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReplyError::Io(e)),
        }
    }
    Ok(got)
}

/// Why an admin-socket reply could not be read ([`read_reply`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The stream ended within the 4-byte length.
    #[error("no reply: the connection closed after {received} of the 4 length bytes")]
    NoLength {
        /// How many length bytes came.
        received: usize,
    },
    /// The reply's length is over the limit.
    #[error("the reply claims {claimed} bytes, over the limit of {limit}")]
    TooLarge {
        /// The length the daemon sent.
        claimed: u64,
        /// The limit.
        limit: u64,
    },
    /// The stream ended before the reply did.
    #[error("the reply was cut short after {received} of {expected} bytes")]
    Truncated {
        /// The length the daemon sent.
        expected: u64,
        /// How many bytes came.
        received: u64,
    },
    /// Reading failed.
    #[error("cannot read the reply")]
    Io(#[source] io::Error),
}

/// One admin-socket command that failed: the socket, the command, and why.
#[derive(Debug, thiserror::Error)]
#[error("`{command}` on admin socket `{}`", path.display())]
pub struct AsokError {
    path: PathBuf,
    command: Box<str>,
    #[source]
    kind: AsokErrorKind,
}

impl AsokError {
    /// An error of `command` on the socket at `path`.
    pub fn new(path: impl Into<PathBuf>, command: &str, kind: AsokErrorKind) -> Self {
        AsokError {
            path: path.into(),
            command: command.into(),
            kind,
        }
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The command (`perf dump`, ...).
    pub fn command(&self) -> &str {
        &self.command
    }

    /// Why it failed.
    pub fn kind(&self) -> &AsokErrorKind {
        &self.kind
    }

    /// Whether no daemon is behind the socket (the file is gone or nothing listens on it): a
    /// daemon that is not running, rather than one that failed to answer.
    pub fn is_missing(&self) -> bool {
        matches!(self.kind, AsokErrorKind::Missing(_))
    }

    /// Whether the command's deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, AsokErrorKind::Timeout { .. })
    }
}

/// Why an admin-socket command failed ([`AsokError::kind`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AsokErrorKind {
    /// No daemon listens on the socket (`ENOENT`, `ECONNREFUSED`).
    #[error("no daemon listens on the socket")]
    Missing(#[source] io::Error),
    /// Connecting failed for another reason.
    #[error("cannot connect")]
    Connect(#[source] io::Error),
    /// The deadline passed before the reply was complete.
    #[error("no complete reply within {after:?}")]
    Timeout {
        /// The deadline that passed.
        after: Duration,
    },
    /// Writing the command or reading the reply failed.
    #[error("connection failed")]
    Io(#[source] io::Error),
    /// The reply's framing is wrong.
    #[error(transparent)]
    Reply(ReplyError),
    /// The command is longer than the daemon reads.
    #[error("the command is {len} bytes, over the {MAX_COMMAND_BYTES} a daemon reads")]
    CommandTooLong {
        /// Its length as sent.
        len: usize,
    },
    /// The daemon answered with something other than a JSON object: an unknown command
    /// (`counter dump` before Reef), or an error text.
    #[error("the daemon answered `{reply}` instead of a JSON object")]
    Rejected {
        /// The start of the reply, control characters escaped.
        reply: Excerpt,
    },
    /// The reply is not UTF-8.
    #[error("the reply is not UTF-8 after byte {offset}")]
    Utf8 {
        /// The length of the valid prefix.
        offset: usize,
    },
    /// The reply is not a perf schema or dump (shared by the daemons whose identical schema
    /// it is).
    #[error("malformed reply")]
    Parse(#[source] Arc<perfcounter::Error>),
}

/// The start of a reply for a message: at most 64 characters, control characters escaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Excerpt(Box<str>);

impl Excerpt {
    /// The excerpt of `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        const MAX: usize = 64;
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX * 4)]);
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            if i == MAX {
                out.push('…');
                break;
            }
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        Excerpt(out.into())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn framed(payload: &[u8]) -> Vec<u8> {
        let mut v = (payload.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn replies() {
        let big = vec![b'x'; 200_000];
        type Case<'a> = (&'a [u8], usize, Result<&'a [u8], &'a str>);
        let cases: &[Case<'_>] = &[
            (&framed(b"{}"), 1024, Ok(b"{}")),
            (&framed(b""), 1024, Ok(b"")),
            (&framed(&big), 1 << 20, Ok(&big)),
            (b"", 1024, Err("NoLength 0")),
            (b"\0\0", 1024, Err("NoLength 2")),
            (b"\xff\xff\xff\xffabc", 1024, Err("TooLarge")),
            (b"\0\0\x04\x01", 1024, Err("TooLarge")),
            (b"\0\0\0\x05abc", 1024, Err("Truncated 3")),
            (&framed(&big)[..100_004], 1 << 20, Err("Truncated 100000")),
        ];
        for (input, limit, want) in cases {
            for step in [1, 3, 7000, usize::MAX] {
                let mut buf = b"old".to_vec();
                let got = read_reply(&mut Trickle { data: input, step }, *limit, &mut buf);
                match (got, want) {
                    (Ok(()), Ok(w)) => assert_eq!(&buf[..], *w),
                    (Err(ReplyError::NoLength { received }), Err(w)) => {
                        assert_eq!(format!("NoLength {received}"), *w);
                    }
                    (Err(ReplyError::TooLarge { .. }), Err(w)) => assert_eq!(*w, "TooLarge"),
                    (Err(ReplyError::Truncated { received, .. }), Err(w)) => {
                        assert_eq!(format!("Truncated {received}"), *w);
                        // Nothing beyond what arrived plus one chunk was allocated.
                        assert!(buf.capacity() <= (received as usize + CHUNK) * 2);
                    }
                    (got, want) => panic!("{got:?} for {want:?}"),
                }
            }
        }
    }

    #[test]
    fn huge_length_prefix_allocates_nothing() {
        let mut buf = Vec::new();
        let err = read_reply(&mut &b"\x7f\xff\xff\xff{}"[..], usize::MAX, &mut buf).unwrap_err();
        assert!(matches!(
            err,
            ReplyError::Truncated {
                expected: 0x7fff_ffff,
                received: 2
            }
        ));
        assert!(buf.capacity() <= 2 * CHUNK, "{}", buf.capacity());
    }

    #[test]
    fn requests() {
        assert_eq!(
            request("perf dump").unwrap(),
            b"{\"format\":\"json\",\"prefix\":\"perf dump\"}\0"
        );
        assert!(matches!(
            request(&"x".repeat(2000)),
            Err(AsokErrorKind::CommandTooLong { .. })
        ));
    }

    #[test]
    fn excerpts() {
        for (input, want) in [
            (&b"unknown command"[..], "unknown command"),
            (b"a\nb\0c", "a\\nb\\u{0}c"),
            (b"\xff", "\u{fffd}"),
        ] {
            assert_eq!(Excerpt::new(input).as_str(), want);
        }
        let long = Excerpt::new(&[b'a'; 1000]);
        assert_eq!(long.as_str().chars().count(), 65);
    }
}
