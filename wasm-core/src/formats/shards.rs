//! One file read by several workers at once: [`plan`] splits it into record-aligned shards,
//! and [`read_shard`] reads one of them into its own [`Dataset`].
//!
//! Data flow: the page asks one worker for a [`ShardPlan`] of a file (with its index when it has
//! one), posts each [`ShardSpec`] (small, serde) to a worker of the pool, and each worker reads
//! its shard from its own handle on the same file, header included; queries then fan out and
//! their answers merge ([`crate::store::merge_orders`]). Concatenated in plan order, the shards'
//! records are exactly the file's.
//!
//! How a file is split:
//! - **BGZF VCF** (plain, or the plaintext of a Crypt4GH file): the compressed bytes after the
//!   header are cut into `n` equal ranges. Each cut moves to the next true block start
//!   ([`bgzf::find_block_start_in`]) and then past the first newline in that block's data (or a
//!   later one, when a record is longer than a block): the split is where a record starts, as a
//!   virtual position. Because every split is a record start, a shard reads from its start to
//!   exactly the next shard's start; the record that straddles a cut belongs to the shard in
//!   which it starts, which reads on into the next blocks to finish it.
//! - **With a `.tbi` / `.csi` index** (BGZF VCF or BCF): the index's chunk starts
//!   ([`IndexedFile::shard_starts`]), which are record starts too.
//! - **Uncompressed VCF**: the same with byte offsets; a cut moves past the next newline (not at
//!   all when the byte before it is one).
//! - **Plain gzip and BCF without an index** cannot be split: one [`ShardRange::Whole`] shard and
//!   a [`SingleReason`] the page can show.
//!
//! A shard reader checks that it arrives exactly at its end, at a record start; a plan used on
//! another file, or a block search fooled by a file built to nest fake blocks in stored deflate
//! data, is a [`ShardError`], never a lost or doubled record.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::rc::Rc;
use std::{cell::Cell, fmt};

use noodles::vcf;

use super::bgzf::{self, BgzfReader, read_full};
use super::dataset::Dataset;
use super::error::{IngestError, decode_error};
use super::indexed::IndexedFile;
use super::ingest::{
    Ctx, Origin, ReadOptions, check_eof_marker, read_bcf_header, read_bcf_records, read_boxed,
    read_vcf_header, read_vcf_records,
};
use super::open::{BUF, Bgzf, Counting, Opened, ReadSeek, open_seekable};
use super::sniff::{self, Compression, Container, Payload};
use super::vcf_text::LineReader;
use crate::crypt4gh::SecretKey;
use crate::progress::{Progress, Silent};
use crate::store::VariantStore;

/// How a file is split among workers: what [`plan`] gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShardPlan {
    /// The shards, in file order: at least one, at most as many as asked for.
    pub shards: Vec<ShardSpec>,
    /// Why the file is read as one shard although more were asked for.
    pub single_reason: Option<SingleReason>,
}

/// One shard of a file: what a worker needs, besides the file itself, to read its part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShardSpec {
    pub range: ShardRange,
    /// Bytes of the file the plan was made for (of its plaintext, when encrypted):
    /// [`read_shard`] refuses a file of another size.
    pub data_bytes: u64,
}

/// Where a shard's records are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShardRange {
    /// The whole file, read from its start as [`super::read_dataset`] reads it.
    Whole,
    /// BGZF: the records from virtual position `start` (where a record starts, after the
    /// header) up to, not including, virtual position `end` (the next shard's start; `None`: to
    /// the end of the file). A virtual position is htslib's: block offset `<< 16` | offset in
    /// the block's data.
    Bgzf { start: u64, end: Option<u64> },
    /// Uncompressed VCF text: the records from byte `start_offset` (where a record starts, after
    /// the header) up to, not including, `end_offset` (`None`: to the end of the file).
    Text {
        start_offset: u64,
        end_offset: Option<u64>,
    },
}

/// Why a file is read by one worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SingleReason {
    /// Plain gzip is one deflate stream, readable only from its start.
    PlainGzip,
    /// BCF records are binary and carry no mark to find the next one from anywhere but the
    /// previous one; only an index gives places to start.
    BcfWithoutIndex,
    /// The records are too few bytes to split (one BGZF block, or one record).
    TooSmall,
}

impl fmt::Display for SingleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PlainGzip => {
                "this file is compressed with plain gzip, which can only be read from its start, so one worker reads it; compressed with bgzip (BGZF), it could be read by several"
            }
            Self::BcfWithoutIndex => {
                "a BCF file can only be split by its index, so one worker reads it; open it with its .csi index (bcftools index) to use several"
            }
            Self::TooSmall => "this file is too small to split, so one worker reads it",
        })
    }
}

/// A shard that does not fit the file it is read from: the plan was made for another file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error(
        "this shard was planned for a file of {planned} bytes, and this file has {found}: plan the shards of this file"
    )]
    OtherSize { planned: u64, found: u64 },
    #[error(
        "this shard was planned for {planned} data, and this file holds {found}: plan the shards of this file"
    )]
    OtherContainer {
        planned: &'static str,
        found: &'static str,
    },
    #[error(
        "this shard starts inside the header (at byte {offset}), so it was planned for another file"
    )]
    StartInHeader { offset: u64 },
    #[error(
        "this shard should end where a record starts, near byte {offset}, and this file has no record start there: the plan was made for another file"
    )]
    EndNotARecordStart { offset: u64 },
    #[error(
        "this shard should end near byte {offset}, and the data ends before: the plan was made for another file"
    )]
    EndPastData { offset: u64 },
}

impl From<ShardError> for io::Error {
    /// `InvalidData` with the typed error inside, which `decode_error` takes out again.
    fn from(e: ShardError) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// Decrypted segments kept while planning: block searches read windows of a few hundred KiB.
const PLAN_SEGMENTS: usize = 8;

impl ShardSpec {
    /// Bytes of the file this shard covers (compressed bytes for BGZF): what its progress
    /// counts up to. A shard whose records lie in one block covers 0 bytes.
    pub fn raw_bytes(&self) -> u64 {
        match self.range {
            ShardRange::Whole => self.data_bytes,
            ShardRange::Bgzf { start, end } => end
                .map_or(self.data_bytes, bgzf_offset)
                .saturating_sub(bgzf_offset(start)),
            ShardRange::Text {
                start_offset,
                end_offset,
            } => end_offset
                .unwrap_or(self.data_bytes)
                .saturating_sub(start_offset),
        }
    }
}

/// The file offset of the block a virtual position is in.
fn bgzf_offset(virtual_position: u64) -> u64 {
    virtual_position >> 16
}

/// Splits a file into up to `n` shards of about equal size (see the module's notes), reading
/// only its header and a few blocks around each cut. `index` is the file's `.tbi` / `.csi`, when
/// it has one; `key` opens a Crypt4GH file. One shard (`n` ≤ 1, or a file that cannot be split)
/// is [`ShardRange::Whole`].
///
/// The header is checked here, so a file that is not VCF / BCF is refused before any worker
/// starts; records are not.
pub fn plan(
    data: Box<dyn ReadSeek>,
    index: Option<&[u8]>,
    key: Option<&SecretKey>,
    n: usize,
) -> Result<ShardPlan, IngestError> {
    let n = n.max(1);
    if let Some(index) = index {
        return plan_indexed(&mut IndexedFile::open(data, index, key)?, n);
    }
    let Opened {
        data,
        container,
        encrypted: _,
        len,
    } = open_seekable(data, key, PLAN_SEGMENTS)?;
    let single = |reason| ShardPlan::whole(len, n, Some(reason));
    match container {
        Container::Gzip => Ok(single(SingleReason::PlainGzip)),
        // The plaintext of a Crypt4GH file is Crypt4GH again: the whole read says so.
        Container::Crypt4gh => Ok(ShardPlan::whole(len, n, None)),
        Container::Bgzf => plan_body(data, len, n, BgzfReader::new, bgzf_range),
        Container::Plain => plan_body(data, len, n, TextReader::new, text_range),
    }
}

/// [`plan`] for a file already opened with its index: up to `n` shards at the index's chunk
/// starts ([`IndexedFile::shard_starts`]).
pub fn plan_indexed(file: &mut IndexedFile, n: usize) -> Result<ShardPlan, IngestError> {
    let n = n.max(1);
    let mut starts = Vec::new();
    for start in file.shard_starts(n) {
        starts.push(file.normalize(start)?);
    }
    starts.dedup();
    Ok(ShardPlan::from_starts(
        &starts,
        file.data_bytes(),
        n,
        bgzf_range,
    ))
}

/// The plan for a BGZF or plain-text file: `body` reads it, [`split`] finds record starts,
/// `range` names each part.
fn plan_body<P: Positioned>(
    data: Box<dyn ReadSeek>,
    len: u64,
    n: usize,
    body: impl FnOnce(Counting<Box<dyn ReadSeek>>) -> P,
    range: fn(u64, Option<u64>) -> ShardRange,
) -> Result<ShardPlan, IngestError> {
    let count = Rc::new(Cell::new(0));
    let mut body = body(Counting::new(data, &count));
    let decode_err = |e: io::Error| decode_error(e, count.get());
    Ok(match split(&mut body, len, n, &decode_err)? {
        Err(reason) => ShardPlan::whole(len, n, Some(reason)),
        Ok(starts) => ShardPlan::from_starts(&starts, len, n, range),
    })
}

fn bgzf_range(start: u64, end: Option<u64>) -> ShardRange {
    ShardRange::Bgzf { start, end }
}

fn text_range(start_offset: u64, end_offset: Option<u64>) -> ShardRange {
    ShardRange::Text {
        start_offset,
        end_offset,
    }
}

impl ShardPlan {
    /// One shard: the whole file.
    fn whole(data_bytes: u64, n: usize, reason: Option<SingleReason>) -> Self {
        ShardPlan {
            shards: vec![ShardSpec {
                range: ShardRange::Whole,
                data_bytes,
            }],
            single_reason: reason.filter(|_| n > 1),
        }
    }

    /// Shards from record starts in file order (the first just after the header); one start is
    /// the whole file.
    fn from_starts(
        starts: &[u64],
        data_bytes: u64,
        n: usize,
        range: fn(u64, Option<u64>) -> ShardRange,
    ) -> Self {
        if starts.len() <= 1 || n == 1 {
            return Self::whole(data_bytes, n, Some(SingleReason::TooSmall));
        }
        let shards = starts
            .iter()
            .enumerate()
            .map(|(k, &start)| ShardSpec {
                range: range(start, starts.get(k + 1).copied()),
                data_bytes,
            })
            .collect();
        ShardPlan {
            shards,
            single_reason: None,
        }
    }
}

/// Decompressed data whose next byte's place in the file is known: BGZF (virtual positions) or
/// uncompressed text (byte offsets). What planning and [`Bounded`] need of it.
trait Positioned: BufRead {
    /// The place of the next byte (after filling the buffer, so never the end of a used-up
    /// block).
    fn position(&mut self) -> io::Result<u64>;

    /// Moves to `position`, a place this reader reported or an index holds.
    fn seek_to(&mut self, position: u64) -> io::Result<()>;

    /// Moves to where the search for a record start after a cut at file offset `from` begins:
    /// the first true block start at or after it (BGZF), or the byte before it (text, where a
    /// newline there makes the cut itself a record start). False when no block follows.
    fn seek_for_cut(&mut self, from: u64) -> io::Result<bool>;

    /// How many of the buffered bytes lie before `end`, and whether `end` comes right after
    /// them; `None` when this reader is past `end` without having stopped there.
    fn before(&mut self, end: u64) -> io::Result<Option<(usize, bool)>>;

    /// Whether the data, once read to its end, was complete: BGZF closes with its end-of-file
    /// marker (SAM spec §4.1.2); text has no such mark.
    fn ended_with_eof_marker(&self) -> bool;

    /// The file offset of a place: its block's for BGZF.
    fn file_offset(position: u64) -> u64
    where
        Self: Sized;
}

impl Positioned for Bgzf {
    fn position(&mut self) -> io::Result<u64> {
        self.fill_buf()?;
        Ok(self.virtual_position())
    }

    fn seek_to(&mut self, position: u64) -> io::Result<()> {
        self.seek_virtual(position)
    }

    fn seek_for_cut(&mut self, from: u64) -> io::Result<bool> {
        let Some(block) = bgzf::find_block_start_in(self.get_mut(), from)? else {
            return Ok(false);
        };
        self.seek_virtual(block << 16)?;
        Ok(true)
    }

    fn before(&mut self, end: u64) -> io::Result<Option<(usize, bool)>> {
        let len = self.fill_buf()?.len();
        let at = self.virtual_position();
        let (block, within) = (at >> 16, at & 0xffff);
        let (end_block, end_within) = (end >> 16, end & 0xffff);
        Ok(match block.cmp(&end_block) {
            std::cmp::Ordering::Less => Some((len, false)),
            std::cmp::Ordering::Equal if within <= end_within => {
                let room = (end_within - within) as usize;
                Some((room.min(len), room <= len))
            }
            _ => None,
        })
    }

    fn ended_with_eof_marker(&self) -> bool {
        BgzfReader::ended_with_eof_marker(self)
    }

    fn file_offset(position: u64) -> u64 {
        bgzf_offset(position)
    }
}

/// Uncompressed data through a buffer, with the file offset of its next byte.
struct TextReader {
    inner: BufReader<Counting<Box<dyn ReadSeek>>>,
    offset: u64,
}

impl TextReader {
    fn new(inner: Counting<Box<dyn ReadSeek>>) -> Self {
        TextReader {
            inner: BufReader::with_capacity(BUF, inner),
            offset: 0,
        }
    }
}

impl Read for TextReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl BufRead for TextReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.offset += amt as u64;
        self.inner.consume(amt);
    }
}

impl Positioned for TextReader {
    fn position(&mut self) -> io::Result<u64> {
        Ok(self.offset)
    }

    fn seek_to(&mut self, position: u64) -> io::Result<()> {
        self.inner.seek(SeekFrom::Start(position))?;
        self.offset = position;
        Ok(())
    }

    fn seek_for_cut(&mut self, from: u64) -> io::Result<bool> {
        self.seek_to(from.saturating_sub(1))?;
        Ok(true)
    }

    fn before(&mut self, end: u64) -> io::Result<Option<(usize, bool)>> {
        let len = self.inner.fill_buf()?.len();
        Ok(end.checked_sub(self.offset).map(|left| {
            let room = usize::try_from(left).unwrap_or(usize::MAX);
            (room.min(len), room <= len)
        }))
    }

    fn ended_with_eof_marker(&self) -> bool {
        true
    }

    fn file_offset(position: u64) -> u64 {
        position
    }
}

/// The record starts that split `body` (positioned at the file's start) into up to `n` parts of
/// about equal raw size, the first just after the header; or why it cannot be split.
fn split<P: Positioned>(
    body: &mut P,
    len: u64,
    n: usize,
    decode_err: &dyn Fn(io::Error) -> IngestError,
) -> Result<Result<Vec<u64>, SingleReason>, IngestError> {
    let mut head = [0u8; 16];
    let got = read_full(body, &mut head).map_err(decode_err)?;
    body.seek_to(0).map_err(decode_err)?;
    match sniff::payload(&head[..got])? {
        Payload::Bcf => return Ok(Err(SingleReason::BcfWithoutIndex)),
        Payload::Vcf => {}
    }
    if n == 1 {
        return Ok(Err(SingleReason::TooSmall));
    }
    // The header is read as a shard reads it, so a bad one is refused now.
    let count = Rc::new(Cell::new(0));
    let mut silent = Silent;
    let mut ctx = Ctx::new(
        &count,
        None,
        &ReadOptions::default(),
        &mut silent,
        Origin::File,
    );
    read_vcf_header(&mut LineReader::new(&mut *body), &mut ctx, decode_err)?;
    let first = body.position().map_err(decode_err)?;
    let mut starts = vec![first];
    let records_from = P::file_offset(first);
    let span = u128::from(len.saturating_sub(records_from));
    let mut last = first;
    for k in 1..n {
        let target = records_from + (span * k as u128 / n as u128) as u64;
        // Past the block (or byte) of the previous start, so starts only grow.
        let from = target.max(P::file_offset(last) + 1);
        if from >= len || !body.seek_for_cut(from).map_err(decode_err)? {
            break;
        }
        if !skip_line(body).map_err(decode_err)? {
            break;
        }
        let start = body.position().map_err(decode_err)?;
        if body.fill_buf().map_err(decode_err)?.is_empty() {
            break;
        }
        starts.push(start);
        last = start;
    }
    Ok(Ok(starts))
}

/// Consumes bytes up to and including the next newline; false when the data ends first.
fn skip_line<R: BufRead + ?Sized>(r: &mut R) -> io::Result<bool> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok(true);
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// Reads one shard of a file (a [`ShardSpec`] from [`plan`] on the same file) into its own
/// [`Dataset`]: the header from the file's start, then the shard's records. `key` opens a
/// Crypt4GH file. Options work per shard: streaming filter mode keeps the shard's passing
/// records, a prefix read a prefix of the shard.
///
/// The summary means what a whole read's does, for this shard: `records` and the per-contig
/// counts are the shard's, `bytes_read` the raw bytes it read (its header excluded), and the
/// header's warnings are in every shard's. Progress counts the shard's raw bytes up to
/// [`ShardSpec::raw_bytes`]. Errors locate records within the shard ([`super::Location`]'s
/// `shard_offset`); a damaged BGZF block is [`IngestError::Bgzf`] naming its offset.
pub fn read_shard(
    data: Box<dyn ReadSeek>,
    key: Option<&SecretKey>,
    spec: &ShardSpec,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    let Opened {
        data,
        container,
        encrypted,
        len,
    } = open_seekable(data, key, 1)?;
    if len != spec.data_bytes {
        return Err(IngestError::Shard(ShardError::OtherSize {
            planned: spec.data_bytes,
            found: len,
        }));
    }
    let other_container = |planned| {
        IngestError::Shard(ShardError::OtherContainer {
            planned,
            found: match container {
                Container::Plain => "uncompressed",
                Container::Gzip => "plain gzip",
                Container::Bgzf => "BGZF",
                Container::Crypt4gh => "Crypt4GH",
            },
        })
    };
    let count = Rc::new(Cell::new(0));
    let total = spec.raw_bytes();
    let mut dataset = match spec.range {
        ShardRange::Whole => read_boxed(Box::new(data), Some(len), options, progress)?,
        ShardRange::Bgzf { start, end } => {
            if container != Container::Bgzf {
                return Err(other_container("BGZF"));
            }
            let mut body = BgzfReader::new(Counting::new(data, &count));
            let part = Part {
                start,
                end,
                total,
                compression: Compression::Bgzf,
            };
            part.read(&mut body, &count, options, progress)?
        }
        ShardRange::Text {
            start_offset,
            end_offset,
        } => {
            if container != Container::Plain {
                return Err(other_container("uncompressed"));
            }
            let mut body = TextReader::new(Counting::new(data, &count));
            let part = Part {
                start: start_offset,
                end: end_offset,
                total,
                compression: Compression::None,
            };
            part.read(&mut body, &count, options, progress)?
        }
    };
    dataset.summary.encrypted = encrypted;
    Ok(dataset)
}

/// A shard other than the whole file, ready to read.
struct Part {
    start: u64,
    end: Option<u64>,
    /// What progress counts up to.
    total: u64,
    compression: Compression,
}

impl Part {
    /// Reads the header from the start of `body`, then the shard's records.
    fn read<P: Positioned>(
        &self,
        body: &mut P,
        count: &Rc<Cell<u64>>,
        options: &ReadOptions<'_>,
        progress: &mut dyn Progress,
    ) -> Result<Dataset, IngestError> {
        let base = P::file_offset(self.start);
        let decode_err = |e: io::Error| decode_error(e, base + count.get());
        let mut head = [0u8; 16];
        let got = read_full(body, &mut head).map_err(decode_err)?;
        body.seek_to(0).map_err(decode_err)?;
        let payload = sniff::payload(&head[..got])?;
        let mut ctx = Ctx::new(count, Some(self.total), options, progress, Origin::File);
        // Read through a `Bounded` without an end, which counts the header's bytes.
        let mut head = Bounded::new(&mut *body, None, 0, false);
        let mut header = match payload {
            Payload::Vcf => {
                read_vcf_header(&mut LineReader::new(&mut head), &mut ctx, &decode_err)?
            }
            Payload::Bcf => {
                read_bcf_header(&mut head, &mut ctx.warnings, &decode_err)?.into_file_header()?
            }
        };
        let header_bytes = head.consumed;
        let header_end = body.position().map_err(decode_err)?;
        if self.start < header_end {
            return Err(IngestError::Shard(ShardError::StartInHeader {
                offset: base,
            }));
        }
        // From here on, progress and `bytes_read` count the shard's own bytes.
        count.set(0);
        ctx.origin = Origin::Shard {
            shard_offset: base,
            file_offsets: self.compression == Compression::None,
        };
        body.seek_to(self.start).map_err(decode_err)?;
        let end_offset = self.end.map_or(0, P::file_offset);
        let mut records = Bounded::new(body, self.end, end_offset, payload == Payload::Vcf);
        let first_offset = match self.compression {
            Compression::None => self.start,
            _ => 0,
        };
        let ended_cleanly = records.read_records(
            header.bcf.as_deref(),
            &mut header.store,
            first_offset,
            &mut ctx,
            &decode_err,
        )?;
        // The first shard counts the header too, so the shards' text adds up to a whole read's.
        let uncompressed = records.consumed
            + if self.start == header_end {
                header_bytes
            } else {
                0
            };
        let checked = if self.end.is_none() && !ctx.stopped_early {
            let marker = body.ended_with_eof_marker();
            check_eof_marker(marker, ended_cleanly, &mut ctx.warnings, base + count.get())
        } else {
            Ok(())
        };
        ctx.end_records(checked)?;
        let bytes_read = count.get();
        if !ctx.stopped_early {
            let _ = ctx.progress.report(self.total, Some(self.total));
        }
        Ok(ctx.into_dataset(header, self.compression, payload, bytes_read, uncompressed))
    }
}

/// The decompressed data of one shard: bytes up to its `end` (a record start), never past it.
/// Arriving anywhere but exactly at `end`, at a record start, is a [`ShardError`].
struct Bounded<'a> {
    inner: &'a mut dyn Positioned,
    end: Option<u64>,
    /// The file offset of `end`, for messages.
    end_offset: u64,
    /// Bytes of the inner buffer that lie before `end`.
    room: usize,
    /// Whether `end` comes right after those bytes.
    end_after_room: bool,
    /// Set when the bytes before `end` are all consumed.
    reached: bool,
    /// VCF text: the shard must end after a newline; `last` is the last byte consumed.
    lines: bool,
    last: Option<u8>,
    /// Bytes consumed: the shard's uncompressed bytes.
    consumed: u64,
}

impl<'a> Bounded<'a> {
    fn new(inner: &'a mut dyn Positioned, end: Option<u64>, end_offset: u64, lines: bool) -> Self {
        Bounded {
            inner,
            end,
            end_offset,
            room: 0,
            end_after_room: false,
            reached: false,
            lines,
            last: None,
            consumed: 0,
        }
    }

    /// The shard does not end where it should: past its end, or the data ends first.
    fn end_error(&self, past_data: bool) -> io::Error {
        let offset = self.end_offset;
        if past_data {
            ShardError::EndPastData { offset }.into()
        } else {
            ShardError::EndNotARecordStart { offset }.into()
        }
    }

    /// Reads the shard's records into `store` (shaped by the file's header): VCF lines (the
    /// first at uncompressed offset `first_offset`, for locations), or BCF records with
    /// noodles' header `bcf`. Whether the data ended on a record boundary.
    fn read_records(
        &mut self,
        bcf: Option<&vcf::Header>,
        store: &mut VariantStore,
        first_offset: u64,
        ctx: &mut Ctx<'_>,
        decode_err: &dyn Fn(io::Error) -> IngestError,
    ) -> Result<bool, IngestError> {
        match bcf {
            None => {
                let mut lines = LineReader::starting_at(&mut *self, first_offset);
                read_vcf_records(&mut lines, store, ctx, decode_err)
            }
            Some(bcf) => {
                read_bcf_records(&mut *self, bcf, store, ctx, decode_err)?;
                Ok(true)
            }
        }
    }
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        bgzf::read_buffered(self, buf)
    }
}

impl BufRead for Bounded<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let Some(end) = self.end else {
            return self.inner.fill_buf();
        };
        if !self.reached {
            match self.inner.before(end)? {
                None => return Err(self.end_error(false)),
                Some((0, false)) => return Err(self.end_error(true)),
                Some((0, true)) => self.reached = true,
                Some((room, end_after)) => {
                    self.room = room;
                    self.end_after_room = end_after;
                }
            }
        }
        if self.reached {
            if self.lines && self.last.is_some_and(|b| b != b'\n') {
                return Err(self.end_error(false));
            }
            return Ok(&[]);
        }
        let room = self.room;
        Ok(&self.inner.fill_buf()?[..room])
    }

    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        if self.end.is_some() {
            if self.lines
                && let Ok(buf) = self.inner.fill_buf()
            {
                self.last = buf.get(amt - 1).copied();
            }
            self.room = self.room.saturating_sub(amt);
            if self.end_after_room && self.room == 0 {
                self.reached = true;
            }
        }
        self.inner.consume(amt);
        self.consumed += amt as u64;
    }
}
