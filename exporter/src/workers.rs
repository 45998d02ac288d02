//! Threads kept between collections to run blocking commands on, so that a collection does
//! not start (and the kernel set up and tear down) a thread per command.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// A job: one blocking call, which sends its own result.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// A pool that grows to the number of jobs in flight at once and keeps its threads until it
/// is dropped (each thread then ends once its job is done).
///
/// A job that blocks past its caller's deadline keeps its thread; the next job that finds no
/// idle thread starts a new one, so a hung call never delays another.
#[derive(Debug)]
pub(crate) struct Workers {
    tx: mpsc::Sender<Job>,
    rx: Arc<Mutex<mpsc::Receiver<Job>>>,
    /// Threads waiting for a job and not yet promised one. Only [`Workers::submit`] (one
    /// caller at a time: it takes `&mut self`) takes from it; threads add to it.
    idle: Arc<AtomicUsize>,
    started: usize,
}

impl Default for Workers {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Workers {
            tx,
            rx: Arc::new(Mutex::new(rx)),
            idle: Arc::new(AtomicUsize::new(0)),
            started: 0,
        }
    }
}

impl Workers {
    /// Runs `job` on an idle thread, or on a new one when none is idle.
    ///
    /// # Errors
    ///
    /// No thread could be started (the job is not run).
    pub(crate) fn submit(&mut self, job: Job) -> std::io::Result<()> {
        if self.idle.load(Ordering::Acquire) > 0 {
            // A waiting thread takes it: it is promised this job.
            self.idle.fetch_sub(1, Ordering::AcqRel);
        } else {
            let (rx, idle) = (self.rx.clone(), self.idle.clone());
            std::thread::Builder::new()
                .name("ceph-command".into())
                .spawn(move || worker(&rx, &idle))?;
            self.started += 1;
        }
        // The receiving side lives as long as `self` (every thread holds it).
        let _ = self.tx.send(job);
        Ok(())
    }

    /// How many threads were started so far.
    #[cfg(test)]
    pub(crate) fn started(&self) -> usize {
        self.started
    }
}

/// A thread's loop: take a job, run it, say it is idle again; end when the pool is dropped.
fn worker(rx: &Mutex<mpsc::Receiver<Job>>, idle: &AtomicUsize) {
    loop {
        let job = {
            let rx = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            rx.recv()
        };
        let Ok(job) = job else {
            return;
        };
        job();
        idle.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn threads_are_reused_and_a_hung_job_does_not_block_others() {
        let mut w = Workers::default();
        let (tx, rx) = mpsc::channel();
        for round in 0..5 {
            for i in 0..4 {
                let tx = tx.clone();
                w.submit(Box::new(move || tx.send((round, i)).unwrap()))
                    .unwrap();
            }
            for _ in 0..4 {
                rx.recv_timeout(Duration::from_secs(5)).unwrap();
            }
            // Let the threads report idle before the next round.
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(w.started() <= 4, "{} threads", w.started());
        // One job hangs until released; the others still run.
        let (release, hold) = mpsc::channel::<()>();
        w.submit(Box::new(move || {
            let _ = hold.recv_timeout(Duration::from_secs(5));
        }))
        .unwrap();
        for i in 0..4 {
            let tx = tx.clone();
            w.submit(Box::new(move || tx.send((9, i)).unwrap()))
                .unwrap();
        }
        for _ in 0..4 {
            rx.recv_timeout(Duration::from_secs(2)).unwrap();
        }
        release.send(()).unwrap();
    }
}
