//! The collection cache `/metrics` answers from, the way the mgr prometheus module keeps it:
//! a background thread collects every interval, a scrape never waits for a collection.
//!
//! The module (`src/pybind/mgr/prometheus/module.py`) collects on its own thread every
//! `scrape_interval` seconds and keeps the last exposition. A scrape gets the cached body, or,
//! when the cache is *stale*, either a 503 or the stale body, as the module's
//! `stale_cache_strategy` (`fail` or `return`) says. Before the first collection it answers
//! 503 `No cached data available yet`.
//!
//! The module judges staleness only when a collection ends (it took longer than the
//! interval). A collection that hangs would then keep the old body fresh for as long as it
//! hangs, so [`MetricsCache`] also counts from the *start* of a collection: one still running
//! past the interval makes the cache stale right away.
//!
//! Nothing here needs an async runtime: the cache hands out bytes and a content type, for
//! [`crate::serve`] or for a server of your own.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use expfmt::{FloatStyle, Format};

use crate::Collection;

/// What `/metrics` answers when the cached exposition is stale: the mgr module's
/// `stale_cache_strategy`.
///
/// The cache is stale when the collection that filled it took at least the refresh interval,
/// or when the collection under way has been running for longer than the interval.
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

/// One collection, encoded: the body and the format that gives its `Content-Type`.
///
/// ```
/// use expfmt::Format;
/// use exporter::Exposition;
///
/// let e = Exposition::new(b"up 1\n".to_vec(), Format::Text);
/// assert_eq!(e.body().as_ref(), b"up 1\n");
/// assert_eq!(e.content_type(), "text/plain; version=0.0.4; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exposition {
    body: Bytes,
    format: Format,
}

impl Exposition {
    /// An exposition encoded elsewhere, in `format`.
    pub fn new(body: impl Into<Bytes>, format: Format) -> Self {
        Exposition {
            body: body.into(),
            format,
        }
    }

    /// Encodes `collection` in `format` with `style` (OpenMetrics takes only
    /// [`FloatStyle::OpenMetrics`]).
    ///
    /// # Errors
    ///
    /// The encoder's, as [`Collection::encode`].
    pub fn from_collection(
        collection: &Collection,
        format: Format,
        style: FloatStyle,
    ) -> Result<Self, expfmt::Error> {
        let mut body = Vec::new();
        collection.encode(&mut body, format, style)?;
        Ok(Exposition::new(body, format))
    }

    /// The encoded body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The `Content-Type` header value for the body.
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }
}

/// A finished collection in the cache: its exposition, how long it took, and (for the server)
/// its gzip form, made once on first use.
#[derive(Debug)]
pub struct CachedExposition {
    exposition: Exposition,
    collect_time: Duration,
    gzip: OnceLock<Bytes>,
}

impl CachedExposition {
    /// The exposition.
    pub fn exposition(&self) -> &Exposition {
        &self.exposition
    }

    /// How long the collection took.
    pub fn collect_time(&self) -> Duration {
        self.collect_time
    }

    /// The body compressed once by `compress`, shared by every later caller.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn compressed(&self, compress: impl FnOnce(&[u8]) -> Bytes) -> Bytes {
        self.gzip
            .get_or_init(|| compress(self.exposition.body()))
            .clone()
    }
}

/// What `/metrics` answers, as [`MetricsCache::answer`] decides it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CacheAnswer {
    /// 200 with this snapshot (fresh, or stale under [`StaleStrategy::Return`]).
    Ready(Arc<CachedExposition>),
    /// 503: no collection has finished yet.
    NotReady,
    /// 503: the cache is stale under [`StaleStrategy::Fail`]; the message says how.
    Stale(String),
}

impl CacheAnswer {
    /// The HTTP status: 200 or 503.
    pub fn status(&self) -> u16 {
        match self {
            CacheAnswer::Ready(_) => 200,
            CacheAnswer::NotReady | CacheAnswer::Stale(_) => 503,
        }
    }

    /// The `Content-Type` and body to send.
    pub fn content(&self) -> (&'static str, Bytes) {
        match self {
            CacheAnswer::Ready(s) => (s.exposition.content_type(), s.exposition.body.clone()),
            CacheAnswer::NotReady => (
                "text/plain",
                Bytes::from_static(b"No cached data available yet\n"),
            ),
            CacheAnswer::Stale(msg) => ("text/plain", Bytes::from(msg.clone().into_bytes())),
        }
    }
}

/// The mutable part of the cache.
#[derive(Debug, Default)]
struct State {
    last: Option<Arc<CachedExposition>>,
    /// When the collection under way started.
    running_since: Option<Instant>,
    /// When the collection of the cached exposition started.
    cached_started: Option<Instant>,
    /// How long the last finished collection took; after one that produced nothing, how old
    /// the cached exposition is (as if its collection had lasted until then).
    last_took: Duration,
    /// A stale warning was logged since the last collection ended.
    warned: bool,
}

/// The last collection and the one under way: what `/metrics` answers, decided without a
/// runtime.
///
/// ```
/// use std::time::Duration;
/// use expfmt::Format;
/// use exporter::{Exposition, MetricsCache, StaleStrategy};
///
/// let cache = MetricsCache::new(Duration::from_secs(15), StaleStrategy::Fail);
/// assert_eq!(cache.answer().status(), 503); // nothing collected yet
/// cache.begin();
/// cache.finish(Some(Exposition::new(b"up 1\n".to_vec(), Format::Text)));
/// let answer = cache.answer();
/// assert_eq!(answer.status(), 200);
/// assert_eq!(answer.content().1.as_ref(), b"up 1\n");
/// ```
#[derive(Debug)]
pub struct MetricsCache {
    interval: Duration,
    stale: StaleStrategy,
    state: Mutex<State>,
}

impl MetricsCache {
    /// An empty cache refreshed every `interval`, answering per `stale` when stale.
    pub fn new(interval: Duration, stale: StaleStrategy) -> Self {
        MetricsCache {
            interval,
            stale,
            state: Mutex::new(State::default()),
        }
    }

    /// The refresh interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The stale strategy.
    pub fn stale_strategy(&self) -> StaleStrategy {
        self.stale
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long the collection under way has been running, if one is.
    pub fn running_for(&self) -> Option<Duration> {
        self.state().running_since.map(|t| t.elapsed())
    }

    /// Marks the start of a collection, now.
    pub fn begin(&self) {
        self.state().running_since = Some(Instant::now());
    }

    /// Marks the end of the collection begun last: `Some` replaces the cached exposition,
    /// `None` (the collection produced nothing, say the cluster did not answer) keeps the
    /// previous one, which is then as stale as if its collection had lasted until now.
    pub fn finish(&self, exposition: Option<Exposition>) {
        let mut state = self.state();
        let started = state.running_since.take();
        let took = started.map_or(Duration::ZERO, |t| t.elapsed());
        state.warned = false;
        match exposition {
            Some(exposition) => {
                state.last_took = took;
                state.cached_started = started;
                state.last = Some(Arc::new(CachedExposition {
                    exposition,
                    collect_time: took,
                    gzip: OnceLock::new(),
                }));
            }
            None => {
                state.last_took = state.cached_started.map_or(took, |t| t.elapsed());
            }
        }
    }

    /// What `/metrics` answers now. A stale cache is logged at warn, once per collection.
    pub fn answer(&self) -> CacheAnswer {
        self.answer_at(Instant::now())
    }

    fn answer_at(&self, now: Instant) -> CacheAnswer {
        let mut state = self.state();
        let Some(last) = state.last.clone() else {
            return CacheAnswer::NotReady;
        };
        let running = state
            .running_since
            .map(|t| now.saturating_duration_since(t))
            .filter(|r| *r > self.interval);
        let message = if let Some(running) = running {
            format!(
                "Collecting has been running for {:.2} seconds, longer than the {:.2} second \
                 interval: metrics are stale, returning \"service unavailable\".\n",
                running.as_secs_f64(),
                self.interval.as_secs_f64()
            )
        } else if state.last_took >= self.interval {
            // The module's message.
            format!(
                "Gathering data took {:.2} seconds, metrics are stale for {:.2} seconds, \
                 returning \"service unavailable\".\n",
                state.last_took.as_secs_f64(),
                state.last_took.saturating_sub(self.interval).as_secs_f64()
            )
        } else {
            return CacheAnswer::Ready(last);
        };
        if !state.warned {
            state.warned = true;
            tracing::warn!(
                strategy = self.stale.as_str(),
                "{}",
                message
                    .trim_end()
                    .replace(", returning \"service unavailable\".", "")
            );
        }
        match self.stale {
            StaleStrategy::Fail => CacheAnswer::Stale(message),
            StaleStrategy::Return => CacheAnswer::Ready(last),
        }
    }

    /// Starts a thread that fills `cache` from `collect` right away and then every interval
    /// (the next collection starts right after one that took longer). The thread ends once
    /// the last other handle to `cache` is dropped and the collection under way returns.
    ///
    /// # Errors
    ///
    /// The system's, when the thread cannot be started.
    pub fn spawn_refresh<F>(cache: &Arc<Self>, collect: F) -> std::io::Result<()>
    where
        F: FnMut() -> Option<Exposition> + Send + 'static,
    {
        let weak = Arc::downgrade(cache);
        std::thread::Builder::new()
            .name("metrics-refresh".into())
            .spawn(move || refresh(&weak, collect))
            .map(drop)
    }
}

fn refresh<F>(cache: &Weak<MetricsCache>, mut collect: F)
where
    F: FnMut() -> Option<Exposition>,
{
    loop {
        let start = Instant::now();
        let Some(c) = cache.upgrade() else { return };
        c.begin();
        let interval = c.interval;
        drop(c);
        let exposition = collect();
        let Some(c) = cache.upgrade() else { return };
        c.finish(exposition);
        drop(c);
        std::thread::sleep(interval.saturating_sub(start.elapsed()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &'static [u8]) -> Option<Exposition> {
        Some(Exposition::new(body, Format::Text))
    }

    #[test]
    fn answers_by_state_and_strategy() {
        let interval = Duration::from_secs(10);
        for stale in [StaleStrategy::Fail, StaleStrategy::Return] {
            let cache = MetricsCache::new(interval, stale);
            let t0 = Instant::now();
            assert!(matches!(cache.answer_at(t0), CacheAnswer::NotReady));
            // A collection running before the first one ended: still not ready.
            cache.begin();
            assert!(matches!(
                cache.answer_at(t0 + Duration::from_secs(60)),
                CacheAnswer::NotReady
            ));
            cache.finish(text(b"a"));
            let fresh = cache.answer_at(Instant::now());
            assert_eq!(
                (fresh.status(), fresh.content().1.as_ref()),
                (200, &b"a"[..])
            );

            // A new collection: fresh until it has run for the interval, then stale.
            cache.begin();
            let began = Instant::now();
            assert_eq!(cache.answer_at(began + interval / 2).status(), 200);
            let late = cache.answer_at(began + interval * 3 / 2);
            match stale {
                StaleStrategy::Fail => {
                    assert_eq!(late.status(), 503);
                    let (ct, body) = late.content();
                    assert_eq!(ct, "text/plain");
                    let body = String::from_utf8(body.to_vec()).unwrap();
                    assert!(body.contains("metrics are stale"), "{body}");
                    assert!(body.contains("Collecting has been running"), "{body}");
                }
                StaleStrategy::Return => {
                    assert_eq!((late.status(), late.content().1.as_ref()), (200, &b"a"[..]));
                }
            }
            // It ends (quickly): fresh again with the new body.
            cache.finish(text(b"b"));
            assert_eq!(cache.answer().content().1.as_ref(), b"b");
            // A collection that produced nothing keeps the body.
            cache.begin();
            cache.finish(None);
            assert_eq!(cache.answer().content().1.as_ref(), b"b");
        }
    }

    #[test]
    fn a_collection_longer_than_the_interval_makes_the_cache_stale() {
        let cache = MetricsCache::new(Duration::ZERO, StaleStrategy::Fail);
        cache.begin();
        cache.finish(text(b"a"));
        let answer = cache.answer();
        assert_eq!(answer.status(), 503);
        let body = answer.content().1;
        assert!(body.starts_with(b"Gathering data took "), "{body:?}");
    }

    #[test]
    fn a_collection_without_exposition_ages_the_cached_one() {
        let interval = Duration::from_millis(50);
        let cache = MetricsCache::new(interval, StaleStrategy::Fail);
        cache.begin();
        cache.finish(text(b"a"));
        // A quick failure right away: still fresh.
        cache.begin();
        cache.finish(None);
        assert_eq!(cache.answer().status(), 200);
        // A quick failure more than an interval after the cached collection: stale.
        std::thread::sleep(interval * 2);
        cache.begin();
        cache.finish(None);
        assert_eq!(cache.answer().status(), 503);
        // A new exposition: fresh again.
        cache.begin();
        cache.finish(text(b"b"));
        assert_eq!(cache.answer().content().1.as_ref(), b"b");
    }

    #[test]
    fn refresh_thread_fills_the_cache_and_ends_with_it() {
        let cache = Arc::new(MetricsCache::new(
            Duration::from_millis(5),
            StaleStrategy::Return,
        ));
        let (tx, rx) = std::sync::mpsc::channel();
        MetricsCache::spawn_refresh(&cache, move || {
            let _ = tx.send(());
            text(b"x")
        })
        .unwrap();
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(cache.answer().status(), 200);
        drop(cache);
        // The thread stops calling `collect`: the channel closes once it exits.
        let deadline = Instant::now() + Duration::from_secs(10);
        while rx.recv_timeout(Duration::from_secs(10)).is_ok() {
            assert!(Instant::now() < deadline, "refresh thread still running");
        }
    }

    #[test]
    fn stale_strategy_names() {
        for (name, s) in [
            ("fail", StaleStrategy::Fail),
            ("return", StaleStrategy::Return),
        ] {
            assert_eq!(name.parse::<StaleStrategy>(), Ok(s));
            assert_eq!(s.to_string(), name);
        }
        assert!("Return".parse::<StaleStrategy>().is_err());
    }
}
