//! The module's perf-counter families (`get_all_perf_counters`): every daemon's `perf schema`
//! and `perf dump`, mapped with the mgr flavour. Identical schemas are parsed and prepared
//! once; the daemons are split over the available threads.

use std::time::{Duration, Instant};

use expfmt::{FamilySet, MetricFamily};

use ceph_types::{Command, Request};

use crate::{CollectError, FetchError, Source};
use perfcounter::{Dump, Families, Mapper, Schema};

/// The daemon types whose counters the module exports (`get_all_perf_counters`' `services`).
pub(crate) const PERF_SERVICES: [&str; 6] =
    ["mds", "mon", "osd", "rbd-mirror", "rgw", "tcmu-runner"];

/// Perf-counter families of `daemons` (in that order), and the inputs that failed.
///
/// A daemon without a perf schema has no perf series (as a daemon the mgr holds no report
/// from); a schema without a dump, or a dump without a schema, is an error.
pub(crate) fn perf_families(
    source: &dyn Source,
    daemons: &[String],
    mapper: Mapper,
    threads: usize,
) -> (
    Vec<MetricFamily<'static>>,
    Vec<CollectError>,
    Vec<(Request, Duration)>,
) {
    let mut errors = Vec::new();
    let mut took = Vec::new();
    let threads = threads.clamp(1, daemons.len().max(1));
    let chunk = daemons.len().div_ceil(threads).max(1);
    // Pass 1, per thread: each daemon's schema bytes, identical documents kept once.
    let parts: Vec<SchemaPass<'_>> = std::thread::scope(|scope| {
        let handles: Vec<_> = daemons
            .chunks(chunk)
            .skip(1)
            .map(|part| scope.spawn(move || read_schemas(source, part)))
            .collect();
        let mut parts = vec![read_schemas(
            source,
            daemons.chunks(chunk).next().unwrap_or(&[]),
        )];
        for h in handles {
            parts.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        parts
    });
    // The threads' distinct schemas, merged (a handful: one per daemon type and version).
    let mut distinct: Vec<Vec<u8>> = Vec::new();
    let mut uses: Vec<(usize, &str)> = Vec::with_capacity(daemons.len());
    for part in parts {
        errors.extend(part.errors);
        let global: Vec<usize> = part
            .distinct
            .into_iter()
            .map(|bytes| match distinct.iter().position(|d| *d == bytes) {
                Some(i) => i,
                None => {
                    distinct.push(bytes);
                    distinct.len() - 1
                }
            })
            .collect();
        uses.extend(part.uses.into_iter().map(|(i, d)| (global[i], d)));
    }
    // Pass 2: parse and prepare each distinct schema once; a schema prepared by an earlier
    // collection is taken as it is.
    let mut schemas = Vec::with_capacity(distinct.len());
    let mut kept = Vec::with_capacity(distinct.len());
    for (i, bytes) in distinct.iter().enumerate() {
        if let Some(k) = kept_schema(mapper, bytes) {
            kept.push(Some(k));
            schemas.push(None);
            continue;
        }
        kept.push(None);
        let parsed = std::str::from_utf8(bytes)
            .map_err(|e| (e.valid_up_to(), None))
            .and_then(|t| Schema::parse(t).map_err(|e| (0, Some(e))));
        match parsed {
            Ok(s) => schemas.push(Some(s)),
            Err((offset, e)) => {
                // Reported once, for the first daemon with this (identical) schema; every
                // daemon sharing it has no perf series.
                if let Some((_, daemon)) = uses.iter().find(|(u, _)| *u == i) {
                    let input = Request::daemon(Command::PerfSchema, *daemon);
                    let origin = source.origin(&input);
                    errors.push(match e {
                        Some(source) => CollectError::PerfParse {
                            input,
                            origin,
                            source,
                        },
                        None => CollectError::Utf8 {
                            input,
                            origin,
                            offset,
                        },
                    });
                }
                schemas.push(None);
            }
        }
    }
    let fresh: Vec<_> = schemas
        .iter()
        .map(|s| s.as_ref().map(|s| (mapper.prepare(s), s.counter_count())))
        .collect();
    let prepared: Vec<Option<(&perfcounter::PreparedSchema<'_>, usize)>> = kept
        .iter()
        .zip(&fresh)
        .map(|(k, f)| match (k, f) {
            (Some((p, n)), _) => Some((*p, *n)),
            (None, Some((p, n))) => Some((p, *n)),
            (None, None) => None,
        })
        .collect();
    // Pass 3: map every dump, in contiguous chunks per thread.
    let chunk = uses.len().div_ceil(threads).max(1);
    let results: Vec<MappedPart> = std::thread::scope(|scope| {
        let handles: Vec<_> = uses
            .chunks(chunk)
            .skip(1)
            .map(|part| {
                let prepared = &prepared;
                scope.spawn(move || map_dumps(source, part, prepared))
            })
            .collect();
        let mut results = vec![map_dumps(
            source,
            uses.chunks(chunk).next().unwrap_or(&[]),
            &prepared,
        )];
        for h in handles {
            match h.join() {
                Ok(r) => results.push(r),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    let mut set = FamilySet::new();
    for (part, errs, t) in results {
        errors.extend(errs);
        took.extend(t);
        for family in part {
            let name = family.name.to_string();
            if let Err(source) = set.insert(family) {
                errors.push(CollectError::Clash { name, source });
            }
        }
    }
    (set.into_families(), errors, took)
}

/// The most prepared schemas kept for the life of the process (distinct schemas come one per
/// daemon type and release: a handful; a restarted daemon of the same release has the same
/// schema).
const MAX_KEPT: usize = 16;

/// A schema prepared once and kept: the mapper, the exact `perf schema` document, and the
/// preparation with its counter count.
type Kept = (
    Mapper,
    &'static [u8],
    &'static perfcounter::PreparedSchema<'static>,
    usize,
);

/// The schemas kept so far (at most [`MAX_KEPT`]).
static KEPT: std::sync::Mutex<Vec<Kept>> = std::sync::Mutex::new(Vec::new());

/// The preparation of `bytes` for `mapper`: one kept by an earlier collection, else prepared
/// now and kept while fewer than [`MAX_KEPT`] are (a schema only changes when its daemon
/// restarts with another release, and then its bytes differ). `None` when it is not kept and
/// cannot be, or does not parse (the caller prepares it, or reports it, as for one use).
///
/// Preparing a schema is most of the perf-counter step's work (OSD schemas hold about 500
/// counters): kept, the work is a byte comparison per daemon.
fn kept_schema(
    mapper: Mapper,
    bytes: &[u8],
) -> Option<(&'static perfcounter::PreparedSchema<'static>, usize)> {
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, _, p, n)) = kept.iter().find(|(m, b, _, _)| *m == mapper && *b == bytes) {
        return Some((*p, *n));
    }
    if kept.len() >= MAX_KEPT {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    // Parsed before anything is kept, so a schema that does not parse keeps nothing.
    Schema::parse(text).ok()?;
    // Kept for the life of the process (bounded by MAX_KEPT), so the preparation can borrow
    // its schema for as long.
    let text: &'static str = Box::leak(text.to_owned().into_boxed_str());
    let schema: &'static Schema<'static> = Box::leak(Box::new(Schema::parse(text).ok()?));
    let counters = schema.counter_count();
    let prepared = Box::leak(Box::new(mapper.prepare(schema)));
    kept.push((mapper, text.as_bytes(), prepared, counters));
    Some((prepared, counters))
}

/// What one thread mapped: the families, the errors, and the time spent on each daemon's dump.
type MappedPart = (
    FamilySet<'static>,
    Vec<CollectError>,
    Vec<(Request, Duration)>,
);

/// What one thread read of the schemas.
struct SchemaPass<'d> {
    /// Distinct schema documents.
    distinct: Vec<Vec<u8>>,
    /// Per daemon with a schema: its index in `distinct`.
    uses: Vec<(usize, &'d str)>,
    errors: Vec<CollectError>,
}

/// Reads the schemas of `daemons` into one buffer, keeping each distinct document once.
fn read_schemas<'d>(source: &dyn Source, daemons: &'d [String]) -> SchemaPass<'d> {
    let mut pass = SchemaPass {
        distinct: Vec::new(),
        uses: Vec::with_capacity(daemons.len()),
        errors: Vec::new(),
    };
    let mut buf = Vec::new();
    for daemon in daemons {
        let input = Request::daemon(Command::PerfSchema, daemon.as_str());
        match source.fetch_into(&input, &mut buf) {
            Ok(()) => {}
            Err(FetchError::NotFound) => {
                let dump = Request::daemon(Command::PerfDump, daemon.as_str());
                if source.fetch_into(&dump, &mut Vec::new()).is_ok() {
                    pass.errors.push(CollectError::PerfUnpaired {
                        origin: source.origin(&dump),
                        input: dump,
                        daemon: daemon.clone(),
                    });
                }
                continue;
            }
            Err(e) => {
                pass.errors.push(CollectError::Fetch {
                    origin: source.origin(&input),
                    input,
                    source: e,
                });
                continue;
            }
        }
        let i = match pass.distinct.iter().position(|d| *d == buf) {
            Some(i) => i,
            None => {
                pass.distinct.push(std::mem::take(&mut buf));
                pass.distinct.len() - 1
            }
        };
        pass.uses.push((i, daemon.as_str()));
    }
    pass
}

/// Maps the dumps of `part` (schema index, daemon) with the prepared schemas.
fn map_dumps<'s>(
    source: &dyn Source,
    part: &[(usize, &str)],
    prepared: &[Option<(&perfcounter::PreparedSchema<'s>, usize)>],
) -> MappedPart {
    let mut errors = Vec::new();
    let mut took = Vec::new();
    let mut out = Families::new();
    let mut buf = Vec::new();
    for &(i, daemon) in part {
        let Some((schema, schema_counters)) = &prepared[i] else {
            continue;
        };
        let input = Request::daemon(Command::PerfDump, daemon);
        let start = Instant::now();
        map_dump(
            source,
            daemon,
            (schema, *schema_counters),
            &mut buf,
            &mut out,
            &mut errors,
        );
        took.push((input, start.elapsed()));
    }
    let set: FamilySet<'static> = out
        .into_set()
        .into_iter()
        .map(MetricFamily::into_owned)
        .fold(FamilySet::new(), |mut set, f| {
            // Names are unique within one mapping.
            let _ = set.insert(f);
            set
        });
    (set, errors, took)
}

/// Reads, parses and maps one daemon's dump.
fn map_dump<'s: 'a, 'a>(
    source: &dyn Source,
    daemon: &'a str,
    (schema, schema_counters): (&perfcounter::PreparedSchema<'s>, usize),
    buf: &mut Vec<u8>,
    out: &mut Families<'a>,
    errors: &mut Vec<CollectError>,
) {
    {
        let input = Request::daemon(Command::PerfDump, daemon);
        match source.fetch_into(&input, buf) {
            Ok(()) => {}
            Err(FetchError::NotFound) => {
                errors.push(CollectError::PerfUnpaired {
                    origin: source.origin(&Request::daemon(Command::PerfSchema, daemon)),
                    input: Request::daemon(Command::PerfSchema, daemon),
                    daemon: daemon.to_owned(),
                });
                return;
            }
            Err(e) => {
                errors.push(CollectError::Fetch {
                    origin: source.origin(&input),
                    input,
                    source: e,
                });
                return;
            }
        }
        let text = match std::str::from_utf8(buf) {
            Ok(t) => t,
            Err(e) => {
                errors.push(CollectError::Utf8 {
                    origin: source.origin(&input),
                    input,
                    offset: e.valid_up_to(),
                });
                return;
            }
        };
        match Dump::parse(text) {
            // A dump without a counter (`{}`) where the schema has some would silently drop
            // every series of the daemon.
            Ok(dump) if dump.counter_count() == 0 && schema_counters > 0 => {
                errors.push(CollectError::PerfEmpty {
                    origin: source.origin(&input),
                    input,
                    daemon: daemon.to_owned(),
                    schema_counters,
                });
            }
            Ok(dump) => schema.map(daemon, &dump, out),
            Err(e) => errors.push(CollectError::PerfParse {
                origin: source.origin(&input),
                input,
                source: e,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfcounter::Flavor;

    #[test]
    fn a_schema_is_prepared_once_per_mapper_and_document() {
        let mgr = Mapper::builder().flavor(Flavor::Mgr).build();
        let exporter = Mapper::builder().flavor(Flavor::Exporter).build();
        let a = br#"{"osd": {"op_r": {"type": 10, "priority": 8, "description": "reads"}}}"#;
        let b = br#"{"osd": {"op_w": {"type": 10, "priority": 8, "description": "writes"}}}"#;
        let (first, n) = kept_schema(mgr, a).unwrap();
        assert_eq!(n, 1);
        // The same document again (another daemon, another collection): the same preparation.
        // Another allocation with the same bytes.
        let copy = a.to_vec();
        let again = kept_schema(mgr, &copy).unwrap().0;
        assert!(std::ptr::eq(first, again));
        // Another document (a daemon restarted with another release), or another mapper.
        assert!(!std::ptr::eq(first, kept_schema(mgr, b).unwrap().0));
        assert!(!std::ptr::eq(first, kept_schema(exporter, a).unwrap().0));
        // A document that does not parse is not kept (the caller reports it).
        assert!(kept_schema(mgr, b"{\"osd\": 1").is_none());
        assert!(kept_schema(mgr, b"\xff").is_none());
    }
}
