//! The statsd daemon: a UDP receiver feeding [`Stats`], flushed every
//! `flush_delay` to a writer thread that rolls the measures up into a
//! [`FileStore`].

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use timeserie::Point;

use crate::error::Error;
use crate::policy::Policies;
use crate::statsd::{Stats, StatsdCounters, gnocchi_now};
use crate::store::FileStore;

/// Largest datagram read (the UDP maximum).
const MAX_DATAGRAM: usize = 65_536;

/// Longest wait of the receive loop before it looks at the clock and the
/// stop flag again (a flush with no traffic is at most this late).
const POLL: Duration = Duration::from_millis(10);

/// Receive buffer asked for (the kernel caps it at `net.core.rmem_max`):
/// about 5,000 small datagrams wait there while the receiver is not
/// scheduled, where the usual 208 KiB default holds about 270.
const RECV_BUFFER: usize = 4 << 20;

/// A bound statsd daemon, not yet running.
///
/// ```no_run
/// use std::time::Duration;
/// use ingest::{FileStore, Policies, StatsdServer};
///
/// let store = FileStore::open("/var/lib/ingest")?;
/// let server = StatsdServer::bind("127.0.0.1:8125", store, Policies::load("low")?, Duration::from_secs(10))?;
/// let stop = server.stop_handle();
/// server.run()?; // until `stop` is set
/// # let _ = stop;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StatsdServer {
    socket: UdpSocket,
    addr: SocketAddr,
    store: FileStore,
    policies: Policies,
    flush_delay: Duration,
    stop: Arc<AtomicBool>,
}

/// What a stopped daemon did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsdSummary {
    /// Packet and line totals.
    pub counters: StatsdCounters,
    /// Flushes done.
    pub flushes: u64,
    /// Measures written.
    pub measures: u64,
    /// Measures that could not be stored (metric creation or write failed).
    pub failed: u64,
}

impl StatsdServer {
    /// Binds the UDP socket.
    ///
    /// # Errors
    ///
    /// [`Error::Socket`] if the address cannot be bound.
    pub fn bind(
        addr: &str,
        store: FileStore,
        policies: Policies,
        flush_delay: Duration,
    ) -> Result<Self, Error> {
        let socket_error = |source| Error::Socket {
            addr: addr.to_owned(),
            source,
        };
        let sockaddr = std::net::ToSocketAddrs::to_socket_addrs(addr)
            .map_err(socket_error)?
            .next()
            .ok_or_else(|| socket_error(std::io::Error::other("address resolves to nothing")))?;
        let raw = socket2::Socket::new(
            socket2::Domain::for_address(sockaddr),
            socket2::Type::DGRAM,
            Some(socket2::Protocol::UDP),
        )
        .map_err(socket_error)?;
        // Best effort: a smaller buffer still works.
        let _ = raw.set_recv_buffer_size(RECV_BUFFER);
        raw.bind(&sockaddr.into()).map_err(socket_error)?;
        let socket: UdpSocket = raw.into();
        socket.set_read_timeout(Some(POLL)).map_err(socket_error)?;
        let addr = socket.local_addr().map_err(socket_error)?;
        Ok(StatsdServer {
            socket,
            addr,
            store,
            policies,
            flush_delay,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The bound address (with the port the system chose for port 0).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A flag that makes [`StatsdServer::run`] flush once more and return.
    #[must_use]
    pub fn stop_handle(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Receives and flushes until the stop flag is set. Bad lines are
    /// logged (warn, escaped and cut short) and counted; a measure that
    /// cannot be stored is logged (error) and the others are still
    /// stored.
    ///
    /// # Errors
    ///
    /// [`Error::Socket`] if receiving fails for another reason than the
    /// poll timeout.
    pub fn run(self) -> Result<StatsdSummary, Error> {
        let StatsdServer {
            socket,
            addr,
            mut store,
            policies,
            flush_delay,
            stop,
        } = self;
        let (tx, rx) = mpsc::channel::<Vec<(String, Point)>>();
        let writer = std::thread::Builder::new()
            .name("statsd-flush".to_owned())
            .spawn(move || {
                let mut summary = StatsdSummary::default();
                for batch in rx {
                    let started = Instant::now();
                    tracing::debug!(metrics = batch.len(), "flush started");
                    let failures = store.add_batch(
                        batch
                            .iter()
                            .map(|(name, point)| (name.as_str(), std::slice::from_ref(point))),
                        &policies,
                    );
                    for (name, e) in &failures {
                        tracing::error!(metric = %name.escape_debug(), error = %crate::error_chain(e), "unable to add measure");
                    }
                    let failed = failures.len();
                    summary.flushes += 1;
                    summary.measures += (batch.len() - failed) as u64;
                    summary.failed += failed as u64;
                    tracing::info!(
                        metrics = batch.len(),
                        failed,
                        ms = started.elapsed().as_secs_f64() * 1e3,
                        "flushed"
                    );
                }
                summary
            })
            .map_err(|source| Error::Socket {
                addr: addr.to_string(),
                source,
            })?;
        tracing::info!(%addr, flush_delay = flush_delay.as_secs_f64(), "statsd listening");
        let mut stats = Stats::new();
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut next_flush = Instant::now() + flush_delay;
        let mut result = Ok(());
        loop {
            let stopping = stop.load(Ordering::Relaxed);
            if stopping || Instant::now() >= next_flush {
                next_flush += flush_delay;
                if stats.pending() > 0 {
                    // The writer lives as long as the channel.
                    let _ = tx.send(stats.flush());
                }
                if stopping {
                    break;
                }
            }
            match socket.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let packet = &buf[..n];
                    tracing::trace!(%from, bytes = n, "datagram");
                    stats.ingest(packet, gnocchi_now(), |r| {
                        tracing::warn!(%from, "bad statsd input: {r}");
                    });
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    result = Err(Error::Socket {
                        addr: addr.to_string(),
                        source,
                    });
                    break;
                }
            }
        }
        drop(tx);
        let mut summary = writer.join().unwrap_or_default();
        summary.counters = stats.counters();
        result.map(|()| summary)
    }
}
