//! `RepeatEncoder` writes what the one-shot encoder writes, reusing its prepared exposition
//! only while the series stay the same.

use expfmt::{FloatStyle, Format};
use exporter::{ClusterCollector, CollectOptions, DumpDir, Encoding, RepeatEncoder};

/// Every live capture, healthy and degraded, of every release.
const CAPTURES: [&str; 6] = [
    "16.2.15-healthy",
    "16.2.15-degraded",
    "18.2.7-healthy",
    "18.2.7-degraded",
    "20.2.4-healthy",
    "20.2.4-degraded",
];

fn encodings() -> [Encoding; 3] {
    [
        Encoding::new(Format::Text, FloatStyle::Python),
        Encoding::new(Format::Text, FloatStyle::Go),
        Encoding::new(Format::OpenMetrics, FloatStyle::OpenMetrics),
    ]
}

#[test]
fn repeated_collections_are_written_as_the_one_shot_encoder_writes_them() {
    for encoding in encodings() {
        let mut repeat = RepeatEncoder::new(encoding);
        let mut collector = ClusterCollector::new(CollectOptions::new());
        let (mut ours, mut oneshot) = (Vec::new(), Vec::new());
        // Each capture twice: built, then reused with the values of a new collection (the
        // collect durations differ); the next capture has other series and rebuilds.
        for capture in CAPTURES {
            let dir = DumpDir::open(super::testdata().join("ceph").join(capture)).unwrap();
            for round in 0..2 {
                let collection = collector.collect(&dir);
                repeat.encode(&collection, &mut ours).unwrap();
                oneshot.clear();
                collection.encode_with(&mut oneshot, encoding).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&oneshot),
                    "{capture} round {round} {encoding:?}"
                );
                assert_eq!(repeat.reused(), round == 1, "{capture} round {round}");
            }
        }
    }
}

/// The first `ceph_osd_up` metric of `c`.
fn first_osd_up(c: &mut exporter::Collection) -> &mut expfmt::Metric<'static> {
    let families = c.families_mut();
    let i = families
        .iter()
        .position(|f| f.name == "ceph_osd_up")
        .unwrap();
    &mut families[i].metrics[0]
}

#[test]
fn a_changed_value_is_written_and_a_changed_label_set_rebuilds() {
    let encoding = Encoding::new(Format::Text, FloatStyle::Python);
    let dir = DumpDir::open(super::testdata().join("ceph/18.2.7-healthy")).unwrap();
    let mut collector = ClusterCollector::new(CollectOptions::new());
    let mut repeat = RepeatEncoder::new(encoding);
    let mut out = Vec::new();
    let first = collector.collect(&dir);
    repeat.encode(&first, &mut out).unwrap();

    // The same series, one value changed.
    let mut changed = collector.collect(&dir);
    first_osd_up(&mut changed).value = expfmt::MetricValue::Scalar(expfmt::Value::F64(0.0));
    repeat.encode(&changed, &mut out).unwrap();
    assert!(repeat.reused());
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(
        text.contains("\nceph_osd_up{ceph_daemon=\"osd.0\"} 0.0\n"),
        "{text}"
    );

    // One label value changed: not the same series any more.
    first_osd_up(&mut changed).labels[0].value = "osd.9".into();
    repeat.encode(&changed, &mut out).unwrap();
    assert!(!repeat.reused());
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\nceph_osd_up{ceph_daemon=\"osd.9\"} 0.0\n"),
        "{text}"
    );
}
