//! Serving a collection over HTTP the way the mgr prometheus module does: a background thread
//! refreshes a cache every interval, and `/metrics` answers from the cache.
//!
//! The module (`src/pybind/mgr/prometheus/module.py`) collects on its own thread every
//! `scrape_interval` seconds and keeps the last exposition. A scrape never waits for a
//! collection: it gets the cached body, or, when the last collection took at least the
//! interval (the cache is *stale*), either a 503 or the stale body, as the module's
//! `stale_cache_strategy` (`fail` or `return`) says. Before the first collection it answers
//! 503 `No cached data available yet`. [`serve`] does the same with std's `TcpListener`, one
//! thread per connection (bounded), a bounded request head, and the format chosen from the
//! `Accept` header by [`expfmt::negotiate`].

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use expfmt::{FloatStyle, Format};

use crate::Collection;

/// How long a connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may take to accept the response.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How many bytes are read from a connection at a time.
const CHUNK: usize = 1024;

/// The index page served at `/`, as the module's.
const INDEX: &[u8] =
    b"<!DOCTYPE html>\n<html>\n    <head><title>Ceph Exporter</title></head>\n    \
<body>\n        <h1>Ceph Exporter</h1>\n        <p><a href='/metrics'>Metrics</a></p>\n    \
</body>\n</html>\n";

/// What `/metrics` answers when the cached exposition is stale: the mgr module's
/// `stale_cache_strategy`.
///
/// The cache is stale when the collection that filled it took at least the refresh interval.
///
/// ```
/// use exporter::StaleStrategy;
///
/// assert_eq!("return".parse::<StaleStrategy>()?, StaleStrategy::Return);
/// assert_eq!(StaleStrategy::default().to_string(), "fail");
/// assert!("FAIL".parse::<StaleStrategy>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StaleStrategy {
    /// `fail`: answer 503 with how stale the data is (the module's default).
    #[default]
    Fail,
    /// `return`: answer 200 with the stale data.
    Return,
}

impl StaleStrategy {
    /// The module's option value: `fail` or `return`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StaleStrategy::Fail => "fail",
            StaleStrategy::Return => "return",
        }
    }
}

impl fmt::Display for StaleStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stale-cache strategy name other than `fail` and `return`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stale-cache strategy `{name}`")]
pub struct UnknownStaleStrategy {
    /// The name given.
    pub name: Box<str>,
}

impl FromStr for StaleStrategy {
    type Err = UnknownStaleStrategy;

    /// Parses `fail` or `return`, exactly as the module's option takes them (lowercase).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fail" => Ok(StaleStrategy::Fail),
            "return" => Ok(StaleStrategy::Return),
            _ => Err(UnknownStaleStrategy { name: s.into() }),
        }
    }
}

/// How [`serve`] refreshes and answers.
///
/// ```
/// use std::time::Duration;
/// use exporter::{ServeOptions, StaleStrategy};
///
/// let options = ServeOptions::new()
///     .interval(Duration::from_secs(30))
///     .stale(StaleStrategy::Return)
///     .request_limit(4096)
///     .connection_limit(8);
/// assert_eq!(options.refresh_interval(), Duration::from_secs(30));
/// assert_eq!(options.stale_strategy(), StaleStrategy::Return);
/// assert_eq!((options.max_request(), options.max_connections()), (4096, 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServeOptions {
    interval: Duration,
    stale: StaleStrategy,
    request_limit: usize,
    connection_limit: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            interval: Duration::from_secs(15),
            stale: StaleStrategy::Fail,
            request_limit: 8192,
            connection_limit: 32,
        }
    }
}

impl ServeOptions {
    /// The defaults: refresh every 15 s (the module's `scrape_interval`), stale strategy
    /// `fail`, request heads up to 8 KiB, 32 connections at once.
    pub fn new() -> Self {
        ServeOptions::default()
    }

    /// How often the cache is refreshed. A collection that takes at least this long makes the
    /// cache stale; the next one starts right after it.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// What `/metrics` answers when the cache is stale.
    #[must_use]
    pub fn stale(mut self, stale: StaleStrategy) -> Self {
        self.stale = stale;
        self
    }

    /// The request head (request line and headers) size, in bytes, past which the server
    /// answers 431 (at least 1): once more than this many bytes have come without the blank
    /// line that ends the head, reading stops. The head is read 1 KiB at a time, so a head
    /// that ends in the read that crosses the limit is still served.
    #[must_use]
    pub fn request_limit(mut self, bytes: usize) -> Self {
        self.request_limit = bytes.max(1);
        self
    }

    /// The most connections served at once (at least 1); a connection beyond this gets 503
    /// `too many connections` without waiting for its request (a client whose request comes
    /// after the answer may see the connection reset instead).
    #[must_use]
    pub fn connection_limit(mut self, connections: usize) -> Self {
        self.connection_limit = connections.max(1);
        self
    }

    /// The refresh interval.
    pub fn refresh_interval(&self) -> Duration {
        self.interval
    }

    /// The stale-cache strategy.
    pub fn stale_strategy(&self) -> StaleStrategy {
        self.stale
    }

    /// The request head limit, in bytes.
    pub fn max_request(&self) -> usize {
        self.request_limit
    }

    /// The connection limit.
    pub fn max_connections(&self) -> usize {
        self.connection_limit
    }
}

/// One collection encoded in both formats `/metrics` can answer with: the Prometheus text
/// format and OpenMetrics.
///
/// ```
/// use expfmt::Format;
/// use exporter::Exposition;
///
/// let e = Exposition::new(b"up 1\n".to_vec(), b"up 1.0\n# EOF\n".to_vec());
/// assert_eq!(e.body(Format::OpenMetrics), b"up 1.0\n# EOF\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Exposition {
    text: Vec<u8>,
    openmetrics: Vec<u8>,
}

impl Exposition {
    /// An exposition from bodies encoded elsewhere: `text` in the Prometheus text format,
    /// `openmetrics` in OpenMetrics (with its `# EOF`).
    pub fn new(text: Vec<u8>, openmetrics: Vec<u8>) -> Self {
        Exposition { text, openmetrics }
    }

    /// Encodes `collection` in both formats: the text format with `style`, OpenMetrics with
    /// [`FloatStyle::OpenMetrics`] (the only style OpenMetrics allows).
    ///
    /// # Errors
    ///
    /// The encoder's, as [`Collection::encode`].
    pub fn from_collection(
        collection: &Collection,
        style: FloatStyle,
    ) -> Result<Self, expfmt::Error> {
        let mut e = Exposition::default();
        collection.encode(&mut e.text, Format::Text, style)?;
        collection.encode(
            &mut e.openmetrics,
            Format::OpenMetrics,
            FloatStyle::OpenMetrics,
        )?;
        Ok(e)
    }

    /// The body in `format`.
    pub fn body(&self, format: Format) -> &[u8] {
        match format {
            Format::Text => &self.text,
            Format::OpenMetrics => &self.openmetrics,
        }
    }
}

/// The cached exposition and how long collecting it took.
#[derive(Debug)]
struct Snapshot {
    exposition: Exposition,
    collect_time: Duration,
}

/// The cache the refresh thread fills and the connections read.
type Shared = Arc<Mutex<Option<Arc<Snapshot>>>>;

fn current(cache: &Shared) -> Option<Arc<Snapshot>> {
    cache.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Serves `/metrics` on `listener` from a cache that `collect` refreshes, as the mgr
/// prometheus module does.
///
/// A background thread calls `collect` right away and then every
/// [`ServeOptions::interval`], minus the time the call took. `Some` replaces the cache,
/// `None` keeps the previous one: `collect` reports its own failures (the families a
/// [`Collection`] left out, an encoder error) as it sees fit. Each connection gets one
/// request on its own thread, up to [`ServeOptions::connection_limit`] at once, and is
/// closed after the response (`Connection: close`):
///
/// | request | answer |
/// |---|---|
/// | `GET /metrics` (or `HEAD`), query ignored | 200 with the cache in the format the `Accept` header prefers ([`expfmt::negotiate`]), `Content-Type` to match |
/// | `/metrics` before the first collection | 503 `No cached data available yet` |
/// | `/metrics`, stale cache, [`StaleStrategy::Fail`] | 503 saying how stale, in the module's words |
/// | `/metrics`, stale cache, [`StaleStrategy::Return`] | 200 with the stale cache |
/// | `GET /` | 200, an HTML page linking to `/metrics` |
/// | any other path | 404 |
/// | a method other than `GET` and `HEAD` | 405 |
/// | a head that is not UTF-8 | 400 |
/// | a head longer than [`ServeOptions::request_limit`] | 431 |
///
/// A connection has 10 s to send its head and 30 s to take the response. The function
/// returns only on an error; run it on a thread of its own to do anything else.
///
/// ```no_run
/// use std::net::TcpListener;
/// use std::time::Duration;
/// use expfmt::FloatStyle;
/// use exporter::{ClusterCollector, CollectOptions, DumpDir, Exposition, ServeOptions};
///
/// let source = DumpDir::open("testdata/ceph/18.2.7-healthy")?;
/// let mut collector = ClusterCollector::new(CollectOptions::new());
/// let listener = TcpListener::bind("127.0.0.1:9283")?;
/// let options = ServeOptions::new().interval(Duration::from_secs(30));
/// exporter::serve(
///     listener,
///     move || {
///         let collection = collector.collect(&source);
///         for e in collection.errors() {
///             eprintln!("{e}");
///         }
///         Exposition::from_collection(&collection, FloatStyle::Go).ok()
///     },
///     options,
/// )?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The system's, when the refresh thread cannot be started. Errors accepting or serving a
/// connection close that connection only.
pub fn serve<F>(listener: TcpListener, collect: F, options: ServeOptions) -> io::Result<()>
where
    F: FnMut() -> Option<Exposition> + Send + 'static,
{
    let cache: Shared = Arc::new(Mutex::new(None));
    spawn_refresh(Arc::clone(&cache), collect, options.interval)?;
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if active.fetch_add(1, Ordering::SeqCst) >= options.connection_limit {
            active.fetch_sub(1, Ordering::SeqCst);
            refuse(&mut stream);
            continue;
        }
        let (cache, active_conn) = (Arc::clone(&cache), Arc::clone(&active));
        let spawned = std::thread::Builder::new()
            .name("metrics-conn".into())
            .spawn(move || {
                let _ = handle_tcp(&mut stream, &cache, &options);
                active_conn.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            // The connection was dropped with the closure; it no longer counts.
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Answers 503 `too many connections` without waiting for the request, on the accepting
/// thread.
fn refuse(stream: &mut TcpStream) {
    let _ = Answer::plain(503, b"too many connections\n").write(stream, false);
    // Closing with unread bytes makes the kernel reset the connection, which can discard the
    // answer before the client reads it: end the sending side and take what already came.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if stream.set_nonblocking(true).is_ok() {
        let mut sink = [0u8; CHUNK];
        for _ in 0..8 {
            if !matches!(stream.read(&mut sink), Ok(n) if n > 0) {
                break;
            }
        }
    }
}

/// Starts the thread that calls `collect` every `interval` and fills `cache`.
fn spawn_refresh<F>(cache: Shared, mut collect: F, interval: Duration) -> io::Result<()>
where
    F: FnMut() -> Option<Exposition> + Send + 'static,
{
    std::thread::Builder::new()
        .name("metrics-refresh".into())
        .spawn(move || {
            // When the cached exposition's collection started.
            let mut cached_start: Option<Instant> = None;
            loop {
                let start = Instant::now();
                let exposition = collect();
                let collect_time = start.elapsed();
                let mut cached = cache.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(exposition) = exposition {
                    *cached = Some(Arc::new(Snapshot {
                        exposition,
                        collect_time,
                    }));
                    cached_start = Some(start);
                } else if let (Some(old), Some(old_start)) = (cached.as_ref(), cached_start) {
                    // No new exposition (the cluster did not answer): the cached one is as
                    // stale as if its collection had lasted until now.
                    *cached = Some(Arc::new(Snapshot {
                        exposition: old.exposition.clone(),
                        collect_time: old_start.elapsed(),
                    }));
                }
                drop(cached);
                std::thread::sleep(interval.saturating_sub(collect_time));
            }
        })
        .map(drop)
}

fn handle_tcp(stream: &mut TcpStream, cache: &Shared, options: &ServeOptions) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    handle(stream, cache, options)
}

/// Serves one request read from `stream` and writes the answer to it.
fn handle<S: Read + Write>(
    stream: &mut S,
    cache: &Shared,
    options: &ServeOptions,
) -> io::Result<()> {
    let head = match read_head(stream, options.request_limit)? {
        Head::Closed => return Ok(()),
        Head::TooLarge => return Answer::plain(431, b"request too large\n").write(stream, false),
        Head::Complete(head) => head,
    };
    let snapshot = current(cache);
    let (answer, head_only) = route(&head, snapshot.as_deref(), options);
    answer.write(stream, head_only)
}

/// A request head, read up to the blank line that ends it.
#[derive(Debug, PartialEq)]
enum Head {
    /// The head without the final `\r\n\r\n`.
    Complete(Vec<u8>),
    /// More than the limit came without the end of the head.
    TooLarge,
    /// The peer closed before the end of the head.
    Closed,
}

fn read_head(stream: &mut impl Read, limit: usize) -> io::Result<Head> {
    let mut head = Vec::with_capacity(CHUNK.min(limit));
    let mut chunk = [0u8; CHUNK];
    // Where the search for the end resumes: the last 3 bytes read may start it.
    let mut searched = 0;
    loop {
        if let Some(i) = head[searched..].windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(searched + i);
            return Ok(Head::Complete(head));
        }
        searched = head.len().saturating_sub(3);
        if head.len() > limit {
            return Ok(Head::TooLarge);
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(Head::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        head.extend_from_slice(&chunk[..n]);
    }
}

/// The answer to a request, and whether it was `HEAD` (no body sent).
fn route<'s>(
    head: &[u8],
    cache: Option<&'s Snapshot>,
    options: &ServeOptions,
) -> (Answer<'s>, bool) {
    let Ok(head) = std::str::from_utf8(head) else {
        return (Answer::plain(400, b"bad request\n"), false);
    };
    let mut lines = head.split("\r\n");
    let mut request = lines.next().unwrap_or("").split(' ');
    let (method, target) = (request.next().unwrap_or(""), request.next().unwrap_or(""));
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return (Answer::plain(405, b"method not allowed\n"), false),
    };
    let answer = match target.split('?').next().unwrap_or("") {
        "/" => Answer::new(200, "text/html", INDEX),
        "/metrics" => {
            let accept = lines
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("accept"))
                .map_or("", |(_, v)| v.trim());
            metrics(cache, accept, options)
        }
        _ => Answer::plain(404, b"not found\n"),
    };
    (answer, head_only)
}

/// The answer to `/metrics`.
fn metrics<'s>(cache: Option<&'s Snapshot>, accept: &str, options: &ServeOptions) -> Answer<'s> {
    let Some(snapshot) = cache else {
        return Answer::plain(503, b"No cached data available yet\n");
    };
    if snapshot.collect_time >= options.interval && options.stale == StaleStrategy::Fail {
        let msg = format!(
            "Gathering data took {:.2} seconds, metrics are stale for {:.2} seconds, \
             returning \"service unavailable\".\n",
            snapshot.collect_time.as_secs_f64(),
            snapshot
                .collect_time
                .saturating_sub(options.interval)
                .as_secs_f64()
        );
        return Answer {
            status: 503,
            content_type: "text/plain",
            body: msg.into_bytes().into(),
        };
    }
    let format = expfmt::negotiate(accept);
    Answer::new(200, format.content_type(), snapshot.exposition.body(format))
}

/// A response: status, `Content-Type` and body.
#[derive(Debug)]
struct Answer<'b> {
    status: u16,
    content_type: &'static str,
    body: std::borrow::Cow<'b, [u8]>,
}

impl<'b> Answer<'b> {
    fn new(status: u16, content_type: &'static str, body: &'b [u8]) -> Self {
        Answer {
            status,
            content_type,
            body: body.into(),
        }
    }

    fn plain(status: u16, body: &'b [u8]) -> Self {
        Answer::new(status, "text/plain", body)
    }

    fn reason(&self) -> &'static str {
        match self.status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "",
        }
    }

    /// Writes the response; the body only when `head_only` is false.
    fn write(&self, out: &mut impl Write, head_only: bool) -> io::Result<()> {
        // One write for the head: a connection sees it in one segment.
        let head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.status,
            self.reason(),
            self.content_type,
            self.body.len()
        );
        out.write_all(head.as_bytes())?;
        if !head_only {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterCollector, CollectOptions, MemoryDumps};

    const TEXT_CT: &str = "text/plain; version=0.0.4; charset=utf-8";
    const OM_CT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    const TEXT: &[u8] = b"# TYPE up gauge\nup 1\n";
    const OM: &[u8] = b"# TYPE up gauge\nup 1.0\n# EOF\n";
    const PROMETHEUS3: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;\
                               q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

    /// A connection in memory: reads `input` at most `chunk` bytes at a time, keeps what is
    /// written.
    struct Duplex {
        input: io::Cursor<Vec<u8>>,
        chunk: usize,
        output: Vec<u8>,
    }

    impl Duplex {
        fn new(input: &[u8], chunk: usize) -> Self {
            Duplex {
                input: io::Cursor::new(input.to_vec()),
                chunk,
                output: Vec::new(),
            }
        }
    }

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.chunk);
            self.input.read(&mut buf[..n])
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A response split into status, `Content-Type`, `Content-Length` and body.
    fn parse_response(raw: &[u8]) -> (u16, String, usize, Vec<u8>) {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("end of head");
        let head = std::str::from_utf8(&raw[..end]).expect("utf-8 head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
        let status = status_line[9..12].parse().expect("status code");
        let mut content_type = String::new();
        let mut length = usize::MAX;
        for (k, v) in lines.filter_map(|l| l.split_once(": ")) {
            match k {
                "Content-Type" => content_type = v.to_owned(),
                "Content-Length" => length = v.parse().expect("length"),
                "Connection" => assert_eq!(v, "close"),
                other => panic!("unexpected header `{other}`"),
            }
        }
        (status, content_type, length, raw[end + 4..].to_vec())
    }

    #[derive(Debug, Clone, Copy)]
    enum State {
        Empty,
        Fresh,
        Stale,
        /// Collected in exactly the interval: stale, as in the module (`>=`).
        Edge,
    }

    fn cache(state: State) -> Shared {
        let collect_time = match state {
            State::Empty => return Arc::new(Mutex::new(None)),
            State::Fresh => Duration::from_millis(1500),
            State::Stale => Duration::from_millis(20_250),
            State::Edge => Duration::from_secs(15),
        };
        let snapshot = Snapshot {
            exposition: Exposition::new(TEXT.to_vec(), OM.to_vec()),
            collect_time,
        };
        Arc::new(Mutex::new(Some(Arc::new(snapshot))))
    }

    /// Serves `request` in memory; returns the parsed response.
    fn exchange(
        request: &[u8],
        state: State,
        stale: StaleStrategy,
    ) -> (u16, String, usize, Vec<u8>) {
        let options = ServeOptions::new()
            .interval(Duration::from_secs(15))
            .stale(stale);
        let mut conn = Duplex::new(request, 7);
        handle(&mut conn, &cache(state), &options).expect("in-memory io");
        parse_response(&conn.output)
    }

    fn get(path: &str, accept: Option<&str>) -> Vec<u8> {
        let accept = accept.map_or(String::new(), |a| format!("Accept: {a}\r\n"));
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n{accept}\r\n").into_bytes()
    }

    #[test]
    fn metrics_by_cache_state_strategy_and_accept() {
        use StaleStrategy::{Fail, Return};
        use State::{Edge, Empty, Fresh, Stale};
        let stale_msg: &[u8] = b"Gathering data took 20.25 seconds, metrics are stale for 5.25 \
            seconds, returning \"service unavailable\".\n";
        let edge_msg: &[u8] = b"Gathering data took 15.00 seconds, metrics are stale for 0.00 \
            seconds, returning \"service unavailable\".\n";
        let no_data: &[u8] = b"No cached data available yet\n";
        /// Accept header, cache, strategy, then status, Content-Type, body.
        type Case<'a> = (
            Option<&'a str>,
            State,
            StaleStrategy,
            u16,
            &'a str,
            &'a [u8],
        );
        let cases: &[Case] = &[
            (Some("text/plain"), Empty, Fail, 503, "text/plain", no_data),
            (
                Some("text/plain"),
                Empty,
                Return,
                503,
                "text/plain",
                no_data,
            ),
            (None, Fresh, Fail, 200, TEXT_CT, TEXT),
            (None, Fresh, Return, 200, TEXT_CT, TEXT),
            (Some("text/plain"), Fresh, Fail, 200, TEXT_CT, TEXT),
            (Some("*/*"), Fresh, Fail, 200, TEXT_CT, TEXT),
            (
                Some("application/openmetrics-text"),
                Fresh,
                Fail,
                200,
                OM_CT,
                OM,
            ),
            (Some(PROMETHEUS3), Fresh, Fail, 200, OM_CT, OM),
            (
                Some("text/plain"),
                Stale,
                Fail,
                503,
                "text/plain",
                stale_msg,
            ),
            (Some(PROMETHEUS3), Stale, Fail, 503, "text/plain", stale_msg),
            (Some("text/plain"), Stale, Return, 200, TEXT_CT, TEXT),
            (Some(PROMETHEUS3), Stale, Return, 200, OM_CT, OM),
            (None, Edge, Fail, 503, "text/plain", edge_msg),
            (None, Edge, Return, 200, TEXT_CT, TEXT),
        ];
        for &(accept, state, stale, status, ct, body) in cases {
            let case = format!("{accept:?} {state:?} {stale}");
            let got = exchange(&get("/metrics", accept), state, stale);
            assert_eq!(
                (got.0, got.1.as_str(), got.2, got.3.as_slice()),
                (status, ct, body.len(), body),
                "{case}: {}",
                String::from_utf8_lossy(&got.3)
            );
        }
    }

    #[test]
    fn requests_by_method_path_and_shape() {
        let index = INDEX;
        let big = {
            let mut r = b"GET /metrics HTTP/1.1\r\nX-Big: ".to_vec();
            r.extend(std::iter::repeat_n(b'a', 20_000));
            r.extend_from_slice(b"\r\n\r\n");
            r
        };
        /// Request, then status, Content-Type, body (`None`: not checked beyond its length).
        type Case<'a> = (Vec<u8>, u16, &'a str, Option<&'a [u8]>);
        let cases: Vec<Case> = vec![
            (get("/", None), 200, "text/html", Some(index)),
            (get("/?x=1", None), 200, "text/html", Some(index)),
            (get("/metrics?name[]=up", None), 200, TEXT_CT, Some(TEXT)),
            (get("/nope", None), 404, "text/plain", Some(b"not found\n")),
            (
                get("/metrics/", None),
                404,
                "text/plain",
                Some(b"not found\n"),
            ),
            (
                b"GET\r\n\r\n".to_vec(),
                404,
                "text/plain",
                Some(b"not found\n"),
            ),
            (
                b"GET /metrics HTTP/1.1\r\naccept:application/openmetrics-text\r\n\r\n".to_vec(),
                200,
                OM_CT,
                Some(OM),
            ),
            (
                b"GET /metrics HTTP/1.1\r\nX-Accept: application/openmetrics-text\r\n\r\n".to_vec(),
                200,
                TEXT_CT,
                Some(TEXT),
            ),
            (
                b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n".to_vec(),
                405,
                "text/plain",
                Some(b"method not allowed\n"),
            ),
            (
                b"get /metrics HTTP/1.1\r\n\r\n".to_vec(),
                405,
                "text/plain",
                Some(b"method not allowed\n"),
            ),
            (
                b"\r\n\r\n".to_vec(),
                405,
                "text/plain",
                Some(b"method not allowed\n"),
            ),
            (
                b"GET /metrics HTTP/1.1\r\nX: \xff\xfe\r\n\r\n".to_vec(),
                400,
                "text/plain",
                Some(b"bad request\n"),
            ),
            (big, 431, "text/plain", Some(b"request too large\n")),
            // The body after the head is not read: the answer is the same.
            (
                b"GET / HTTP/1.1\r\n\r\nextra bytes".to_vec(),
                200,
                "text/html",
                Some(index),
            ),
        ];
        for (request, status, ct, body) in cases {
            let case = String::from_utf8_lossy(&request[..request.len().min(60)]).into_owned();
            let got = exchange(&request, State::Fresh, StaleStrategy::Fail);
            assert_eq!((got.0, got.1.as_str()), (status, ct), "{case}");
            assert_eq!(got.2, got.3.len(), "{case}");
            if let Some(body) = body {
                assert_eq!(got.3, body, "{case}");
            }
        }
    }

    #[test]
    fn head_sends_the_length_without_the_body() {
        let cases: [(&[u8], State, u16, usize); 4] = [
            (
                b"HEAD /metrics HTTP/1.1\r\n\r\n",
                State::Fresh,
                200,
                TEXT.len(),
            ),
            (
                b"HEAD /metrics HTTP/1.1\r\nAccept: application/openmetrics-text\r\n\r\n",
                State::Fresh,
                200,
                OM.len(),
            ),
            (b"HEAD / HTTP/1.1\r\n\r\n", State::Empty, 200, INDEX.len()),
            (b"HEAD /metrics HTTP/1.1\r\n\r\n", State::Empty, 503, 29),
        ];
        for (request, state, status, length) in cases {
            let got = exchange(request, state, StaleStrategy::Fail);
            assert_eq!(
                (got.0, got.2, got.3.len()),
                (status, length, 0),
                "{state:?}"
            );
        }
    }

    #[test]
    fn reads_the_head_in_any_chunking() {
        let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody";
        let head = b"GET / HTTP/1.1\r\nHost: x".to_vec();
        // Input, limit, read size, result.
        let cases: Vec<(&[u8], usize, usize, Head)> = vec![
            (request, 8192, 1024, Head::Complete(head.clone())),
            (request, 8192, 1, Head::Complete(head.clone())),
            (request, 8192, 2, Head::Complete(head.clone())),
            (request, 8192, 3, Head::Complete(head.clone())),
            (request, 8192, 5, Head::Complete(head.clone())),
            (b"\r\n\r\n", 8192, 1, Head::Complete(Vec::new())),
            (b"GET / HTTP/1.1\r\n\r", 8192, 4, Head::Closed),
            (b"", 8192, 4, Head::Closed),
            // Over the limit without the end, in small reads: stop at the first read past it.
            (request, 8, 4, Head::TooLarge),
            (request, 1, 1, Head::TooLarge),
            // The end arrives in the read that crosses the limit: served.
            (request, 8, 1024, Head::Complete(head.clone())),
            // A lone `\n\n` does not end a head.
            (b"GET / HTTP/1.1\n\nmore", 8192, 3, Head::Closed),
        ];
        for (input, limit, chunk, want) in cases {
            let mut conn = Duplex::new(input, chunk);
            let got = read_head(&mut conn, limit).expect("in-memory io");
            assert_eq!(
                got,
                want,
                "limit {limit}, chunk {chunk}: {}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn stale_strategy_names() {
        let cases = [
            ("fail", Ok(StaleStrategy::Fail)),
            ("return", Ok(StaleStrategy::Return)),
            ("Fail", Err("unknown stale-cache strategy `Fail`")),
            ("", Err("unknown stale-cache strategy ``")),
            ("stale", Err("unknown stale-cache strategy `stale`")),
        ];
        for (name, want) in cases {
            let got = name.parse::<StaleStrategy>().map_err(|e| e.to_string());
            assert_eq!(got, want.map_err(str::to_owned), "{name}");
            if let Ok(s) = got {
                assert_eq!((s.as_str(), s.to_string().as_str()), (name, name));
            }
        }
    }

    #[test]
    fn options_clamp_limits() {
        let cases = [(0, 1), (1, 1), (8192, 8192)];
        for (given, want) in cases {
            let o = ServeOptions::new()
                .request_limit(given)
                .connection_limit(given);
            assert_eq!(
                (o.max_request(), o.max_connections()),
                (want, want),
                "{given}"
            );
        }
        let d = ServeOptions::default();
        assert_eq!(
            (
                d.refresh_interval(),
                d.stale_strategy(),
                d.max_request(),
                d.max_connections()
            ),
            (Duration::from_secs(15), StaleStrategy::Fail, 8192, 32)
        );
    }

    #[test]
    fn exposition_from_a_collection() {
        let source = MemoryDumps::new(Vec::<(&str, &[u8])>::new());
        let collection = ClusterCollector::new(CollectOptions::new().threads(1)).collect(&source);
        let e = Exposition::from_collection(&collection, FloatStyle::Python).expect("encodes");
        let (text, om) = (
            String::from_utf8_lossy(e.body(Format::Text)),
            String::from_utf8_lossy(e.body(Format::OpenMetrics)),
        );
        let mut want_text = Vec::new();
        collection
            .encode(&mut want_text, Format::Text, FloatStyle::Python)
            .expect("encodes");
        assert_eq!(e.body(Format::Text), want_text, "{text}");
        assert!(!text.contains("# EOF"), "{text}");
        assert!(om.ends_with("# EOF\n"), "{om}");
    }

    /// Over loopback: the refresh thread fills the cache, and the connection limit holds.
    #[test]
    fn serves_over_tcp_with_a_connection_limit() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let collect = move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            // The first call fails: the cache stays empty until the next one.
            (n > 0).then(|| Exposition::new(TEXT.to_vec(), OM.to_vec()))
        };
        let options = ServeOptions::new()
            .interval(Duration::from_millis(20))
            .stale(StaleStrategy::Return)
            .connection_limit(1);
        std::thread::spawn(move || serve(listener, collect, options));

        let fetch = |request: &[u8]| {
            let mut s = TcpStream::connect(addr).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(20)))
                .expect("timeout");
            s.write_all(request).expect("send");
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).expect("receive");
            parse_response(&raw)
        };
        let start = Instant::now();
        let got = loop {
            let got = fetch(b"GET /metrics HTTP/1.1\r\n\r\n");
            if got.0 == 200 {
                break got;
            }
            assert_eq!(got.3, b"No cached data available yet\n");
            assert!(start.elapsed() < Duration::from_secs(20), "never ready");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!((got.1.as_str(), got.3.as_slice()), (TEXT_CT, TEXT));
        assert!(calls.load(Ordering::SeqCst) >= 2);

        // A connection that sends nothing holds the only slot: the next one is refused.
        // The refused client sends nothing: a request the server never reads could reset the
        // connection before the answer is read.
        let idle = TcpStream::connect(addr).expect("connect");
        let refused = fetch(b"");
        assert_eq!(
            (refused.0, refused.3.as_slice()),
            (503, &b"too many connections\n"[..])
        );
        drop(idle);
        let start = Instant::now();
        while fetch(b"GET / HTTP/1.1\r\n\r\n").0 != 200 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "slot never freed"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
