//! `ceph_rbd_image_metadata` (20.2.4): one sample per RBD image of every pool with the `rbd`
//! application.
//!
//! The module lists each such pool's images with librbd (`RBD().list2(ioctx)`, the default
//! namespace) inside `get_metadata_and_osd_status`. No `ceph` command carries the list; the
//! `rbd` client prints it (`rbd ls --pool <pool> --format json`, [`Command::RbdLs`]), and a
//! dump directory holds it as `rbd_ls.<pool>.json` (any of the shapes [`RbdImages`] reads).
//! A source without the list of a pool gives no samples for it, as the module gives none when
//! librbd fails; any other failure is reported against the request.

use std::borrow::Cow;
use std::time::Instant;

use ceph_types::{Command, Model, RbdImages, Request};

use crate::steps::Ctx;
use crate::{CollectError, FetchError};

/// The family's name.
const FAMILY: &str = "ceph_rbd_image_metadata";

/// Fills `ceph_rbd_image_metadata` from the image list of every `rbd` pool of `osd dump`.
pub(crate) fn image_metadata(c: &mut Ctx<'_, '_>) {
    if !crate::layout::has_tentacle_families(c.release) {
        return;
    }
    let Some(dump) = &c.docs.osd_dump else {
        return;
    };
    for pool in &dump.pools {
        if !pool.applications().any(|a| a == "rbd") {
            continue;
        }
        let request = Request::pool(Command::RbdLs, pool.pool_name.as_ref());
        let start = Instant::now();
        let bytes = match c.src.fetch(&request) {
            Ok(bytes) => bytes,
            Err(FetchError::NotFound) => continue,
            Err(source) => {
                c.log.time(&request, start.elapsed());
                c.log.push(CollectError::Fetch {
                    origin: c.src.origin(&request),
                    input: request,
                    source,
                });
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                c.log.time(&request, start.elapsed());
                c.log.push(CollectError::Utf8 {
                    origin: c.src.origin(&request),
                    input: request,
                    offset: e.utf8_error().valid_up_to(),
                });
                continue;
            }
        };
        let parsed = RbdImages::parse_as(Command::RbdLs, &text);
        c.log.time(&request, start.elapsed());
        match parsed {
            Ok(images) => {
                let pool_id = pool.pool.to_string();
                for name in images.names() {
                    c.out.push(
                        FAMILY,
                        [Cow::Owned(pool_id.clone()), Cow::Owned(name.to_owned())],
                        1u64,
                    );
                }
            }
            Err(source) => c.log.push(CollectError::Parse {
                origin: c.src.origin(&request),
                input: request,
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {

    use crate::{ClusterCollector, CollectOptions, Collection, MemoryDumps, Release};

    /// The 20.2.4 healthy capture's JSON files, with `replace` (name, text; `None` removes).
    fn capture(replace: &[(&str, Option<&str>)]) -> Vec<(String, Vec<u8>)> {
        crate::testutil::capture("20.2.4-healthy", replace)
    }

    fn collect(files: &[(String, Vec<u8>)], release: Option<Release>) -> Collection {
        let dumps = MemoryDumps::new(files.iter().map(|(n, c)| (n.as_str(), c.as_slice())));
        let options = CollectOptions::new().threads(1).release(release);
        ClusterCollector::new(options).collect(&dumps)
    }

    /// `family{labels}` values, or `None` without the family.
    fn samples(c: &Collection, name: &str) -> Option<Vec<(Vec<String>, f64)>> {
        let f = c.families().iter().find(|f| f.name == name)?;
        Some(crate::testutil::samples(f))
    }

    /// The 20.2.4 `osd dump` with the `rbd` application on pool 1 (`.mgr`) too.
    fn two_rbd_pools() -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/ceph/20.2.4-healthy/osd_dump.json");
        let mut dump: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir).unwrap()).unwrap();
        dump["pools"][0]["application_metadata"]["rbd"] = serde_json::json!({});
        assert_eq!(dump["pools"][0]["pool_name"], ".mgr");
        dump.to_string()
    }

    #[test]
    fn image_metadata_per_rbd_pool() {
        let two = two_rbd_pools();
        let img = |pool: &str, name: &str| (vec![pool.to_owned(), name.to_owned()], 1.0);
        // (files replaced, release forced, samples, input label and its success)
        type Case<'a> = (
            Vec<(&'a str, Option<&'a str>)>,
            Option<Release>,
            Option<Vec<(Vec<String>, f64)>>,
            Option<(&'a str, f64)>,
        );
        let cases: [Case<'_>; 6] = [
            (
                vec![],
                None,
                Some(vec![img("4", "img0"), img("4", "img1")]),
                Some(("rbd_ls.mini-rbd", 1.0)),
            ),
            // No image list: no samples, and nothing to report.
            (
                vec![("rbd_ls.mini-rbd.json", None)],
                None,
                Some(vec![]),
                None,
            ),
            (
                vec![("rbd_ls.mini-rbd.json", Some(r#"{"images": 5}"#))],
                None,
                Some(vec![]),
                Some(("rbd_ls.mini-rbd", 0.0)),
            ),
            // `rbd ls -l` output, a snapshot entry skipped.
            (
                vec![(
                    "rbd_ls.mini-rbd.json",
                    Some(r#"[{"image":"a","id":"1"},{"image":"a","snapshot":"s"}]"#),
                )],
                None,
                Some(vec![img("4", "a")]),
                Some(("rbd_ls.mini-rbd", 1.0)),
            ),
            // Pools in `osd dump` order.
            (
                vec![
                    ("osd_dump.json", Some(two.as_str())),
                    ("rbd_ls..mgr.json", Some(r#"["x"]"#)),
                ],
                None,
                Some(vec![img("1", "x"), img("4", "img0"), img("4", "img1")]),
                Some(("rbd_ls..mgr", 1.0)),
            ),
            // Reef's module has no such family and lists nothing.
            (vec![], Some(Release::Reef), None, None),
        ];
        for (n, (replace, release, want, input)) in cases.into_iter().enumerate() {
            let coll = collect(&capture(&replace), release);
            assert_eq!(samples(&coll, super::FAMILY), want, "case {n}");
            let inputs = samples(&coll, "ceph_exporter_input_success").unwrap();
            let rbd: Vec<_> = inputs
                .iter()
                .filter(|(l, _)| l[0].starts_with("rbd_ls"))
                .collect();
            match input {
                Some((label, ok)) => {
                    assert!(
                        rbd.contains(&&(vec![label.to_owned()], ok)),
                        "case {n}: {rbd:?}"
                    );
                }
                None => assert!(rbd.is_empty(), "case {n}: {rbd:?}"),
            }
            let rbd_errors = coll
                .errors()
                .iter()
                .filter(|e| e.input().is_some_and(|r| r.pool_name().is_some()))
                .count();
            assert_eq!(
                rbd_errors,
                usize::from(input.is_some_and(|(_, ok)| ok == 0.0))
            );
        }
    }
}
