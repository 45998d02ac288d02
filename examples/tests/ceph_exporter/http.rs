//! `--listen`: the HTTP server over real TCP connections: formats, gzip, `HEAD`, the index,
//! stale caches, TLS and basic auth from a web config (checked with `curl`), bad configs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::expo::Exposition;
use super::{TempDir, exe, stderr};

/// Prometheus 2.42's `Accept` header for scrapes.
pub(super) const PROMETHEUS_2_42: &str = "application/openmetrics-text;version=1.0.0,\
application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const TEXT_CT: &str = "text/plain; version=0.0.4; charset=utf-8";
const OM_CT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A running `ceph-exporter --listen 127.0.0.1:0 ...`, killed on drop.
pub(super) struct Server {
    pub(super) child: Child,
    pub(super) addr: String,
    /// Its stderr lines after the first.
    pub(super) logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub(super) fn start(extra: &[&str]) -> Server {
        let mut cmd = exe();
        cmd.args(["--listen", "127.0.0.1:0"]).args(extra);
        Server::spawn(cmd)
    }

    /// Runs `cmd`, which must print `listening on ADDR` first on stderr.
    pub(super) fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = first
            .split_once("listening on ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{first}"))
            .to_owned();
        // Keep draining stderr so the server never blocks on it.
        let logs: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
        let sink = std::sync::Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, addr, logs }
    }

    /// Sends `request` (a request line and headers, without the blank line) with
    /// `Connection: close` and returns the status code, the headers and the body.
    pub(super) fn send(&self, request: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let request = format!("{}\r\nConnection: close\r\n\r\n", request.trim_end());
        s.write_all(request.as_bytes()).unwrap();
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).unwrap();
        split_response(&resp)
    }

    pub(super) fn get(&self, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
        self.send(&format!("GET {path} HTTP/1.1\r\nHost: x\r\n{headers}"))
    }

    /// Polls `/metrics` until the first collection is cached.
    pub(super) fn wait_ready(&self) -> (u16, String, Vec<u8>) {
        let start = Instant::now();
        loop {
            let r = self.get("/metrics", "Accept: text/plain");
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

fn split_response(resp: &[u8]) -> (u16, String, Vec<u8>) {
    let end = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(resp)));
    let head = String::from_utf8(resp[..end].to_vec()).unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head, resp[end + 4..].to_vec())
}

pub(super) fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

#[test]
fn text_by_default_whatever_accept_says() {
    let server = Server::start(&["--interval", "60"]);
    server.wait_ready();
    let prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,\
                       text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    for accept in [
        PROMETHEUS_2_42,
        prometheus3,
        "application/openmetrics-text",
        "",
    ] {
        let (status, head, body) = server.get("/metrics", &format!("Accept: {accept}"));
        assert_eq!(status, 200, "{accept}");
        assert_eq!(header(&head, "content-type"), Some(TEXT_CT), "{accept}");
        assert_eq!(
            header(&head, "content-length"),
            Some(body.len().to_string().as_str())
        );
        let text = String::from_utf8(body).unwrap();
        let e = Exposition::parse(&text);
        assert_eq!(e.families["ceph_health_status"].get(&[]), Some(0.0));
        // The module's names: no `_total` on counters.
        assert!(e.families.contains_key("ceph_pool_rd"), "{accept}");
        assert!(!text.contains("ceph_pool_rd_total"), "{accept}");
        assert!(!text.contains("# EOF"), "{accept}");
    }
}

#[test]
fn openmetrics_when_asked_on_the_command_line() {
    let server = Server::start(&["--interval", "60", "--format", "openmetrics"]);
    server.wait_ready();
    for accept in [PROMETHEUS_2_42, "text/plain;version=0.0.4"] {
        let (status, head, body) = server.get("/metrics", &format!("Accept: {accept}"));
        assert_eq!(status, 200);
        assert_eq!(header(&head, "content-type"), Some(OM_CT), "{accept}");
        let text = String::from_utf8(body).unwrap();
        assert!(text.ends_with("# EOF\n"));
        assert!(text.contains("\nceph_pool_rd_total{pool_id=\"1\"} "));
    }
}

#[test]
fn gzip_head_index_and_errors() {
    let server = Server::start(&["--interval", "60"]);
    let (_, _, plain) = server.wait_ready();

    let (status, head, body) = server.get("/metrics", "Accept-Encoding: gzip");
    assert_eq!(status, 200);
    assert_eq!(header(&head, "content-encoding"), Some("gzip"));
    assert_eq!(header(&head, "vary"), Some("Accept-Encoding"));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
    assert!(
        body.len() * 3 < plain.len(),
        "{} {}",
        body.len(),
        plain.len()
    );
    // Refused by quality: identity.
    let (_, head, body) = server.get("/metrics", "Accept-Encoding: gzip;q=0, identity");
    assert_eq!(header(&head, "content-encoding"), None);
    assert_eq!(body, plain);

    // HEAD: the length of the GET body, no body.
    let (status, head, body) = server.send("HEAD /metrics HTTP/1.1\r\nHost: x");
    assert_eq!((status, body.len()), (200, 0));
    assert_eq!(
        header(&head, "content-length"),
        Some(plain.len().to_string().as_str())
    );

    let (status, head, body) = server.get("/", "");
    assert_eq!(status, 200);
    assert_eq!(header(&head, "content-type"), Some("text/html"));
    assert!(String::from_utf8(body).unwrap().contains("href='/metrics'"));

    let cases = [
        ("GET /nope HTTP/1.1", 404),
        ("GET /metrics?x=1 HTTP/1.1", 200),
        ("POST /metrics HTTP/1.1\r\nContent-Length: 0", 405),
        ("BREW /metrics HTTP/1.1", 405),
    ];
    for (req, want) in cases {
        let (status, head, _) = server.send(req);
        assert_eq!(status, want, "{req}");
        if want == 405 {
            assert_eq!(header(&head, "allow"), Some("GET, HEAD"));
        }
    }
}

#[test]
fn bounds_the_request_size() {
    let server = Server::start(&["--interval", "60"]);
    let mut req = b"GET /metrics HTTP/1.1\r\nX-Big: ".to_vec();
    req.extend(std::iter::repeat_n(b'a', 64 * 1024));
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

#[test]
fn sigterm_stops_the_server() {
    let mut server = Server::start(&["--interval", "60"]);
    server.wait_ready();
    let pid = server.child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A self-signed certificate for `127.0.0.1` and its key, made by `openssl`.
pub(super) fn self_signed(dir: &Path) {
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("server.key"))
        .arg("-out")
        .arg(dir.join("server.crt"))
        .output()
        .expect("openssl (Debian package `openssl`) runs");
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Runs `curl` with `args`; returns the HTTP status it saw (0: no HTTP answer) and the body.
fn curl(args: &[&str]) -> (u16, Vec<u8>) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl (Debian package `curl`) runs");
    let mut body = out.stdout;
    let nl = body.iter().rposition(|&b| b == b'\n').unwrap();
    let code = String::from_utf8(body[nl + 1..].to_vec()).unwrap();
    body.truncate(nl);
    (code.trim().parse().unwrap(), body)
}

#[test]
fn tls_and_basic_auth_from_a_web_config() {
    let dir = TempDir::new("web");
    self_signed(dir.path());
    let hash = bcrypt::hash("s3cr3t", 4).unwrap();
    // Relative file names: relative to the config's folder.
    let config = dir.path().join("web.yml");
    std::fs::write(
        &config,
        format!(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n\
             basic_auth_users:\n  prometheus: '{hash}'\n"
        ),
    )
    .unwrap();
    let server = Server::start(&[
        "--interval",
        "60",
        "--web.config.file",
        config.to_str().unwrap(),
    ]);
    let url = format!("https://{}/metrics", server.addr);
    let cacert = dir.path().join("server.crt");
    let cacert = cacert.to_str().unwrap();
    let start = Instant::now();
    let (status, body) = loop {
        let r = curl(&["--cacert", cacert, "-u", "prometheus:s3cr3t", &url]);
        if r.0 != 503 {
            break r;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never ready");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status, 200);
    assert!(String::from_utf8(body).unwrap().contains("\nceph_pool_rd{"));

    // Wrong password, unknown user, none: 401 with a challenge.
    for auth in [&["-u", "prometheus:wrong"][..], &["-u", "root:s3cr3t"], &[]] {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "20", "-D", "-", "-o", "/dev/null"])
            .args(["--cacert", cacert])
            .args(auth)
            .arg(&url)
            .output()
            .unwrap();
        let head = String::from_utf8(out.stdout).unwrap();
        assert!(head.starts_with("HTTP/1.1 401 "), "{auth:?}: {head}");
        assert_eq!(
            header(&head, "www-authenticate"),
            Some("Basic realm=\"ceph-exporter\""),
            "{auth:?}"
        );
    }
    // An unknown certificate authority: no HTTP answer.
    assert_eq!(curl(&["-u", "prometheus:s3cr3t", &url]).0, 0);

    // Plain HTTP to the TLS port: the connection is closed, no HTTP answer, and the server
    // keeps serving.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    assert!(!resp.starts_with(b"HTTP/"), "{resp:?}");
    let (status, _) = curl(&["--cacert", cacert, "-u", "prometheus:s3cr3t", &url]);
    assert_eq!(status, 200);
}

#[test]
fn bad_web_configs_are_usage_errors_before_listening() {
    let dir = TempDir::new("badweb");
    self_signed(dir.path());
    std::fs::write(dir.path().join("garbage.pem"), "-----BEGIN nonsense\n").unwrap();
    std::fs::write(dir.path().join("empty.pem"), "").unwrap();
    let other = TempDir::new("otherkey");
    self_signed(other.path());
    let other_key = other.path().join("server.key");
    let cases = [
        (
            "tls_server_config:\n  cert_file: server.crt\n",
            "`tls_server_config.key_file` is missing",
        ),
        (
            "tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n",
            "`tls_server_config.cert_file` (`",
        ),
        (
            "tls_server_config:\n  cert_file: empty.pem\n  key_file: server.key\n",
            "tls_server_config.cert_file",
        ),
        (
            "tls_server_config:\n  cert_file: server.crt\n  key_file: garbage.pem\n",
            "tls_server_config.key_file",
        ),
        (
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n",
            "tls_server_config.key_file",
        ),
        (
            &format!(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: {}\n",
                other_key.display()
            ),
            "tls_server_config",
        ),
        (
            "basic_auth_users:\n  alice: plaintext\n",
            "basic_auth_users.alice",
        ),
        ("tls_server_config:\n  cert_fil: x\n", "cert_fil"),
        ("{{{", "web.yml"),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let config = dir.path().join("web.yml");
        std::fs::write(&config, text).unwrap();
        let out = exe()
            .args(["--listen", "127.0.0.1:0", "--web.config.file"])
            .arg(&config)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "case {i}: {err}");
        assert!(err.contains(needle), "case {i}: {needle} not in {err}");
        assert!(err.contains(config.to_str().unwrap()), "case {i}: {err}");
        assert!(!err.contains("listening on"), "case {i}: {err}");
    }
    // A config file that is not there.
    let out = exe()
        .args([
            "--listen",
            "127.0.0.1:0",
            "--web.config.file",
            "/nonexistent/web.yml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read web config `/nonexistent/web.yml`"));
}
