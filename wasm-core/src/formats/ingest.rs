//! Reading a whole file (or a prefix of it, or in streaming filter mode) into a [`Dataset`]:
//! [`read_dataset`], [`read_dataset_with`] and [`read_encrypted_dataset`].
//!
//! Data flow: raw bytes, counted (`Counting`) → [`sniff::container`] → the
//! decompressor (flate2 for gzip, [`super::bgzf`] for BGZF) → [`sniff::payload`] → the VCF text
//! header (`read_vcf_header`) and records (`read_vcf_records`), or the BCF header
//! (`read_bcf_header`) and records (`read_bcf_records`) → the store → [`super::dataset`].
//! The reading context (`Ctx`) carries what every loop shares: progress and cancelling, the
//! prefix limit, the [`Warnings`], the streaming batch or the sink's batch ([`super::sink`])
//! and the `Origin` that turns line,
//! record and offset into an error's [`Location`]. Shards ([`super::shards`]) read their
//! header and records through the same functions.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek};
use std::rc::Rc;

use noodles::vcf;

use super::bcf::{self, BcfError};
use super::bgzf::{self, EOF_MARKER};
use super::dataset::{Dataset, Parts, finish};
use super::error::{
    BcfHeaderError, CompressionError, IngestError, Location, MAX_BCF_IDX, RecordError,
    decode_error, decryption_or_io, is_typed_decode_error,
};
use super::header::{ContigInfo, HeaderError, TextHeader};
use super::open::{BUF, Counting, ReadSeek, peek};
use super::sink::{Batches, Sink};
use super::sniff::{self, Compression, Payload};
use super::streaming::{Stream, StreamFilter, keep_lines, keep_records};
use super::vcf_text::{self, LineError, LineReader};
use super::warnings::Warnings;
use crate::crypt4gh::{PlaintextReader, SecretKey};
use crate::progress::{Flow, Progress};
use crate::store::VariantStore;

/// How much of a file to read and what to keep.
#[derive(Debug, Default)]
pub struct ReadOptions<'a> {
    /// Stop (cleanly, after a whole record) once this many raw bytes are read: a prefix, to
    /// estimate the memory a whole read needs ([`super::estimate_memory`]).
    pub raw_limit: Option<u64>,
    /// Streaming filter mode: keep only the records this filter passes.
    pub stream: Option<&'a StreamFilter>,
    /// Streaming to a sink: hand every record over in batches and keep none ([`super::sink`]).
    /// Takes the place of `stream` when both are given.
    pub batches: Option<&'a Batches<'a>>,
}

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

/// As [`read_dataset`], with [`ReadOptions`]: a prefix of the file, or streaming filter mode.
/// The summary says which ([`super::Summary::partial`], [`super::Summary::scanned`]).
pub fn read_dataset_with<R: Read>(
    raw: R,
    total: Option<u64>,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    read_boxed(Box::new(raw), total, options, progress)
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

/// Reads a whole file from its first byte: sniff, decompress, header, records.
pub(crate) fn read_boxed(
    raw: Box<dyn Read + '_>,
    total: Option<u64>,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    let count = Rc::new(Cell::new(0u64));
    let tail = Rc::new(RefCell::new(Vec::with_capacity(64)));
    let counting = Counting::with_tail(raw, &count, &tail);
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
    let payload = sniff::payload(&head)?;
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
    let checked = if !ctx.stopped_early && compression == Compression::Bgzf {
        let marker = tail.borrow().as_slice() == EOF_MARKER;
        check_eof_marker(marker, ended_cleanly, &mut ctx.warnings, count.get())
    } else {
        Ok(())
    };
    ctx.end_records(checked)?;
    let _ = ctx.progress.report(count.get(), total);
    let (bytes_read, uncompressed) = (count.get(), uncompressed.get());
    Ok(ctx.into_dataset(header, compression, payload, bytes_read, uncompressed))
}

/// After a BGZF file was read to its end: whether it ended with the end-of-file marker (SAM
/// spec §4.1.2). Without it the file was cut short at a block boundary — an error when the last
/// record is incomplete, a warning when it is complete (some old writers omit the marker).
pub(crate) fn check_eof_marker(
    found: bool,
    ended_cleanly: bool,
    warnings: &mut Warnings,
    raw_offset: u64,
) -> Result<(), IngestError> {
    if found {
        return Ok(());
    }
    let missing = CompressionError::MissingEofMarker;
    if !ended_cleanly {
        return Err(IngestError::Compression {
            raw_offset,
            source: missing,
        });
    }
    warnings.add(
        "bgzf-eof",
        format!("{missing}; the last record read was complete"),
    );
    Ok(())
}

/// The reading context: what the header and record loops of one read share.
pub(crate) struct Ctx<'a> {
    /// Raw bytes read so far.
    count: &'a Rc<Cell<u64>>,
    total: Option<u64>,
    pub progress: &'a mut dyn Progress,
    last_report: u64,
    pub warnings: Warnings,
    raw_limit: Option<u64>,
    /// Set when reading stopped at `raw_limit`.
    pub stopped_early: bool,
    stream: Option<Stream<'a>>,
    sink: Option<Sink<'a>>,
    /// What locations in messages can say.
    pub origin: Origin,
}

/// Where the records being read sit in the file: what error and warning locations can say.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin {
    /// The whole file from its start: lines and uncompressed offsets count from there.
    File,
    /// One shard ([`super::shards`]) starting at compressed byte `shard_offset`: records count
    /// from its first, lines are unknown, and uncompressed offsets are the file's own only for
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

impl<'a> Ctx<'a> {
    pub(crate) fn new(
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
            stream: options
                .stream
                .filter(|_| options.batches.is_none())
                .map(Stream::new),
            sink: options.batches.map(Sink::new),
            origin,
        }
    }

    /// The [`Dataset`] of a finished read: the store `header` shaped, now filled, with its
    /// summary.
    pub(crate) fn into_dataset(
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
        dataset.summary.scanned = match (&self.stream, &self.sink) {
            (_, Some(sink)) => Some(sink.delivered),
            (Some(stream), None) => Some(stream.scanned),
            (None, None) => None,
        };
        dataset
    }

    /// After the records, once the end of the data is `checked`: the sink gets what is left.
    pub(crate) fn end_records(
        &mut self,
        checked: Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        match self.sink.as_mut() {
            Some(sink) => sink.end(checked),
            None => checked,
        }
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
pub(crate) struct FileHeader {
    pub store: VariantStore,
    file_format: String,
    raw: String,
    contigs: Vec<ContigInfo>,
    /// BCF: noodles' header, for BCF's string maps.
    pub bcf: Option<Box<vcf::Header>>,
}

/// Reads a VCF text header up to and including the `#CHROM` line, leaving `lines` at the first
/// record.
pub(crate) fn read_vcf_header<R: BufRead>(
    lines: &mut LineReader<R>,
    ctx: &mut Ctx<'_>,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<FileHeader, IngestError> {
    let mut hdr = TextHeader::default();
    let mut saw_chrom_line = false;
    while lines
        .next_line()
        .map_err(|e| line_error(e, lines, ctx.origin, decode_err))?
    {
        let line = lines.line;
        let header_error = |source| IngestError::Header { line, source };
        let text =
            std::str::from_utf8(&lines.buf).map_err(|_| header_error(HeaderError::NotUtf8))?;
        ctx.warnings.at(Location {
            line: Some(line),
            offset: Some(lines.line_offset),
            ..Location::default()
        });
        let warnings = &mut ctx.warnings;
        let done = hdr
            .push_line(text, &mut |kind, msg| warnings.add(kind, msg))
            .map_err(header_error)?;
        if done {
            saw_chrom_line = true;
            break;
        }
        ctx.tick()?;
    }
    let line = lines.line;
    if !saw_chrom_line {
        return Err(IngestError::Header {
            line,
            source: HeaderError::MissingChromLine,
        });
    }
    let store = hdr.store().map_err(|e| IngestError::Header {
        line,
        source: e.into(),
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
            source: RecordError::LineTooLong.into(),
        },
    }
}

/// Reads VCF records from `lines` (positioned after the header) into `store`, or into the
/// streaming batch, or hands them to the sink. Returns whether the data ended on a record
/// boundary.
pub(crate) fn read_vcf_records<R: BufRead>(
    lines: &mut LineReader<R>,
    store: &mut VariantStore,
    ctx: &mut Ctx<'_>,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<bool, IngestError> {
    if let Some(sink) = ctx.sink.as_mut() {
        sink.header(store)?;
    }
    let read = read_vcf_lines(lines, store, ctx, decode_err);
    match ctx.sink.as_mut() {
        Some(sink) => sink.finish_loop(read),
        None => read,
    }
}

/// [`read_vcf_records`]' loop.
fn read_vcf_lines<R: BufRead>(
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
        let target = match (ctx.sink.as_mut(), ctx.stream.as_mut()) {
            (Some(sink), _) => sink.batch(store),
            (None, Some(stream)) => stream.batch(store),
            (None, None) => &mut *store,
        };
        vcf_text::parse_record(&lines.buf, target, &mut scratch, &mut ctx.warnings).map_err(
            |e| IngestError::Record {
                location: location.clone(),
                // A last line without its newline that does not parse was cut short.
                source: Box::new(if unterminated {
                    RecordError::Truncated(Some(e))
                } else {
                    RecordError::Vcf(e)
                }),
            },
        )?;
        if unterminated {
            ended_cleanly = false;
            ctx.warnings.add(
                "no-final-newline",
                "the last line has no newline: the file may be truncated".into(),
            );
        }
        if let Some(sink) = ctx.sink.as_mut() {
            sink.parsed(!unterminated)?;
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
pub(crate) struct BcfHeader {
    pub noodles: vcf::Header,
    pub text: TextHeader,
    pub file_format: String,
    pub contigs: Vec<ContigInfo>,
    pub raw: String,
}

/// Refuses an `IDX=` past [`MAX_BCF_IDX`] before noodles sizes its string maps by it
/// (BCF 2.2 §6.2.1: a dictionary entry's index; found by the `bcf` fuzz target, CI 2026-12-07:
/// `IDX=2147483647` asked for a 48 GiB dictionary). Each line is read by noodles' own record
/// parser, so the value checked is the one noodles would use however it is written (signed,
/// quoted, right after a quoted value without a comma: forms a textual check let through,
/// each a crash of the `bcf` fuzz target); a line noodles cannot parse is left to noodles' own
/// error.
fn check_bcf_idx(raw: &str) -> Result<(), IngestError> {
    use noodles::vcf::header::{FileFormat, Record};
    let mut file_format = FileFormat::default();
    for (n, line) in raw.lines().enumerate() {
        if !line.starts_with("##") || !line.contains("IDX") {
            if let Ok(Record::FileFormat(f)) = Record::try_from((file_format, line)) {
                file_format = f;
            }
            continue;
        }
        let idx = match Record::try_from((file_format, line)) {
            Ok(Record::Contig(_, map)) => map.idx(),
            Ok(Record::Filter(_, map)) => map.idx(),
            Ok(Record::Format(_, map)) => map.idx(),
            Ok(Record::Info(_, map)) => map.idx(),
            _ => None,
        };
        if let Some(idx) = idx.filter(|&i| i as u64 > MAX_BCF_IDX) {
            return Err(IngestError::BcfHeader(BcfHeaderError::IdxTooLarge {
                line: n + 1,
                idx: idx.to_string(),
            }));
        }
    }
    Ok(())
}

/// Reads a BCF header from the start of the uncompressed stream, leaving `reader` at the first
/// record.
pub(crate) fn read_bcf_header<R: Read>(
    reader: &mut R,
    warnings: &mut Warnings,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<BcfHeader, IngestError> {
    // BCF 2.2 §6.2: magic "BCF\2\2", l_text (u32 LE), then the NUL-terminated VCF header text.
    let truncated_header = || IngestError::BcfHeader(BcfHeaderError::Truncated);
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
    check_bcf_idx(&raw)?;
    // The header is complete: let noodles parse it, as it also builds BCF's string maps
    // (dictionary indices, BCF 2.2 §6.2.1) from it.
    let mut whole = fixed.to_vec();
    whole.extend_from_slice(&text);
    let noodles: vcf::Header = noodles::bcf::io::Reader::from(Cursor::new(whole))
        .read_header()
        .map_err(|e| IngestError::BcfHeader(BcfHeaderError::Parse(e)))?;
    // Field declarations come from the same lenient reader as VCF text, so both formats
    // declare columns, contigs and warnings one way.
    let mut text = TextHeader::default();
    for line in raw.lines().filter(|l| !l.is_empty()) {
        if text
            .push_line(line, &mut |kind, msg| warnings.add(kind, msg))
            .map_err(|e| IngestError::BcfHeader(e.into()))?
        {
            break;
        }
    }
    if text.file_format.is_empty() {
        return Err(IngestError::BcfHeader(BcfHeaderError::Empty));
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
    pub(crate) fn into_file_header(self) -> Result<FileHeader, IngestError> {
        let store = self
            .text
            .store()
            .map_err(|e| IngestError::BcfHeader(HeaderError::from(e).into()))?;
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
/// streaming batch, or hands them to the sink.
pub(crate) fn read_bcf_records<R: Read>(
    reader: R,
    header: &vcf::Header,
    store: &mut VariantStore,
    ctx: &mut Ctx<'_>,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<(), IngestError> {
    if let Some(sink) = ctx.sink.as_mut() {
        sink.header(store)?;
    }
    let read = read_bcf_loop(reader, header, store, ctx, decode_err);
    match ctx.sink.as_mut() {
        Some(sink) => sink.finish_loop(read),
        None => read,
    }
}

/// [`read_bcf_records`]' loop.
fn read_bcf_loop<R: Read>(
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
        let invalid = |source| IngestError::Record {
            location: origin.locate(None, Some(n + 1), None),
            source: Box::new(source),
        };
        // Lengths first, so a damaged one is never an allocation (`bcf::read_record`).
        let read = bcf::read_record(&mut reader, &mut record, &mut scratch).map_err(|e| {
            match e.kind() {
                // Damaged compression is named by the block, and a shard that does not fit by
                // the shard, not blamed on the record.
                _ if is_typed_decode_error(&e) => decode_err(e),
                io::ErrorKind::UnexpectedEof => invalid(RecordError::Truncated(None)),
                io::ErrorKind::InvalidData => invalid(RecordError::Bcf(BcfError::from_io(e))),
                _ => decode_err(e),
            }
        })?;
        if read == 0 {
            break;
        }
        n += 1;
        ctx.warnings.at(origin.locate(None, Some(n), None));
        let target = match (ctx.sink.as_mut(), ctx.stream.as_mut()) {
            (Some(sink), _) => sink.batch(store),
            (None, Some(stream)) => stream.batch(store),
            (None, None) => &mut *store,
        };
        bcf::push_record(&record, header, target, &mut scratch, &mut ctx.warnings).map_err(
            |e| IngestError::Record {
                location: origin.locate(None, Some(n), None),
                source: RecordError::Bcf(e).into(),
            },
        )?;
        if let Some(sink) = ctx.sink.as_mut() {
            sink.parsed(true)?;
        }
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

#[cfg(test)]
mod tests {

    #[test]
    fn a_bcf_idx_past_a_million_is_refused_before_noodles_sizes_a_dictionary() {
        let ok = "##fileformat=VCFv4.2\n##FILTER=<ID=PASS,Description=\"IDX=9999999999\",IDX=0>\n\
                  ##contig=<ID=1,IDX=1048575>\n#CHROM\tPOS";
        assert!(check_bcf_idx(ok).is_ok());
        // However noodles would read the number: plain, signed, quoted, or as the key right
        // after a quoted value without a comma (forms a textual check let through).
        for (field, idx) in [
            ("ID=1,IDX=2147483647", "2147483647"),
            ("ID=1,IDX=1048576", "1048576"),
            ("ID=1,IDX=+2147483647", "2147483647"),
            ("ID=1,IDX=\"2147483647\"", "2147483647"),
            ("ID=\"1\"IDX=2147483647", "2147483647"),
            ("ID=1,length=9,IDX=0002147483647", "2147483647"),
        ] {
            let text = format!(
                "##fileformat=VCFv4.2\n##FILTER=<ID=PASS,Description=\"x\">\n##contig=<{field}>\n"
            );
            match check_bcf_idx(&text) {
                Err(IngestError::BcfHeader(BcfHeaderError::IdxTooLarge { line, idx: i })) => {
                    assert_eq!((line, i.as_str()), (3, idx), "{field}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        // Through the reader: a BCF whose contig says `IDX=+2147483647` is refused naming the
        // line; a number noodles cannot read is noodles' header error, not an allocation.
        let bcf = |text: &str| {
            let text = format!("{text}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\0");
            let mut bytes = b"BCF\x02\x02".to_vec();
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
            read_dataset(Cursor::new(bytes), None, &mut Silent).map(|_| ())
        };
        assert!(matches!(
            bcf("##fileformat=VCFv4.2\n##contig=<ID=1,IDX=+2147483647>\n"),
            Err(IngestError::BcfHeader(BcfHeaderError::IdxTooLarge {
                line: 2,
                ..
            }))
        ));
        let text = "##fileformat=VCFv4.2\n##contig=<ID=1,IDX=99999999999999999999999999>\n";
        assert!(check_bcf_idx(text).is_ok());
        assert!(matches!(
            bcf(text),
            Err(IngestError::BcfHeader(BcfHeaderError::Parse(_)))
        ));
    }
    use super::super::error::{ErrorKind, RecordKind};
    use super::super::vcf_text::ParseError;
    use super::*;
    use crate::progress::Silent;

    const HEADER: &str =
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n";

    fn read(text: &str) -> Result<Dataset, IngestError> {
        read_dataset(Cursor::new(text.as_bytes()), None, &mut Silent)
    }

    /// The error of a file made of [`HEADER`] and `records`.
    fn record_error(records: &str) -> IngestError {
        read(&format!("{HEADER}{records}")).expect_err("an invalid record")
    }

    #[test]
    fn a_missing_end_of_file_marker_is_an_error_only_after_a_cut_record() {
        let mut w = Warnings::default();
        assert!(check_eof_marker(true, false, &mut w, 10).is_ok());
        assert_eq!(w.total(), 0, "a marker found is nothing to report");

        check_eof_marker(false, true, &mut w, 10).expect("a complete last record");
        assert_eq!(w.total(), 1);
        assert!(
            w.render()[0].ends_with("the last record read was complete"),
            "{:?}",
            w.render()
        );

        let e = check_eof_marker(false, false, &mut Warnings::default(), 4321)
            .expect_err("a cut record");
        assert!(
            matches!(
                e,
                IngestError::Compression {
                    raw_offset: 4321,
                    source: CompressionError::MissingEofMarker
                }
            ),
            "{e:?}"
        );
        assert!(e.is_truncated());
    }

    #[test]
    fn broken_record_lines_are_errors_of_their_kind_at_their_line() {
        let cases: &[(&str, RecordKind)] = &[
            ("1\t100\t.\tA\n", RecordKind::TooFewColumns),
            (
                "1\tabc\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n",
                RecordKind::Position,
            ),
            (
                "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n",
                RecordKind::SampleCount,
            ),
            (
                "1\t100\t.\tA\tG\thigh\t.\t.\tGT\t0/1\t0/1\n",
                RecordKind::Quality,
            ),
            (
                "1\t100\t.\tA\tG,,T\t.\t.\t.\tGT\t0/1\t0/1\n",
                RecordKind::EmptyAllele,
            ),
            (
                "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/x\t0/1\n",
                RecordKind::Genotype,
            ),
            (
                "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1:5\t0/1\n",
                RecordKind::TooManySampleValues,
            ),
        ];
        for (line, kind) in cases {
            // The broken record is the second: line 4 of the file, record 2.
            let good = "1\t50\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n";
            let e = record_error(&format!("{good}{line}"));
            assert_eq!(e.kind(), ErrorKind::Record(*kind), "{line:?}: {e:?}");
            let at = e.location().expect("a place");
            assert_eq!((at.line, at.record), (Some(4), Some(2)), "{line:?}");
            assert_eq!(at.offset, Some((HEADER.len() + good.len()) as u64));
            assert!(!e.is_truncated(), "{line:?}");
        }
    }

    #[test]
    fn a_last_line_cut_short_is_truncated_with_what_parsing_found() {
        let e = record_error("1\t100\t.\tA");
        assert!(e.is_truncated());
        assert!(
            matches!(
                &e,
                IngestError::Record { source, .. }
                    if matches!(**source, RecordError::Truncated(Some(ParseError::TooFewColumns(4))))
            ),
            "{e:?}"
        );
        // A complete last record without its newline loads, with a warning.
        let ds = read(&format!("{HEADER}1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1")).unwrap();
        assert_eq!(ds.summary.records, 1);
        assert!(
            ds.summary.warnings[0].contains("no newline"),
            "{:?}",
            ds.summary.warnings
        );
    }

    /// Uncompressed BCF (BCF 2.2 §6.2): the magic, the header text, then `records` as they are.
    fn bcf(records: &[u8]) -> Vec<u8> {
        let text = "##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\0";
        let mut out = b"BCF\x02\x02".to_vec();
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(records);
        out
    }

    #[test]
    fn bcf_records_that_cannot_be_read_are_errors_of_their_kind() {
        let read_bcf = |records: &[u8]| {
            read_dataset(Cursor::new(bcf(records)), None, &mut Silent).expect_err("damaged")
        };
        // A record claiming 4 GiB of site data in a file of a few bytes: refused, not allocated.
        let mut lengths = u32::MAX.to_le_bytes().to_vec();
        lengths.extend_from_slice(&0u32.to_le_bytes());
        let e = read_bcf(&lengths);
        assert_eq!(e.kind(), ErrorKind::Record(RecordKind::TooLong), "{e:?}");
        assert_eq!(e.location().and_then(|l| l.record), Some(1));
        // 24 bytes of site data announced, 3 there: the file was cut inside record 1.
        let mut cut = 24u32.to_le_bytes().to_vec();
        cut.extend_from_slice(&[0, 0, 0, 0, 1, 2, 3]);
        let e = read_bcf(&cut);
        assert!(e.is_truncated(), "{e:?}");
        assert_eq!(e.location().and_then(|l| l.record), Some(1));
        // No records at all is an empty file, not an error.
        let ds = read_dataset(Cursor::new(bcf(&[])), None, &mut Silent).expect("no records");
        assert_eq!(ds.summary.records, 0);
    }

    #[test]
    fn header_errors_name_their_line() {
        let e = read("##fileformat=VCFv4.2\n##contig=<ID=1>\n").expect_err("no #CHROM");
        assert!(
            matches!(
                e,
                IngestError::Header {
                    line: 2,
                    source: HeaderError::MissingChromLine
                }
            ),
            "{e:?}"
        );
        let e = read("##fileformat=VCFv4.2\n##x=1\n##INFO=<ID=DP>\n#CHROM\tPOS\n");
        assert!(
            matches!(
                e,
                Err(IngestError::Header {
                    line: 4,
                    source: HeaderError::ChromLineColumns
                })
            ),
            "{e:?}"
        );
        let mut bytes = b"##fileformat=VCFv4.2\n##source=".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
        let e = read_dataset(Cursor::new(bytes), None, &mut Silent).expect_err("not UTF-8");
        assert!(
            matches!(
                e,
                IngestError::Header {
                    line: 2,
                    source: HeaderError::NotUtf8
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn a_shard_locates_by_record_and_its_own_offset() {
        let shard = Origin::Shard {
            shard_offset: 1000,
            file_offsets: false,
        };
        assert_eq!(
            shard.locate(Some(5), Some(2), Some(77)),
            Location {
                line: None,
                record: Some(2),
                offset: None,
                shard_offset: Some(1000)
            }
        );
        let text = Origin::Shard {
            shard_offset: 1000,
            file_offsets: true,
        };
        assert_eq!(text.locate(Some(5), Some(2), Some(77)).offset, Some(77));
        assert_eq!(
            Origin::File.locate(Some(5), Some(2), Some(77)),
            Location {
                line: Some(5),
                record: Some(2),
                offset: Some(77),
                shard_offset: None
            }
        );
    }
}
