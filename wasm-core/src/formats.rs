//! File formats: sniffing, decompression and reading VCF / BCF into a [`Dataset`].
//!
//! Data flow: raw bytes (`Read`) → [`sniff::container`] (plain / gzip / BGZF / Crypt4GH) →
//! decompression ([`bgzf`] for BGZF) → [`sniff::payload`] (VCF text / BCF) → [`header`] →
//! records ([`vcf_text`], [`bcf`]) → [`VariantStore`](crate::store::VariantStore) →
//! [`Dataset`]. Progress is reported in raw (compressed) bytes through
//! [`Progress`](crate::progress::Progress).
//!
//! One module per concept:
//! - [`ingest`]: whole, prefix and streaming reads ([`read_dataset`], [`ReadOptions`]) and the
//!   header and record loops every reader shares;
//! - [`streaming`]: streaming filter mode's batches ([`StreamFilter`]);
//! - [`sink`]: streaming to a sink, a read that keeps nothing ([`Batches`], [`BatchSink`]);
//! - [`dataset`]: what a read gives ([`Dataset`], [`Summary`]) and [`estimate_memory`];
//! - [`error`]: [`IngestError`] with its typed sources, kinds and [`Location`];
//! - [`warnings`]: problems tolerated while reading ([`Warnings`]);
//! - [`open`]: counting and peeking readers, and files opened for random access;
//! - [`indexed`] (region queries through `.tbi` / `.csi`) and [`shards`] (one file read by
//!   several workers) read through the modules above.

pub mod bcf;
pub mod bgzf;
pub mod dataset;
pub mod error;
pub mod header;
pub mod indexed;
pub mod ingest;
mod merged;
pub mod open;
pub mod shards;
pub mod sink;
pub mod sniff;
pub mod streaming;
pub mod vcf_text;
pub mod warnings;

pub use self::dataset::{ContigSummary, Dataset, MemoryEstimate, Summary, estimate_memory};
pub use self::error::{
    BcfHeaderError, CompressionError, ErrorKind, IngestError, Location, RecordError, RecordKind,
    Report,
};
pub use self::header::{ContigInfo, HeaderError};
pub use self::ingest::{
    ReadOptions, read_dataset, read_dataset_with, read_encrypted_dataset,
    read_encrypted_dataset_with,
};
pub use self::open::{ReadSeek, is_encrypted};
pub use self::sink::{BatchSink, Batches};
pub use self::sniff::{Compression, NotVariant, Payload};
pub use self::streaming::{StreamFilter, check_stream_filter};
pub use self::warnings::Warnings;
