//! Any command's output, parsed with the model its [`Command`] names.

use serde::{Serialize, Serializer};

use crate::{
    Command, CounterDump, CounterSchema, Df, Error, FsDump, Health, MdsMetadata, MgrDump,
    MgrMetadata, Model, MonDump, MonMetadata, MonStatus, OsdCrushDump, OsdDf, OsdDump, OsdMetadata,
    OsdPerf, OsdPoolStats, OsdTree, PerfDump, PerfSchema, PgDump, PgStat, QuorumStatus, RbdImages,
    ServiceDump, Status, Versions,
};

/// The output of any [`Command`], parsed with its model: the one place that maps a command
/// to its model type, for code that handles whichever command it is given (a fixture walker,
/// a fuzzer, a generic dump reader).
///
/// Several commands share a model: `health` and `health detail` ([`Health`]), `df` and `df
/// detail` ([`Df`]), `pg dump` and its two smaller forms ([`PgDump`]). Writing a document
/// ([`Serialize`]) writes the model inside it.
///
/// ```
/// use ceph_types::{Command, Document};
///
/// for &command in Command::ALL {
///     // Every command has a model.
///     assert!(command.model_name().starts_with(char::is_uppercase));
/// }
/// let doc = Document::parse(Command::HealthDetail, r#"{"status": "HEALTH_OK", "checks": {}}"#)?;
/// let Document::Health(health) = &doc else { unreachable!() };
/// assert!(health.checks.is_empty());
/// assert_eq!(serde_json::to_string(&doc)?, r#"{"status":"HEALTH_OK","checks":{}}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "one document per parsed text, never held in bulk; boxing would cost every match a deref"
)]
pub enum Document<'a> {
    /// [`Command::PerfDump`].
    PerfDump(PerfDump<'a>),
    /// [`Command::PerfSchema`].
    PerfSchema(PerfSchema<'a>),
    /// [`Command::CounterDump`].
    CounterDump(CounterDump<'a>),
    /// [`Command::CounterSchema`].
    CounterSchema(CounterSchema<'a>),
    /// [`Command::Health`], [`Command::HealthDetail`].
    Health(Health<'a>),
    /// [`Command::Status`].
    Status(Status<'a>),
    /// [`Command::Df`], [`Command::DfDetail`].
    Df(Df<'a>),
    /// [`Command::OsdDump`].
    OsdDump(OsdDump<'a>),
    /// [`Command::OsdTree`].
    OsdTree(OsdTree<'a>),
    /// [`Command::OsdDf`].
    OsdDf(OsdDf<'a>),
    /// [`Command::OsdPerf`].
    OsdPerf(OsdPerf),
    /// [`Command::OsdMetadata`].
    OsdMetadata(OsdMetadata<'a>),
    /// [`Command::OsdCrushDump`].
    OsdCrushDump(OsdCrushDump<'a>),
    /// [`Command::OsdPoolStats`].
    OsdPoolStats(OsdPoolStats<'a>),
    /// [`Command::PgDump`], [`Command::PgDumpBrief`], [`Command::PgDumpSum`].
    PgDump(PgDump<'a>),
    /// [`Command::PgStat`].
    PgStat(PgStat<'a>),
    /// [`Command::MonDump`].
    MonDump(MonDump<'a>),
    /// [`Command::QuorumStatus`].
    QuorumStatus(QuorumStatus<'a>),
    /// [`Command::MonStatus`].
    MonStatus(MonStatus<'a>),
    /// [`Command::MgrDump`].
    MgrDump(MgrDump<'a>),
    /// [`Command::FsDump`].
    FsDump(FsDump<'a>),
    /// [`Command::ServiceDump`].
    ServiceDump(ServiceDump<'a>),
    /// [`Command::Versions`].
    Versions(Versions<'a>),
    /// [`Command::MonMetadata`].
    MonMetadata(MonMetadata<'a>),
    /// [`Command::MgrMetadata`].
    MgrMetadata(MgrMetadata<'a>),
    /// [`Command::MdsMetadata`].
    MdsMetadata(MdsMetadata<'a>),
    /// [`Command::RbdLs`].
    RbdImages(RbdImages<'a>),
}

/// Evaluates `$body` with `$m` bound to the model inside a [`Document`].
macro_rules! each {
    ($doc:expr, $m:ident => $body:expr) => {
        match $doc {
            Document::PerfDump($m) => $body,
            Document::PerfSchema($m) => $body,
            Document::CounterDump($m) => $body,
            Document::CounterSchema($m) => $body,
            Document::Health($m) => $body,
            Document::Status($m) => $body,
            Document::Df($m) => $body,
            Document::OsdDump($m) => $body,
            Document::OsdTree($m) => $body,
            Document::OsdDf($m) => $body,
            Document::OsdPerf($m) => $body,
            Document::OsdMetadata($m) => $body,
            Document::OsdCrushDump($m) => $body,
            Document::OsdPoolStats($m) => $body,
            Document::PgDump($m) => $body,
            Document::PgStat($m) => $body,
            Document::MonDump($m) => $body,
            Document::QuorumStatus($m) => $body,
            Document::MonStatus($m) => $body,
            Document::MgrDump($m) => $body,
            Document::FsDump($m) => $body,
            Document::ServiceDump($m) => $body,
            Document::Versions($m) => $body,
            Document::MonMetadata($m) => $body,
            Document::MgrMetadata($m) => $body,
            Document::MdsMetadata($m) => $body,
            Document::RbdImages($m) => $body,
        }
    };
}

impl<'a> Document<'a> {
    /// Parses `text`, the output of `command`, with the model [`Command::model_name`] names
    /// (the same as that model's `parse_as(command, text)`).
    ///
    /// # Errors
    ///
    /// The model's: the text is not JSON, ends early, or does not fit the model.
    pub fn parse(command: Command, text: &'a str) -> Result<Document<'a>, Error> {
        Ok(match command {
            Command::PerfDump => Document::PerfDump(Model::parse_as(command, text)?),
            Command::PerfSchema => Document::PerfSchema(Model::parse_as(command, text)?),
            Command::CounterDump => Document::CounterDump(Model::parse_as(command, text)?),
            Command::CounterSchema => Document::CounterSchema(Model::parse_as(command, text)?),
            Command::Health | Command::HealthDetail => {
                Document::Health(Model::parse_as(command, text)?)
            }
            Command::Status => Document::Status(Model::parse_as(command, text)?),
            Command::Df | Command::DfDetail => Document::Df(Model::parse_as(command, text)?),
            Command::OsdDump => Document::OsdDump(Model::parse_as(command, text)?),
            Command::OsdTree => Document::OsdTree(Model::parse_as(command, text)?),
            Command::OsdDf => Document::OsdDf(Model::parse_as(command, text)?),
            Command::OsdPerf => Document::OsdPerf(Model::parse_as(command, text)?),
            Command::OsdMetadata => Document::OsdMetadata(Model::parse_as(command, text)?),
            Command::OsdCrushDump => Document::OsdCrushDump(Model::parse_as(command, text)?),
            Command::OsdPoolStats => Document::OsdPoolStats(Model::parse_as(command, text)?),
            Command::PgDump | Command::PgDumpBrief | Command::PgDumpSum => {
                Document::PgDump(Model::parse_as(command, text)?)
            }
            Command::PgStat => Document::PgStat(Model::parse_as(command, text)?),
            Command::MonDump => Document::MonDump(Model::parse_as(command, text)?),
            Command::QuorumStatus => Document::QuorumStatus(Model::parse_as(command, text)?),
            Command::MonStatus => Document::MonStatus(Model::parse_as(command, text)?),
            Command::MgrDump => Document::MgrDump(Model::parse_as(command, text)?),
            Command::FsDump => Document::FsDump(Model::parse_as(command, text)?),
            Command::ServiceDump => Document::ServiceDump(Model::parse_as(command, text)?),
            Command::Versions => Document::Versions(Model::parse_as(command, text)?),
            Command::MonMetadata => Document::MonMetadata(Model::parse_as(command, text)?),
            Command::MgrMetadata => Document::MgrMetadata(Model::parse_as(command, text)?),
            Command::MdsMetadata => Document::MdsMetadata(Model::parse_as(command, text)?),
            Command::RbdLs => Document::RbdImages(Model::parse_as(command, text)?),
        })
    }

    /// The document with every borrowed string copied, to keep beyond the text.
    pub fn into_owned(self) -> Document<'static> {
        use crate::IntoOwned;
        match self {
            Document::PerfDump(m) => Document::PerfDump(m.into_owned()),
            Document::PerfSchema(m) => Document::PerfSchema(m.into_owned()),
            Document::CounterDump(m) => Document::CounterDump(m.into_owned()),
            Document::CounterSchema(m) => Document::CounterSchema(m.into_owned()),
            Document::Health(m) => Document::Health(m.into_owned()),
            Document::Status(m) => Document::Status(m.into_owned()),
            Document::Df(m) => Document::Df(m.into_owned()),
            Document::OsdDump(m) => Document::OsdDump(m.into_owned()),
            Document::OsdTree(m) => Document::OsdTree(m.into_owned()),
            Document::OsdDf(m) => Document::OsdDf(m.into_owned()),
            Document::OsdPerf(m) => Document::OsdPerf(m.into_owned()),
            Document::OsdMetadata(m) => Document::OsdMetadata(m.into_owned()),
            Document::OsdCrushDump(m) => Document::OsdCrushDump(m.into_owned()),
            Document::OsdPoolStats(m) => Document::OsdPoolStats(m.into_owned()),
            Document::PgDump(m) => Document::PgDump(m.into_owned()),
            Document::PgStat(m) => Document::PgStat(m.into_owned()),
            Document::MonDump(m) => Document::MonDump(m.into_owned()),
            Document::QuorumStatus(m) => Document::QuorumStatus(m.into_owned()),
            Document::MonStatus(m) => Document::MonStatus(m.into_owned()),
            Document::MgrDump(m) => Document::MgrDump(m.into_owned()),
            Document::FsDump(m) => Document::FsDump(m.into_owned()),
            Document::ServiceDump(m) => Document::ServiceDump(m.into_owned()),
            Document::Versions(m) => Document::Versions(m.into_owned()),
            Document::MonMetadata(m) => Document::MonMetadata(m.into_owned()),
            Document::MgrMetadata(m) => Document::MgrMetadata(m.into_owned()),
            Document::MdsMetadata(m) => Document::MdsMetadata(m.into_owned()),
            Document::RbdImages(m) => Document::RbdImages(m.into_owned()),
        }
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        each!(self, m => m.serialize(s))
    }
}

impl Command {
    /// The name of the model type that reads this command's output (`"OsdDump"`), the
    /// variant of [`Document`] that [`Document::parse`] returns for it.
    pub const fn model_name(self) -> &'static str {
        match self {
            Command::PerfDump => "PerfDump",
            Command::PerfSchema => "PerfSchema",
            Command::CounterDump => "CounterDump",
            Command::CounterSchema => "CounterSchema",
            Command::Health | Command::HealthDetail => "Health",
            Command::Status => "Status",
            Command::Df | Command::DfDetail => "Df",
            Command::OsdDump => "OsdDump",
            Command::OsdTree => "OsdTree",
            Command::OsdDf => "OsdDf",
            Command::OsdPerf => "OsdPerf",
            Command::OsdMetadata => "OsdMetadata",
            Command::OsdCrushDump => "OsdCrushDump",
            Command::OsdPoolStats => "OsdPoolStats",
            Command::PgDump | Command::PgDumpBrief | Command::PgDumpSum => "PgDump",
            Command::PgStat => "PgStat",
            Command::MonDump => "MonDump",
            Command::QuorumStatus => "QuorumStatus",
            Command::MonStatus => "MonStatus",
            Command::MgrDump => "MgrDump",
            Command::FsDump => "FsDump",
            Command::ServiceDump => "ServiceDump",
            Command::Versions => "Versions",
            Command::MonMetadata => "MonMetadata",
            Command::MgrMetadata => "MgrMetadata",
            Command::MdsMetadata => "MdsMetadata",
            Command::RbdLs => "RbdImages",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variant's name, as [`Command::model_name`] spells it.
    fn variant(doc: &Document<'_>) -> String {
        let debug = format!("{doc:?}");
        debug.split('(').next().unwrap_or_default().to_owned()
    }

    #[test]
    fn every_command_parses_into_the_variant_its_model_name_names() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/ceph");
        let mut seen = std::collections::BTreeSet::new();
        for dir in std::fs::read_dir(root).unwrap() {
            let dir = dir.unwrap().path();
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries {
                let path = e.unwrap().path();
                let Some(stem) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".json"))
                else {
                    continue;
                };
                let Some(command) = Command::from_file_stem(stem.split('.').next().unwrap()) else {
                    continue;
                };
                let text = std::fs::read_to_string(&path).unwrap();
                let doc = Document::parse(command, &text).unwrap();
                assert_eq!(variant(&doc), command.model_name(), "{}", path.display());
                // Writing the document writes the model.
                let written = serde_json::to_string(&doc).unwrap();
                let again = Document::parse(command, &written).unwrap().into_owned();
                assert_eq!(serde_json::to_string(&again).unwrap(), written);
                seen.insert(command);
            }
        }
        assert!(seen.len() >= 26, "{seen:?}");
    }
}
