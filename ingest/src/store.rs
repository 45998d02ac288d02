//! Gnocchi's file storage layout, written atomically: one directory per
//! metric holding `none_v3` and `agg_<method>/<key>_<granularity>_v3`, plus
//! an index of metric names (Gnocchi keeps those in its SQL indexer).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use carbonara::{Aggregation, ArchivePolicy, Metric, SplitKey};
use serde::{Deserialize, Serialize};
use timeserie::Point;
use uuid::Uuid;

use crate::error::Error;
use crate::policy::{Policies, StoredPolicy};

/// File name of the index of metric names, in the storage directory.
pub const INDEX_FILE: &str = "ingest-index.json";

/// Prefix of our temporary files in `tmp/` (left over only by a kill;
/// removed at the next open).
const TMP_PREFIX: &str = "ingest-";

/// Gnocchi's `file_subdir_len` for a fresh storage.
const DEFAULT_SUBDIR_LEN: usize = 2;

/// Namespace of the metric ids: `uuid5(NAMESPACE, name)`.
const NAMESPACE: Uuid = Uuid::from_u128(0x6a0f_5c8e_3f1d_4e5b_9a7c_2b8d_1e4f_0c93);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Index {
    metrics: BTreeMap<String, IndexEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexEntry {
    id: Uuid,
    archive_policy: StoredPolicy,
}

/// A storage directory in the layout of Gnocchi 4.7.1's file driver
/// (`file_basepath`), with metrics found by name.
///
/// Every object is written to `tmp/` then renamed into place, so a killed
/// process leaves each object either as it was or as it became, never
/// torn. A metric's split objects are written before its `none_v3`, as
/// Gnocchi does.
///
/// ```
/// use ingest::{FileStore, Policies};
/// use timeserie::Point;
///
/// let dir = std::env::temp_dir().join(format!("ingest-doc-{}", std::process::id()));
/// let mut store = FileStore::open(&dir)?;
/// let policies = Policies::load("low")?;
/// const S: i64 = 1_000_000_000;
/// store.add_measures("hits|c", &[Point::new(1_600_000_000 * S, 3.0)], &policies)?;
/// let metric = FileStore::open(&dir)?.load_metric("hits|c")?;
/// assert_eq!(metric.aggregates("sum".parse()?, 300 * S)?.serie().values(), &[3.0]);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileStore {
    base: PathBuf,
    tmp: PathBuf,
    subdir_len: usize,
    index: Index,
    /// Names in the index file on disk.
    stored_names: std::collections::HashSet<String>,
    metrics: HashMap<String, Metric>,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

impl FileStore {
    /// Opens (creating if needed) a storage directory: checks it is
    /// writable, reads Gnocchi's `tmp/gnocchi-storage-config` (writing it
    /// for a fresh storage) and the index, removes temporary files a kill
    /// left behind.
    ///
    /// # Errors
    ///
    /// [`Error::NotWritable`] if the directory cannot be created or
    /// written, [`Error::Io`] / [`Error::Index`] if the existing
    /// configuration or index cannot be read.
    pub fn open(base: impl AsRef<Path>) -> Result<Self, Error> {
        let base = base.as_ref().to_owned();
        let tmp = base.join("tmp");
        let not_writable = |source| Error::NotWritable {
            path: base.clone(),
            source,
        };
        std::fs::create_dir_all(&tmp).map_err(not_writable)?;
        let probe = tmp.join(format!("{TMP_PREFIX}probe-{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(not_writable)?;
        std::fs::remove_file(&probe).map_err(not_writable)?;
        for entry in std::fs::read_dir(&tmp).map_err(io(&tmp))? {
            let entry = entry.map_err(io(&tmp))?;
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let config = tmp.join("gnocchi-storage-config");
        let subdir_len = match std::fs::read(&config) {
            Ok(data) => {
                #[derive(Deserialize)]
                struct Config {
                    subdir_len: usize,
                }
                let c: Config = serde_json::from_slice(&data).map_err(|source| Error::Index {
                    path: config.clone(),
                    source,
                })?;
                c.subdir_len.min(32)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = format!("{{\"subdir_len\": {DEFAULT_SUBDIR_LEN}}}");
                atomic_write(&tmp, &config, text.as_bytes())?;
                DEFAULT_SUBDIR_LEN
            }
            Err(e) => return Err(io(&config)(e)),
        };
        let index_path = base.join(INDEX_FILE);
        let index = match std::fs::read(&index_path) {
            Ok(data) => serde_json::from_slice(&data).map_err(|source| Error::Index {
                path: index_path.clone(),
                source,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Index::default(),
            Err(e) => return Err(io(&index_path)(e)),
        };
        Ok(FileStore {
            base,
            tmp,
            subdir_len,
            stored_names: index.metrics.keys().cloned().collect(),
            index,
            metrics: HashMap::new(),
        })
    }

    /// The storage directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.base
    }

    /// The id of a metric: `uuid5` of its name, stable across storages.
    #[must_use]
    pub fn metric_id(name: &str) -> Uuid {
        Uuid::new_v5(&NAMESPACE, name.as_bytes())
    }

    /// Names of the stored metrics, sorted.
    pub fn metric_names(&self) -> impl Iterator<Item = &str> {
        self.index.metrics.keys().map(String::as_str)
    }

    /// A stored metric's id and policy.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchMetric`] if it is not in the index,
    /// [`Error::Carbonara`] if its stored policy is invalid.
    pub fn metric_info(&self, name: &str) -> Result<(Uuid, ArchivePolicy), Error> {
        let entry = self
            .index
            .metrics
            .get(name)
            .ok_or_else(|| Error::NoSuchMetric {
                name: name.to_owned(),
            })?;
        let policy = entry
            .archive_policy
            .to_policy()
            .map_err(|source| Error::Carbonara {
                metric: name.to_owned(),
                source,
            })?;
        Ok((entry.id, policy))
    }

    /// The directory of a metric, as Gnocchi's `_build_metric_dir`.
    #[must_use]
    pub fn metric_dir(&self, id: Uuid) -> PathBuf {
        let mut path = self.base.clone();
        if self.subdir_len > 0 {
            let hex = id.simple().to_string();
            for chunk in hex.as_bytes().chunks(self.subdir_len) {
                path.push(String::from_utf8_lossy(chunk).as_ref());
            }
        }
        path.push(id.hyphenated().to_string());
        path
    }

    /// Reads a stored metric back from its objects.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchMetric`], [`Error::Io`] for unreadable objects,
    /// [`Error::Carbonara`] if `none_v3` does not decode.
    pub fn load_metric(&self, name: &str) -> Result<Metric, Error> {
        let (id, policy) = self.metric_info(name)?;
        let dir = self.metric_dir(id);
        let raw_path = dir.join("none_v3");
        let raw = match std::fs::read(&raw_path) {
            Ok(d) => Some(d),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&raw_path)(e)),
        };
        let mut splits = Vec::new();
        for agg in policy.aggregations() {
            let agg_dir = dir.join(format!("agg_{}", agg.method));
            let entries = match std::fs::read_dir(&agg_dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(&agg_dir)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(io(&agg_dir))?;
                let file = entry.file_name();
                let Some((key, granularity)) = parse_split_name(&file.to_string_lossy()) else {
                    continue;
                };
                if granularity != agg.granularity {
                    continue;
                }
                let data = std::fs::read(entry.path()).map_err(io(&entry.path()))?;
                splits.push((agg, SplitKey::new(key, granularity), data));
            }
        }
        Metric::restore(policy, raw.as_deref(), splits).map_err(|source| Error::Carbonara {
            metric: name.to_owned(),
            source,
        })
    }

    /// Adds measures to the metric `name` through the metricd pipeline
    /// ([`Metric::add_measures`]), creating it with the policy `policies`
    /// gives on first use, and writes what changed.
    ///
    /// # Errors
    ///
    /// [`Error::Carbonara`] from the pipeline or the policy choice,
    /// [`Error::Io`] when an object cannot be written.
    pub fn add_measures(
        &mut self,
        name: &str,
        points: &[Point],
        policies: &Policies,
    ) -> Result<(), Error> {
        self.prepare([name], policies)
            .into_iter()
            .next()
            .map_or(Ok(()), |(_, e)| Err(e))?;
        self.write_measures(name, points)
    }

    /// One flush: the measures of many metrics, one batch per metric. New
    /// metrics are created and the index written once, then each metric
    /// is rolled up and written; a metric that fails is reported and the
    /// others are still stored.
    pub fn add_batch<'a>(
        &mut self,
        batch: impl IntoIterator<Item = (&'a str, &'a [Point])> + Clone,
        policies: &Policies,
    ) -> Vec<(String, Error)> {
        let mut failed = self.prepare(batch.clone().into_iter().map(|(n, _)| n), policies);
        for (name, points) in batch {
            if failed.iter().any(|(n, _)| n == name) {
                continue;
            }
            if let Err(e) = self.write_measures(name, points) {
                failed.push((name.to_owned(), e));
            }
        }
        failed
    }

    /// Creates the metrics of `names` that do not exist (index written
    /// once) and loads the stored ones not in memory yet.
    fn prepare<'a>(
        &mut self,
        names: impl IntoIterator<Item = &'a str>,
        policies: &Policies,
    ) -> Vec<(String, Error)> {
        let mut failed = Vec::new();
        let mut created = false;
        for name in names {
            if self.metrics.contains_key(name) {
                continue;
            }
            let metric = if self.index.metrics.contains_key(name) {
                self.load_metric(name)
            } else {
                created = true;
                self.create_metric(name, policies)
            };
            match metric {
                Ok(m) => {
                    self.metrics.insert(name.to_owned(), m);
                }
                Err(e) => failed.push((name.to_owned(), e)),
            }
        }
        if created && let Err(e) = self.write_index() {
            // Without the index nothing of the new metrics can be found:
            // forget them so the next flush tries again.
            let new: Vec<String> = self
                .metrics
                .keys()
                .filter(|n| !self.stored_names.contains(*n))
                .cloned()
                .collect();
            for name in new {
                self.metrics.remove(&name);
                self.index.metrics.remove(&name);
                failed.push((
                    name,
                    Error::Io {
                        path: self.base.join(INDEX_FILE),
                        source: std::io::Error::other(e.to_string()),
                    },
                ));
            }
        }
        failed
    }

    fn write_index(&mut self) -> Result<(), Error> {
        let index_path = self.base.join(INDEX_FILE);
        let text = serde_json::to_vec_pretty(&self.index).map_err(|source| Error::Index {
            path: index_path.clone(),
            source,
        })?;
        atomic_write(&self.tmp, &index_path, &text)?;
        self.stored_names = self.index.metrics.keys().cloned().collect();
        Ok(())
    }

    fn write_measures(&mut self, name: &str, points: &[Point]) -> Result<(), Error> {
        let id = Self::metric_id(name);
        let dir = self.metric_dir(id);
        let Some(metric) = self.metrics.get_mut(name) else {
            return Ok(());
        };
        let report = metric
            .add_measures(points)
            .map_err(|source| Error::Carbonara {
                metric: name.to_owned(),
                source,
            })?;
        if report.raw.is_empty() {
            return Ok(());
        }
        let mut path = String::new();
        for w in &report.written {
            split_path(&mut path, &w.aggregation, w.key);
            atomic_write(&self.tmp, &dir.join(&path), &w.data)?;
        }
        for (agg, key) in &report.deleted {
            split_path(&mut path, agg, *key);
            let p = dir.join(&path);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&p)(e)),
            }
        }
        atomic_write(&self.tmp, &dir.join("none_v3"), &report.raw)
    }

    fn create_metric(&mut self, name: &str, policies: &Policies) -> Result<Metric, Error> {
        let policy = policies.for_metric(name)?.clone();
        let id = Self::metric_id(name);
        let dir = self.metric_dir(id);
        for method in policy.aggregation_methods() {
            let d = dir.join(format!("agg_{method}"));
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
        self.index.metrics.insert(
            name.to_owned(),
            IndexEntry {
                id,
                archive_policy: StoredPolicy::from_policy(&policy),
            },
        );
        Ok(Metric::new(policy))
    }
}

/// `agg_<method>/<key>_<granularity>_v3` into `out`.
fn split_path(out: &mut String, agg: &Aggregation, key: SplitKey) {
    use std::fmt::Write;
    out.clear();
    let _ = write!(out, "agg_{}/{key}_", agg.method);
    write_seconds(out, agg.granularity);
    out.push_str("_v3");
}

/// ns as Python's `str(float seconds)` (`60.0`, `0.5`, `1e-05`).
fn write_seconds(out: &mut String, ns: i64) {
    // Reuse the split key's Python float printing: a key of `ns` at
    // sampling 1 prints `ns / 1e9` as Python does.
    use std::fmt::Write;
    let _ = write!(out, "{}", SplitKey::new(ns, 1));
}

/// Parses `<key>_<granularity>_v3` into ns.
fn parse_split_name(name: &str) -> Option<(i64, i64)> {
    let rest = name.strip_suffix("_v3")?;
    let (key, gran) = rest.split_once('_')?;
    Some((seconds_text_to_ns(key)?, seconds_text_to_ns(gran)?))
}

/// Python float seconds text to ns, exact for decimal text.
fn seconds_text_to_ns(s: &str) -> Option<i64> {
    if !s.contains(['e', 'E']) {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if frac.len() <= 9 && frac.bytes().all(|b| b.is_ascii_digit()) {
            let whole: i64 = int.parse().ok()?;
            let mut f: i64 = 0;
            for i in 0..9 {
                f = f * 10 + frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            }
            return whole.checked_mul(1_000_000_000)?.checked_add(f);
        }
    }
    let v: f64 = s.parse().ok()?;
    v.is_finite().then(|| (v * 1e9).round() as i64)
}

/// Writes `data` to a new file in `tmp` and renames it to `dest`.
fn atomic_write(tmp: &Path, dest: &Path, data: &[u8]) -> Result<(), Error> {
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = tmp.join(format!("{TMP_PREFIX}{}-{n}", std::process::id()));
    let mut f = std::fs::File::create(&temp).map_err(io(&temp))?;
    f.write_all(data).map_err(io(&temp))?;
    drop(f);
    std::fs::rename(&temp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(dest)(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_names_round_trip() {
        let cases: &[(i64, i64, &str)] = &[
            (
                1_451_520_000_000_000_000,
                60_000_000_000,
                "1451520000.0_60.0_v3",
            ),
            (
                1_800_000_000_000_000_000,
                500_000_000,
                "1800000000.0_0.5_v3",
            ),
            (0, 3_600_000_000_000, "0.0_3600.0_v3"),
        ];
        for &(key, g, text) in cases {
            let agg = Aggregation::new("mean".parse().expect("method"), g, None);
            let mut path = String::new();
            split_path(&mut path, &agg, SplitKey::new(key, g));
            assert_eq!(path, format!("agg_mean/{text}"));
            assert_eq!(parse_split_name(text), Some((key, g)), "{text}");
        }
        assert_eq!(parse_split_name("x_60.0_v3"), None);
        assert_eq!(parse_split_name("1.0_60.0"), None);
    }

    #[test]
    fn metric_dirs_follow_gnocchi_subdirs() {
        let dir = std::env::temp_dir().join(format!("ingest-subdir-{}", std::process::id()));
        let store = FileStore::open(&dir).expect("opens");
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let got = store.metric_dir(id);
        let want = dir
            .join("01/23/45/67/89/ab/cd/ef/01/23/45/67/89/ab/cd/ef")
            .join("01234567-89ab-cdef-0123-456789abcdef");
        assert_eq!(got, want);
        let config =
            std::fs::read_to_string(dir.join("tmp/gnocchi-storage-config")).expect("config");
        assert_eq!(config, "{\"subdir_len\": 2}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
