//! One request: basic auth, routing, `/metrics` from the cache, gzip.

use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::Shared;
use crate::cache::CachedExposition;
use crate::{CacheAnswer, MetricsCache};

/// The index page served at `/`, as the module's.
pub(super) const INDEX: &[u8] =
    b"<!DOCTYPE html>\n<html>\n    <head><title>Ceph Exporter</title></head>\n    \
<body>\n        <h1>Ceph Exporter</h1>\n        <p><a href='/metrics'>Metrics</a></p>\n    \
</body>\n</html>\n";

/// Answers one request.
pub(super) async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if let Some(users) = &shared.users {
        let authorization = req.headers().get(header::AUTHORIZATION).cloned();
        let users = Arc::clone(users);
        // bcrypt takes tens of milliseconds by design: off the async workers.
        let ok = tokio::task::spawn_blocking(move || users.check(authorization.as_ref()))
            .await
            .unwrap_or(false);
        if !ok {
            let mut r = plain(StatusCode::UNAUTHORIZED, "Unauthorized\n");
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"ceph-exporter\""),
            );
            return Ok(r);
        }
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(r);
    }
    Ok(match req.uri().path() {
        "/" => response(StatusCode::OK, "text/html", Bytes::from_static(INDEX)),
        "/metrics" => metrics(&shared.cache, req.headers()).await,
        _ => plain(StatusCode::NOT_FOUND, "not found\n"),
    })
}

async fn metrics(cache: &MetricsCache, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let answer = cache.answer();
    let CacheAnswer::Ready(snapshot) = answer else {
        let (content_type, body) = answer.content();
        return response(StatusCode::SERVICE_UNAVAILABLE, content_type, body);
    };
    let content_type = snapshot.exposition().content_type();
    let mut r = if accepts_gzip(headers) {
        let s = Arc::clone(&snapshot);
        // Compressing a large body takes a while: off the async workers, once per snapshot.
        match tokio::task::spawn_blocking(move || s.compressed(gzip)).await {
            Ok(body) => {
                let mut r = response(StatusCode::OK, content_type, body);
                r.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            Err(_) => identity(&snapshot, content_type),
        }
    } else {
        identity(&snapshot, content_type)
    };
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    r
}

fn identity(snapshot: &CachedExposition, content_type: &'static str) -> Response<Full<Bytes>> {
    response(
        StatusCode::OK,
        content_type,
        snapshot.exposition().body().clone(),
    )
}

/// `body` gzipped (fast level: bodies are large and compress well anyway).
fn gzip(body: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(body);
    Bytes::from(enc.finish().unwrap_or_default())
}

/// Whether `Accept-Encoding` takes gzip: `gzip` or `*` with a non-zero quality, and gzip not
/// refused by name.
pub(super) fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named = None;
    let mut star = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                named = Some(q > 0.0);
            } else if coding == "*" {
                star = Some(q > 0.0);
            }
        }
    }
    named.or(star).unwrap_or(false)
}

fn plain(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    response(status, "text/plain", Bytes::from_static(body.as_bytes()))
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding() {
        let cases = [
            (&[][..], false),
            (&["gzip"][..], true),
            (&["gzip, deflate, br"][..], true),
            (&["deflate"][..], false),
            (&["identity;q=1, gzip;q=0"][..], false),
            (&["gzip;q=0.5"][..], true),
            (&["*"][..], true),
            (&["*;q=0"][..], false),
            (&["*, gzip;q=0"][..], false),
            (&["deflate", "GZIP"][..], true),
            (&["x-gzip"][..], true),
            (&["gzip;q=bogus"][..], true),
        ];
        for (values, want) in cases {
            let mut h = HeaderMap::new();
            for v in values {
                h.append(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            }
            assert_eq!(accepts_gzip(&h), want, "{values:?}");
        }
    }

    proptest::proptest! {
        /// Against a model: the last quality given to `gzip` (or `x-gzip`) decides; without
        /// one, the last given to `*`; without either, no.
        #[test]
        fn accept_encoding_model(items in proptest::collection::vec(
            (proptest::sample::select(vec!["gzip", "x-gzip", "GZip", "*", "br", "identity"]),
             proptest::option::of(0u8..=10)),
            0..6,
        )) {
            let header = items
                .iter()
                .map(|(c, q)| match q {
                    Some(q) => format!("{c};q={}", f32::from(*q) / 10.0),
                    None => (*c).to_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let q = |q: &Option<u8>| q.is_none_or(|q| q > 0);
            let named = items.iter().rev().find(|(c, _)| c.eq_ignore_ascii_case("gzip") || *c == "x-gzip");
            let star = items.iter().rev().find(|(c, _)| *c == "*");
            let want = named.or(star).is_some_and(|(_, v)| q(v));
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(&header).unwrap());
            proptest::prop_assert_eq!(accepts_gzip(&h), want, "{}", header);
        }

        #[test]
        fn any_accept_encoding_is_answered(value in "[ -~]{0,64}") {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(header::ACCEPT_ENCODING, v);
            }
            let _ = accepts_gzip(&h);
        }
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        let body = b"# TYPE up gauge\nup 1\n".repeat(100);
        let z = gzip(&body);
        assert!(z.len() < body.len() / 4);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&z[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
    }
}
