//! A lenient reader of Prometheus text, for comparing expositions family by family.
//!
//! It reads the mgr module's output (which repeats HELP/TYPE blocks in Pacific and never
//! escapes) as well as ours (escaped, one block per family). Repeated blocks of one name are
//! merged; the first HELP and TYPE win.

use std::collections::BTreeMap;

/// Label names and values of one series, in exposition order.
pub(super) type Labels = Vec<(String, String)>;

/// One family.
#[derive(Debug, Clone, Default)]
pub(super) struct Family {
    pub(super) metric_type: String,
    pub(super) help: String,
    /// Series in exposition order.
    pub(super) series: Vec<(Labels, f64)>,
    /// The number of `# TYPE` lines seen for this name.
    pub(super) blocks: usize,
}

impl Family {
    /// The value of the series with these labels (any order).
    pub(super) fn get(&self, labels: &[(&str, &str)]) -> Option<f64> {
        self.series
            .iter()
            .find(|(l, _)| same_labels(l, labels))
            .map(|(_, v)| *v)
    }
}

fn same_labels(a: &Labels, b: &[(&str, &str)]) -> bool {
    a.len() == b.len()
        && b.iter()
            .all(|(k, v)| a.iter().any(|(x, y)| x == k && y == v))
}

/// An exposition: families by name, and their first-seen order.
#[derive(Debug, Clone, Default)]
pub(super) struct Exposition {
    pub(super) families: BTreeMap<String, Family>,
    pub(super) order: Vec<String>,
}

impl Exposition {
    pub(super) fn parse(text: &str) -> Exposition {
        let mut e = Exposition::default();
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line == "# EOF" {
                continue;
            }
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
                let f = e.family(name);
                if f.help.is_empty() {
                    f.help = unescape(help);
                }
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, t) = rest.split_once(' ').expect("TYPE line");
                let f = e.family(name);
                if f.metric_type.is_empty() {
                    f.metric_type = t.to_owned();
                }
                f.blocks += 1;
            } else if line.starts_with('#') {
                continue;
            } else {
                let (name, labels, value) = sample(line);
                e.family(&name).series.push((labels, value));
            }
        }
        e
    }

    fn family(&mut self, name: &str) -> &mut Family {
        if !self.families.contains_key(name) {
            self.order.push(name.to_owned());
        }
        self.families.entry(name.to_owned()).or_default()
    }

    /// The number of samples.
    pub(super) fn samples(&self) -> usize {
        self.families.values().map(|f| f.series.len()).sum()
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `name{k="v",...} value`, label values with `\\`, `\"` and `\n` escapes.
fn sample(line: &str) -> (String, Labels, f64) {
    let name_end = line.find(['{', ' ']).expect("sample name");
    let name = line[..name_end].to_owned();
    let mut labels = Vec::new();
    let mut rest = &line[name_end..];
    if let Some(r) = rest.strip_prefix('{') {
        let mut chars = r.char_indices().peekable();
        let mut end = 0;
        loop {
            // label name
            let mut k = String::new();
            for (i, c) in chars.by_ref() {
                if c == '=' {
                    break;
                }
                if c == '}' {
                    end = i + 1;
                    break;
                }
                if c != ',' {
                    k.push(c);
                }
            }
            if end > 0 {
                break;
            }
            assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "in {line}");
            let mut v = String::new();
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => match chars.next().map(|(_, c)| c) {
                        Some('n') => v.push('\n'),
                        Some(o) => v.push(o),
                        None => break,
                    },
                    '"' => break,
                    o => v.push(o),
                }
            }
            labels.push((k, v));
            match chars.peek() {
                Some((_, ',')) => {
                    chars.next();
                }
                Some((i, '}')) => {
                    end = i + 1;
                    break;
                }
                _ => panic!("bad labels in {line}"),
            }
        }
        rest = &r[end..];
    }
    let value = rest.split_whitespace().next().expect("value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v
            .parse()
            .unwrap_or_else(|_| panic!("value {v:?} in {line}")),
    };
    (name, labels, value)
}

#[test]
fn reads_repeated_blocks_and_escapes() {
    let text = "\n# HELP a x\n# TYPE a counter\n# HELP a y\n# TYPE a counter\na{p=\"1\"} 2.0\n\
                # HELP b q\\\\n\n# TYPE b gauge\nb{l=\"say \\\"hi\\\"\\n\",m=\"\"} 1e+06\nb 3\n";
    let e = Exposition::parse(text);
    assert_eq!(e.order, ["a", "b"]);
    let a = &e.families["a"];
    assert_eq!((a.help.as_str(), a.blocks, a.series.len()), ("x", 2, 1));
    let b = &e.families["b"];
    assert_eq!(b.help, "q\\n");
    assert_eq!(b.get(&[("m", ""), ("l", "say \"hi\"\n")]), Some(1e6));
    assert_eq!(b.get(&[]), Some(3.0));
    assert_eq!(e.samples(), 3);
}
