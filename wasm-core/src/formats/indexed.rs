//! Reading a BGZF VCF / BCF through its `.tbi` / `.csi` index: a whole-genome overview from
//! the index alone, and region queries that read only the blocks the index points to.
//!
//! Data flow: raw bytes (`Read + Seek`: a file, a browser `Blob`, or the plaintext view of a
//! Crypt4GH file) → BGZF blocks at the index's virtual offsets → records of the wanted contig →
//! kept when they overlap a region (`bcftools view -r` semantics, [`crate::regions`]) → a
//! [`Dataset`] holding just those records, which filters, pages and exports like any other.
//!
//! The index is checked against its data when the file is opened (its first chunk must start
//! where this file's records start, no chunk may point past the end, its contigs must be the
//! header's) and again on every chunk read (a chunk must start a record of its contig). A
//! mismatch is [`IndexError::Mismatch`], never wrong records.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use noodles::vcf;

use super::bcf;
use super::bgzf::{BgzfReader, read_full};
use super::dataset::{ContigSummary, Dataset, Parts, finish};
use super::error::{IngestError, RecordError, decode_error, error_chain};
use super::header::{self, ContigInfo, HeaderError, TextHeader};
use super::ingest::{BcfHeader, read_bcf_header};
use super::open::{Bgzf, Counting, Opened, ReadSeek, open_seekable};
use super::sniff::{self, Compression, Payload};
use super::vcf_text::{self, ParseError};
use super::warnings::Warnings;
use crate::crypt4gh::SecretKey;
use crate::index::{Chunk, Index, IndexError, IndexKind, block_offset, merge_chunks};
use crate::regions::{RegionSet, overlaps, record_span};
use crate::store::VariantStore;

/// Longest header or record line read through an index (a guard against a wrong offset
/// landing in binary data, or a corrupt file): 64 MiB.
const MAX_LINE: u64 = 64 << 20;
/// Decrypted segments kept when reading a Crypt4GH file through an index: region queries jump
/// around, and neighbouring chunks often share a segment.
const CACHED_SEGMENTS: usize = 4;

/// What the index says about a file, available at once, before (or instead of) a full read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Overview {
    pub payload: Payload,
    pub index: IndexKind,
    pub encrypted: bool,
    /// `VCFv4.2`, …
    pub file_format: String,
    pub samples: Vec<String>,
    pub reference_build: Option<String>,
    /// Contigs the index covers, in its order, with their record counts when it has them.
    pub contigs: Vec<OverviewContig>,
    /// Records in all, when the index counts every contig.
    pub records: Option<u64>,
    /// The data file's size in bytes (the plaintext size when encrypted).
    pub data_bytes: u64,
    /// Things about the index worth knowing (missing counts, undeclared contigs).
    pub warnings: Vec<String>,
}

/// One contig of an [`Overview`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OverviewContig {
    pub name: String,
    /// From the header's `##contig` line.
    pub length: Option<u64>,
    /// From the index's statistics; `None` when the index has none.
    pub records: Option<u64>,
}

/// The decompressing reader positioned by virtual offsets, and what parses its records.
enum Records {
    Vcf(Bgzf),
    Bcf(noodles::bcf::io::Reader<Bgzf>, Box<vcf::Header>),
}

impl Records {
    fn bgzf(&mut self) -> &mut Bgzf {
        match self {
            Self::Vcf(r) => r,
            Self::Bcf(r, _) => r.get_mut(),
        }
    }
}

/// A BGZF VCF / BCF opened with its index. Queries take `&mut self` (they move the reader).
pub struct IndexedFile {
    records: Records,
    index: Index,
    header: TextHeader,
    file_format: String,
    raw_header: String,
    header_contigs: Vec<ContigInfo>,
    /// The index's contig ids as names: the index's own list, or the BCF header's dictionary.
    names: Vec<String>,
    payload: Payload,
    encrypted: bool,
    data_bytes: u64,
    /// Raw bytes read so far (ciphertext plaintext bytes when encrypted), for "read only what the
    /// index points to".
    read: Rc<Cell<u64>>,
    /// Virtual position where the records start, just after the header.
    first_record: u64,
    warnings: Vec<String>,
}

impl std::fmt::Debug for IndexedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexedFile")
            .field("index", &self.index.kind())
            .field("payload", &self.payload)
            .field("contigs", &self.names.len())
            .finish_non_exhaustive()
    }
}

impl IndexedFile {
    /// Opens `data` (a BGZF VCF / BCF, or a Crypt4GH file holding one, which needs `key`) with
    /// the bytes of its `.tbi` / `.csi` index, reads the header and checks the index fits.
    pub fn open(
        data: Box<dyn ReadSeek>,
        index: &[u8],
        key: Option<&SecretKey>,
    ) -> Result<IndexedFile, IngestError> {
        let index = Index::read(index).map_err(IngestError::Index)?;
        Self::with_index(data, index, key)
    }

    /// As [`IndexedFile::open`], with an index already parsed.
    pub fn with_index(
        data: Box<dyn ReadSeek>,
        index: Index,
        key: Option<&SecretKey>,
    ) -> Result<IndexedFile, IngestError> {
        let Opened {
            data,
            container,
            encrypted,
            len: data_bytes,
        } = open_seekable(data, key, CACHED_SEGMENTS)?;
        match container {
            sniff::Container::Bgzf => {}
            other => {
                let what = match other {
                    sniff::Container::Gzip => "compressed with plain gzip, not BGZF",
                    sniff::Container::Crypt4gh => "encrypted twice",
                    _ => "not compressed",
                };
                return Err(IngestError::Index(IndexError::Mismatch(format!(
                    "an index needs a BGZF-compressed file (bgzip or bcftools -Oz), and this file is {what}"
                ))));
            }
        }
        let read = Rc::new(Cell::new(0));
        let mut bgzf = BgzfReader::new(Counting::new(data, &read));
        // Offsets in messages are the raw bytes read so far, as in a full read.
        let decode_err = |e: io::Error| decode_error(e, read.get());
        let mut magic = [0u8; 16];
        let n = read_full(&mut bgzf, &mut magic).map_err(decode_err)?;
        bgzf.seek_virtual(0).map_err(decode_err)?;
        let payload = sniff::payload(&magic[..n])?;
        let mut warnings = Warnings::default();
        let (records, text, file_format, contigs, raw_header, names) = match payload {
            Payload::Vcf => {
                let text = read_text_header(&mut bgzf, &mut warnings)?;
                let names = index.names().map(<[String]>::to_vec).ok_or_else(|| {
                    IngestError::Index(IndexError::Mismatch(
                        "this CSI index names no contigs, so it was made for a BCF file, and this file is VCF text".into(),
                    ))
                })?;
                let file_format = text.file_format.clone();
                let contigs = text.contigs.clone();
                let raw = text.raw.clone();
                (Records::Vcf(bgzf), text, file_format, contigs, raw, names)
            }
            Payload::Bcf => {
                if index.kind() == IndexKind::Tabix {
                    return Err(IngestError::Index(IndexError::Mismatch(
                        "a tabix (.tbi) index cannot index BCF; BCF files use .csi (bcftools index)".into(),
                    )));
                }
                let BcfHeader {
                    noodles,
                    text,
                    file_format,
                    contigs,
                    raw,
                } = read_bcf_header(&mut bgzf, &mut warnings, &decode_err)?;
                let names = match index.names() {
                    Some(names) => names.to_vec(),
                    None => {
                        let dictionary = noodles.string_maps().contigs();
                        (0..index.len())
                            .map(|i| {
                                dictionary.get_index(i).map(str::to_string).ok_or_else(|| {
                                    IngestError::Index(IndexError::Mismatch(format!(
                                        "the index has {} contigs but the BCF header declares only {i}",
                                        index.len()
                                    )))
                                })
                            })
                            .collect::<Result<_, _>>()?
                    }
                };
                let reader = noodles::bcf::io::Reader::from(bgzf);
                (
                    Records::Bcf(reader, Box::new(noodles)),
                    text,
                    file_format,
                    contigs,
                    raw,
                    names,
                )
            }
        };
        let mut records = records;
        let first_record = position(records.bgzf()).map_err(|e| decode_error(e, read.get()))?;
        let mut file = IndexedFile {
            first_record,
            records,
            index,
            header: text,
            file_format,
            raw_header,
            header_contigs: contigs,
            names,
            payload,
            encrypted,
            data_bytes,
            read,
            warnings: warnings.render(),
        };
        file.check()?;
        Ok(file)
    }

    /// Checks the index against the data: contig names, offsets within the file, and that its
    /// first chunk starts at this file's first record.
    fn check(&mut self) -> Result<(), IngestError> {
        let mismatch = |m: String| IngestError::Index(IndexError::Mismatch(m));
        // Contigs the header does not declare are legal VCF (htslib warns); say so only.
        if !self.header_contigs.is_empty() {
            let declared: std::collections::HashSet<&str> = self
                .header_contigs
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            let undeclared: Vec<&str> = self
                .names
                .iter()
                .map(String::as_str)
                .filter(|n| !declared.contains(n))
                .collect();
            if let Some(first) = undeclared.first() {
                self.warnings.push(format!(
                    "the index names {} contig(s) the header does not declare (first: {first})",
                    undeclared.len()
                ));
            }
        }
        let Some((first, last)) = self.index.offset_range() else {
            return Ok(());
        };
        if block_offset(last) > self.data_bytes {
            return Err(mismatch(format!(
                "it points to byte {} but the file has {} bytes (a shortened file, or another file's index)",
                block_offset(last),
                self.data_bytes
            )));
        }
        // The index's first chunk must begin with the record that follows this file's header.
        // Old tabix versions start it at the very beginning of the file, header included:
        // records are then found by skipping header lines, as `read_chunk` does.
        let after_header = self.first_record;
        if first == 0 {
            return Ok(());
        }
        let expected = self.peek(after_header, 64)?;
        let found = self.peek(first, 64).map_err(|_| {
            mismatch(format!(
                "its first record is at byte {}, where this file has no BGZF block",
                block_offset(first)
            ))
        })?;
        if expected != found {
            return Err(mismatch(format!(
                "its first record (at byte {} of the compressed file) is not this file's first record",
                block_offset(first)
            )));
        }
        Ok(())
    }

    /// Up to `n` decompressed bytes from virtual offset `at`.
    fn peek(&mut self, at: u64, n: usize) -> Result<Vec<u8>, IngestError> {
        let bgzf = self.records.bgzf();
        bgzf.seek_virtual(at)
            .map_err(|e| decode_error(e, block_offset(at)))?;
        let mut buf = vec![0u8; n];
        let got = read_full(bgzf, &mut buf).map_err(|e| decode_error(e, block_offset(at)))?;
        buf.truncate(got);
        Ok(buf)
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn payload(&self) -> Payload {
        self.payload
    }

    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// Raw bytes read from the data file so far (plaintext bytes when encrypted).
    pub fn bytes_read(&self) -> u64 {
        self.read.get()
    }

    /// The data file's size (the plaintext's when encrypted).
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Contig names in the index's order.
    pub fn contig_names(&self) -> &[String] {
        &self.names
    }

    /// The whole-genome overview from the header and the index's statistics.
    pub fn overview(&self) -> Overview {
        let lengths: std::collections::HashMap<&str, Option<u64>> = self
            .header_contigs
            .iter()
            .map(|c| (c.name.as_str(), c.length))
            .collect();
        let contigs: Vec<OverviewContig> = self
            .names
            .iter()
            .enumerate()
            .map(|(tid, name)| OverviewContig {
                name: name.clone(),
                length: lengths.get(name.as_str()).copied().flatten(),
                records: self
                    .index
                    .stats(tid)
                    .map(|s| s.mapped)
                    .or_else(|| (!self.index.has_records(tid)).then_some(0)),
            })
            .collect();
        let records = contigs.iter().map(|c| c.records).sum::<Option<u64>>();
        let mut warnings = self.warnings.clone();
        if records.is_none() {
            warnings.push(
                "this index has no record counts (made by an old tabix): counts appear after the full read"
                    .into(),
            );
        }
        Overview {
            payload: self.payload,
            index: self.index.kind(),
            encrypted: self.encrypted,
            file_format: self.file_format.clone(),
            samples: self.header.samples.clone(),
            reference_build: header::reference_build(&self.raw_header, &self.header_contigs),
            contigs,
            records,
            data_bytes: self.data_bytes,
            warnings,
        }
    }

    /// The records overlapping `regions` (as `bcftools view -r`), in file order, read through
    /// the index. Contigs the index does not have give no records.
    pub fn query(&mut self, regions: &RegionSet) -> Result<Dataset, IngestError> {
        let mut store = self.header.store().map_err(|e| {
            let source = HeaderError::from(e);
            match self.payload {
                // The declarations are the whole header's, so the last line (#CHROM) is named,
                // as a whole read names it.
                Payload::Vcf => IngestError::Header {
                    line: self.raw_header.lines().count() as u64,
                    source,
                },
                Payload::Bcf => IngestError::BcfHeader(source.into()),
            }
        })?;
        let mut warnings = Warnings::default();
        let per_contig = regions.intervals_for(&self.names);
        let before = self.read.get();
        for tid in regions.contig_order(&self.names) {
            let ivs = &per_contig[tid];
            let chunks: Vec<Chunk> = ivs
                .iter()
                .flat_map(|&(s, e)| self.index.chunks(tid, s, e))
                .collect();
            let chunks = merge_chunks(chunks);
            let last_end = ivs.last().map_or(0, |iv| iv.1);
            for chunk in chunks {
                self.read_chunk(tid, chunk, ivs, last_end, &mut store, &mut warnings)?;
            }
        }
        Ok(self.dataset(store, &warnings, self.read.get() - before))
    }

    /// Up to `n` record-aligned starting points that split the records into shards of about
    /// equal compressed size, for reading in parallel (one worker per shard, [`super::shards::read_shard`]).
    /// The first is where the records start; every other is a chunk start from the index, so
    /// each begins exactly at a record. Fewer come back when the index has fewer chunks.
    pub fn shard_starts(&self, n: usize) -> Vec<u64> {
        let first = self.first_record;
        let mut starts = self.index.chunk_starts();
        starts.retain(|&s| s > first);
        let Some(&last) = starts.last() else {
            return vec![first];
        };
        let span = block_offset(last)
            .saturating_sub(block_offset(first))
            .max(1);
        let mut out = vec![first];
        for k in 1..n.max(1) {
            let target = block_offset(first) + span * k as u64 / n as u64;
            // The first chunk start at or after the target, if it is past the previous split.
            let i = starts.partition_point(|&s| block_offset(s) < target);
            if let Some(&s) = starts.get(i)
                && s > *out.last().expect("first")
            {
                out.push(s);
            }
        }
        out
    }

    /// `vpos` as a reader arriving there reports it: the end of a block (htslib writes either
    /// form) becomes the start of the next block with data.
    pub(super) fn normalize(&mut self, vpos: u64) -> Result<u64, IngestError> {
        let decode_err = |e: io::Error| decode_error(e, block_offset(vpos));
        let bgzf = self.records.bgzf();
        bgzf.seek_virtual(vpos).map_err(decode_err)?;
        position(bgzf).map_err(decode_err)
    }

    /// The [`Dataset`] of records read through the index (`bytes_read` of the data file).
    fn dataset(&self, store: VariantStore, warnings: &Warnings, bytes_read: u64) -> Dataset {
        let mut dataset = finish(
            store,
            Parts {
                compression: Compression::Bgzf,
                payload: self.payload,
                file_format: self.file_format.clone(),
                raw_header: &self.raw_header,
                contigs: &self.header_contigs,
                warnings: warnings.render(),
                bytes_read,
                uncompressed_bytes: 0,
            },
        );
        dataset.summary.encrypted = self.encrypted;
        dataset
    }

    /// Reads the records of contig `tid` starting in `chunk`, keeping those overlapping `ivs`.
    fn read_chunk(
        &mut self,
        tid: usize,
        chunk: Chunk,
        ivs: &[(u64, u64)],
        last_end: u64,
        store: &mut VariantStore,
        warnings: &mut Warnings,
    ) -> Result<(), IngestError> {
        let contig = self.names[tid].as_str();
        let first_record = self.first_record;
        let mismatch = |m: String| IngestError::Index(IndexError::Mismatch(m));
        let at = block_offset(chunk.start);
        self.records.bgzf().seek_virtual(chunk.start).map_err(|e| {
            mismatch(format!(
                "it points to byte {at}, where this file has no readable BGZF block ({e})"
            ))
        })?;
        let record_err = |pos: Option<u64>, source: RecordError| IngestError::IndexedRecord {
            contig: contig.to_string(),
            pos,
            block_offset: at,
            source: Box::new(source),
        };
        match &mut self.records {
            Records::Vcf(bgzf) => {
                let mut line = Vec::new();
                let mut scratch = vcf_text::Scratch::default();
                while position(bgzf).map_err(|e| decode_error(e, at))? < chunk.end {
                    line.clear();
                    let n = read_line(bgzf, &mut line).map_err(|e| decode_error(e, at))?;
                    if n == 0 {
                        break;
                    }
                    if line.starts_with(b"#") && bgzf.virtual_position() <= first_record {
                        continue;
                    }
                    let (chrom, pos_text) = chrom_pos(&line);
                    if chrom != contig.as_bytes() {
                        return Err(mismatch(format!(
                            "near byte {at} it points to {}, not to a record of {contig}",
                            describe_line(&line)
                        )));
                    }
                    let Some(pos) = std::str::from_utf8(pos_text)
                        .ok()
                        .and_then(|p| p.parse::<u64>().ok())
                    else {
                        let text = String::from_utf8_lossy(pos_text).into_owned();
                        return Err(record_err(None, ParseError::Position(text).into()));
                    };
                    if pos > last_end {
                        break;
                    }
                    let i = store.len();
                    vcf_text::parse_record(&line, store, &mut scratch, warnings)
                        .map_err(|e| record_err(Some(pos), e.into()))?;
                    let (start, end) = record_span(store, i);
                    if !overlaps(ivs, start, end) {
                        store.truncate(i);
                    }
                }
            }
            Records::Bcf(reader, header) => {
                let mut record = noodles::bcf::Record::default();
                let mut scratch = bcf::Scratch::default();
                while position(reader.get_mut()).map_err(|e| decode_error(e, at))? < chunk.end {
                    let n = bcf::read_record(reader.get_mut(), &mut record, &mut scratch)
                        .map_err(|e| {
                        mismatch(format!(
                            "near byte {at} it points to something that is not a BCF record ({})",
                            error_chain(&e)
                        ))
                    })?;
                    if n == 0 {
                        break;
                    }
                    let record_tid = record.reference_sequence_id().ok();
                    if record_tid != Some(tid) {
                        return Err(mismatch(format!(
                            "near byte {at} it points to a record of another contig than {contig}"
                        )));
                    }
                    let pos = match record.variant_start().transpose() {
                        Ok(Some(p)) => usize::from(p) as u64,
                        _ => 0,
                    };
                    if pos > last_end {
                        break;
                    }
                    let i = store.len();
                    bcf::push_record(&record, header, store, &mut scratch, warnings)
                        .map_err(|e| record_err(Some(pos), e.into()))?;
                    let (start, end) = record_span(store, i);
                    if !overlaps(ivs, start, end) {
                        store.truncate(i);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The reader's virtual position, normalised: at the end of a block it is the next block's
/// start (offset 0 in it), as index chunks name it, not the end of the block just read.
fn position(bgzf: &mut Bgzf) -> io::Result<u64> {
    bgzf.fill_buf()?;
    Ok(bgzf.virtual_position())
}

/// Reads a VCF header line by line straight from the BGZF reader (no read-ahead), so its
/// virtual position afterwards is exactly the first record's.
fn read_text_header(bgzf: &mut Bgzf, warnings: &mut Warnings) -> Result<TextHeader, IngestError> {
    let mut text = TextHeader::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let n = read_line(bgzf, &mut line).map_err(|e| {
            let at = block_offset(bgzf.virtual_position());
            decode_error(e, at)
        })?;
        number += 1;
        let header_error = |source| IngestError::Header {
            line: number,
            source,
        };
        if n == 0 {
            return Err(header_error(HeaderError::MissingChromLine));
        }
        let text_line =
            std::str::from_utf8(&line).map_err(|_| header_error(HeaderError::NotUtf8))?;
        let done = text
            .push_line(text_line, &mut |kind, msg| warnings.add(kind, msg))
            .map_err(header_error)?;
        if done {
            return Ok(text);
        }
    }
}

/// One line without its `\n` / `\r\n`; the bytes consumed (0 at the end). Lines longer than
/// [`MAX_LINE`] are an error.
fn read_line<R: BufRead>(r: &mut R, line: &mut Vec<u8>) -> io::Result<usize> {
    let n = r.take(MAX_LINE).read_until(b'\n', line)?;
    if n as u64 == MAX_LINE && line.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a line is longer than {} MiB", MAX_LINE >> 20),
        ));
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(n)
}

/// The CHROM and POS columns of a record line (empty when the line has fewer).
fn chrom_pos(line: &[u8]) -> (&[u8], &[u8]) {
    let mut cols = line.splitn(3, |&b| b == b'\t');
    let chrom = cols.next().unwrap_or_default();
    let pos = cols.next().unwrap_or_default();
    (chrom, pos)
}

/// A short, content-free description of what a wrong offset landed on.
fn describe_line(line: &[u8]) -> String {
    if line.starts_with(b"#") {
        return "a header line".into();
    }
    match line.iter().position(|&b| b == b'\t') {
        Some(k) if k <= 64 && line[..k].iter().all(|b| b.is_ascii_graphic()) => {
            format!("a record of {}", String::from_utf8_lossy(&line[..k]))
        }
        _ => "the middle of a record".into(),
    }
}

/// Per-contig counts of a loaded dataset that disagree with an index's statistics: a sign the
/// index was made for another version of the file. `(contig, index count, file count)`.
pub fn count_mismatches(overview: &Overview, contigs: &[ContigSummary]) -> Vec<(String, u64, u64)> {
    overview
        .contigs
        .iter()
        .filter_map(|c| {
            let expected = c.records?;
            let found = contigs
                .iter()
                .find(|s| s.name == c.name)
                .map_or(0, |s| s.records);
            (expected != found).then(|| (c.name.clone(), expected, found))
        })
        .collect()
}
