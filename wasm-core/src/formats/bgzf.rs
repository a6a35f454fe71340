//! BGZF, the blocked gzip of SAM/BAM spec §4.1, at the level of single blocks.
//!
//! A BGZF file is a series of gzip members ("blocks") of at most 64 KiB each, compressed and
//! uncompressed, whose header carries the block's size in a `BC` extra subfield. That makes
//! blocks findable and decodable on their own, which is what lets several Web Workers ingest
//! one file at once, each from its own byte range.
//!
//! - [`parse_header`] → [`BlockHeader`]: checks one block header (§4.1: magic, FEXTRA, `BC`/BSIZE).
//! - [`inflate_block`]: one block's deflate data → its bytes, with the CRC32 and ISIZE of the
//!   gzip trailer checked (RFC 1952 §2.3.1).
//! - [`BgzfReader`]: `Read + BufRead` over consecutive blocks, with htslib's virtual positions
//!   and, over `Read + Seek`, [`BgzfReader::seek_virtual`].
//! - [`find_block_start`] / [`find_block_start_in`]: the first true block start at or after any
//!   byte offset, without an index: how a file is split into shards.
//! - [`BgzfError`]: what is wrong and at which byte offset.
//!
//! Data flow: raw bytes (a file, a `Blob` slice, a Crypt4GH plaintext view) → here → VCF text or
//! BCF parsing. The deflate backend is zune-inflate, the checksum zlib-rs's CRC32, both chosen by
//! measurement natively and as wasm32 in V8 (BENCHMARKS.md, "Deflate backend").
//!
//! Offsets: a file offset is a `u64` (files exceed 4 GiB; `usize` is 32 bits in wasm32). Functions
//! over an in-memory slice take and return `usize` positions *in that slice*, and their errors
//! name offsets relative to its start; [`BgzfError::offset_by`] moves them to file offsets.

use std::io::{self, BufRead, Read, Seek, SeekFrom};

/// The largest block, compressed (BSIZE + 1 ≤ 2^16, SAM spec §4.1).
pub const MAX_BLOCK_SIZE: usize = 1 << 16;
/// The largest uncompressed content of one block (SAM spec §4.1: "ISIZE … < 2^16").
pub const MAX_ISIZE: usize = 1 << 16;
/// Bytes of the shortest block header: the 12-byte gzip header and one 6-byte `BC` subfield.
pub const MIN_HEADER_LEN: usize = 18;
/// Bytes of the gzip trailer: CRC32 and ISIZE.
pub const TRAILER_LEN: usize = 8;
/// SAM spec §4.1.2: the empty block that ends every complete BGZF file.
pub const EOF_MARKER: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// The fixed part of a gzip header (RFC 1952 §2.3): ID1 ID2 CM FLG MTIME(4) XFL OS XLEN(2).
const FIXED_HEADER_LEN: usize = 12;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// CM = 8: deflate, the only method gzip defines.
const CM_DEFLATE: u8 = 8;
const FTEXT: u8 = 0x01;
const FEXTRA: u8 = 0x04;

/// What a block header says about the block's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    /// Bytes of the whole block: header, deflate data and trailer (BSIZE + 1), at most 64 KiB.
    pub block_size: usize,
    /// Bytes before the deflate data (12 + XLEN).
    pub header_len: usize,
}

impl BlockHeader {
    /// Where the block's deflate data lies within the block.
    pub fn deflate_range(&self) -> std::ops::Range<usize> {
        self.header_len..self.block_size - TRAILER_LEN
    }
}

/// Why bytes are not a BGZF block header (SAM spec §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderProblem {
    /// The first two bytes are not gzip's 1f 8b.
    NoGzipMagic,
    /// CM is not 8 (deflate).
    NotDeflate(u8),
    /// FLG lacks FEXTRA, so there is no `BC` subfield: plain gzip, not BGZF.
    NoExtraField,
    /// FLG has FNAME, FCOMMENT, FHCRC or reserved bits, which BGZF never sets.
    UnexpectedFlags(u8),
    /// An extra subfield's length runs past XLEN.
    MalformedExtraField,
    /// XLEN leaves no room for the data and trailer within BGZF's 64 KiB block limit.
    ExtraFieldTooLong(u16),
    /// No `BC` subfield among the extra subfields: gzip, not BGZF.
    NoBcSubfield,
    /// The `BC` subfield's SLEN is not 2.
    BcLength(u16),
    /// BSIZE + 1 is smaller than the header and trailer it must hold.
    BlockTooSmall { block_size: usize },
    /// The trailer's ISIZE is above BGZF's 64 KiB limit.
    IsizeTooLarge(u32),
}

impl std::fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoGzipMagic => f.write_str("no gzip magic bytes 1f 8b"),
            Self::NotDeflate(cm) => write!(f, "gzip compression method {cm} is not deflate (8)"),
            Self::NoExtraField => {
                f.write_str("the gzip header has no extra field (plain gzip, not BGZF)")
            }
            Self::UnexpectedFlags(flg) => write!(
                f,
                "gzip flags {flg:#04x} name a file name, comment or header CRC, which BGZF never has"
            ),
            Self::MalformedExtraField => {
                f.write_str("an extra subfield runs past the extra field's length")
            }
            Self::ExtraFieldTooLong(xlen) => write!(
                f,
                "an extra field of {xlen} bytes leaves no room for a block of at most 64 KiB"
            ),
            Self::NoBcSubfield => {
                f.write_str("the gzip extra field has no BC subfield (plain gzip, not BGZF)")
            }
            Self::BcLength(len) => write!(f, "the BC subfield is {len} bytes long, not 2"),
            Self::BlockTooSmall { block_size } => write!(
                f,
                "block size {block_size} (BSIZE + 1) is too small for its header and trailer"
            ),
            Self::IsizeTooLarge(isize) => {
                write!(f, "uncompressed size {isize} is over BGZF's limit of 65536")
            }
        }
    }
}

/// Why a BGZF block could not be read. `offset` is the byte offset of the block's first byte: in
/// the file when it comes from [`BgzfReader`], in the slice given otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BgzfError {
    #[error("not BGZF at byte offset {offset}: {problem}")]
    NotBgzf { offset: u64, problem: HeaderProblem },
    #[error(
        "truncated BGZF block at byte offset {offset}: it needs {needed} bytes but the data ends after {available} (an interrupted download or copy?)"
    )]
    Truncated {
        offset: u64,
        needed: u64,
        available: u64,
    },
    #[error(
        "damaged BGZF block at byte offset {offset}: its data has CRC32 {actual:#010x} but the block says {expected:#010x}"
    )]
    CrcMismatch {
        offset: u64,
        expected: u32,
        actual: u32,
    },
    #[error(
        "damaged BGZF block at byte offset {offset}: it inflates to {actual} bytes but the block says {expected} (ISIZE)"
    )]
    IsizeMismatch {
        offset: u64,
        expected: u32,
        actual: u64,
    },
    #[error("damaged BGZF block at byte offset {offset}: bad deflate data ({reason})")]
    Deflate { offset: u64, reason: &'static str },
    #[error(
        "the BGZF block at byte offset {offset} was not read because an earlier read of this file failed"
    )]
    AfterError { offset: u64 },
}

impl BgzfError {
    /// The byte offset of the block concerned.
    pub fn offset(&self) -> u64 {
        match *self {
            Self::NotBgzf { offset, .. }
            | Self::Truncated { offset, .. }
            | Self::CrcMismatch { offset, .. }
            | Self::IsizeMismatch { offset, .. }
            | Self::Deflate { offset, .. }
            | Self::AfterError { offset } => offset,
        }
    }

    /// The same error with its offset moved by `base`: a slice function's error (offsets in the
    /// slice) becomes a file's error when `base` is where the slice starts in the file.
    #[must_use]
    pub fn offset_by(mut self, base: u64) -> Self {
        match &mut self {
            Self::NotBgzf { offset, .. }
            | Self::Truncated { offset, .. }
            | Self::CrcMismatch { offset, .. }
            | Self::IsizeMismatch { offset, .. }
            | Self::Deflate { offset, .. }
            | Self::AfterError { offset } => *offset = offset.saturating_add(base),
        }
        self
    }
}

impl From<BgzfError> for io::Error {
    /// `InvalidData` with the typed error inside (`get_ref().downcast_ref::<BgzfError>()`).
    fn from(e: BgzfError) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses the block header at the start of `bytes` (SAM spec §4.1; RFC 1952 §2.3).
///
/// `bytes` may hold less than the header: then the answer is [`BgzfError::Truncated`] if what
/// is there could start a block, [`BgzfError::NotBgzf`] if it cannot. The extra field may hold
/// other subfields beside `BC`. The trailer is not looked at (see [`inflate_block`]).
///
/// ```
/// use wasm_core::formats::bgzf::{parse_header, BlockHeader, EOF_MARKER};
/// let header = parse_header(&EOF_MARKER).unwrap();
/// assert_eq!(header, BlockHeader { block_size: 28, header_len: 18 });
/// ```
pub fn parse_header(bytes: &[u8]) -> Result<BlockHeader, BgzfError> {
    let not_bgzf = |problem| BgzfError::NotBgzf { offset: 0, problem };
    let prefix = bytes.len().min(GZIP_MAGIC.len());
    if bytes[..prefix] != GZIP_MAGIC[..prefix] {
        return Err(not_bgzf(HeaderProblem::NoGzipMagic));
    }
    if let Some(&cm) = bytes.get(2)
        && cm != CM_DEFLATE
    {
        return Err(not_bgzf(HeaderProblem::NotDeflate(cm)));
    }
    if let Some(&flg) = bytes.get(3) {
        if flg & FEXTRA == 0 {
            return Err(not_bgzf(HeaderProblem::NoExtraField));
        }
        // FTEXT is only a hint; any other flag adds fields that BSIZE's arithmetic leaves out.
        if flg & !(FEXTRA | FTEXT) != 0 {
            return Err(not_bgzf(HeaderProblem::UnexpectedFlags(flg)));
        }
    }
    let truncated = |needed: usize| BgzfError::Truncated {
        offset: 0,
        needed: needed as u64,
        available: bytes.len() as u64,
    };
    if bytes.len() < FIXED_HEADER_LEN {
        return Err(truncated(MIN_HEADER_LEN));
    }
    let xlen = le16(bytes, 10);
    let header_len = FIXED_HEADER_LEN + usize::from(xlen);
    if header_len + TRAILER_LEN > MAX_BLOCK_SIZE {
        return Err(not_bgzf(HeaderProblem::ExtraFieldTooLong(xlen)));
    }
    let Some(extra) = bytes.get(FIXED_HEADER_LEN..header_len) else {
        return Err(truncated(header_len.max(MIN_HEADER_LEN)));
    };
    // RFC 1952 §2.3.1.1: subfields SI1 SI2 LEN(2) data, back to back.
    let mut bsize = None;
    let mut rest = extra;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(not_bgzf(HeaderProblem::MalformedExtraField));
        }
        let len = le16(rest, 2);
        let Some(data) = rest.get(4..4 + usize::from(len)) else {
            return Err(not_bgzf(HeaderProblem::MalformedExtraField));
        };
        if rest[..2] == *b"BC" && bsize.is_none() {
            if len != 2 {
                return Err(not_bgzf(HeaderProblem::BcLength(len)));
            }
            bsize = Some(le16(data, 0));
        }
        rest = &rest[4 + usize::from(len)..];
    }
    let Some(bsize) = bsize else {
        return Err(not_bgzf(HeaderProblem::NoBcSubfield));
    };
    let block_size = usize::from(bsize) + 1;
    if block_size < header_len + TRAILER_LEN {
        return Err(not_bgzf(HeaderProblem::BlockTooSmall { block_size }));
    }
    Ok(BlockHeader {
        block_size,
        header_len,
    })
}

/// Decodes the block at the start of `block` into `out`, which afterwards holds exactly the
/// block's bytes (its earlier content is replaced). Bytes after the block are ignored. Checks
/// the header, the deflate data, and the trailer's CRC32 and ISIZE, so wrong bytes are never
/// returned as right. Returns the block's header (its size says where the next block starts).
///
/// Error offsets are relative to `block` (see [`BgzfError::offset_by`]).
///
/// This is the one function that touches the deflate backend, and it is not generic: every
/// reader shares one compiled copy, built with the byte-path crates' optimisation.
///
/// ```
/// use wasm_core::formats::bgzf::{inflate_block, EOF_MARKER};
/// let mut out = vec![1, 2, 3];
/// let header = inflate_block(&EOF_MARKER, &mut out).unwrap();
/// assert_eq!((header.block_size, out.len()), (28, 0));
/// ```
pub fn inflate_block(block: &[u8], out: &mut Vec<u8>) -> Result<BlockHeader, BgzfError> {
    let header = parse_header(block)?;
    let Some(block) = block.get(..header.block_size) else {
        return Err(BgzfError::Truncated {
            offset: 0,
            needed: header.block_size as u64,
            available: block.len() as u64,
        });
    };
    let trailer = block.len() - TRAILER_LEN;
    let expected_crc = le32(block, trailer);
    let isize = le32(block, trailer + 4);
    if isize as usize > MAX_ISIZE {
        return Err(BgzfError::NotBgzf {
            offset: 0,
            problem: HeaderProblem::IsizeTooLarge(isize),
        });
    }
    *out = inflate_raw(&block[header.deflate_range()], isize as usize)?;
    if out.len() != isize as usize {
        return Err(BgzfError::IsizeMismatch {
            offset: 0,
            expected: isize,
            actual: out.len() as u64,
        });
    }
    let actual_crc = crc32(out);
    if actual_crc != expected_crc {
        return Err(BgzfError::CrcMismatch {
            offset: 0,
            expected: expected_crc,
            actual: actual_crc,
        });
    }
    Ok(header)
}

/// Room past ISIZE that zune-inflate's fast loop writes into (at most 296 bytes of sloppy
/// copies): with it the output never grows, and so is never copied, near a block's end.
const INFLATE_SLACK: usize = 512;

/// Inflates one complete raw deflate stream (RFC 1951) expected to hold `isize` bytes.
///
/// zune-inflate: in V8 it inflates BGZF text blocks 25–40 % faster than zlib-rs and 2.8× faster
/// than miniz_oxide (BENCHMARKS.md, "Deflate backend"). Its API returns a fresh `Vec` per block;
/// that allocation is part of the measured speed.
fn inflate_raw(cdata: &[u8], isize: usize) -> Result<Vec<u8>, BgzfError> {
    use zune_inflate::errors::DecodeErrorStatus;
    let options = zune_inflate::DeflateOptions::default()
        .set_size_hint(isize + INFLATE_SLACK)
        .set_limit(MAX_ISIZE);
    zune_inflate::DeflateDecoder::new_with_options(cdata, options)
        .decode_deflate()
        .map_err(|e| BgzfError::Deflate {
            offset: 0,
            reason: match e.error {
                DecodeErrorStatus::InsufficientData => {
                    "the data ends before the last deflate block"
                }
                DecodeErrorStatus::Generic(reason) => reason,
                DecodeErrorStatus::CorruptData => "corrupt deflate data",
                DecodeErrorStatus::OutputLimitExceeded(..) => {
                    "it inflates to more than a BGZF block may hold (64 KiB)"
                }
                _ => "invalid deflate data",
            },
        })
}

/// CRC32 as gzip computes it (RFC 1952 §8), over a block's uncompressed bytes. zlib-rs's: in V8
/// 10 % faster than crc32fast's table fallback, and already linked through noodles and flate2.
pub fn crc32(bytes: &[u8]) -> u32 {
    zlib_rs::crc32::crc32(0, bytes)
}

/// Reads up to `buf.len()` bytes, stopping early only at the end of the data.
pub(crate) fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads the raw bytes of the next block into `raw` (at least `MAX_BLOCK_SIZE` long). Returns
/// `None` at a clean end of the data (no byte left), else the block's size. Errors name offsets
/// relative to the block's start.
fn read_raw_block<R: Read + ?Sized>(
    reader: &mut R,
    raw: &mut [u8],
) -> io::Result<Result<Option<BlockHeader>, BgzfError>> {
    let mut have = read_full(reader, &mut raw[..MIN_HEADER_LEN])?;
    if have == 0 {
        return Ok(Ok(None));
    }
    let header = loop {
        match parse_header(&raw[..have]) {
            Ok(header) => break header,
            // A header longer than 18 bytes (more extra subfields): fetch the rest of it.
            Err(BgzfError::Truncated { needed, .. })
                if have == MIN_HEADER_LEN && needed as usize > have =>
            {
                // parse_header caps a header's length below MAX_BLOCK_SIZE (= raw.len()).
                let needed = (needed as usize).min(raw.len());
                have += read_full(reader, &mut raw[have..needed])?;
                if have < needed {
                    return Ok(Err(BgzfError::Truncated {
                        offset: 0,
                        needed: needed as u64,
                        available: have as u64,
                    }));
                }
            }
            Err(e) => return Ok(Err(e)),
        }
    };
    if header.block_size > have {
        have += read_full(reader, &mut raw[have..header.block_size])?;
        if have < header.block_size {
            return Ok(Err(BgzfError::Truncated {
                offset: 0,
                needed: header.block_size as u64,
                available: have as u64,
            }));
        }
    }
    Ok(Ok(Some(header)))
}

/// `Read + BufRead` over the uncompressed bytes of consecutive BGZF blocks.
///
/// A drop-in for `noodles::bgzf::io::Reader` in sequential ingest: the same bytes, the same
/// [`virtual_position`](Self::virtual_position)s, empty blocks skipped. Differences: every
/// problem is an `io::Error` of kind `InvalidData` whose message names the block's byte offset,
/// with the [`BgzfError`] inside (`get_ref()` + `downcast_ref`); a file that stops inside a
/// block header is an error, not a clean end; after an error the reader keeps failing rather
/// than continue from a misaligned place (until [`seek_virtual`](Self::seek_virtual)).
///
/// The raw block buffer is allocated once; the uncompressed block is the deflate backend's own
/// `Vec`, one per block (see [`inflate_block`]).
pub struct BgzfReader<R> {
    inner: R,
    /// The current block's raw bytes (`MAX_BLOCK_SIZE` long).
    raw: Vec<u8>,
    /// The current block's uncompressed bytes.
    data: Vec<u8>,
    /// Read position in `data`.
    pos: usize,
    /// File offset of the current block.
    block_offset: u64,
    /// File offset just past the current block: where the next block starts.
    next_offset: u64,
    /// The last block read was byte for byte the EOF marker (SAM spec §4.1.2).
    eof_marker: bool,
    /// Set by an error, so later reads fail too.
    failed: bool,
}

impl<R> std::fmt::Debug for BgzfReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BgzfReader")
            .field("block_offset", &self.block_offset)
            .field("next_offset", &self.next_offset)
            .field("pos", &self.pos)
            .field("len", &self.data.len())
            .finish_non_exhaustive()
    }
}

impl<R: Read> BgzfReader<R> {
    /// A reader whose first byte from `inner` is the start of a block at file offset 0.
    pub fn new(inner: R) -> Self {
        Self::with_offset(inner, 0)
    }

    /// A reader whose first byte from `inner` is the start of a block at file offset `offset`
    /// (a shard that starts mid-file): positions and error offsets count from there.
    pub fn with_offset(inner: R, offset: u64) -> Self {
        Self {
            inner,
            raw: vec![0; MAX_BLOCK_SIZE],
            data: Vec::new(),
            pos: 0,
            block_offset: offset,
            next_offset: offset,
            eof_marker: false,
            failed: false,
        }
    }

    /// htslib's virtual position of the next byte to read: the file offset of its block `<< 16`
    /// | its offset within the block's uncompressed bytes. When the current block is used up
    /// this is (start of the next block, 0), as noodles and htslib report it.
    pub fn virtual_position(&self) -> u64 {
        (self.block_offset() << 16) | (self.pos_in_block() as u64)
    }

    /// File offset of the block the next byte comes from (the next block's, when the current
    /// one is used up).
    pub fn block_offset(&self) -> u64 {
        if self.pos < self.data.len() {
            self.block_offset
        } else {
            self.next_offset
        }
    }

    fn pos_in_block(&self) -> usize {
        if self.pos < self.data.len() {
            self.pos
        } else {
            0
        }
    }

    /// Whether the last block read was the BGZF end-of-file marker (SAM spec §4.1.2). Once a
    /// read has returned 0 bytes, this says whether the file ended with the marker, i.e. was not
    /// cut short at a block boundary.
    pub fn ended_with_eof_marker(&self) -> bool {
        self.eof_marker
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads the next block's raw bytes; `None` at the end of the data.
    fn next_raw_block(&mut self) -> io::Result<Option<BlockHeader>> {
        if self.failed {
            return Err(BgzfError::AfterError {
                offset: self.next_offset,
            }
            .into());
        }
        self.block_offset = self.next_offset;
        self.data.clear();
        self.pos = 0;
        // Until this block is read whole, a failure leaves the stream mid-block.
        self.failed = true;
        let header = match read_raw_block(&mut self.inner, &mut self.raw)? {
            Ok(header) => header,
            Err(e) => return Err(e.offset_by(self.block_offset).into()),
        };
        self.failed = false;
        if let Some(header) = header {
            self.next_offset = self.block_offset + header.block_size as u64;
            self.eof_marker = self.raw[..header.block_size] == EOF_MARKER;
        }
        Ok(header)
    }

    /// Reads blocks until one has data (into `self.data`) or the data ends; false at the end.
    fn fill_block(&mut self) -> io::Result<bool> {
        while let Some(header) = self.next_raw_block()? {
            if let Err(e) = inflate_block(&self.raw[..header.block_size], &mut self.data) {
                self.failed = true;
                return Err(e.offset_by(self.block_offset).into());
            }
            if !self.data.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl<R: Read + Seek> BgzfReader<R> {
    /// Moves to virtual position `vpos` (as [`virtual_position`](Self::virtual_position) gives
    /// it, or an index holds it): seeks `inner` to the block at `vpos >> 16`, reads it and
    /// skips `vpos & 0xffff` of its bytes. Clears an earlier error. An offset within the block
    /// past its end is an `InvalidInput` error.
    pub fn seek_virtual(&mut self, vpos: u64) -> io::Result<()> {
        let block_offset = vpos >> 16;
        let within = (vpos & 0xffff) as usize;
        self.inner.seek(SeekFrom::Start(block_offset))?;
        self.failed = false;
        self.eof_marker = false;
        self.next_offset = block_offset;
        self.data.clear();
        self.pos = 0;
        self.fill_block()?;
        if within > self.data.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "virtual position {vpos:#x} points at byte {within} of the block at byte offset {block_offset}, which holds only {} bytes",
                    self.data.len()
                ),
            ));
        }
        self.pos = within;
        Ok(())
    }
}

impl<R: Read> Read for BgzfReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, buf)
    }
}

/// `Read::read` for a reader whose `BufRead` is the real one: copies from its buffer.
pub(crate) fn read_buffered<R: BufRead + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let src = r.fill_buf()?;
    let n = src.len().min(buf.len());
    buf[..n].copy_from_slice(&src[..n]);
    r.consume(n);
    Ok(n)
}

impl<R: Read> BufRead for BgzfReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.data.len() && !self.fill_block()? {
            return Ok(&[]);
        }
        Ok(&self.data[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.data.len());
    }
}

/// How a search for a block start in a window of the file ended.
enum Scan {
    Found(usize),
    /// No block starts in the searched range.
    None,
    /// A candidate needs bytes past the window to be confirmed.
    NeedMore,
}

/// Looks for a true block start at `i` in `from..stop` of `window`; `window_ends_file` says the
/// window reaches the end of the file (so a block may end exactly there).
fn scan(
    window: &[u8],
    from: usize,
    stop: usize,
    window_ends_file: bool,
    scratch: &mut Vec<u8>,
) -> Scan {
    let stop = stop.min(window.len());
    // A block needs at least 28 bytes, so a candidate needs its first 4 inside the window.
    let end = stop.saturating_add(3).min(window.len());
    let mut i = from;
    while i < stop {
        // Cheap prefilter: ID1 ID2 CM and the FEXTRA flag.
        let Some(j) = window[i..end]
            .windows(4)
            .position(|w| {
                w[..3] == [GZIP_MAGIC[0], GZIP_MAGIC[1], CM_DEFLATE] && w[3] & FEXTRA != 0
            })
            .map(|at| i + at)
            .filter(|&j| j < stop)
        else {
            return Scan::None;
        };
        match confirm(window, j, window_ends_file, scratch) {
            Some(true) => return Scan::Found(j),
            Some(false) => i = j + 1,
            None => return Scan::NeedMore,
        }
    }
    Scan::None
}

/// Whether a true block starts at `i`: its header parses, its ISIZE is possible, the next
/// block's header parses (or the file ends exactly where it ends), and the block inflates with
/// matching CRC32 and ISIZE. `None`: the window is too short to tell.
fn confirm(window: &[u8], i: usize, window_ends_file: bool, scratch: &mut Vec<u8>) -> Option<bool> {
    let undecided = if window_ends_file { Some(false) } else { None };
    let header = match parse_header(&window[i..]) {
        Ok(header) => header,
        Err(BgzfError::Truncated { .. }) => return undecided,
        Err(_) => return Some(false),
    };
    let end = i + header.block_size;
    if end > window.len() {
        return undecided;
    }
    if le32(window, end - 4) as usize > MAX_ISIZE {
        return Some(false);
    }
    if !(end == window.len() && window_ends_file) {
        match parse_header(&window[end..]) {
            Ok(_) => {}
            Err(BgzfError::Truncated { .. }) => return undecided,
            Err(_) => return Some(false),
        }
    }
    // Headers can appear by chance (or by design) inside compressed data; a CRC-checked inflate
    // of the candidate makes a false start vanishingly unlikely, and costs one block per search.
    Some(inflate_block(&window[i..end], scratch).is_ok())
}

/// The first offset at or after `from` where a true BGZF block starts in `bytes`, which hold a
/// BGZF file from some block boundary (or any byte) *to its end*. `None` if no block starts
/// there.
///
/// A true start is a position where a block header parses (SAM spec §4.1), the block after it
/// also starts with a valid header or the data ends exactly there, and the block inflates with
/// the CRC32 and ISIZE of its trailer. Header-like bytes inside compressed data fail one of these.
/// A file built to nest whole valid BGZF blocks inside stored deflate blocks can still fool any
/// search without an index: a shard reader should therefore walk from its start to exactly the
/// next shard's start, and treat overshooting it as an error.
///
/// ```
/// use wasm_core::formats::bgzf::{find_block_start, EOF_MARKER};
/// let two = [EOF_MARKER, EOF_MARKER].concat();
/// assert_eq!(find_block_start(&two, 0), Some(0));
/// assert_eq!(find_block_start(&two, 1), Some(28));
/// assert_eq!(find_block_start(&two, 29), None);
/// ```
pub fn find_block_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut scratch = Vec::new();
    match scan(bytes, from, bytes.len(), true, &mut scratch) {
        Scan::Found(i) => Some(i),
        Scan::None | Scan::NeedMore => None,
    }
}

/// Bytes searched per read in [`find_block_start_in`]; each window reads one more block's worth
/// past it, so that candidates near its end can be confirmed.
const SEARCH_WINDOW: usize = 1 << 18;

/// [`find_block_start`] over a `Read + Seek` (a file, a `Blob`): the file offset of the first true
/// block start at or after file offset `from`, or `None` if none follows. Reads windows of a few
/// hundred KiB from `from` on; leaves `reader` at an unspecified position.
pub fn find_block_start_in<R: Read + Seek + ?Sized>(
    reader: &mut R,
    from: u64,
) -> io::Result<Option<u64>> {
    let file_len = reader.seek(SeekFrom::End(0))?;
    let mut scratch = Vec::new();
    let mut window = Vec::new();
    let mut start = from;
    let mut extra = MAX_BLOCK_SIZE + MAX_BLOCK_SIZE;
    while start < file_len {
        let want = (file_len - start).min((SEARCH_WINDOW + extra) as u64) as usize;
        window.resize(want, 0);
        reader.seek(SeekFrom::Start(start))?;
        let got = read_full(reader, &mut window)?;
        window.truncate(got);
        let ends_file = start + got as u64 >= file_len;
        let stop = SEARCH_WINDOW.min(got);
        match scan(&window, 0, stop, ends_file, &mut scratch) {
            Scan::Found(i) => return Ok(Some(start + i as u64)),
            Scan::None if ends_file => return Ok(None),
            Scan::None => start += stop as u64,
            // A candidate whose next header has a long extra field: widen the window.
            Scan::NeedMore if got == want && !ends_file => extra *= 2,
            // The file shrank under us: search what there is as its end.
            Scan::NeedMore => {
                return Ok(find_block_start(&window, 0).map(|i| start + i as u64));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eof_marker_header_and_inflate() {
        let header = parse_header(&EOF_MARKER).unwrap();
        assert_eq!(header.block_size, 28);
        assert_eq!(header.deflate_range(), 18..20);
        let mut out = vec![1, 2, 3];
        inflate_block(&EOF_MARKER, &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn header_problems_are_named() {
        let mut b = EOF_MARKER;
        b[1] = 0x8c;
        assert!(matches!(
            parse_header(&b),
            Err(BgzfError::NotBgzf {
                problem: HeaderProblem::NoGzipMagic,
                ..
            })
        ));
        let mut b = EOF_MARKER;
        b[3] = 0;
        assert!(matches!(
            parse_header(&b),
            Err(BgzfError::NotBgzf {
                problem: HeaderProblem::NoExtraField,
                ..
            })
        ));
        let mut b = EOF_MARKER;
        b[12] = b'X';
        assert!(matches!(
            parse_header(&b),
            Err(BgzfError::NotBgzf {
                problem: HeaderProblem::NoBcSubfield,
                ..
            })
        ));
        let mut b = EOF_MARKER;
        b[10..12].copy_from_slice(&65_530u16.to_le_bytes());
        assert!(matches!(
            parse_header(&b),
            Err(BgzfError::NotBgzf {
                problem: HeaderProblem::ExtraFieldTooLong(65_530),
                ..
            })
        ));
        assert!(matches!(
            parse_header(&EOF_MARKER[..10]),
            Err(BgzfError::Truncated {
                needed: 18,
                available: 10,
                ..
            })
        ));
    }

    #[test]
    fn other_subfields_beside_bc() {
        // XLEN = 6 + 5: a 1-byte "AB" subfield before BC.
        let mut b = vec![0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 11, 0];
        b.extend_from_slice(&[b'A', b'B', 1, 0, 0x42]);
        b.extend_from_slice(&[b'B', b'C', 2, 0, 27 + 5, 0]);
        b.extend_from_slice(&EOF_MARKER[18..]);
        let header = parse_header(&b).unwrap();
        assert_eq!(
            header,
            BlockHeader {
                block_size: 33,
                header_len: 23
            }
        );
        let mut out = Vec::new();
        inflate_block(&b, &mut out).unwrap();
        assert!(out.is_empty());
        let mut reader = BgzfReader::new(&b[..]);
        assert_eq!(reader.read(&mut [0; 8]).unwrap(), 0);
    }

    #[test]
    fn a_failed_source_read_stops_the_reader() {
        // The source fails inside the second block: its error comes through as it is, and the
        // reader then refuses to go on from the middle of a block.
        struct FailsAt(Vec<u8>, usize);
        impl Read for FailsAt {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.1 == 0 {
                    return Err(io::Error::other("disk unplugged"));
                }
                let n = buf.len().min(self.1).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                self.1 -= n;
                Ok(n)
            }
        }
        let blocks = [EOF_MARKER, EOF_MARKER, EOF_MARKER].concat();
        let mut reader = BgzfReader::new(FailsAt(blocks, 40));
        let e = reader.read(&mut [0; 8]).unwrap_err();
        assert_eq!(e.to_string(), "disk unplugged");
        let e = reader.read(&mut [0; 8]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("byte offset 28"), "{e}");
    }

    #[test]
    fn error_offsets_move() {
        let e = BgzfError::Deflate {
            offset: 3,
            reason: "x",
        }
        .offset_by(100);
        assert_eq!(e.offset(), 103);
        assert!(e.to_string().contains("byte offset 103"), "{e}");
    }
}
