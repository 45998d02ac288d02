//! The HTTP server (feature `server`): hyper 1 on tokio, serving a [`MetricsCache`].
//!
//! Each connection is a task: an idle or trickling client costs a task and a socket, never
//! a slot other scrapes wait for. Every connection has a deadline for its whole request head
//! (from accept, then from each request on keep-alive connections, covering the idle time and
//! the response), enforced here around hyper's own header timeout. Accept errors (such as
//! running out of file descriptors) back off instead of spinning. SIGTERM or SIGINT stop
//! accepting, let the requests under way finish (up to a grace period), and return.

mod http;
mod web_config;

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::{Exposition, MetricsCache, StaleStrategy};

pub use web_config::{WebConfig, WebConfigError};

/// How [`serve`] refreshes and answers.
///
/// ```
/// use std::time::Duration;
/// use exporter::{ServeOptions, StaleStrategy};
///
/// let options = ServeOptions::new()
///     .interval(Duration::from_secs(30))
///     .stale(StaleStrategy::Return)
///     .head_timeout(Duration::from_secs(5));
/// assert_eq!(options.refresh_interval(), Duration::from_secs(30));
/// assert_eq!(options.stale_strategy(), StaleStrategy::Return);
/// assert_eq!(options.max_head_time(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone)]
pub struct ServeOptions {
    interval: Duration,
    stale: StaleStrategy,
    head_timeout: Duration,
    write_timeout: Duration,
    grace: Duration,
    web: Option<WebConfig>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            interval: Duration::from_secs(15),
            stale: StaleStrategy::Fail,
            head_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(5),
            web: None,
        }
    }
}

impl ServeOptions {
    /// The defaults: refresh every 15 s (the module's `scrape_interval`), stale strategy
    /// `fail`, 10 s for a request head (and a TLS handshake), 30 s to take a response, 5 s of
    /// grace on shutdown, plain HTTP without auth.
    pub fn new() -> Self {
        ServeOptions::default()
    }

    /// How often the cache is refreshed; see [`MetricsCache`] for when it is stale.
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

    /// How long a connection may take to send a whole request head: from accept for the
    /// first request (a TLS handshake included), from the previous response for the next
    /// ones, so a keep-alive connection idle this long is closed (clients such as
    /// Prometheus then open a new one). At least 1 ms.
    #[must_use]
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.head_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long a connection may take to accept a response.
    #[must_use]
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// How long requests under way may take to finish after SIGTERM or SIGINT.
    #[must_use]
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// TLS and basic auth from an exporter-toolkit web config.
    #[must_use]
    pub fn web_config(mut self, web: WebConfig) -> Self {
        self.web = Some(web);
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

    /// The request head deadline.
    pub fn max_head_time(&self) -> Duration {
        self.head_timeout
    }
}

/// What every connection task shares.
struct Shared {
    cache: Arc<MetricsCache>,
    users: Option<Arc<web_config::Users>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    head_timeout: Duration,
    write_timeout: Duration,
}

/// Serves `/metrics` on `listener` from a cache that `collect` refreshes, as the mgr
/// prometheus module does, until SIGTERM or SIGINT.
///
/// A background thread calls `collect` right away and then every
/// [`ServeOptions::interval`] ([`MetricsCache::spawn_refresh`]); `Some` replaces the cache,
/// `None` keeps the previous one. The server runs on a tokio runtime of its own:
///
/// | request | answer |
/// |---|---|
/// | `GET /metrics` (or `HEAD`), query ignored | 200 with the cached body in the format it was encoded in (whatever `Accept` says, as the module), gzip when `Accept-Encoding` takes it |
/// | `/metrics` before the first collection | 503 `No cached data available yet` |
/// | `/metrics`, stale cache, [`StaleStrategy::Fail`] | 503 saying how stale |
/// | `/metrics`, stale cache, [`StaleStrategy::Return`] | 200 with the stale body |
/// | `GET /` | 200, an HTML page linking to `/metrics` |
/// | any other path | 404 |
/// | a method other than `GET` and `HEAD` | 405 |
/// | no or wrong credentials, when the web config has users | 401 with `WWW-Authenticate` |
///
/// ```no_run
/// use std::net::TcpListener;
/// use std::time::Duration;
/// use expfmt::{FloatStyle, Format};
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
///         Exposition::from_collection(&collection, Format::Text, FloatStyle::Go).ok()
///     },
///     options,
/// )?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The system's, when the runtime, the refresh thread or the signal handlers cannot be set
/// up. Errors accepting or serving a connection are logged and close that connection only.
pub fn serve<F>(listener: TcpListener, collect: F, options: ServeOptions) -> std::io::Result<()>
where
    F: FnMut() -> Option<Exposition> + Send + 'static,
{
    let cache = Arc::new(MetricsCache::new(options.interval, options.stale));
    MetricsCache::spawn_refresh(&cache, collect)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("metrics-http")
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let shutdown = shutdown_signal()?;
        serve_cache(listener, cache, &options, shutdown).await;
        Ok(())
    })
}

/// Resolves on the first SIGTERM or SIGINT.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        info!("{name}: shutting down");
    })
}

/// Serves `cache` on `listener` until `shutdown` resolves, then waits for the requests under
/// way (up to [`ServeOptions::shutdown_grace`]). Use it to run the server on a runtime of your
/// own; the cache is filled by whoever holds it ([`MetricsCache::spawn_refresh`]).
pub async fn serve_cache(
    listener: tokio::net::TcpListener,
    cache: Arc<MetricsCache>,
    options: &ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let web = options.web.clone();
    let shared = Arc::new(Shared {
        cache,
        users: web.as_ref().and_then(|w| w.users.clone()),
        tls: web
            .as_ref()
            .and_then(|w| w.tls.clone())
            .map(tokio_rustls::TlsAcceptor::from),
        head_timeout: options.head_timeout,
        write_timeout: options.write_timeout,
    });
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut backoff = BACKOFF_MIN;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    backoff = BACKOFF_MIN;
                    let _ = tcp.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    let watcher = graceful.watcher();
                    tokio::spawn(async move {
                        connection(tcp, peer, shared, watcher).await;
                    });
                }
                Err(e) if is_per_connection(&e) => debug!("accept: {e}"),
                Err(e) => {
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: waiting is the only cure; spinning
                    // on accept would burn a core.
                    warn!("accept failed, retrying in {} ms: {e}", backoff.as_millis());
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => debug!("all connections closed"),
        () = tokio::time::sleep(options.grace) => {
            warn!("connections still open after {:.1} s of grace: closing them", options.grace.as_secs_f64());
        }
    }
}

const BACKOFF_MIN: Duration = Duration::from_millis(5);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Accept errors that concern one connection only (it was reset before we took it).
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted};
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted)
}

/// One connection: the TLS handshake if any, then HTTP/1.1 within the deadlines.
async fn connection(
    tcp: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    shared: Arc<Shared>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let accepted = Instant::now();
    match shared.tls.clone() {
        None => http1(tcp, peer, accepted, shared, watcher).await,
        Some(acceptor) => {
            let deadline = accepted + shared.head_timeout;
            match tokio::time::timeout_at(deadline, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => http1(tls, peer, accepted, shared, watcher).await,
                Ok(Err(e)) => debug!(%peer, "TLS handshake failed: {e}"),
                Err(_) => debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

async fn http1<I>(
    io: I,
    peer: std::net::SocketAddr,
    accepted: Instant,
    shared: Arc<Shared>,
    watcher: hyper_util::server::graceful::Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // The deadline, in ms after `accepted`: the head's first, then pushed by each request.
    let deadline = Arc::new(AtomicU64::new(millis(shared.head_timeout)));
    let service = {
        let (shared, deadline) = (Arc::clone(&shared), Arc::clone(&deadline));
        service_fn(move |req| {
            let next = accepted.elapsed() + shared.write_timeout + shared.head_timeout;
            deadline.fetch_max(millis(next), Ordering::Relaxed);
            http::handle(req, Arc::clone(&shared))
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.head_timeout)
        .max_buf_size(16 * 1024);
    let conn = watcher.watch(builder.serve_connection(TokioIo::new(io), service));
    tokio::pin!(conn);
    loop {
        let at = accepted + Duration::from_millis(deadline.load(Ordering::Relaxed));
        tokio::select! {
            r = &mut conn => {
                if let Err(e) = r {
                    debug!(%peer, "connection: {e}");
                }
                return;
            }
            () = tokio::time::sleep_until(at) => {
                let now = accepted + Duration::from_millis(deadline.load(Ordering::Relaxed));
                if Instant::now() >= now {
                    debug!(%peer, "deadline passed: closing the connection");
                    return;
                }
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::{Condvar, Mutex};

    use ceph_types::Request;
    use expfmt::{FloatStyle, Format};

    use super::*;
    use crate::{ClusterCollector, CollectOptions, DumpDir, FetchError, Source};

    /// A dump directory whose fetches block while the gate is closed (at most a minute, so
    /// a failing test never hangs).
    struct Gated {
        dir: DumpDir,
        gate: Arc<(Mutex<bool>, Condvar)>,
    }

    impl Source for Gated {
        fn fetch(&self, request: &Request) -> Result<Vec<u8>, FetchError> {
            let (open, cv) = &*self.gate;
            let guard = open.lock().unwrap();
            let _ = cv
                .wait_timeout_while(guard, Duration::from_secs(60), |open| !*open)
                .unwrap();
            self.dir.fetch(request)
        }

        fn origin(&self, request: &Request) -> String {
            self.dir.origin(request)
        }
    }

    fn set_gate(gate: &(Mutex<bool>, Condvar), open: bool) {
        *gate.0.lock().unwrap() = open;
        gate.1.notify_all();
    }

    /// A server on a runtime of its own, serving `cache` on an ephemeral port; stops on drop.
    struct TestServer {
        addr: std::net::SocketAddr,
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl TestServer {
        fn start(cache: Arc<MetricsCache>, options: ServeOptions) -> TestServer {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            listener.set_nonblocking(true).unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let thread = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    serve_cache(listener, cache, &options, async {
                        let _ = stopped.await;
                    })
                    .await;
                });
            });
            TestServer {
                addr,
                stop: Some(stop),
                thread: Some(thread),
            }
        }

        /// `GET /metrics`: the status and the body.
        fn get(&self) -> (u16, String) {
            let mut s = TcpStream::connect(self.addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut resp = Vec::new();
            s.read_to_end(&mut resp).unwrap();
            let resp = String::from_utf8(resp).unwrap();
            let status = resp[9..12].parse().unwrap();
            let body = resp.split_once("\r\n\r\n").unwrap().1.to_owned();
            (status, body)
        }
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            if let Some(stop) = self.stop.take() {
                let _ = stop.send(());
            }
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    /// Polls until `f` holds, for at most `limit`; returns how long it took.
    fn within(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if f() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    #[test]
    fn a_blocked_collection_makes_metrics_stale_within_two_intervals() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/ceph/18.2.7-healthy"
        );
        let interval = Duration::from_secs(1);
        for stale in [StaleStrategy::Fail, StaleStrategy::Return] {
            let gate = Arc::new((Mutex::new(true), Condvar::new()));
            let source = Gated {
                dir: DumpDir::open(dir).unwrap(),
                gate: Arc::clone(&gate),
            };
            let cache = Arc::new(MetricsCache::new(interval, stale));
            let mut collector = ClusterCollector::new(CollectOptions::new().perf(false));
            MetricsCache::spawn_refresh(&cache, move || {
                let c = collector.collect(&source);
                Exposition::from_collection(&c, Format::Text, FloatStyle::Go).ok()
            })
            .unwrap();
            let server = TestServer::start(Arc::clone(&cache), ServeOptions::new());
            let ready = within(Duration::from_secs(30), || server.get().0 == 200);
            assert!(ready.is_some(), "{stale}: never ready");
            let (_, fresh) = server.get();
            assert!(fresh.contains("ceph_health_status"));

            // The source hangs: the collection under way blocks in it.
            set_gate(&gate, false);
            let blocked_at = std::time::Instant::now();
            let limit = interval * 2 + interval / 2;
            let stale_after = match stale {
                StaleStrategy::Fail => within(limit * 2, || {
                    let (status, body) = server.get();
                    status == 503 && body.contains("metrics are stale")
                }),
                StaleStrategy::Return => {
                    // 200 with the last body all along; the cache knows it is stale.
                    within(limit * 2, || {
                        let (status, body) = server.get();
                        assert_eq!(status, 200);
                        assert!(body.contains("ceph_health_status"));
                        cache.running_for().is_some_and(|r| r > interval)
                    })
                }
            };
            let took = blocked_at.elapsed();
            assert!(stale_after.is_some(), "{stale}: never stale");
            // The next collection starts at most one interval after the gate closed, and is
            // stale one interval later.
            assert!(took <= limit, "{stale}: stale after {took:?}");

            // The source answers again: fresh data.
            set_gate(&gate, true);
            let back = within(Duration::from_secs(30), || server.get().0 == 200);
            assert!(back.is_some(), "{stale}: never recovered");
        }
    }

    #[test]
    fn slow_heads_and_idle_connections_are_closed_at_the_deadline() {
        let cache = Arc::new(MetricsCache::new(
            Duration::from_secs(60),
            StaleStrategy::Fail,
        ));
        cache.begin();
        cache.finish(Some(Exposition::new(&b"up 1\n"[..], Format::Text)));
        let head = Duration::from_millis(300);
        let options = ServeOptions::new()
            .head_timeout(head)
            .write_timeout(Duration::from_millis(200));
        let server = TestServer::start(cache, options);

        // Closed: `read` sees the end (or a reset) and no response.
        let closed_within = |s: &mut TcpStream, limit: Duration| {
            s.set_read_timeout(Some(limit)).unwrap();
            let start = std::time::Instant::now();
            let mut buf = Vec::new();
            let r = s.read_to_end(&mut buf);
            let done = match r {
                Ok(_) => true,
                Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
            };
            (done, start.elapsed(), buf)
        };

        // Idle from the start.
        let mut idle = TcpStream::connect(server.addr).unwrap();
        let (done, took, _) = closed_within(&mut idle, Duration::from_secs(5));
        assert!(done && took < head * 4, "idle: {took:?}");

        // A head trickled a byte every 50 ms never completes within the deadline.
        let mut slow = TcpStream::connect(server.addr).unwrap();
        let start = std::time::Instant::now();
        let mut closed = false;
        for b in b"GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).is_err() {
                closed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let (done, _, buf) = closed_within(&mut slow, Duration::from_secs(5));
        let took = start.elapsed();
        assert!(closed || done, "slow head still open after {took:?}");
        assert!(!buf.starts_with(b"HTTP/1.1 200"), "{buf:?}");
        assert!(took < Duration::from_secs(4), "slow head: {took:?}");

        // Keep-alive: served, then closed once idle past the deadline.
        let mut ka = TcpStream::connect(server.addr).unwrap();
        ka.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let (done, took, buf) = closed_within(&mut ka, Duration::from_secs(5));
        assert!(buf.starts_with(b"HTTP/1.1 200"), "{buf:?}");
        assert!(
            done && took < Duration::from_secs(3),
            "keep-alive: {took:?}"
        );

        // And the server still answers.
        assert_eq!(server.get(), (200, "up 1\n".to_owned()));
    }
}
