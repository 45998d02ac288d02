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
