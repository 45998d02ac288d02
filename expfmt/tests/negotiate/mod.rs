//! Properties of `Accept` negotiation (issue 12): any header gives an answer without panicking,
//! and a header built from known media ranges gives what a straightforward model of the rules
//! gives.

use expfmt::{EscapingScheme, Format, negotiate, negotiate_escaping};
use proptest::prelude::*;

/// One media range as a scraper writes it.
#[derive(Debug, Clone)]
struct Range {
    media: &'static str,
    version: Option<&'static str>,
    escaping: Option<&'static str>,
    /// Thousandths; `None` writes no `q`.
    q: Option<u32>,
}

impl Range {
    fn render(&self) -> String {
        let mut s = self.media.to_owned();
        if let Some(v) = self.version {
            s.push_str(&format!(";version={v}"));
        }
        if let Some(e) = self.escaping {
            s.push_str(&format!("; escaping={e}"));
        }
        if let Some(q) = self.q {
            s.push_str(&format!(";q={}.{:03}", q / 1000, q % 1000));
        }
        s
    }

    /// What this range selects, if anything, by the documented rules.
    fn selects(&self) -> Option<Format> {
        match (self.media, self.version) {
            ("application/openmetrics-text", None | Some("1.0.0" | "0.0.1")) => {
                Some(Format::OpenMetrics)
            }
            ("text/plain", None | Some("0.0.4")) => Some(Format::Text),
            _ => None,
        }
    }
}

fn arb_range() -> impl Strategy<Value = Range> {
    (
        prop::sample::select(vec![
            "application/openmetrics-text",
            "text/plain",
            "application/vnd.google.protobuf",
            "*/*",
            "text/html",
        ]),
        prop::option::of(prop::sample::select(vec!["1.0.0", "0.0.1", "0.0.4", "2.0"])),
        prop::option::of(prop::sample::select(vec![
            "allow-utf-8",
            "underscores",
            "dots",
            "values",
            "bogus",
        ])),
        prop::option::of(0u32..=1000),
    )
        .prop_map(|(media, version, escaping, q)| Range {
            media,
            version,
            escaping,
            q,
        })
}

/// The model: the first range with the highest `q` above zero that selects a format.
fn model(ranges: &[Range]) -> (Format, EscapingScheme) {
    let mut best: Option<(u32, Format, EscapingScheme)> = None;
    for r in ranges {
        let q = r.q.unwrap_or(1000);
        let Some(f) = r.selects() else { continue };
        if q == 0 {
            continue;
        }
        let e = r
            .escaping
            .and_then(|e| e.parse().ok())
            .unwrap_or(EscapingScheme::Underscores);
        if best.is_none_or(|(bq, _, _)| q > bq) {
            best = Some((q, f, e));
        }
    }
    best.map_or((Format::Text, EscapingScheme::Underscores), |(_, f, e)| {
        (f, e)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_header_gets_an_answer(header in any::<String>()) {
        let (format, escaping) = negotiate_escaping(&header);
        prop_assert_eq!(negotiate(&header), format);
        // The answer always has a content type to send.
        prop_assert!(format.content_type_escaped(escaping).contains(escaping.as_str()));
    }

    #[test]
    fn known_ranges_follow_the_model(ranges in prop::collection::vec(arb_range(), 0..6)) {
        let header = ranges.iter().map(Range::render).collect::<Vec<_>>().join(", ");
        prop_assert_eq!(negotiate_escaping(&header), model(&ranges), "{}", header);
    }

    #[test]
    fn order_does_not_matter_when_q_values_differ(
        ranges in prop::collection::vec(arb_range(), 1..6),
        seed in any::<u64>(),
    ) {
        // Distinct q values: the answer cannot depend on the order.
        let ranges: Vec<Range> = ranges
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r.q = Some(1000 - 7 * i as u32);
                r
            })
            .collect();
        let mut shuffled = ranges.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed.rotate_left(i as u32 * 7) as usize) % n;
            shuffled.swap(i, j);
        }
        let a = ranges.iter().map(Range::render).collect::<Vec<_>>().join(",");
        let b = shuffled.iter().map(Range::render).collect::<Vec<_>>().join(",");
        prop_assert_eq!(negotiate_escaping(&a), negotiate_escaping(&b));
    }
}
