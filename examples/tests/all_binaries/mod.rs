//! What every binary's command line does the same way: `--help` and `--version` exit 0 on
//! stdout, a usage error exits 2 with nothing on stdout.

use std::process::Command;

const BINARIES: [(&str, &str); 5] = [
    ("ceph-exporter", env!("CARGO_BIN_EXE_ceph-exporter")),
    ("perf2prom", env!("CARGO_BIN_EXE_perf2prom")),
    ("promcat", env!("CARGO_BIN_EXE_promcat")),
    ("rollup", env!("CARGO_BIN_EXE_rollup")),
    ("carbonara-dump", env!("CARGO_BIN_EXE_carbonara-dump")),
];

#[test]
fn help_version_and_usage_errors() {
    for (name, exe) in BINARIES {
        let help = Command::new(exe).arg("--help").output().unwrap();
        assert_eq!(help.status.code(), Some(0), "{name} --help");
        let text = String::from_utf8(help.stdout).unwrap();
        assert!(text.contains(&format!("Usage: {name} ")), "{name}: {text}");
        assert!(text.contains("-V, --version"), "{name}: {text}");
        assert!(help.stderr.is_empty(), "{name}");

        let version = Command::new(exe).arg("--version").output().unwrap();
        assert_eq!(version.status.code(), Some(0), "{name} --version");
        assert_eq!(
            String::from_utf8(version.stdout).unwrap(),
            format!("{name} {}\n", env!("CARGO_PKG_VERSION"))
        );

        let bad = Command::new(exe).arg("--no-such-flag").output().unwrap();
        assert_eq!(bad.status.code(), Some(2), "{name} --no-such-flag");
        assert!(bad.stdout.is_empty(), "{name}");
        let err = String::from_utf8(bad.stderr).unwrap();
        assert!(
            err.starts_with("error: unexpected argument '--no-such-flag'"),
            "{name}: {err}"
        );
    }
}
