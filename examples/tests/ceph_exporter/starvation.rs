//! Slow and idle clients do not starve scrapes: 200 connections that trickle a byte a second
//! or sit idle, while another client's scrapes all answer 200 within 2 s; the server's CPU
//! stays idle and its memory flat meanwhile (both read from `/proc`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::http::Server;

/// User plus system CPU time of `pid`, in clock ticks, from `/proc/<pid>/stat`.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15: 12 and 13 here.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Resident memory of `pid`, in KiB, from `/proc/<pid>/status`.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Clock ticks per second (`getconf CLK_TCK`).
fn ticks_per_second() -> f64 {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn scrape(addr: &str) -> (u16, Duration) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let status = std::str::from_utf8(&resp[9..12]).unwrap().parse().unwrap();
    (status, start.elapsed())
}

#[test]
fn slow_and_idle_clients_do_not_block_scrapes() {
    // No collection while we measure: the first one fills the cache, the next is an hour
    // away.
    let server = Server::start(&["--interval", "3600"]);
    assert_eq!(server.wait_ready().0, 200);
    let pid = server.child.id();
    let hz = ticks_per_second();
    let rss_before = rss_kib(pid);

    // 100 idle connections, 100 that send a request head one byte a second.
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    let mut trickle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let trickler = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let head = b"GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for s in &mut trickle {
                    let _ = s.write_all(&head[i % head.len()..][..1]);
                }
                i += 1;
                std::thread::sleep(Duration::from_secs(1));
            }
            trickle
        })
    };
    std::thread::sleep(Duration::from_millis(500));

    // Scrapes from another client: all 200, each within 2 s.
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let (status, took) = scrape(&server.addr);
        assert_eq!(status, 200);
        assert!(took < Duration::from_secs(2), "a scrape took {took:?}");
        slowest = slowest.max(took);
        std::thread::sleep(Duration::from_millis(100));
    }

    // The clients still hanging on: the server is idle meanwhile, its memory flat.
    let rss_held = rss_kib(pid);
    let cpu_start = cpu_ticks(pid);
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    let cpu_s = (cpu_ticks(pid) - cpu_start) as f64 / hz;
    let window_s = window.elapsed().as_secs_f64();
    let rss_after = rss_kib(pid);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let trickle = trickler.join().unwrap();
    println!(
        "200 slow/idle clients: slowest of 20 scrapes {:.1} ms; server CPU {:.3} s over a \
         {:.1} s window ({:.1} %); RSS {} KiB before the clients, {} KiB with them, {} KiB \
         3 s later",
        slowest.as_secs_f64() * 1e3,
        cpu_s,
        window_s,
        cpu_s / window_s * 100.0,
        rss_before,
        rss_held,
        rss_after
    );
    assert!(
        cpu_s / window_s < 0.05,
        "server busy: {cpu_s} s CPU in {window_s} s"
    );
    assert!(
        rss_held < rss_before + 16 * 1024,
        "RSS grew from {rss_before} to {rss_held} KiB"
    );
    assert!(
        rss_after < rss_held + 1024,
        "RSS grew from {rss_held} to {rss_after} KiB while the clients waited"
    );
    drop((idle, trickle));
}

#[test]
fn out_of_file_descriptors_backs_off_and_recovers() {
    // 64 descriptors: the runtime needs about ten, the rest go to connections.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(format!(
        "ulimit -n 64 && exec '{}' --listen 127.0.0.1:0 --interval 3600",
        env!("CARGO_BIN_EXE_ceph-exporter")
    ));
    let server = Server::spawn(cmd);
    assert_eq!(server.wait_ready().0, 200);
    let pid = server.child.id();
    let hz = ticks_per_second();

    // More connections than descriptors: accept fails with EMFILE while they are open.
    let held: Vec<TcpStream> = (0..120)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let cpu_start = cpu_ticks(pid);
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    let cpu_s = (cpu_ticks(pid) - cpu_start) as f64 / hz;
    let window_s = window.elapsed().as_secs_f64();
    let warned = server
        .logs
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("accept failed") && l.contains("Too many open files"));
    println!(
        "out of descriptors: server CPU {cpu_s:.3} s over {window_s:.1} s ({:.1} %)",
        cpu_s / window_s * 100.0
    );
    assert!(
        warned,
        "no accept warning in {:?}",
        server.logs.lock().unwrap()
    );
    assert!(
        cpu_s / window_s < 0.10,
        "accept loop spins: {cpu_s} s in {window_s} s"
    );

    // The clients leave: the server serves again.
    drop(held);
    let start = Instant::now();
    loop {
        let ok = TcpStream::connect(&server.addr).is_ok_and(|_| scrape(&server.addr).0 == 200);
        if ok {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "never recovered");
        std::thread::sleep(Duration::from_millis(100));
    }
}
