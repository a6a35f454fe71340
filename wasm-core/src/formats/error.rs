//! Why a file could not be read ([`IngestError`]) and where ([`Location`]).
//!
//! One error enum for the ingest boundary, as noodles has one per boundary: each variant says
//! *what* went wrong and *where* (a [`Location`], a line, a byte offset, a shard) in a short
//! lowercase message, and keeps the *why* as a typed source — a [`RecordError`] for a record,
//! a [`HeaderError`] for a header line, a [`BcfHeaderError`], a [`CompressionError`], the
//! `std::io::Error` of a failed read, the [`FilterError`] (with its span) of a streaming filter.
//! Messages never repeat their source's text: [`IngestError::report`] joins an error and its
//! causes into the one line a person reads
//! (`invalid record at line 4, record 1, byte offset 137: ALT has an empty allele in "A,,T"`).
//! Tests and callers decide on [`IngestError::kind`], [`IngestError::is_truncated`] and
//! [`IngestError::location`], never on the wording.
//!
//! Readers deep inside the decompressors can only fail with `std::io::Error`; the BGZF layer,
//! a shard's bounded reader and the Crypt4GH plaintext view put their typed errors inside one,
//! and `decode_error` takes them out again here.

use std::error::Error;
use std::fmt;
use std::io;

use super::bcf::BcfError;
use super::bgzf::BgzfError;
use super::header::HeaderError;
use super::shards::ShardError;
use super::sniff::NotVariant;
use super::vcf_text::{MAX_LINE_BYTES, ParseError};
use crate::crypt4gh::Crypt4ghError;
use crate::filter::FilterError;
use crate::index::IndexError;

/// Where in the file an error is.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// 1-based line of VCF text.
    pub line: Option<u64>,
    /// 1-based record number.
    pub record: Option<u64>,
    /// Offset in the uncompressed stream (VCF text or BCF).
    pub offset: Option<u64>,
    /// In one shard of a file ([`super::shards::read_shard`]): the compressed byte offset where
    /// the shard starts. `record` then counts from the shard's first record, and `line` is
    /// unknown.
    #[serde(default)]
    pub shard_offset: Option<u64>,
}

impl Location {
    /// Whether nothing is known about the place.
    pub fn is_empty(&self) -> bool {
        *self == Location::default()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        match (self.record, self.shard_offset) {
            (Some(r), Some(s)) => parts.push(format!("record {r} of the shard at byte {s}")),
            (Some(r), None) => parts.push(format!("record {r}")),
            (None, Some(s)) => parts.push(format!("the shard at byte {s}")),
            (None, None) => {}
        }
        if let Some(o) = self.offset {
            parts.push(format!("byte offset {o}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// Why a file could not be read. Every variant says what and where; the why is its source
/// (see the module's notes, and [`IngestError::report`] for the whole message).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    NotVariantFile(#[from] NotVariant),
    #[error("this file is Crypt4GH-encrypted: open it with your Crypt4GH secret key")]
    Encrypted,
    #[error(transparent)]
    Decryption(Crypt4ghError),
    #[error(transparent)]
    Index(IndexError),
    /// Plain gzip that cannot be inflated, or a BGZF file cut at a block boundary: `raw_offset`
    /// bytes of the file were read when it showed.
    #[error("the compressed data is damaged or truncated after {raw_offset} bytes of the file")]
    Compression {
        raw_offset: u64,
        #[source]
        source: CompressionError,
    },
    /// A BGZF block that cannot be read: what is wrong and the byte offset where the block
    /// starts (in the plaintext, when the file is Crypt4GH-encrypted).
    #[error(transparent)]
    Bgzf(BgzfError),
    /// A shard of a file ([`super::shards`]) that does not fit the file it is read from.
    #[error(transparent)]
    Shard(ShardError),
    #[error("invalid VCF header at line {line}")]
    Header {
        line: u64,
        #[source]
        source: HeaderError,
    },
    #[error("invalid BCF header")]
    BcfHeader(#[source] BcfHeaderError),
    /// A record that cannot be read (its cause boxed: a [`Location`] and a [`ParseError`] side by
    /// side would make every `Result` of the engine large).
    #[error("invalid record{}", at(.location))]
    Record {
        location: Location,
        #[source]
        source: Box<RecordError>,
    },
    /// A record read through an index ([`super::indexed`]): records are found by contig and
    /// position there, near the compressed byte offset of the index chunk that led to them.
    #[error("invalid record {} near byte {block_offset} of the file", site(.contig, *.pos))]
    IndexedRecord {
        contig: String,
        /// POS, when it is a number.
        pos: Option<u64>,
        block_offset: u64,
        #[source]
        source: Box<RecordError>,
    },
    #[error("cannot read the file")]
    Io(#[source] io::Error),
    #[error("loading was cancelled")]
    Cancelled,
    #[error("the streaming filter cannot be applied")]
    Filter(#[source] FilterError),
}

fn at(location: &Location) -> String {
    if location.is_empty() {
        String::new()
    } else {
        format!(" at {location}")
    }
}

fn site(contig: &str, pos: Option<u64>) -> String {
    match pos {
        Some(pos) => format!("at {contig}:{pos}"),
        None => format!("of {contig}"),
    }
}

/// Why one record could not be read: the source of [`IngestError::Record`].
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The data ends inside the record. For VCF text, what parsing the part that is there
    /// found (a cut line usually has too few columns); for BCF, nothing more.
    #[error("the file ends in the middle of this record, so it is truncated")]
    Truncated(#[source] Option<ParseError>),
    /// VCF 4.3 §1.6: a line longer than [`MAX_LINE_BYTES`] is refused before it exhausts memory.
    #[error("line is longer than {} MiB", MAX_LINE_BYTES >> 20)]
    LineTooLong,
    #[error(transparent)]
    Vcf(#[from] ParseError),
    #[error(transparent)]
    Bcf(#[from] BcfError),
}

/// Why compressed data could not be inflated: the source of [`IngestError::Compression`].
#[derive(Debug, thiserror::Error)]
pub enum CompressionError {
    /// SAM spec §4.1.2: a BGZF file ends with an empty block, the end-of-file marker. A file
    /// without it whose last record is incomplete was cut at a block boundary.
    #[error(
        "the BGZF end-of-file marker is missing, so the file is truncated (an interrupted download or copy?)"
    )]
    MissingEofMarker,
    /// The inflater's error (gzip: a damaged deflate stream, or data that ends too soon).
    #[error(transparent)]
    Inflate(io::Error),
}

/// Why a BCF header could not be read (BCF 2.2 §6.2): the source of [`IngestError::BcfHeader`].
#[derive(Debug, thiserror::Error)]
pub enum BcfHeaderError {
    #[error("the file is truncated inside its BCF header")]
    Truncated,
    #[error("the header text is empty")]
    Empty,
    /// noodles could not parse the header text into BCF's string dictionaries.
    #[error(transparent)]
    Parse(io::Error),
    /// A header line the VCF header reader refuses (BCF carries VCF header text).
    #[error(transparent)]
    Text(#[from] HeaderError),
    /// An `IDX` past [`MAX_BCF_IDX`]: BCF's dictionaries are arrays indexed by it, so
    /// `IDX=2147483647` would make a 2-billion-entry dictionary for one header line.
    #[error(
        "header line {line}: IDX={idx} is past the largest dictionary index read here ({})",
        MAX_BCF_IDX
    )]
    IdxTooLarge { line: usize, idx: String },
}

/// The largest `IDX` a BCF header may give (2^20 − 1: a million dictionary entries, far past
/// any real header's few thousand lines; htslib numbers them from 0 without gaps unless merged).
pub const MAX_BCF_IDX: u64 = (1 << 20) - 1;

/// What kind of failure an [`IngestError`] is: one value per variant, and for a record the
/// record's [`RecordKind`]. For callers and tests that decide on the kind, not the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotVariantFile,
    Encrypted,
    Decryption,
    Index,
    Compression,
    Bgzf,
    Shard,
    Header,
    BcfHeader,
    /// [`IngestError::Record`] and [`IngestError::IndexedRecord`].
    Record(RecordKind),
    Io,
    Cancelled,
    Filter,
}

/// What is wrong with a record ([`RecordError`]; for VCF text, the [`ParseError`] variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// The data ends inside the record.
    Truncated,
    /// A VCF line or a BCF record past the length limit (256 MiB), refused before it is held.
    TooLong,
    /// Fewer than the 8 fixed columns (VCF 4.3 §1.6).
    TooFewColumns,
    /// Fewer or more sample columns than the header names samples.
    SampleCount,
    EmptyColumn,
    /// POS is not a number.
    Position,
    Reference,
    EmptyAllele,
    Quality,
    /// An INFO or FORMAT value that is not of its declared type.
    Value,
    AlleleOutOfRange,
    Genotype,
    TooManySampleValues,
    HeaderAfterRecords,
    /// The record does not fit the store (a field twice, a type mismatch, a full store).
    Store,
    /// BCF bytes that cannot be decoded (BCF 2.2 §6.3).
    Bcf,
}

impl RecordError {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Truncated(_) => RecordKind::Truncated,
            Self::LineTooLong | Self::Bcf(BcfError::TooLong { .. }) => RecordKind::TooLong,
            Self::Vcf(e) => match e {
                ParseError::TooFewColumns(_) => RecordKind::TooFewColumns,
                ParseError::SampleCount { .. } => RecordKind::SampleCount,
                ParseError::EmptyColumn(_) => RecordKind::EmptyColumn,
                ParseError::Position(_) => RecordKind::Position,
                ParseError::Reference(_) => RecordKind::Reference,
                ParseError::EmptyAllele(_) => RecordKind::EmptyAllele,
                ParseError::Quality(_) => RecordKind::Quality,
                ParseError::Value { .. } => RecordKind::Value,
                ParseError::AlleleOutOfRange { .. } => RecordKind::AlleleOutOfRange,
                ParseError::Genotype(_) => RecordKind::Genotype,
                ParseError::TooManySampleValues { .. } => RecordKind::TooManySampleValues,
                ParseError::HeaderAfterRecords => RecordKind::HeaderAfterRecords,
                ParseError::Store(_) => RecordKind::Store,
            },
            Self::Bcf(BcfError::Store(_)) => RecordKind::Store,
            Self::Bcf(_) => RecordKind::Bcf,
        }
    }
}

impl IngestError {
    /// Where the problem is, for the UI.
    pub fn location(&self) -> Option<Location> {
        match self {
            Self::Header { line, .. } => Some(Location {
                line: Some(*line),
                ..Location::default()
            }),
            Self::Record { location, .. } => Some(location.clone()),
            _ => None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotVariantFile(_) => ErrorKind::NotVariantFile,
            Self::Encrypted => ErrorKind::Encrypted,
            Self::Decryption(_) => ErrorKind::Decryption,
            Self::Index(_) => ErrorKind::Index,
            Self::Compression { .. } => ErrorKind::Compression,
            Self::Bgzf(_) => ErrorKind::Bgzf,
            Self::Shard(_) => ErrorKind::Shard,
            Self::Header { .. } => ErrorKind::Header,
            Self::BcfHeader(_) => ErrorKind::BcfHeader,
            Self::Record { source, .. } | Self::IndexedRecord { source, .. } => {
                ErrorKind::Record(source.kind())
            }
            Self::Io(_) => ErrorKind::Io,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::Filter(_) => ErrorKind::Filter,
        }
    }

    /// Whether the file was cut short (an interrupted download or copy), whichever layer found
    /// it: a cut BGZF block, a BGZF file without its end-of-file marker, gzip data that ends too
    /// soon, a cut BCF header, a record the data ends inside, a cut Crypt4GH segment.
    pub fn is_truncated(&self) -> bool {
        match self {
            Self::Compression { source, .. } => match source {
                CompressionError::MissingEofMarker => true,
                CompressionError::Inflate(e) => e.kind() == io::ErrorKind::UnexpectedEof,
            },
            Self::Bgzf(e) => matches!(e, BgzfError::Truncated { .. }),
            Self::BcfHeader(e) => matches!(e, BcfHeaderError::Truncated),
            Self::Record { source, .. } | Self::IndexedRecord { source, .. } => {
                matches!(**source, RecordError::Truncated(_))
            }
            Self::Decryption(e) => matches!(e, Crypt4ghError::SegmentTruncated { .. }),
            _ => false,
        }
    }

    /// The message a person reads: this error, then each of its causes, joined by `": "`.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

/// An error and its chain of sources as one line (`Display`): what [`IngestError::report`]
/// gives.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a>(&'a (dyn Error + 'static));

impl<'a> Report<'a> {
    /// The report of any error of the engine (the pedigree's and the inheritance modes' use
    /// it too).
    pub fn new(error: &'a (dyn Error + 'static)) -> Report<'a> {
        Report(error)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// An error from decompressing: a failed decryption, a damaged BGZF block (which names its own
/// offset), a shard that does not fit the file, other damaged or truncated compressed data
/// (`raw_offset` bytes into the file), or an I/O failure.
pub(crate) fn decode_error(e: io::Error, raw_offset: u64) -> IngestError {
    if is_decryption_error(&e) {
        IngestError::Decryption(Crypt4ghError::from_io(e))
    } else if let Some(e) = bgzf_error(&e) {
        IngestError::Bgzf(e.clone())
    } else if let Some(e) = shard_error(&e) {
        IngestError::Shard(e.clone())
    } else if matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput
    ) {
        IngestError::Compression {
            raw_offset,
            source: CompressionError::Inflate(e),
        }
    } else {
        IngestError::Io(e)
    }
}

/// A failed decryption, or an I/O failure.
pub(crate) fn decryption_or_io(e: io::Error) -> IngestError {
    if is_decryption_error(&e) {
        IngestError::Decryption(Crypt4ghError::from_io(e))
    } else {
        IngestError::Io(e)
    }
}

/// Whether an I/O error carries one of the engine's typed errors, which `decode_error` keeps
/// rather than blaming the record being read.
pub(crate) fn is_typed_decode_error(e: &io::Error) -> bool {
    bgzf_error(e).is_some() || shard_error(e).is_some()
}

/// The [`BgzfError`] an I/O error carries, if it comes from the BGZF layer.
fn bgzf_error(e: &io::Error) -> Option<&BgzfError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<BgzfError>())
}

/// The [`ShardError`] an I/O error carries, if a shard's reader found the plan does not fit
/// the file.
fn shard_error(e: &io::Error) -> Option<&ShardError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<ShardError>())
}

fn is_decryption_error(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<Crypt4ghError>().is_some())
}

/// An error with its causes as one string, for messages built from a foreign error (noodles'
/// errors leave their causes out of their own message).
pub(crate) fn error_chain(e: &(dyn Error + 'static)) -> String {
    Report(e).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_names_what_is_known() {
        let whole = Location {
            line: Some(4),
            record: Some(2),
            offset: Some(137),
            shard_offset: None,
        };
        assert_eq!(whole.to_string(), "line 4, record 2, byte offset 137");
        let shard = Location {
            record: Some(3),
            shard_offset: Some(65_536),
            ..Location::default()
        };
        assert_eq!(shard.to_string(), "record 3 of the shard at byte 65536");
        let shard_only = Location {
            shard_offset: Some(10),
            ..Location::default()
        };
        assert_eq!(shard_only.to_string(), "the shard at byte 10");
        assert_eq!(Location::default().to_string(), "");
        assert!(Location::default().is_empty());
        assert!(!shard_only.is_empty());
    }

    #[test]
    fn the_report_is_what_then_where_then_why() {
        let e = IngestError::Record {
            location: Location {
                line: Some(4),
                record: Some(1),
                offset: Some(137),
                shard_offset: None,
            },
            source: RecordError::Vcf(ParseError::EmptyAllele("A,,T".into())).into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid record at line 4, record 1, byte offset 137"
        );
        assert_eq!(
            e.report().to_string(),
            "invalid record at line 4, record 1, byte offset 137: ALT has an empty allele in \"A,,T\""
        );
        assert_eq!(e.kind(), ErrorKind::Record(RecordKind::EmptyAllele));
        assert_eq!(e.location().and_then(|l| l.line), Some(4));

        // A cut line: truncated first, then what parsing the part that is there found.
        let e = IngestError::Record {
            location: Location {
                record: Some(2),
                ..Location::default()
            },
            source: RecordError::Truncated(Some(ParseError::TooFewColumns(2))).into(),
        };
        assert!(e.is_truncated());
        assert_eq!(e.kind(), ErrorKind::Record(RecordKind::Truncated));
        assert_eq!(
            e.report().to_string(),
            "invalid record at record 2: the file ends in the middle of this record, so it is truncated: expected at least 8 tab-separated columns, found 2"
        );

        // Without a place, no dangling "at".
        let e = IngestError::Record {
            location: Location::default(),
            source: RecordError::LineTooLong.into(),
        };
        assert_eq!(e.to_string(), "invalid record");
        assert_eq!(
            e.report().to_string(),
            "invalid record: line is longer than 256 MiB"
        );
    }

    #[test]
    fn header_errors_name_the_line_and_chain_their_cause() {
        let e = IngestError::Header {
            line: 3,
            source: HeaderError::Structured {
                section: "INFO",
                source: super::super::header::MapError::Unterminated {
                    key: "Description".into(),
                },
            },
        };
        assert_eq!(
            e.report().to_string(),
            "invalid VCF header at line 3: ##INFO: unterminated quoted value for Description"
        );
        assert_eq!(e.location().and_then(|l| l.line), Some(3));
        assert_eq!(e.kind(), ErrorKind::Header);
        assert!(!e.is_truncated());
        let e = IngestError::BcfHeader(BcfHeaderError::Truncated);
        assert!(e.is_truncated());
        assert_eq!(
            e.report().to_string(),
            "invalid BCF header: the file is truncated inside its BCF header"
        );
    }

    #[test]
    fn indexed_records_are_placed_by_contig_and_position() {
        let e = IngestError::IndexedRecord {
            contig: "chr2".into(),
            pos: Some(1500),
            block_offset: 4096,
            source: RecordError::Vcf(ParseError::Quality("high".into())).into(),
        };
        assert_eq!(
            e.report().to_string(),
            "invalid record at chr2:1500 near byte 4096 of the file: QUAL \"high\" is not a number"
        );
        assert_eq!(e.kind(), ErrorKind::Record(RecordKind::Quality));
        let e = IngestError::IndexedRecord {
            contig: "chr2".into(),
            pos: None,
            block_offset: 0,
            source: RecordError::Vcf(ParseError::Position("x".into())).into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid record of chr2 near byte 0 of the file"
        );
    }

    #[test]
    fn decode_errors_keep_the_typed_error_inside_the_io_error() {
        let bgzf = BgzfError::Truncated {
            offset: 100,
            needed: 50,
            available: 10,
        };
        let e = decode_error(io::Error::new(io::ErrorKind::InvalidData, bgzf.clone()), 7);
        assert!(matches!(&e, IngestError::Bgzf(b) if *b == bgzf), "{e:?}");
        assert!(e.is_truncated());

        let shard = ShardError::EndPastData { offset: 9 };
        let e = decode_error(shard.clone().into(), 7);
        assert!(matches!(&e, IngestError::Shard(s) if *s == shard), "{e:?}");

        let e = decode_error(io::Error::from(io::ErrorKind::UnexpectedEof), 1234);
        assert!(
            matches!(
                e,
                IngestError::Compression {
                    raw_offset: 1234,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.is_truncated());
        let e = decode_error(
            io::Error::new(io::ErrorKind::InvalidInput, "corrupt deflate stream"),
            5,
        );
        assert_eq!(e.kind(), ErrorKind::Compression);
        assert!(!e.is_truncated());
        assert_eq!(
            e.report().to_string(),
            "the compressed data is damaged or truncated after 5 bytes of the file: corrupt deflate stream"
        );

        let e = decode_error(io::Error::from(io::ErrorKind::PermissionDenied), 0);
        assert_eq!(e.kind(), ErrorKind::Io);
        let e = decryption_or_io(Crypt4ghError::SegmentTruncated { segment: 2, len: 3 }.into_io());
        assert!(
            matches!(
                e,
                IngestError::Decryption(Crypt4ghError::SegmentTruncated { segment: 2, .. })
            ),
            "{e:?}"
        );
        assert!(e.is_truncated());
        assert!(!is_typed_decode_error(&io::Error::from(
            io::ErrorKind::UnexpectedEof
        )));
    }

    #[test]
    fn a_report_names_each_cause_once() {
        let e = IngestError::Decryption(Crypt4ghError::Io(io::Error::other("the disk is gone")));
        let report = e.report().to_string();
        assert_eq!(report.matches("the disk is gone").count(), 1, "{report}");
        let e = IngestError::Io(io::Error::other("the disk is gone"));
        assert_eq!(
            e.report().to_string(),
            "cannot read the file: the disk is gone"
        );
    }
}
