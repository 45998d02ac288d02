//! `--listen`: the HTTP server over a real TCP connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::exe;
use super::expo::Exposition;

/// A running `ceph-exporter --listen 127.0.0.1:0 ...`, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = exe()
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = first
            .split_once("listening on ")
            .unwrap_or_else(|| panic!("{first}"))
            .1
            .to_owned();
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    /// Sends `request` and returns the status code, the headers and the body.
    fn send(&self, request: &[u8]) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(request).unwrap();
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).unwrap();
        let end = resp
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("response head");
        let head = String::from_utf8(resp[..end].to_vec()).unwrap();
        let status = head[9..12].parse().unwrap();
        (status, head, resp[end + 4..].to_vec())
    }

    fn get(&self, path: &str, accept: &str) -> (u16, String, Vec<u8>) {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\n\r\n").as_bytes())
    }

    /// Polls `/metrics` until the first collection is cached.
    fn wait_ready(&self) -> (u16, String, Vec<u8>) {
        let start = Instant::now();
        loop {
            let r = self.get("/metrics", "text/plain");
            if r.0 != 503 || !String::from_utf8_lossy(&r.2).contains("No cached data") {
                return r;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "never ready");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

#[test]
fn serves_text_and_openmetrics_by_accept() {
    let server = Server::start(&["--interval", "60"]);
    let (status, head, body) = server.wait_ready();
    assert_eq!(status, 200);
    assert_eq!(
        header(&head, "content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(
        header(&head, "content-length"),
        Some(body.len().to_string().as_str())
    );
    let text = String::from_utf8(body).unwrap();
    let e = Exposition::parse(&text);
    assert_eq!(e.families["ceph_health_status"].get(&[]), Some(0.0));
    assert!(e.families.contains_key("ceph_osd_op_r"));

    let prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,\
                       text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    let (status, head, body) = server.get("/metrics", prometheus3);
    assert_eq!(status, 200);
    assert_eq!(
        header(&head, "content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    assert!(body.ends_with(b"# EOF\n"));

    let (status, _, body) = server.send(b"HEAD /metrics HTTP/1.1\r\n\r\n");
    assert_eq!((status, body.len()), (200, 0));
    let cases: [(&[u8], u16); 3] = [
        (b"GET / HTTP/1.1\r\n\r\n", 200),
        (b"GET /nope HTTP/1.1\r\n\r\n", 404),
        (b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405),
    ];
    for (req, want) in cases {
        assert_eq!(server.send(req).0, want, "{}", String::from_utf8_lossy(req));
    }
}

#[test]
fn bounds_the_request_size() {
    let server = Server::start(&["--interval", "60"]);
    let mut req = b"GET /metrics HTTP/1.1\r\nX-Big: ".to_vec();
    req.extend(std::iter::repeat_n(b'a', 20_000));
    req.extend_from_slice(b"\r\n\r\n");
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The server may close before reading everything; the status line is what counts.
    let _ = s.write_all(&req);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    assert!(
        resp.starts_with(b"HTTP/1.1 431 "),
        "{}",
        String::from_utf8_lossy(&resp)
    );
}

#[test]
fn stale_cache_fail_or_return() {
    // An interval shorter than any collection: every cache is stale, as in the module when
    // collecting takes longer than `scrape_interval`.
    let fail = Server::start(&["--interval", "0.001", "--stale-cache", "fail"]);
    let (status, _, body) = fail.wait_ready();
    assert_eq!(status, 503);
    let msg = String::from_utf8(body).unwrap();
    assert!(msg.contains("metrics are stale"), "{msg}");

    let ret = Server::start(&["--interval", "0.001", "--stale-cache", "return"]);
    let (status, _, body) = ret.wait_ready();
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("ceph_health_status")
    );
}
