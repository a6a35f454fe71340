//! File formats: sniffing, decompression and reading VCF / BCF into a [`Dataset`].
//!
//! Data flow: raw bytes (`Read`) → [`sniff::container`] (plain / gzip / BGZF / Crypt4GH) →
//! decompression → [`sniff::payload`] (VCF text / BCF) → header → records → [`VariantStore`].
//! Progress is reported in raw (compressed) bytes through [`Progress`].

pub mod bcf;
pub mod bgzf;
pub mod header;
pub mod indexed;
mod merged;
pub mod shards;
pub mod sniff;
pub mod vcf_text;

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek};
use std::rc::Rc;

use noodles::vcf;

use self::bgzf::EOF_MARKER;
pub use self::header::ContigInfo;
pub use self::sniff::{Compression, Payload};
use self::vcf_text::{LineError, LineReader};
use crate::crypt4gh::{Crypt4ghError, PlaintextReader, SecretKey};
use crate::progress::{Flow, Progress};
use crate::store::VariantStore;

/// A file read into memory: its summary and its columns.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub summary: Summary,
    pub store: VariantStore,
}

/// What the page shows about a file once it is loaded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub compression: Compression,
    pub payload: Payload,
    /// `VCFv4.2`, …
    pub file_format: String,
    pub records: u64,
    pub samples: Vec<String>,
    /// Contigs from the header, then any that only records name, with their record counts.
    pub contigs: Vec<ContigSummary>,
    pub reference_build: Option<String>,
    /// Raw bytes read (the file size when read to the end).
    pub bytes_read: u64,
    /// Uncompressed bytes of VCF text or BCF.
    pub uncompressed_bytes: u64,
    /// Heap bytes held by the store.
    pub store_bytes: u64,
    /// Things tolerated while reading (undeclared fields, …), each once.
    pub warnings: Vec<String>,
    /// Read through Crypt4GH decryption (then `bytes_read` counts plaintext bytes).
    #[serde(default)]
    pub encrypted: bool,
    /// Only a prefix was read ([`ReadOptions::raw_limit`]).
    #[serde(default)]
    pub partial: bool,
    /// Streaming filter mode: the records scanned (`records` are those kept).
    #[serde(default)]
    pub scanned: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContigSummary {
    pub name: String,
    pub length: Option<u64>,
    pub records: u64,
}

/// Where in the file an error is.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// 1-based line of VCF text.
    pub line: Option<u64>,
    /// 1-based record number.
    pub record: Option<u64>,
    /// Offset in the uncompressed stream (VCF text or BCF).
    pub offset: Option<u64>,
    /// In one shard of a file ([`shards::read_shard`]): the compressed byte offset where the
    /// shard starts. `record` then counts from the shard's first record, and `line` is unknown.
    #[serde(default)]
    pub shard_offset: Option<u64>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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

/// Why a file could not be read. Every variant says what and where.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    NotVariantFile(String),
    #[error("this file is Crypt4GH-encrypted: open it with your Crypt4GH secret key")]
    Encrypted,
    #[error("{0}")]
    Decryption(crate::crypt4gh::Crypt4ghError),
    #[error("{0}")]
    Index(crate::index::IndexError),
    #[error(
        "the compressed data is damaged or truncated ({reason}) after {raw_offset} bytes of the file"
    )]
    Compression { reason: String, raw_offset: u64 },
    /// A BGZF block that cannot be read: what is wrong and the byte offset where the block
    /// starts (in the plaintext, when the file is Crypt4GH-encrypted).
    #[error("{0}")]
    Bgzf(bgzf::BgzfError),
    /// A shard of a file ([`shards`]) that does not fit the file it is read from.
    #[error("{0}")]
    Shard(shards::ShardError),
    #[error("invalid VCF header at line {line}: {reason}")]
    Header { line: u64, reason: String },
    #[error("invalid BCF header: {0}")]
    BcfHeader(String),
    #[error("invalid record at {location}: {reason}")]
    Record { location: Location, reason: String },
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("loading was cancelled")]
    Cancelled,
    #[error("the streaming filter cannot be applied: {0}")]
    Filter(String),
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
}

/// Counts raw bytes as the decompressor pulls them, for progress and error offsets, and keeps
/// the last bytes seen so the BGZF end-of-file marker can be checked.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
    tail: Option<Rc<std::cell::RefCell<Vec<u8>>>>,
}

impl<R> Counting<R> {
    /// Counts into `count`, keeping no tail.
    fn new(inner: R, count: &Rc<Cell<u64>>) -> Self {
        Counting {
            inner,
            count: Rc::clone(count),
            tail: None,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        if let Some(tail) = &self.tail {
            // Only the last bytes can be the marker: copy those, not every block.
            let keep = EOF_MARKER.len();
            let mut t = tail.borrow_mut();
            t.extend_from_slice(&buf[n.saturating_sub(keep)..n]);
            let excess = t.len().saturating_sub(keep);
            t.drain(..excess);
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Reads up to `n` bytes for sniffing and gives back a reader that still yields them.
fn peek<R: Read>(mut r: R, n: usize) -> io::Result<(Vec<u8>, impl Read)> {
    let mut head = Vec::with_capacity(n);
    (&mut r).take(n as u64).read_to_end(&mut head)?;
    Ok((head.clone(), Cursor::new(head).chain(r)))
}

const BUF: usize = 256 << 10;

/// Reads a whole VCF / BCF (plain, gzip or BGZF) into a [`Dataset`].
///
/// `total` is the raw size if known (for progress). The reader is consumed sequentially.
pub fn read_dataset<R: Read>(
    raw: R,
    total: Option<u64>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    // One compiled copy of the decompressors and parsers for every kind of reader (plain, Blob,
    // decrypting): the browser bundle pays for each monomorphised copy.
    read_boxed(Box::new(raw), total, &ReadOptions::default(), progress)
}

/// How much of a file to read and what to keep.
#[derive(Debug, Default)]
pub struct ReadOptions<'a> {
    /// Stop (cleanly, after a whole record) once this many raw bytes are read: a prefix, to
    /// estimate the memory a whole read needs ([`estimate_memory`]).
    pub raw_limit: Option<u64>,
    /// Streaming filter mode: keep only the records this filter passes.
    pub stream: Option<&'a StreamFilter>,
}

/// Streaming filter mode, for files too large to hold: records are parsed a batch at a time,
/// filtered there, and only those that pass are kept.
#[derive(Debug, Clone, Default)]
pub struct StreamFilter {
    /// A bcftools expression; empty keeps every record (then `regions` alone decides).
    pub expression: String,
    pub mode: crate::filter::Mode,
    /// Regions a record must overlap, when given.
    pub regions: Option<crate::regions::RegionSet>,
    /// Records per batch; `None` for the default (65,536). Small batches test the boundaries.
    pub batch: Option<usize>,
}

/// Records parsed per batch in streaming mode (about 6 MB of store for one sample).
const STREAM_BATCH: usize = 1 << 16;

/// As [`read_dataset`], with [`ReadOptions`]: a prefix of the file, or streaming filter mode.
/// The summary says which ([`Summary::partial`], [`Summary::scanned`]).
pub fn read_dataset_with<R: Read>(
    raw: R,
    total: Option<u64>,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    read_boxed(Box::new(raw), total, options, progress)
}

/// Checks a streaming filter against a file's header before a scan starts, so a wrong
/// expression is reported at once rather than after the first batch. `store` is any store
/// shaped by the file's header (a prefix read gives one).
pub fn check_stream_filter(
    filter: &StreamFilter,
    store: &VariantStore,
) -> Result<(), crate::filter::FilterError> {
    if filter.expression.trim().is_empty() {
        return Ok(());
    }
    crate::filter::Filter::compile(
        &filter.expression,
        store,
        filter.mode,
        &crate::filter::NoFiles,
    )
    .map(|_| ())
}

/// What holding a whole file in memory would cost, from a prefix read of it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemoryEstimate {
    /// Store bytes for the whole file.
    pub bytes: u64,
    /// Records in the whole file (the index's count, or extrapolated from the prefix).
    pub records: u64,
    /// Store bytes per record in the prefix.
    pub bytes_per_record: f64,
    /// Whether `records` is the index's exact count.
    pub exact_records: bool,
}

/// Extrapolates a prefix read ([`ReadOptions::raw_limit`]) of a file of `total_raw` bytes to the
/// whole file; `records` is the exact count when an index gives it.
pub fn estimate_memory(prefix: &Dataset, total_raw: u64, records: Option<u64>) -> MemoryEstimate {
    let s = &prefix.summary;
    let n = s.records.max(1) as f64;
    let per_record = s.store_bytes as f64 / n;
    let (records, exact) = match records {
        Some(r) => (r, true),
        None if !s.partial => (s.records, true),
        None => {
            let per_raw = s.records as f64 / s.bytes_read.max(1) as f64;
            ((per_raw * total_raw as f64).ceil() as u64, false)
        }
    };
    MemoryEstimate {
        bytes: (per_record * records as f64).ceil() as u64,
        records,
        bytes_per_record: per_record,
        exact_records: exact,
    }
}

fn read_boxed(
    raw: Box<dyn Read + '_>,
    total: Option<u64>,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    let count = Rc::new(Cell::new(0u64));
    let tail = Rc::new(std::cell::RefCell::new(Vec::with_capacity(64)));
    let counting = Counting {
        inner: raw,
        count: Rc::clone(&count),
        tail: Some(Rc::clone(&tail)),
    };
    let (head, raw) = peek(counting, 18).map_err(decryption_or_io)?;
    let (compression, decoded): (Compression, Box<dyn Read>) = match sniff::container(&head) {
        sniff::Container::Crypt4gh => return Err(IngestError::Encrypted),
        sniff::Container::Plain => (Compression::None, Box::new(raw)),
        sniff::Container::Gzip => (
            Compression::Gzip,
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                BUF, raw,
            ))),
        ),
        sniff::Container::Bgzf => (Compression::Bgzf, Box::new(bgzf::BgzfReader::new(raw))),
    };
    let raw_offset = Rc::clone(&count);
    let decode_err = move |e: io::Error| decode_error(e, raw_offset.get());
    let (head, decoded) = peek(decoded, 16).map_err(&decode_err)?;
    let payload = sniff::payload(&head).map_err(IngestError::NotVariantFile)?;
    let uncompressed = Rc::new(Cell::new(0u64));
    let decoded = BufReader::with_capacity(BUF, Counting::new(decoded, &uncompressed));
    let mut ctx = Ctx::new(&count, total, options, progress, Origin::File);
    let (header, ended_cleanly) = match payload {
        Payload::Vcf => {
            let mut lines = LineReader::new(decoded);
            let mut header = read_vcf_header(&mut lines, &mut ctx, &decode_err)?;
            let ended = read_vcf_records(&mut lines, &mut header.store, &mut ctx, &decode_err)?;
            (header, ended)
        }
        Payload::Bcf => {
            let mut decoded = decoded;
            let bcf = read_bcf_header(&mut decoded, &mut ctx.warnings, &decode_err)?;
            let mut header = bcf.into_file_header()?;
            if let Some(bcf) = header.bcf.as_deref() {
                read_bcf_records(decoded, bcf, &mut header.store, &mut ctx, &decode_err)?;
            }
            (header, true)
        }
    };
    if !ctx.stopped_early && compression == Compression::Bgzf {
        let marker = tail.borrow().as_slice() == EOF_MARKER;
        check_eof_marker(marker, ended_cleanly, &mut ctx.warnings, count.get())?;
    }
    let _ = ctx.progress.report(count.get(), total);
    let (bytes_read, uncompressed) = (count.get(), uncompressed.get());
    Ok(ctx.into_dataset(header, compression, payload, bytes_read, uncompressed))
}

/// After a BGZF file was read to its end: whether it ended with the end-of-file marker (SAM
/// spec §4.1.2). Without it the file was cut short at a block boundary — an error when the last
/// record is incomplete, a warning when it is complete (some old writers omit the marker).
fn check_eof_marker(
    found: bool,
    ended_cleanly: bool,
    warnings: &mut Warnings,
    raw_offset: u64,
) -> Result<(), IngestError> {
    if found {
        return Ok(());
    }
    let reason = "the BGZF end-of-file marker is missing, so the file is truncated (an interrupted download or copy?)";
    if !ended_cleanly {
        return Err(IngestError::Compression {
            reason: reason.into(),
            raw_offset,
        });
    }
    warnings.add(
        "bgzf-eof",
        format!("{reason}; the last record read was complete"),
    );
    Ok(())
}

/// What [`finish`] needs besides the store.
struct Parts<'a> {
    compression: Compression,
    payload: Payload,
    file_format: String,
    raw_header: &'a str,
    contigs: &'a [ContigInfo],
    warnings: Vec<String>,
    bytes_read: u64,
    uncompressed_bytes: u64,
}

/// The [`Dataset`] of a filled store: the summary (per-contig counts, build, warnings).
fn finish(mut store: VariantStore, parts: Parts<'_>) -> Dataset {
    store.shrink_to_fit();
    let reference_build = header::reference_build(parts.raw_header, parts.contigs);
    let mut per_contig = vec![0u64; store.contigs().len()];
    for i in 0..store.len() {
        per_contig[store.contig_of(i) as usize] += 1;
    }
    let lengths: std::collections::HashMap<&str, Option<u64>> = parts
        .contigs
        .iter()
        .map(|c| (c.name.as_str(), c.length))
        .collect();
    let contig_summaries = store
        .contigs()
        .iter()
        .enumerate()
        .map(|(k, name)| ContigSummary {
            name: name.clone(),
            length: lengths.get(name.as_str()).copied().flatten(),
            records: per_contig[k],
        })
        .collect();
    let mut warnings = parts.warnings;
    for f in store.info.iter().filter(|f| !f.declared) {
        warnings.push(format!(
            "INFO/{} is not declared in the header; read as String",
            f.key
        ));
    }
    for f in store.format.iter().filter(|f| !f.declared) {
        warnings.push(format!(
            "FORMAT/{} is not declared in the header; read as String",
            f.key
        ));
    }
    Dataset {
        summary: Summary {
            compression: parts.compression,
            payload: parts.payload,
            file_format: parts.file_format,
            records: store.len() as u64,
            samples: store.samples().to_vec(),
            contigs: contig_summaries,
            reference_build,
            bytes_read: parts.bytes_read,
            uncompressed_bytes: parts.uncompressed_bytes,
            store_bytes: store.heap_bytes() as u64,
            warnings,
            encrypted: false,
            partial: false,
            scanned: None,
        },
        store,
    }
}

/// Reads a Crypt4GH-encrypted VCF / BCF (plain, gzip or BGZF inside) with `key`: the plaintext
/// view feeds the same sniffing and ingest as [`read_dataset`]. Progress and offsets count
/// plaintext bytes. A segment that fails authentication stops the read with
/// [`IngestError::Decryption`] naming it.
pub fn read_encrypted_dataset<R: Read + Seek>(
    raw: R,
    key: &SecretKey,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    read_encrypted_dataset_with(raw, key, &ReadOptions::default(), progress)
}

/// As [`read_encrypted_dataset`], with [`ReadOptions`].
pub fn read_encrypted_dataset_with<R: Read + Seek>(
    raw: R,
    key: &SecretKey,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    // Boxed so the decrypting reader is compiled once, here, whatever `R` is.
    let raw: Box<dyn ReadSeek + '_> = Box::new(raw);
    // Sequential reading needs one decrypted segment at a time.
    let plaintext = PlaintextReader::with_cache(raw, key, 1).map_err(IngestError::Decryption)?;
    let total = plaintext.len();
    let mut dataset = read_boxed(Box::new(plaintext), Some(total), options, progress)?;
    dataset.summary.encrypted = true;
    Ok(dataset)
}

/// A data file opened for random access: the plaintext view when it is Crypt4GH-encrypted.
struct Opened {
    data: Box<dyn ReadSeek>,
    /// The container of the (plaintext) data, from its first bytes.
    container: sniff::Container,
    encrypted: bool,
    /// Bytes of data (of plaintext, when encrypted).
    len: u64,
}

/// Opens `data` for random access: a Crypt4GH file (recognised by its magic bytes) through its
/// plaintext view, which keeps `cached_segments` decrypted segments, with `key`.
fn open_seekable(
    mut data: Box<dyn ReadSeek>,
    key: Option<&SecretKey>,
    cached_segments: usize,
) -> Result<Opened, IngestError> {
    let mut head = [0u8; 18];
    let n = bgzf::read_full(&mut data, &mut head).map_err(decryption_or_io)?;
    let (mut data, encrypted): (Box<dyn ReadSeek>, bool) = match sniff::container(&head[..n]) {
        sniff::Container::Crypt4gh => {
            let key = key.ok_or(IngestError::Encrypted)?;
            let plain = PlaintextReader::with_cache(data, key, cached_segments)
                .map_err(IngestError::Decryption)?;
            (Box::new(plain), true)
        }
        _ => (data, false),
    };
    let io_err = |e: io::Error| IngestError::Io(e.to_string());
    let len = data.seek(io::SeekFrom::End(0)).map_err(io_err)?;
    data.seek(io::SeekFrom::Start(0)).map_err(io_err)?;
    let n = bgzf::read_full(&mut data, &mut head).map_err(decryption_or_io)?;
    data.seek(io::SeekFrom::Start(0)).map_err(io_err)?;
    Ok(Opened {
        data,
        container: sniff::container(&head[..n]),
        encrypted,
        len,
    })
}

/// An error from decompressing: a failed decryption, a damaged BGZF block (which names its
/// own offset), other damaged or truncated compressed data (`raw_offset` bytes into the file),
/// or an I/O failure.
fn decode_error(e: io::Error, raw_offset: u64) -> IngestError {
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
            reason: e.to_string(),
            raw_offset,
        }
    } else {
        IngestError::Io(e.to_string())
    }
}

/// A failed decryption, or an I/O failure.
fn decryption_or_io(e: io::Error) -> IngestError {
    if is_decryption_error(&e) {
        IngestError::Decryption(Crypt4ghError::from_io(e))
    } else {
        IngestError::Io(e.to_string())
    }
}

/// The engine's BGZF reader over a seekable file, counting the raw bytes it reads: one
/// compiled copy for indexed reads and shards.
type Bgzf = bgzf::BgzfReader<Counting<Box<dyn ReadSeek>>>;

/// `Read + Seek` as one trait, for a boxed reader.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Whether `head` (the first bytes of a file) starts a Crypt4GH file, so a key is needed.
pub fn is_encrypted(head: &[u8]) -> bool {
    sniff::container(head) == sniff::Container::Crypt4gh
}

/// The [`bgzf::BgzfError`] an I/O error carries, if it comes from the BGZF layer.
fn bgzf_error(e: &io::Error) -> Option<&bgzf::BgzfError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<bgzf::BgzfError>())
}

/// The [`shards::ShardError`] an I/O error carries, if a shard's reader found the plan does not
/// fit the file.
fn shard_error(e: &io::Error) -> Option<&shards::ShardError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<shards::ShardError>())
}

/// Whether an I/O error carries one of the engine's typed errors, which [`decode_error`] keeps
/// rather than blaming the record being read.
fn is_typed_decode_error(e: &io::Error) -> bool {
    bgzf_error(e).is_some() || shard_error(e).is_some()
}

fn is_decryption_error(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<Crypt4ghError>().is_some())
}

struct Ctx<'a> {
    count: &'a Rc<Cell<u64>>,
    total: Option<u64>,
    progress: &'a mut dyn Progress,
    last_report: u64,
    warnings: Warnings,
    raw_limit: Option<u64>,
    /// Set when reading stopped at `raw_limit`.
    stopped_early: bool,
    stream: Option<Stream<'a>>,
    /// What locations in messages can say.
    origin: Origin,
}

/// Where the records being read sit in the file: what error and warning locations can say.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// The whole file from its start: lines and uncompressed offsets count from there.
    File,
    /// One shard ([`shards`]) starting at compressed byte `shard_offset`: records count from
    /// its first, lines are unknown, and uncompressed offsets are the file's own only for
    /// uncompressed text (`file_offsets`).
    Shard {
        shard_offset: u64,
        file_offsets: bool,
    },
}

impl Origin {
    fn locate(self, line: Option<u64>, record: Option<u64>, offset: Option<u64>) -> Location {
        match self {
            Origin::File => Location {
                line,
                record,
                offset,
                shard_offset: None,
            },
            Origin::Shard {
                shard_offset,
                file_offsets,
            } => Location {
                line: None,
                record,
                offset: offset.filter(|_| file_offsets),
                shard_offset: Some(shard_offset),
            },
        }
    }
}

/// Streaming filter mode's batch: records parsed but not yet filtered, with their source.
struct Stream<'a> {
    spec: &'a StreamFilter,
    batch: Option<VariantStore>,
    /// VCF: the batch's lines, back to back, and where each ends.
    lines: Vec<u8>,
    ends: Vec<usize>,
    /// BCF: the batch's records.
    records: Vec<noodles::bcf::Record>,
    scanned: u64,
}

impl<'a> Stream<'a> {
    fn new(spec: &'a StreamFilter) -> Self {
        Stream {
            spec,
            batch: None,
            lines: Vec::new(),
            ends: Vec::new(),
            records: Vec::new(),
            scanned: 0,
        }
    }

    /// The batch store, made empty from the kept store's shape on first use.
    fn batch(&mut self, shape: &VariantStore) -> &mut VariantStore {
        self.batch.get_or_insert_with(|| {
            let mut empty = shape.clone();
            empty.truncate(0);
            empty
        })
    }

    fn full(&self) -> bool {
        let size = self.spec.batch.unwrap_or(STREAM_BATCH).max(1);
        self.batch.as_ref().is_some_and(|b| b.len() >= size)
    }

    /// Which records of the batch pass.
    fn passing(&mut self) -> Result<Vec<usize>, IngestError> {
        let Some(batch) = self.batch.as_mut() else {
            return Ok(Vec::new());
        };
        self.scanned += batch.len() as u64;
        let mut pass = if self.spec.expression.trim().is_empty() {
            crate::bitmap::Bitmap::ones(batch.len())
        } else {
            crate::filter::Filter::compile(
                &self.spec.expression,
                batch,
                self.spec.mode,
                &crate::filter::NoFiles,
            )
            .map_err(|e| IngestError::Filter(e.to_string()))?
            .evaluate(batch)
            .pass
        };
        if let Some(regions) = &self.spec.regions {
            pass.and_with(&regions.mask(batch));
        }
        let kept = pass.iter_ones().collect();
        batch.truncate(0);
        Ok(kept)
    }
}

/// Filters a streaming batch of VCF lines and parses those that pass into `store`.
fn keep_lines(
    stream: &mut Stream<'_>,
    store: &mut VariantStore,
    scratch: &mut vcf_text::Scratch,
    warnings: &mut Warnings,
) -> Result<(), IngestError> {
    for k in stream.passing()? {
        let start = if k == 0 { 0 } else { stream.ends[k - 1] };
        let line = &stream.lines[start..stream.ends[k]];
        // Parsed once already, into the batch: it parses again.
        vcf_text::parse_record(line, store, scratch, warnings).map_err(|e| {
            IngestError::Record {
                location: Location::default(),
                reason: e.to_string(),
            }
        })?;
    }
    stream.lines.clear();
    stream.ends.clear();
    Ok(())
}

/// Filters a streaming batch of BCF records and adds those that pass to `store`.
fn keep_records(
    stream: &mut Stream<'_>,
    header: &vcf::Header,
    store: &mut VariantStore,
    scratch: &mut bcf::Scratch,
    warnings: &mut Warnings,
) -> Result<(), IngestError> {
    for k in stream.passing()? {
        bcf::push_record(&stream.records[k], header, store, scratch, warnings).map_err(|e| {
            IngestError::Record {
                location: Location::default(),
                reason: e.to_string(),
            }
        })?;
    }
    stream.records.clear();
    Ok(())
}

/// Problems tolerated while reading, each kind counted once with where it first happened.
#[derive(Debug, Default)]
pub struct Warnings {
    items: Vec<(&'static str, String, Location, u64)>,
    at: Location,
}

impl Warnings {
    /// Sets where the next warnings happen.
    pub fn at(&mut self, location: Location) {
        self.at = location;
    }

    /// Counts a warning of `kind`; the first message of each kind is kept.
    pub fn add(&mut self, kind: &'static str, message: String) {
        if let Some(item) = self.items.iter_mut().find(|i| i.0 == kind) {
            item.3 += 1;
            return;
        }
        self.items.push((kind, message, self.at.clone(), 1));
    }

    /// Number of warnings, all kinds.
    pub fn total(&self) -> u64 {
        self.items.iter().map(|i| i.3).sum()
    }

    /// One line per kind: the first message, where, and how often.
    pub fn render(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|(_, msg, at, n)| {
                let more = if *n > 1 {
                    format!("; {} times in all", n)
                } else {
                    String::new()
                };
                format!("{msg} (first at {at}{more})")
            })
            .collect()
    }
}

impl<'a> Ctx<'a> {
    fn new(
        count: &'a Rc<Cell<u64>>,
        total: Option<u64>,
        options: &ReadOptions<'a>,
        progress: &'a mut dyn Progress,
        origin: Origin,
    ) -> Self {
        Ctx {
            count,
            total,
            progress,
            last_report: 0,
            warnings: Warnings::default(),
            raw_limit: options.raw_limit,
            stopped_early: false,
            stream: options.stream.map(Stream::new),
            origin,
        }
    }

    /// The [`Dataset`] of a finished read: the store `header` shaped, now filled, with its
    /// summary.
    fn into_dataset(
        self,
        header: FileHeader,
        compression: Compression,
        payload: Payload,
        bytes_read: u64,
        uncompressed_bytes: u64,
    ) -> Dataset {
        let mut dataset = finish(
            header.store,
            Parts {
                compression,
                payload,
                file_format: header.file_format,
                raw_header: &header.raw,
                contigs: &header.contigs,
                warnings: self.warnings.render(),
                bytes_read,
                uncompressed_bytes,
            },
        );
        dataset.summary.partial = self.stopped_early;
        dataset.summary.scanned = self.stream.as_ref().map(|s| s.scanned);
        dataset
    }

    /// Whether reading should stop here (a prefix read reached its limit).
    fn at_limit(&mut self) -> bool {
        if self
            .raw_limit
            .is_some_and(|limit| self.count.get() >= limit)
        {
            self.stopped_early = true;
        }
        self.stopped_early
    }

    /// Reports progress every 1 MiB of raw input; errors when the user cancelled.
    fn tick(&mut self) -> Result<(), IngestError> {
        let done = self.count.get();
        if done >= self.last_report + (1 << 20) {
            self.last_report = done;
            // A shard reads a little past its own bytes to finish its last record.
            let done = self.total.map_or(done, |total| done.min(total));
            if self.progress.report(done, self.total) == Flow::Cancel {
                return Err(IngestError::Cancelled);
            }
        }
        Ok(())
    }
}

/// A file's header as ingest needs it: the empty store it shapes and what the summary says.
struct FileHeader {
    store: VariantStore,
    file_format: String,
    raw: String,
    contigs: Vec<ContigInfo>,
    /// BCF: noodles' header, for BCF's string maps.
    bcf: Option<Box<vcf::Header>>,
}

/// Reads a VCF text header up to and including the `#CHROM` line, leaving `lines` at the first
/// record.
fn read_vcf_header<R: BufRead>(
    lines: &mut LineReader<R>,
    ctx: &mut Ctx<'_>,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<FileHeader, IngestError> {
    let mut hdr = header::TextHeader::default();
    let mut saw_chrom_line = false;
    while lines
        .next_line()
        .map_err(|e| line_error(e, lines, ctx.origin, decode_err))?
    {
        let line = std::str::from_utf8(&lines.buf).map_err(|_| IngestError::Header {
            line: lines.line,
            reason: "the header is not valid UTF-8 text".into(),
        })?;
        ctx.warnings.at(Location {
            line: Some(lines.line),
            offset: Some(lines.line_offset),
            ..Location::default()
        });
        let warnings = &mut ctx.warnings;
        let done = hdr
            .push_line(line, &mut |kind, msg| warnings.add(kind, msg))
            .map_err(|reason| IngestError::Header {
                line: lines.line,
                reason,
            })?;
        if done {
            saw_chrom_line = true;
            break;
        }
        ctx.tick()?;
    }
    if !saw_chrom_line {
        return Err(IngestError::Header {
            line: lines.line,
            reason: "the #CHROM header line is missing".into(),
        });
    }
    let store = hdr.store().map_err(|e| IngestError::Header {
        line: lines.line,
        reason: e.to_string(),
    })?;
    Ok(FileHeader {
        store,
        file_format: std::mem::take(&mut hdr.file_format),
        raw: std::mem::take(&mut hdr.raw),
        contigs: std::mem::take(&mut hdr.contigs),
        bcf: None,
    })
}

/// A line that could not be read: damaged data, or a line over the length limit.
fn line_error<R>(
    e: LineError,
    lines: &LineReader<R>,
    origin: Origin,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> IngestError {
    match e {
        LineError::Io(e) => decode_err(e),
        LineError::TooLong => IngestError::Record {
            location: origin.locate(Some(lines.line + 1), None, Some(lines.line_offset)),
            reason: e.to_string(),
        },
    }
}

/// Reads VCF records from `lines` (positioned after the header) into `store`, or into the
/// streaming batch. Returns whether the data ended on a record boundary.
fn read_vcf_records<R: BufRead>(
    lines: &mut LineReader<R>,
    store: &mut VariantStore,
    ctx: &mut Ctx<'_>,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<bool, IngestError> {
    let mut scratch = vcf_text::Scratch::default();
    let mut record = 0u64;
    let mut blank_lines = 0u64;
    let mut ended_cleanly = true;
    while lines
        .next_line()
        .map_err(|e| line_error(e, lines, ctx.origin, decode_err))?
    {
        if lines.buf.is_empty() {
            blank_lines += 1;
            continue;
        }
        record += 1;
        let location = ctx
            .origin
            .locate(Some(lines.line), Some(record), Some(lines.line_offset));
        ctx.warnings.at(location.clone());
        let unterminated = !lines.had_newline;
        let target = match ctx.stream.as_mut() {
            Some(stream) => stream.batch(store),
            None => &mut *store,
        };
        vcf_text::parse_record(&lines.buf, target, &mut scratch, &mut ctx.warnings).map_err(
            |e| {
                let reason = if unterminated {
                    format!("the file ends in the middle of this record, so it is truncated ({e})")
                } else {
                    e.to_string()
                };
                IngestError::Record {
                    location: location.clone(),
                    reason,
                }
            },
        )?;
        if unterminated {
            ended_cleanly = false;
            ctx.warnings.add(
                "no-final-newline",
                "the last line has no newline: the file may be truncated".into(),
            );
        }
        if let Some(stream) = ctx.stream.as_mut() {
            stream.lines.extend_from_slice(&lines.buf);
            stream.ends.push(stream.lines.len());
            if stream.full() {
                keep_lines(stream, store, &mut scratch, &mut ctx.warnings)?;
            }
        }
        ctx.tick()?;
        if ctx.at_limit() {
            break;
        }
    }
    if let Some(stream) = ctx.stream.as_mut() {
        keep_lines(stream, store, &mut scratch, &mut ctx.warnings)?;
    }
    if blank_lines > 0 {
        ctx.warnings.add(
            "blank-lines",
            format!("{blank_lines} blank line(s) skipped"),
        );
    }
    Ok(ended_cleanly)
}

/// A BCF header: noodles' (for its string maps) and ours (for the store's columns).
struct BcfHeader {
    noodles: vcf::Header,
    text: header::TextHeader,
    file_format: String,
    contigs: Vec<ContigInfo>,
    raw: String,
}

/// Reads a BCF header from the start of the uncompressed stream, leaving `reader` at the first
/// record.
fn read_bcf_header<R: Read>(
    reader: &mut R,
    warnings: &mut Warnings,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<BcfHeader, IngestError> {
    // BCF 2.2 §6.2: magic "BCF\2\2", l_text (u32 LE), then the NUL-terminated VCF header text.
    let truncated_header =
        || IngestError::BcfHeader("the file is truncated inside its BCF header".into());
    let mut fixed = [0u8; 9];
    read_exact_or(reader, &mut fixed, decode_err, truncated_header)?;
    let l_text = u32::from_le_bytes([fixed[5], fixed[6], fixed[7], fixed[8]]) as usize;
    let mut text = Vec::new();
    reader
        .take(l_text as u64)
        .read_to_end(&mut text)
        .map_err(decode_err)?;
    if text.len() < l_text {
        return Err(truncated_header());
    }
    let raw = String::from_utf8_lossy(&text)
        .trim_end_matches('\0')
        .to_string();
    // The header is complete: let noodles parse it, as it also builds BCF's string maps
    // (dictionary indices, BCF 2.2 §6.2.1) from it.
    let mut whole = fixed.to_vec();
    whole.extend_from_slice(&text);
    let noodles: vcf::Header = noodles::bcf::io::Reader::from(Cursor::new(whole))
        .read_header()
        .map_err(|e| IngestError::BcfHeader(error_chain(&e)))?;
    // Field declarations come from the same lenient reader as VCF text, so both formats
    // declare columns, contigs and warnings one way.
    let mut text = header::TextHeader::default();
    for line in raw.lines().filter(|l| !l.is_empty()) {
        if text
            .push_line(line, &mut |kind, msg| warnings.add(kind, msg))
            .map_err(IngestError::BcfHeader)?
        {
            break;
        }
    }
    if text.file_format.is_empty() {
        return Err(IngestError::BcfHeader("the header text is empty".into()));
    }
    Ok(BcfHeader {
        noodles,
        contigs: std::mem::take(&mut text.contigs),
        file_format: std::mem::take(&mut text.file_format),
        text,
        raw,
    })
}

impl BcfHeader {
    /// The store this header shapes, with noodles' header kept for the records' string maps.
    fn into_file_header(self) -> Result<FileHeader, IngestError> {
        let store = self
            .text
            .store()
            .map_err(|e| IngestError::BcfHeader(e.to_string()))?;
        Ok(FileHeader {
            store,
            file_format: self.file_format,
            raw: self.raw,
            contigs: self.contigs,
            bcf: Some(Box::new(self.noodles)),
        })
    }
}

/// Reads BCF records from `reader` (positioned after the header) into `store`, or into the
/// streaming batch.
fn read_bcf_records<R: Read>(
    reader: R,
    header: &vcf::Header,
    store: &mut VariantStore,
    ctx: &mut Ctx<'_>,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<(), IngestError> {
    let mut reader = reader;
    let mut record = noodles::bcf::Record::default();
    let mut scratch = bcf::Scratch::default();
    let mut n = 0u64;
    loop {
        let origin = ctx.origin;
        let read = bcf::read_record(&mut reader, &mut record, &mut scratch).map_err(|e| match e
            .kind()
        {
            // Damaged compression is named by the block, and a shard that does not fit by
            // the shard, not blamed on the record.
            _ if is_typed_decode_error(&e) => decode_err(e),
            io::ErrorKind::UnexpectedEof => IngestError::Record {
                location: origin.locate(None, Some(n + 1), None),
                reason: "the file ends in the middle of this record, so it is truncated".into(),
            },
            io::ErrorKind::InvalidData => IngestError::Record {
                location: origin.locate(None, Some(n + 1), None),
                reason: e.to_string(),
            },
            _ => decode_err(e),
        })?;
        if read == 0 {
            break;
        }
        n += 1;
        ctx.warnings.at(origin.locate(None, Some(n), None));
        let target = match ctx.stream.as_mut() {
            Some(stream) => stream.batch(store),
            None => &mut *store,
        };
        bcf::push_record(&record, header, target, &mut scratch, &mut ctx.warnings).map_err(
            |e| IngestError::Record {
                location: origin.locate(None, Some(n), None),
                reason: e.to_string(),
            },
        )?;
        if let Some(stream) = ctx.stream.as_mut() {
            stream.records.push(record.clone());
            if stream.full() {
                keep_records(stream, header, store, &mut scratch, &mut ctx.warnings)?;
            }
        }
        ctx.tick()?;
        if ctx.at_limit() {
            break;
        }
    }
    if let Some(stream) = ctx.stream.as_mut() {
        keep_records(stream, header, store, &mut scratch, &mut ctx.warnings)?;
    }
    Ok(())
}

/// `read_exact`, with end of data turned into `eof()`'s error.
fn read_exact_or<R: Read>(
    r: &mut R,
    buf: &mut [u8],
    decode_err: &dyn Fn(io::Error) -> IngestError,
    eof: impl Fn() -> IngestError,
) -> Result<(), IngestError> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            eof()
        } else {
            decode_err(e)
        }
    })
}

/// A noodles error with its causes, which its own message leaves out.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
