//! perf schema + perf dump mapping: the input is a schema and a dump
//! separated by a NUL byte. Both flavours map whatever parses, and the
//! families always encode as valid exposition text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfcounter::{Dump, Families, Flavor, Mapper, Schema};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (schema, dump) = text.split_once('\0').unwrap_or((text, "{}"));
    let (Ok(schema), Ok(dump)) = (Schema::parse(schema), Dump::parse(dump)) else {
        return;
    };
    for flavor in [Flavor::Mgr, Flavor::Exporter] {
        let mut out = Families::new();
        Mapper::new(flavor).map("osd.0", &schema, &dump, &mut out);
        let set = out.into_set();
        let mut buf = Vec::new();
        let mut enc = expfmt::Encoder::new(&mut buf, expfmt::Format::Text);
        enc.encode_families(set.families()).expect("mapped families encode");
        enc.finish();
    }
});
