//! Opening a file inside a worker: reading it whole, one shard of it, or keeping it for
//! streaming mode when it would not fit.
//!
//! [`load_with`] is what `Request::Open` runs: [`BlobReader`] → fingerprint (first and last
//! 64 KiB) → sniff: a Crypt4GH file without a key is [`Opened::KeyRequired`]; with one, the key
//! is parsed (key text and passphrase are wiped right after) → with an index, `IndexedFile::open`
//! (through a second `BlobReader` over the same `Blob`) → [`Note::Overview`] at once, or
//! [`Note::IndexRejected`] and on without it → a prefix read ([`PREFIX_BYTES`]) and
//! `estimate_memory` → within the budget: the whole file (or, for a pool, [`Note::Shards`] and
//! the first part: [`shard_plan`]), [`Opened::Loaded`]; past it: a [`Source`] is kept,
//! [`Opened::Streaming`]. [`read_shard`] is what `Request::OpenShard` runs. Plain Rust over the
//! engine and the `Blob`: the browser tests call both directly.
//!
//! Memory: wasm32 has 4 GiB in all. The budget ([`DEFAULT_MEMORY_BUDGET`] of store) leaves room
//! for sort orders, bitmaps and the filter cache; and reads stop when the wasm memory passes a
//! ceiling ([`MEMORY_CEILING`], [`Guard`]) rather than trap on an allocation the engine cannot
//! make: a whole-file read that does falls back to streaming mode.

use std::fmt;
use std::io;

use web_sys::Blob;
use zeroize::Zeroizing;

use super::read::{Guard, read};
use super::source::{Source, SourceParts};
use crate::blob_reader::BlobReader;
use crate::protocol::{KeyMaterial, ShardSpec};
use crate::session::Session;
use crate::shards::index_mismatch;
use wasm_core::crypt4gh::{Crypt4ghError, KeyError, SecretKey};
use wasm_core::fingerprint::{EDGE_BYTES, fingerprint};
use wasm_core::formats::indexed::{IndexedFile, Overview};
use wasm_core::formats::shards::{self, SingleReason};
use wasm_core::formats::{MemoryEstimate, ReadOptions, estimate_memory, is_encrypted};
use wasm_core::progress::Progress;
use wasm_core::{Dataset, IngestError, Location};

/// Store bytes a worker holds unless the page asks otherwise: 2 GiB of wasm32's 4 GiB, the
/// rest for sort orders (4 bytes a record each), bitmaps, the filter cache and growth while
/// columns fill.
pub const DEFAULT_MEMORY_BUDGET: u64 = 2 << 30;
/// Raw bytes read to estimate a file's store before reading it whole.
pub const PREFIX_BYTES: u64 = 4 << 20;
/// Wasm memory past which a read stops instead of risking an allocation it cannot make (a
/// trap, which would take the worker down with it).
pub const MEMORY_CEILING: u64 = 3 << 30;
/// Largest index file read: a whole genome's is a few MB.
const MAX_INDEX_BYTES: u64 = 256 << 20;
/// Bytes fetched per `Blob` read when reading through an index: about a BGZF block, so a
/// region query fetches little more than the blocks it needs.
const INDEXED_CHUNK: u32 = 128 << 10;

/// An index picked with the data file.
pub struct IndexInput {
    pub blob: Blob,
    /// Its file name, for messages on the page.
    pub name: String,
}

/// How [`load_with`] reads a file.
pub struct LoadOptions {
    /// The data file's `.tbi` / `.csi`, when one came with it.
    pub index: Option<IndexInput>,
    /// The data file's name, for messages on the page.
    pub data_name: String,
    /// Store bytes the file may take; past it, streaming mode.
    pub memory_budget: u64,
    /// Raw bytes of the prefix that estimates the store.
    pub prefix_bytes: u64,
    /// Wasm memory past which a read stops ([`MEMORY_CEILING`]).
    pub memory_ceiling: u64,
    /// Workers the file may be split across (1: read here, whole).
    pub shards: u32,
    /// Least data bytes per shard ([`MIN_SHARD_BYTES`]).
    pub min_shard_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            index: None,
            data_name: "the file".into(),
            memory_budget: DEFAULT_MEMORY_BUDGET,
            prefix_bytes: PREFIX_BYTES,
            memory_ceiling: MEMORY_CEILING,
            shards: 1,
            min_shard_bytes: MIN_SHARD_BYTES,
        }
    }
}

/// What [`load_with`] tells as soon as it knows, before the file is read.
#[derive(Debug)]
pub enum Note {
    /// The index opened and fits the data: its overview.
    Overview(Overview),
    /// The index cannot be used with the data file (the message names both); the file is read
    /// without it.
    IndexRejected(String),
    /// The file is read in parts, one per worker: this worker reads the first, the page hands
    /// out the others.
    Shards(Vec<ShardSpec>),
}

/// What [`load`] made of a file.
pub enum Opened {
    /// The file is read.
    Loaded {
        session: Box<Session>,
        /// The salted fingerprint of the file's bytes as stored (the ciphertext, if encrypted).
        fingerprint: String,
    },
    /// The file is too large to hold: it is kept to scan or query ([`Source`]).
    Streaming { source: Box<Source> },
    /// The file is Crypt4GH-encrypted and no key was given; only its first 64 KiB were read.
    KeyRequired,
}

impl fmt::Debug for Opened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Loaded { session, .. } => {
                write!(f, "Loaded({} records)", session.dataset().summary.records)
            }
            Self::Streaming { source } => write!(
                f,
                "Streaming(about {} store bytes, budget {})",
                source.estimate.bytes, source.budget
            ),
            Self::KeyRequired => f.write_str("KeyRequired"),
        }
    }
}

/// Why [`load`] failed. Its messages name no key material.
#[derive(Debug)]
pub enum OpenError {
    /// The `Blob` could not be read.
    Read(io::Error),
    /// The secret key could not be opened (no passphrase, a wrong one, not a key file, …).
    Key(KeyError),
    /// The file could not be decrypted or read.
    Ingest(IngestError),
}

impl OpenError {
    /// Where in the file the problem is, when the engine knows.
    pub fn location(&self) -> Option<Location> {
        match self {
            Self::Ingest(e) => e.location(),
            Self::Read(_) | Self::Key(_) => None,
        }
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(e) => write!(f, "{e}"),
            Self::Key(KeyError::PassphraseRequired) => f.write_str(
                "the secret key is protected by a passphrase: enter it and decrypt again",
            ),
            Self::Key(KeyError::WrongPassphrase) => f.write_str(
                "wrong passphrase for the secret key, so nothing was decrypted: type it again",
            ),
            Self::Key(e) => write!(f, "the secret key cannot be used: {e}"),
            Self::Ingest(IngestError::Decryption(e @ Crypt4ghError::NotARecipient { .. })) => {
                write!(f, "{e}; choose the secret key it was encrypted for")
            }
            // The engine's whole cause chain (`report`), never only the outer message.
            Self::Ingest(e @ IngestError::Decryption(_)) => {
                write!(f, "cannot decrypt: {}", e.report())
            }
            Self::Ingest(e) => write!(f, "{}", e.report()),
        }
    }
}

impl std::error::Error for OpenError {}

/// Reads `blob` with the default options: no index, the default budget.
pub fn load(
    blob: Blob,
    salt: &[u8],
    key: Option<KeyMaterial>,
    progress: &mut dyn Progress,
) -> Result<Opened, OpenError> {
    load_with(
        blob,
        salt,
        key,
        &LoadOptions::default(),
        &mut |_| {},
        progress,
    )
}

/// Reads `blob` into a [`Session`], or keeps it as a [`Source`] when it would not fit
/// `options.memory_budget`: sniffs its first bytes, and decrypts a Crypt4GH file with `key`. The
/// key's text and passphrase are wiped as soon as the key is parsed, before any of the file is
/// decrypted. With an index, `notes` hears the overview (or why the index cannot be used) before
/// the records are read. Used by the worker for `Request::Open`; tests call it directly.
pub fn load_with(
    blob: Blob,
    salt: &[u8],
    key: Option<KeyMaterial>,
    options: &LoadOptions,
    notes: &mut dyn FnMut(Note),
    progress: &mut dyn Progress,
) -> Result<Opened, OpenError> {
    let reader = BlobReader::new(blob.clone()).map_err(OpenError::Read)?;
    let size = reader.size();
    let head = reader.read_range(0, EDGE_BYTES).map_err(OpenError::Read)?;
    let encrypted = is_encrypted(&head);
    if encrypted && key.is_none() {
        return Ok(Opened::KeyRequired);
    }
    let tail = reader
        .read_range(size.saturating_sub(EDGE_BYTES), size)
        .map_err(OpenError::Read)?;
    let fingerprint = fingerprint(salt, size, &head, &tail);
    // A plain file needs no key: one that came along is dropped (and wiped) here, unread.
    let secret = match key.filter(|_| encrypted) {
        Some(material) => Some(unlock(material).map_err(OpenError::Key)?),
        None => None,
    };
    let mut indexed = None;
    if let Some(index) = &options.index {
        match open_indexed(&blob, &index.blob, secret.as_ref()) {
            Ok(file) => {
                notes(Note::Overview(file.overview()));
                indexed = Some(file);
            }
            // The whole read would fail the same way: say it once, as a decryption failure.
            Err(e @ OpenError::Ingest(IngestError::Decryption(_))) => return Err(e),
            Err(e) => notes(Note::IndexRejected(format!(
                "the index “{}” cannot be used with “{}”: {e}. The file is read without it",
                index.name, options.data_name
            ))),
        }
    }
    let overview = indexed.as_ref().map(IndexedFile::overview);
    let prefix_options = ReadOptions {
        raw_limit: Some(options.prefix_bytes),
        ..ReadOptions::default()
    };
    // A file no larger than the prefix is read whole here, with its progress.
    let prefix = read(reader, size, secret.as_ref(), &prefix_options, progress)
        .map_err(OpenError::Ingest)?;
    let mut guard = Guard::new(progress, options.memory_ceiling);
    let total_raw = indexed.as_ref().map_or(size, IndexedFile::data_bytes);
    let mut estimate = estimate_memory(
        &prefix,
        total_raw,
        overview.as_ref().and_then(|o| o.records),
    );
    let streaming = |prefix: Dataset,
                     indexed: Option<IndexedFile>,
                     secret: Option<SecretKey>,
                     estimate: MemoryEstimate|
     -> Result<Opened, OpenError> {
        Ok(Opened::Streaming {
            source: Box::new(Source::new(SourceParts {
                blob: blob.clone(),
                size,
                key: secret,
                indexed,
                overview: overview.clone(),
                prefix,
                estimate,
                budget: options.memory_budget,
                ceiling: options.memory_ceiling,
                fingerprint: fingerprint.clone(),
            })),
        })
    };
    if estimate.bytes > options.memory_budget {
        return streaming(prefix, indexed, secret, estimate);
    }
    let (plan, single_reason) = if prefix.summary.partial {
        shard_plan(
            &blob,
            indexed.as_mut(),
            secret.as_ref(),
            options.shards,
            options.min_shard_bytes,
        )
    } else {
        (Vec::new(), None)
    };
    let sharded = !plan.is_empty();
    let mut dataset = if let Some(first) = plan.first().cloned() {
        // A pool load: the page hands the other parts to workers of their own.
        notes(Note::Shards(plan));
        let reader = BlobReader::new(blob.clone()).map_err(OpenError::Read)?;
        read_part(reader, secret.as_ref(), &first, &mut guard)?
    } else if prefix.summary.partial {
        let reader = BlobReader::new(blob.clone()).map_err(OpenError::Read)?;
        match read(
            reader,
            size,
            secret.as_ref(),
            &ReadOptions::default(),
            &mut guard,
        ) {
            Ok(dataset) => dataset,
            // The estimate was too low for this tab: scan instead of holding, and say that the
            // file needs more than the budget.
            Err(IngestError::Cancelled) if guard.tripped() => {
                estimate.bytes = estimate.bytes.max(options.memory_budget.saturating_add(1));
                return streaming(prefix, indexed, secret, estimate);
            }
            Err(e) => return Err(OpenError::Ingest(e)),
        }
    } else {
        // The prefix was the whole file.
        prefix
    };
    if let Some(reason) = single_reason {
        dataset
            .summary
            .warnings
            .push(format!("read by one worker: {reason}"));
    }
    // A shard's counts are checked by the page against the whole file's.
    if let (Some(overview), Some(index), false) = (&overview, &options.index, sharded)
        && let Some(warning) = index_mismatch(overview, &dataset.summary.contigs, &index.name)
    {
        dataset.summary.warnings.insert(0, warning);
    }
    Ok(Opened::Loaded {
        session: Box::new(Session::new(dataset)),
        fingerprint,
    })
}

/// Total store bytes a load may hold when the page names no budget: [`DEFAULT_MEMORY_BUDGET`]
/// for one worker; a pool gets twice that, as two workers hold what one could not (wasm32's
/// 4 GiB is per worker), without asking a laptop for a whole genome per worker.
pub fn default_budget(shards: u32) -> u64 {
    if shards > 1 {
        2 * DEFAULT_MEMORY_BUDGET
    } else {
        DEFAULT_MEMORY_BUDGET
    }
}

/// Least data bytes a shard is given: below it a worker's start-up costs more than it saves.
pub const MIN_SHARD_BYTES: u64 = 8 << 20;

/// The parts of a file for up to `shards` workers, each at least `min_bytes` of data, planned
/// by the engine ([`shards::plan`]): at the index's chunk starts when the file came with one,
/// else at BGZF blocks (or lines) where records start. Empty when one worker reads the file,
/// with the reason when more were asked for and the file cannot be split (plain gzip, BCF
/// without its index). A plan that fails (a damaged block near a cut) is empty too: the whole
/// read names the problem.
pub fn shard_plan(
    blob: &Blob,
    indexed: Option<&mut IndexedFile>,
    key: Option<&SecretKey>,
    shards: u32,
    min_bytes: u64,
) -> (Vec<ShardSpec>, Option<SingleReason>) {
    let bytes = match &indexed {
        Some(file) => file.data_bytes(),
        None => blob.size() as u64,
    };
    let wanted = (bytes / min_bytes.max(1)).min(u64::from(shards)) as usize;
    if wanted < 2 {
        return (Vec::new(), None);
    }
    let plan = match indexed {
        Some(file) => shards::plan_indexed(file, wanted),
        None => BlobReader::with_chunk_size(blob.clone(), INDEXED_CHUNK)
            .map_err(IngestError::Io)
            .and_then(|reader| shards::plan(Box::new(reader), None, key, wanted)),
    };
    match plan {
        Ok(plan) if plan.shards.len() >= 2 => (plan.shards, None),
        Ok(plan) => (Vec::new(), plan.single_reason),
        Err(_) => (Vec::new(), None),
    }
}

/// Reads one part of a pool load from `reader` (the whole file) with a memory guard: the
/// header from the file's start, then the part's records.
fn read_part(
    reader: BlobReader,
    key: Option<&SecretKey>,
    spec: &ShardSpec,
    guard: &mut Guard<'_>,
) -> Result<Dataset, OpenError> {
    match shards::read_shard(Box::new(reader), key, spec, &ReadOptions::default(), guard) {
        Ok(dataset) => Ok(dataset),
        Err(IngestError::Cancelled) if guard.tripped() => {
            Err(OpenError::Read(io::Error::other(SHARD_MEMORY)))
        }
        Err(e) => Err(OpenError::Ingest(e)),
    }
}

/// Reads the records of one shard of a pool load: `blob` is the whole file (no index needed:
/// the spec says where the part starts and ends). The key's text and passphrase are wiped once
/// the key is parsed.
pub fn read_shard(
    blob: &Blob,
    key: Option<KeyMaterial>,
    spec: &ShardSpec,
    progress: &mut dyn Progress,
) -> Result<Dataset, OpenError> {
    let secret = match key {
        Some(material) => Some(unlock(material).map_err(OpenError::Key)?),
        None => None,
    };
    let reader = BlobReader::new(blob.clone()).map_err(OpenError::Read)?;
    let mut guard = Guard::new(progress, MEMORY_CEILING);
    read_part(reader, secret.as_ref(), spec, &mut guard)
}

/// Why a shard stopped when its worker's memory passed the ceiling.
const SHARD_MEMORY: &str = "one part of the file needs more memory than a worker has (3 GiB): \
     open it with more workers (?workers=N), or with a smaller memory budget (?memory-budget=MB) \
     to scan it instead";

/// Opens the data file through its index: reads the index, then the data's header through a
/// second reader over the same `Blob`.
fn open_indexed(
    data: &Blob,
    index: &Blob,
    key: Option<&SecretKey>,
) -> Result<IndexedFile, OpenError> {
    let index = BlobReader::new(index.clone()).map_err(OpenError::Read)?;
    if index.size() > MAX_INDEX_BYTES {
        return Err(OpenError::Ingest(IngestError::Index(
            wasm_core::index::IndexError::NotAnIndex,
        )));
    }
    let bytes = index.read_range(0, index.size()).map_err(OpenError::Read)?;
    let reader =
        BlobReader::with_chunk_size(data.clone(), INDEXED_CHUNK).map_err(OpenError::Read)?;
    IndexedFile::open(Box::new(reader), &bytes, key).map_err(OpenError::Ingest)
}

/// Parses the secret key; the key file's text and the passphrase are zeroized on return, whatever
/// the outcome. An empty passphrase counts as none.
fn unlock(material: KeyMaterial) -> Result<SecretKey, KeyError> {
    let material = Zeroizing::new(material);
    let passphrase = material
        .passphrase
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(str::as_bytes);
    SecretKey::parse(material.key_file.as_bytes(), passphrase)
}
