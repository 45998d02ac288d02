//! Integration tests of the example binaries: each runs the real binary on `testdata/` and
//! checks its output.

mod all_binaries;
mod carbonara_dump;
mod ceph_exporter;
mod perf2prom;
mod promcat;
mod rollup;
mod scrape;
mod statsd;
