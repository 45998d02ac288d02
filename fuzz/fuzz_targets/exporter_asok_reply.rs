//! The admin-socket reply framing (`exporter::read_reply`) and what the per-host collector
//! does with two replies, a schema and a dump: the input is read as the two replies a daemon
//! sends for `counter schema` and `counter dump`, each a 4-byte big-endian length and that
//! many bytes, delivered in reads of a size the first byte picks. Each reply must equal the
//! bytes it claims, the buffer must stay near the bytes that arrived whatever the length
//! claims, and the schema and dump are then parsed and mapped in both flavours and encoded:
//! an error or families, never a panic.
#![no_main]

use std::io::Read;

use exporter::{ReplyError, read_reply};
use libfuzzer_sys::fuzz_target;
use perfcounter::{Dump, Families, Flavor, Mapper, Schema};

/// The reply limit of the target (the collector's default is 32 MiB; the bound on the buffer
/// is what is checked, so a smaller limit loses nothing).
const LIMIT: usize = 1 << 20;

/// Hands out at most `step` bytes per read, as a socket may.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn reply<'a>(reader: &mut Trickle<'a>, buf: &mut Vec<u8>) -> Option<()> {
    let before = reader.data;
    match read_reply(reader, LIMIT, buf) {
        Ok(()) => {
            let len = u32::from_be_bytes(before[..4].try_into().unwrap()) as usize;
            assert_eq!(buf.as_slice(), &before[4..4 + len]);
            Some(())
        }
        Err(ReplyError::Truncated { expected, received }) => {
            assert!(received < expected);
            assert_eq!(received as usize, before.len() - 4);
            // Grown with what arrived (doubling), never to the claim.
            assert!(buf.capacity() <= 2 * (received as usize) + 2 * 65536, "{}", buf.capacity());
            None
        }
        Err(ReplyError::NoLength { received }) => {
            assert!(received < 4 && received == before.len());
            None
        }
        Err(ReplyError::TooLarge { claimed, limit }) => {
            assert!(claimed > limit);
            assert_eq!(buf.capacity(), 0, "nothing allocated for a refused claim");
            None
        }
        Err(e) => panic!("{e:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, rest)) = data.split_first() else {
        return;
    };
    let mut reader = Trickle {
        data: rest,
        step: usize::from(step).max(1) * 97,
    };
    let (mut schema_buf, mut dump_buf) = (Vec::new(), Vec::new());
    if reply(&mut reader, &mut schema_buf).is_none() || reply(&mut reader, &mut dump_buf).is_none()
    {
        return;
    }
    let (Ok(schema), Ok(dump)) = (std::str::from_utf8(&schema_buf), std::str::from_utf8(&dump_buf))
    else {
        return;
    };
    let (Ok(schema), Ok(dump)) = (Schema::parse(schema), Dump::parse(dump)) else {
        return;
    };
    for flavor in [Flavor::Exporter, Flavor::Mgr] {
        let mut out = Families::new();
        Mapper::new(flavor).map("ceph-osd.0.asok", &schema, &dump, &mut out);
        let set = out.into_set();
        let mut text = Vec::new();
        let mut enc = expfmt::Encoder::new(&mut text, expfmt::Format::Text);
        enc.encode_families(set.families())
            .expect("mapped families always encode");
        enc.finish();
    }
});
