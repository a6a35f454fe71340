//! The engine's side of the worker boundary: runs inside a dedicated Web Worker.
//!
//! [`worker_main`] (called by `static/worker.js` once the wasm module is initialised) listens for
//! [`Request`]s and answers with [`Event`]s. It holds one loaded dataset as a [`Session`] (the
//! filter in force, sort orders, clause masks). Work runs synchronously: while a file loads the
//! worker answers nothing else, so cancelling is done by the UI terminating the worker.
//!
//! Data flow: `Request::Open` + `Blob` (+ index `Blob`) → [`load_with`]: [`BlobReader`] →
//! fingerprint (first and last 64 KiB) → sniff: a Crypt4GH file without a key → `KeyRequired`;
//! with one, the key is parsed (key text and passphrase are wiped right after) → with an index,
//! `IndexedFile::open` (through a second `BlobReader` over the same `Blob`) → `Overview` at once,
//! or `IndexRejected` and on without it → a prefix read ([`PREFIX_BYTES`]) and
//! `estimate_memory` → within the budget: the whole file through `wasm_core::read_dataset_with`
//! (or `read_encrypted_dataset_with`), posting `Progress`, then `Schema`, `Loaded` (the index's
//! per-contig counts compared with the file's); past it: a [`Source`] is kept and the open ends
//! in `StreamingMode`. `Request::Stream` / `Request::Region` → [`Source`] → `Loaded` over the kept
//! records; `Request::Filter` → [`Session::filter`] → `Filtered` or `FilterRejected`;
//! `Request::Rows` → one page of the passing records in the cached order.
//!
//! Memory: wasm32 has 4 GiB in all. The budget ([`DEFAULT_MEMORY_BUDGET`] of store) leaves room
//! for sort orders, bitmaps and the filter cache; and reads stop when the wasm memory passes a
//! ceiling ([`MEMORY_CEILING`]) rather than trap on an allocation the engine cannot make: a
//! whole-file read that does falls back to streaming mode, a scan ends in a clear `Failed`.

use std::cell::RefCell;
use std::fmt;
use std::io;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};
use zeroize::Zeroizing;

use crate::blob_reader::BlobReader;
use crate::protocol::{
    AbsentFields, Columns, Envelope, Event, KeyMaterial, PROTOCOL_VERSION, Request, ShardSpec,
    format_name,
};
use crate::session::{self, Session};
use crate::shards::index_mismatch;
use crate::source::{Shown, Source, SourceError, SourceParts};
use wasm_core::crypt4gh::{Crypt4ghError, KeyError, SecretKey};
use wasm_core::filter::Mode;
use wasm_core::fingerprint::{EDGE_BYTES, fingerprint};
use wasm_core::formats::indexed::{IndexedFile, Overview};
use wasm_core::formats::shards::{self, SingleReason};
use wasm_core::formats::{
    MemoryEstimate, ReadOptions, estimate_memory, is_encrypted, read_dataset_with,
    read_encrypted_dataset_with,
};
use wasm_core::progress::{Flow, Progress};
use wasm_core::store::SortKey;
use wasm_core::{Dataset, IngestError, Location};

/// Least time between two `Progress` events.
const PROGRESS_INTERVAL_MS: f64 = 50.0;
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

/// What a worker holds: the shown records, and in streaming mode the file they come from.
struct Held {
    session: Session,
    source: Option<Source>,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// The worker's entry point: installs the message handler and announces `Ready`. Exported by the
/// engine module (feature `worker`), not by the page's.
#[cfg_attr(feature = "worker", wasm_bindgen)]
pub fn worker_main() {
    console_error_panic_hook::set_once();
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| handle(&event.data()));
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    post(&Event::Ready {
        version: PROTOCOL_VERSION,
    });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts an event; if it cannot be converted, posts that failure for its job instead.
fn post(event: &Event) {
    let message = match Envelope::new(event).to_js() {
        Ok(message) => message,
        Err(e) => {
            let failed = Event::Failed {
                job: event.job().unwrap_or(0),
                message: format!("the worker could not send its answer: {e}"),
                location: None,
            };
            match Envelope::new(&failed).to_js() {
                Ok(message) => message,
                Err(_) => return,
            }
        }
    };
    // Posting a plain object to the page cannot fail (no transfer list, nothing uncloneable).
    let _ = scope().post_message(&message);
}

fn handle(data: &JsValue) {
    let envelope = match Envelope::<Request>::from_js(data) {
        Ok(envelope) => envelope,
        Err(e) => {
            post(&Event::Failed {
                job: raw_job(data),
                message: e.to_string(),
                location: None,
            });
            return;
        }
    };
    let event = match envelope.msg {
        Request::Open {
            job,
            salt,
            name_hint,
            key,
            index_name,
            memory_budget,
            shards,
        } => match envelope.file {
            Some(blob) => {
                let options = LoadOptions {
                    index: envelope.index.map(|blob| IndexInput {
                        blob,
                        name: index_name.unwrap_or_else(|| "index".into()),
                    }),
                    data_name: name_hint,
                    memory_budget: memory_budget.unwrap_or_else(|| default_budget(shards)),
                    shards: shards.max(1),
                    ..LoadOptions::default()
                };
                open(job, &salt, blob, key, &options)
            }
            None => Event::Failed {
                job,
                message: "the open request carries no file".into(),
                location: None,
            },
        },
        Request::OpenShard {
            job,
            name_hint,
            key,
            spec,
        } => match envelope.file {
            Some(blob) => open_shard(job, blob, key, spec, &name_hint),
            None => Event::Failed {
                job,
                message: "the open request carries no file".into(),
                location: None,
            },
        },
        Request::Rows {
            job,
            offset,
            limit,
            sort,
            descending,
            columns,
        } => rows(job, offset, limit, sort, descending, columns),
        Request::Keys {
            job,
            limit,
            sort,
            descending,
        } => with_session(job, |session| {
            let (total, keys) = session.keys(limit, sort, descending);
            Event::Keys { job, total, keys }
        }),
        Request::Filter {
            job,
            expression,
            mode,
            regions,
            genes,
            absent,
        } => filter(
            job,
            &expression,
            mode,
            regions.as_deref(),
            genes.as_deref(),
            &absent,
        ),
        Request::Stream {
            job,
            expression,
            mode,
            regions,
        } => stream(job, &expression, mode, regions.as_deref()),
        Request::Region { job, regions } => region(job, &regions),
    };
    post(&event);
}

/// The job id of a message that could not be read (`{msg: {Variant: {job, …}}}`), so its
/// sender still hears back.
fn raw_job(data: &JsValue) -> u32 {
    let msg = js_sys::Reflect::get(data, &"msg".into()).unwrap_or_default();
    js_sys::Reflect::own_keys(&msg)
        .map(|keys| keys.get(0))
        .and_then(|variant| js_sys::Reflect::get(&msg, &variant))
        .and_then(|body| js_sys::Reflect::get(&body, &"job".into()))
        .ok()
        .and_then(|job| job.as_f64())
        .map_or(0, |job| job as u32)
}

/// Posts `Progress` for `job`, at most every [`PROGRESS_INTERVAL_MS`].
fn progress_poster(job: u32) -> impl FnMut(u64, Option<u64>) -> Flow {
    let mut last_post = f64::NEG_INFINITY;
    move |done: u64, total: Option<u64>| {
        let now = js_sys::Date::now();
        if now - last_post >= PROGRESS_INTERVAL_MS || Some(done) == total {
            last_post = now;
            post(&Event::Progress { job, done, total });
        }
        Flow::Continue
    }
}

fn open(
    job: u32,
    salt: &[u8],
    blob: Blob,
    key: Option<KeyMaterial>,
    options: &LoadOptions,
) -> Event {
    // Free the previous dataset before reading the next one.
    HELD.with(|held| held.borrow_mut().take());
    let started = js_sys::Date::now();
    let mut progress = progress_poster(job);
    let mut notes = |note: Note| {
        post(&match note {
            Note::Overview(overview) => Event::Overview { job, overview },
            Note::IndexRejected(message) => Event::IndexRejected { job, message },
            Note::Shards(specs) => Event::Shards { job, specs },
        })
    };
    let opened = match load_with(blob, salt, key, options, &mut notes, &mut progress) {
        Ok(opened) => opened,
        Err(e) => {
            return Event::Failed {
                job,
                message: format!("“{}”: {e}", options.data_name),
                location: e.location(),
            };
        }
    };
    let millis = js_sys::Date::now() - started;
    match opened {
        Opened::KeyRequired => Event::KeyRequired { job },
        Opened::Loaded {
            session,
            fingerprint,
        } => hold(job, *session, fingerprint, millis),
        Opened::Streaming { source } => {
            post(&Event::Schema {
                job,
                schema: source.schema().clone(),
            });
            let summary = source.summary();
            let event = Event::StreamingMode {
                job,
                estimate: source.estimate,
                budget: source.budget,
                indexed: source.is_indexed(),
                format: format_name(&summary).to_string(),
                summary,
                info_keys: source.info_keys().to_vec(),
                format_keys: source.format_keys().to_vec(),
                fingerprint: source.fingerprint.clone(),
                millis,
                annotation: source.annotation_tag().map(str::to_string),
            };
            let Shown { session, .. } = source.empty();
            HELD.with(|held| {
                *held.borrow_mut() = Some(Held {
                    session,
                    source: Some(*source),
                })
            });
            event
        }
    }
}

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
            Self::Ingest(IngestError::Decryption(e)) => write!(f, "cannot decrypt: {e}"),
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
        stream: None,
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

/// Reads one shard of a pool load (`Request::OpenShard`) and holds it as this worker's session.
fn open_shard(
    job: u32,
    blob: Blob,
    key: Option<KeyMaterial>,
    spec: ShardSpec,
    name: &str,
) -> Event {
    HELD.with(|held| held.borrow_mut().take());
    let started = js_sys::Date::now();
    let mut progress = progress_poster(job);
    let dataset = match read_shard(&blob, key, &spec, &mut progress) {
        Ok(dataset) => dataset,
        Err(e) => {
            return Event::Failed {
                job,
                message: format!("“{name}”: {e}"),
                location: e.location(),
            };
        }
    };
    // The fingerprint is the lead's, of the whole file.
    hold(
        job,
        Session::new(dataset),
        String::new(),
        js_sys::Date::now() - started,
    )
}

/// Holds a loaded session as this worker's: posts its `Schema` and returns its `Loaded`.
fn hold(job: u32, session: Session, fingerprint: String, millis: f64) -> Event {
    post(&Event::Schema {
        job,
        schema: session.schema(),
    });
    let summary = session.dataset().summary.clone();
    let event = Event::Loaded {
        job,
        format: format_name(&summary).to_string(),
        summary,
        info_keys: session.info_keys().to_vec(),
        format_keys: session.format_keys().to_vec(),
        fingerprint,
        millis,
        annotation: session.annotation_tag().map(str::to_string),
    };
    HELD.with(|held| {
        *held.borrow_mut() = Some(Held {
            session,
            source: None,
        })
    });
    event
}

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

/// Reads a whole file, a prefix of it or a streaming scan, decrypting with `key` when given.
pub(crate) fn read(
    reader: BlobReader,
    size: u64,
    key: Option<&SecretKey>,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    match key {
        Some(key) => read_encrypted_dataset_with(reader, key, options, progress),
        None => read_dataset_with(reader, Some(size), options, progress),
    }
}

/// Passes progress on, and stops a read (`Flow::Cancel`) once the wasm memory grows past a
/// ceiling, so the worker answers rather than traps on an allocation it cannot make.
pub(crate) struct Guard<'a> {
    inner: &'a mut dyn Progress,
    ceiling: u64,
    tripped: bool,
}

impl<'a> Guard<'a> {
    pub(crate) fn new(inner: &'a mut dyn Progress, ceiling: u64) -> Self {
        Self {
            inner,
            ceiling,
            tripped: false,
        }
    }

    /// Whether the read was stopped for memory.
    pub(crate) fn tripped(&self) -> bool {
        self.tripped
    }
}

impl Progress for Guard<'_> {
    fn report(&mut self, done: u64, total: Option<u64>) -> Flow {
        if memory_bytes() > self.ceiling {
            self.tripped = true;
            return Flow::Cancel;
        }
        self.inner.report(done, total)
    }
}

/// The wasm memory's size now, in bytes.
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size::<0>() as u64 * 65_536
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

/// Runs `f` on the loaded session, or fails the job when there is none.
fn with_session(job: u32, f: impl FnOnce(&mut Session) -> Event) -> Event {
    HELD.with(|held| match held.borrow_mut().as_mut() {
        Some(held) => f(&mut held.session),
        None => Event::Failed {
            job,
            message: "no file is loaded in this worker: open the file again".into(),
            location: None,
        },
    })
}

fn rows(
    job: u32,
    offset: u64,
    limit: u32,
    sort: SortKey,
    descending: bool,
    columns: Option<Columns>,
) -> Event {
    with_session(job, |session| {
        if let Some(columns) = columns {
            session.set_columns(columns.info_keys, columns.format_keys);
        }
        let page = session.rows(offset, limit, sort, descending);
        Event::Rows {
            job,
            total: page.total,
            offset,
            rows: page.rows,
            annotations: page.annotations,
        }
    })
}

/// Streaming mode: scans the file for the records a filter keeps; they become the shown ones.
fn stream(job: u32, expression: &str, mode: Mode, regions: Option<&str>) -> Event {
    let mut progress = progress_poster(job);
    from_source(job, expression, |held, source| {
        let spec = source.check(expression, mode, regions)?;
        // The records shown so far go first: the scan may need their memory.
        held.session = source.empty().session;
        source.scan(&spec, &mut progress)
    })
}

/// Streaming mode with an index: the records of regions become the shown ones.
fn region(job: u32, regions: &str) -> Event {
    from_source(job, regions, |_, source| source.region(regions))
}

/// Runs `f` on the file held in streaming mode; the records it gives become the shown ones,
/// answered with `Loaded`. `text` is the expression or region list, for a rejection.
fn from_source(
    job: u32,
    text: &str,
    f: impl FnOnce(&mut Held, &mut Source) -> Result<Shown, SourceError>,
) -> Event {
    let started = session::now();
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        let Some(held) = held.as_mut() else {
            return source_error(
                job,
                text,
                SourceError::Failed("no file is open in this worker: open the file again".into()),
            );
        };
        let Some(mut source) = held.source.take() else {
            return source_error(
                job,
                text,
                SourceError::Failed("this file is loaded whole: use the filter instead".into()),
            );
        };
        let event = match f(held, &mut source) {
            Ok(Shown { session, summary }) => {
                held.session = session;
                Event::Loaded {
                    job,
                    format: format_name(&summary).to_string(),
                    summary,
                    info_keys: source.info_keys().to_vec(),
                    format_keys: source.format_keys().to_vec(),
                    fingerprint: source.fingerprint.clone(),
                    millis: session::now() - started,
                    annotation: source.annotation_tag().map(str::to_string),
                }
            }
            Err(e) => source_error(job, text, e),
        };
        held.source = Some(source);
        event
    })
}

fn source_error(job: u32, expression: &str, error: SourceError) -> Event {
    match error {
        SourceError::Rejected(rejection) => Event::FilterRejected {
            job,
            expression: expression.to_string(),
            rejection,
        },
        SourceError::Failed(message) => Event::Failed {
            job,
            message,
            location: None,
        },
    }
}

fn filter(
    job: u32,
    expression: &str,
    mode: Mode,
    regions: Option<&str>,
    genes: Option<&str>,
    absent: &AbsentFields,
) -> Event {
    with_session(job, |session| {
        session.add_absent_fields(absent);
        match session.filter(expression, mode, regions, genes, &session::now) {
            Ok(report) => Event::Filtered { job, report },
            Err(rejection) => Event::FilterRejected {
                job,
                expression: expression.to_string(),
                rejection,
            },
        }
    })
}
