//! Why a pedigree cannot be used ([`PedigreeError`]), what kind of failure it is
//! ([`PedigreeErrorKind`]) and where ([`PedigreeError::line`]).
//!
//! One error enum for the pedigree boundary (STYLE.md, "Errors"): the PED reader's errors name
//! the PED line (CLINICAL.md §1: an individual twice, an individual who is their own ancestor,
//! a father of sex 2, a mother of sex 1, fewer than six columns), matching against a file's
//! samples fails when the PED names none of them, and the roles the app gives samples fail when
//! they contradict each other. Messages are short and lowercase-led after their place; callers
//! and tests decide on [`PedigreeError::kind`] and [`PedigreeError::line`], never on the
//! wording, and show [`PedigreeError::report`].

use crate::formats::Report;

/// Why a pedigree cannot be used. Each PED problem names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PedigreeError {
    #[error(
        "PED line {line}: {found} columns; a PED line has 6 columns or more (family, \
         individual, father, mother, sex, phenotype)"
    )]
    TooFewColumns { line: u64, found: usize },
    #[error("PED line {line}: individual {id} is listed twice (first on line {first})")]
    Duplicate { line: u64, id: String, first: u64 },
    #[error("PED line {line}: {id} is their own ancestor ({path})")]
    OwnAncestor { line: u64, id: String, path: String },
    #[error("PED line {line}: the father of {child}, {father}, has sex 2 (female)")]
    FatherNotMale {
        line: u64,
        child: String,
        father: String,
    },
    #[error("PED line {line}: the mother of {child}, {mother}, has sex 1 (male)")]
    MotherNotFemale {
        line: u64,
        child: String,
        mother: String,
    },
    #[error("PED line {line}: {child} has {parent} as both father and mother")]
    SameParents {
        line: u64,
        child: String,
        parent: String,
    },
    /// A carriage return that does not end a CRLF line: classic Mac OS line ends (CR alone)
    /// would otherwise read the whole file as one long line, and its first individual alone.
    #[error(
        "PED line {line}: a carriage return inside the line (old Mac line ends?): save the \
         file with Unix (LF) or Windows (CRLF) line ends"
    )]
    CarriageReturn { line: u64 },
    #[error("the PED file names no individual")]
    Empty,
    #[error("the PED file is not text (line {line})")]
    NotText { line: u64 },
    #[error(
        "the pedigree names none of the file's samples (it names {individuals}; the file has \
         {samples}): pick the PED made for this file, or give the samples roles"
    )]
    NoSampleInFile {
        individuals: String,
        samples: String,
    },
    #[error("{role} is given to {first} and {second}; a family has one")]
    RoleTwice {
        role: String,
        first: String,
        second: String,
    },
    #[error("sample {sample} has role {role} but sex {sex}")]
    RoleSex {
        sample: String,
        role: String,
        sex: String,
    },
    #[error("sample {sample} is given two roles")]
    SampleTwice { sample: String },
}

/// What kind of failure a [`PedigreeError`] is: one value per variant, for callers and tests
/// that decide on the kind, not the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PedigreeErrorKind {
    /// Fewer than the six PED columns.
    TooFewColumns,
    /// An individual listed twice.
    Duplicate,
    /// A cycle: an individual who is their own ancestor (their own parent included).
    OwnAncestor,
    FatherNotMale,
    MotherNotFemale,
    SameParents,
    /// Line ends other than LF or CRLF.
    CarriageReturn,
    Empty,
    NotText,
    /// The PED names none of the file's samples.
    NoSampleInFile,
    RoleTwice,
    RoleSex,
    SampleTwice,
}

impl PedigreeError {
    pub fn kind(&self) -> PedigreeErrorKind {
        match self {
            Self::TooFewColumns { .. } => PedigreeErrorKind::TooFewColumns,
            Self::Duplicate { .. } => PedigreeErrorKind::Duplicate,
            Self::OwnAncestor { .. } => PedigreeErrorKind::OwnAncestor,
            Self::FatherNotMale { .. } => PedigreeErrorKind::FatherNotMale,
            Self::MotherNotFemale { .. } => PedigreeErrorKind::MotherNotFemale,
            Self::SameParents { .. } => PedigreeErrorKind::SameParents,
            Self::CarriageReturn { .. } => PedigreeErrorKind::CarriageReturn,
            Self::Empty => PedigreeErrorKind::Empty,
            Self::NotText { .. } => PedigreeErrorKind::NotText,
            Self::NoSampleInFile { .. } => PedigreeErrorKind::NoSampleInFile,
            Self::RoleTwice { .. } => PedigreeErrorKind::RoleTwice,
            Self::RoleSex { .. } => PedigreeErrorKind::RoleSex,
            Self::SampleTwice { .. } => PedigreeErrorKind::SampleTwice,
        }
    }

    /// The 1-based PED line the error names, for errors of the PED reader.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::TooFewColumns { line, .. }
            | Self::Duplicate { line, .. }
            | Self::OwnAncestor { line, .. }
            | Self::FatherNotMale { line, .. }
            | Self::MotherNotFemale { line, .. }
            | Self::SameParents { line, .. }
            | Self::CarriageReturn { line }
            | Self::NotText { line } => Some(*line),
            Self::Empty
            | Self::NoSampleInFile { .. }
            | Self::RoleTwice { .. }
            | Self::RoleSex { .. }
            | Self::SampleTwice { .. } => None,
        }
    }

    /// The message a person reads (with its causes, as [`crate::formats::IngestError::report`]
    /// gives them; a pedigree error has none today).
    pub fn report(&self) -> Report<'_> {
        Report::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_lines() {
        let e = PedigreeError::OwnAncestor {
            line: 3,
            id: "a".into(),
            path: "a → a".into(),
        };
        assert_eq!(
            (e.kind(), e.line()),
            (PedigreeErrorKind::OwnAncestor, Some(3))
        );
        assert_eq!(e.report().to_string(), e.to_string());
        let e = PedigreeError::SampleTwice { sample: "x".into() };
        assert_eq!((e.kind(), e.line()), (PedigreeErrorKind::SampleTwice, None));
    }
}
