//! The parse entry points shared by every model.

use serde::{Deserialize, Serialize};

use crate::{Command, Error, IntoOwned, StrictDeserializer};

/// A typed model of one Ceph command's JSON output.
///
/// Every model has an inherent `parse` (the same as [`Model::parse`]); the trait lets generic
/// code (a walker over captured dumps, an exporter) parse any of them.
///
/// Parsing is strict JSON first. If that fails on a syntax error and the text holds Ceph's bare
/// non-finite tokens (`nan`, `-nan`, `inf`), the text is rewritten by
/// [`quote_non_finite`](crate::quote_non_finite) and parsed again; the result then owns its
/// strings. Positions in errors always refer to the caller's text.
///
/// A struct is read from a JSON object only, never positionally from an array (see
/// [`StrictDeserializer`]): `"stats": [1, 2, 3]` is an [`Error::Data`] at that path.
pub trait Model<'a>: Sized + Serialize + IntoOwned + std::fmt::Debug {
    /// The command whose output this model describes; errors name it.
    const COMMAND: Command;

    /// Parses `input`, the JSON output of `command` (for models shared by several commands,
    /// such as `health` and `health detail`, so that errors name the right one).
    ///
    /// # Errors
    ///
    /// [`Error::Syntax`] or [`Error::Eof`] when `input` is not JSON, [`Error::Data`] when a
    /// value does not fit the model.
    fn parse_as(command: Command, input: &'a str) -> Result<Self, Error>;

    /// Parses `input`, the JSON output of [`Model::COMMAND`].
    ///
    /// # Errors
    ///
    /// As [`Model::parse_as`].
    fn parse(input: &'a str) -> Result<Self, Error> {
        Self::parse_as(Self::COMMAND, input)
    }
}

/// Parses `input` as `T`, strict JSON, through [`StrictDeserializer`] (a struct is never read
/// from an array). On failure, the error carries the JSON path of the fault, found by parsing a
/// second time with path tracking (only on the error path, so the common case pays nothing for
/// it).
pub(crate) fn strict<'a, T: Deserialize<'a>>(command: Command, input: &'a str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(input);
    let first =
        match T::deserialize(StrictDeserializer::new(&mut de)).and_then(|v| de.end().map(|()| v)) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
    if first.classify() != serde_json::error::Category::Data {
        return Err(Error::from_json(command, ".", first));
    }
    let mut de = serde_json::Deserializer::from_str(input);
    match serde_path_to_error::deserialize::<_, T>(StrictDeserializer::new(&mut de)) {
        Err(e) => {
            let path = e.path().to_string();
            Err(Error::from_json(command, &path, e.into_inner()))
        }
        // Not expected: the same input failed once. Report the first error at the root.
        Ok(_) => Err(Error::from_json(command, ".", first)),
    }
}

/// Implements [`Model`] and an inherent `parse` for a model type.
macro_rules! model {
    ($name:ident<'a>, $variant:ident) => {
        impl<'a> $name<'a> {
            #[doc = concat!("Parses the JSON output of [`Command::", stringify!($variant), "`](crate::Command::", stringify!($variant), "); see [`Model::parse`](crate::Model::parse).")]
            ///
            /// # Errors
            ///
            /// When `input` is not JSON or does not fit the model; see [`Error`](crate::Error).
            pub fn parse(input: &'a str) -> Result<Self, $crate::Error> {
                <Self as $crate::Model<'a>>::parse(input)
            }
        }

        impl<'a> $crate::Model<'a> for $name<'a> {
            const COMMAND: $crate::Command = $crate::Command::$variant;

            fn parse_as(command: $crate::Command, input: &'a str) -> Result<Self, $crate::Error> {
                match $crate::parse::strict::<Self>(command, input) {
                    Err(e @ $crate::Error::Syntax { .. }) => match $crate::nonfinite::quote(input) {
                        None => Err(e),
                        Some(q) => $crate::parse::strict::<$name<'_>>(command, &q.text)
                            .map($crate::IntoOwned::into_owned)
                            .map_err(|e| e.map_position(|l, c| q.original_position(l, c))),
                    },
                    r => r,
                }
            }
        }
    };
    ($name:ident, $variant:ident) => {
        impl $name {
            #[doc = concat!("Parses the JSON output of [`Command::", stringify!($variant), "`](crate::Command::", stringify!($variant), "); see [`Model::parse`](crate::Model::parse).")]
            ///
            /// # Errors
            ///
            /// When `input` is not JSON or does not fit the model; see [`Error`](crate::Error).
            pub fn parse(input: &str) -> Result<Self, $crate::Error> {
                <Self as $crate::Model<'_>>::parse(input)
            }
        }

        impl $crate::Model<'_> for $name {
            const COMMAND: $crate::Command = $crate::Command::$variant;

            fn parse_as(command: $crate::Command, input: &str) -> Result<Self, $crate::Error> {
                match $crate::parse::strict::<Self>(command, input) {
                    Err(e @ $crate::Error::Syntax { .. }) => match $crate::nonfinite::quote(input) {
                        None => Err(e),
                        Some(q) => $crate::parse::strict::<Self>(command, &q.text)
                            .map_err(|e| e.map_position(|l, c| q.original_position(l, c))),
                    },
                    r => r,
                }
            }
        }
    };
}

pub(crate) use model;
